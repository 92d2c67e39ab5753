from __future__ import annotations

import base64
from pathlib import Path

import pytest

from node.services.access.passwords import (
    CURRENT,
    Argon2Params,
    hash_password,
    needs_rehash,
    verify_password,
)

#: A cheap cost for tests that do not care about the default one.
FAST = Argon2Params(memory_kib=64, iterations=1, lanes=1)


def test_hash_has_phc_form_with_current_parameters(production_password_cost):
    """The production cost (the suite hashes cheaply elsewhere: tests/conftest.py)."""
    assert CURRENT == Argon2Params(memory_kib=19456, iterations=2, lanes=1)
    stored = hash_password("Секрет-123")
    _, algorithm, version, costs, salt, digest = stored.split("$")
    assert (algorithm, version) == ("argon2id", "v=19")
    assert costs == f"m={CURRENT.memory_kib},t={CURRENT.iterations},p={CURRENT.lanes}"
    assert "=" not in salt + digest  # base64 without padding
    assert len(base64.b64decode(salt + "==")) == 16
    assert len(base64.b64decode(digest + "=")) == 32
    assert verify_password("Секрет-123", stored)
    assert not needs_rehash(stored)


def test_verify_rejects_wrong_password():
    stored = hash_password("correct horse", params=FAST)
    assert verify_password("correct horse", stored)
    assert not verify_password("correct hors", stored)
    assert not verify_password("", stored)


def test_same_password_gets_different_salts():
    first = hash_password("pw", params=FAST)
    second = hash_password("pw", params=FAST)
    assert first != second
    assert verify_password("pw", first) and verify_password("pw", second)


def test_parameters_are_read_from_the_hash():
    """A hash made with other costs still verifies: the costs can be raised later."""
    stronger = Argon2Params(memory_kib=128, iterations=2, lanes=2)
    stored = hash_password("pw", params=stronger)
    assert "$m=128,t=2,p=2$" in stored
    assert verify_password("pw", stored)


def test_unicode_forms_are_the_same_password():
    composed = "\u0439"  # й
    decomposed = "\u0438\u0306"  # и + combining breve
    stored = hash_password(composed, params=FAST)
    assert verify_password(decomposed, stored)


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "plain text",
        "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=64,t=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=x,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=64,t=1,p=1$not*base64$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    ],
)
def test_damaged_or_foreign_hashes_never_verify_and_need_rehash(stored):
    assert not verify_password("pw", stored)
    assert needs_rehash(stored)


def test_tampered_digest_does_not_verify():
    stored = hash_password("pw", params=FAST)
    head, digest = stored.rsplit("$", 1)
    flipped = ("A" if digest[0] != "A" else "B") + digest[1:]
    assert not verify_password("pw", f"{head}${flipped}")


def test_needs_rehash_when_below_current_costs(production_password_cost):
    weak = hash_password("pw", params=FAST)
    assert needs_rehash(weak)
    assert not needs_rehash(weak, params=FAST)
    assert needs_rehash(weak, params=Argon2Params(memory_kib=64, iterations=2, lanes=1))
    assert needs_rehash(weak, params=Argon2Params(memory_kib=64, iterations=1, lanes=2))
    assert not needs_rehash(weak, params=Argon2Params(memory_kib=32, iterations=1, lanes=1))


def test_a_given_salt_makes_the_hash_reproducible():
    """Only the demo passes a salt (its password is public): same salt, same hash."""
    salt = b"s" * 16
    first = hash_password("ediary-demo", params=FAST, salt=salt)
    assert first == hash_password("ediary-demo", params=FAST, salt=salt)
    assert verify_password("ediary-demo", first)
    with pytest.raises(ValueError):
        hash_password("pw", params=FAST, salt=b"short")


#: Made by the hand-written PHC code this module had before it used ``cryptography``'s
#: ``derive_phc_encoded`` (2026-12-07): accounts created then must still sign in.
OLD_CURRENT = (
    "$argon2id$v=19$m=19456,t=2,p=1$b7M+fWm0nYn+ce417PwrNg$"
    "Ih4oNOAM4eeGPbzq23Jv9s1SMO4+3IYuoUoZvkg0EYk"
)
OLD_FAST = (
    "$argon2id$v=19$m=64,t=1,p=1$MTaZXnoiWNVsxrEWkHPHZA$HSO17/lZDmDO3UmH1yPKY0T9r6JqQ9emAT4KSb8Q73U"
)
OLD_DEMO = (
    "$argon2id$v=19$m=64,t=1,p=1$c3Nzc3Nzc3Nzc3Nzc3Nzcw$53XFM3zHAjB8SHidcJBIcFhROD9uNVQp8ZkMFZ+7Axk"
)


def test_hashes_made_by_the_earlier_code_still_verify(production_password_cost):
    for stored in (OLD_CURRENT, OLD_FAST):
        assert verify_password("Школа-1 пароль ё", stored)
        assert not verify_password("Школа-1 пароль е", stored)
    assert not needs_rehash(OLD_CURRENT)
    assert needs_rehash(OLD_FAST)


def test_the_same_salt_gives_the_same_string_as_the_earlier_code():
    assert hash_password("ediary-demo", params=FAST, salt=b"s" * 16) == OLD_DEMO


def test_only_the_test_suite_lowers_the_hashing_cost():
    """``use_cost`` is for tests: no module of the program calls it."""
    root = Path(__file__).resolve().parents[4]
    callers = [
        path.relative_to(root)
        for package in ("node", "tui", "sync", "backup")
        for path in (root / package).rglob("*.py")
        if "use_cost(" in path.read_text(encoding="utf-8")
    ]
    assert callers == [Path("node/services/access/passwords.py")]  # its definition only
