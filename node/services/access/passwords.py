"""Password hashing with Argon2id, stored as PHC strings so the cost can be raised later.

A stored hash reads ``$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`` (base64 without
padding). ``cryptography`` writes and checks it (``Argon2id.derive_phc_encoded`` and
``verify_phc_encoded``, constant-time); this module only reads the costs, to refuse absurd
ones before deriving and to tell when a hash is weaker than ``CURRENT``. The parameters
travel with the hash: raising ``CURRENT`` does not lock anyone out, and ``needs_rehash``
tells the sign-in code to re-hash with the new cost after a good login. Hashing is slow on
purpose (tens of milliseconds) so that a stolen database cannot be brute-forced cheaply.

The test suite hashes thousands of passwords, so it lowers the cost for its own process with
``use_cost`` (tests/conftest.py); nothing else calls it (tests/test_architecture.py checks),
so every real hash is made and judged by ``CURRENT``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

SALT_BYTES = 16
HASH_BYTES = 32


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost: memory in KiB, iterations (time cost) and lanes (parallelism)."""

    memory_kib: int
    iterations: int
    lanes: int


#: OWASP's recommended Argon2id setting (19 MiB, 2 passes, 1 lane): about 50 ms on a
#: small school server, cheap enough for a login, expensive for an attacker.
CURRENT = Argon2Params(memory_kib=19456, iterations=2, lanes=1)

#: The cost ``hash_password`` makes and ``needs_rehash`` expects: ``CURRENT``, unless the
#: test suite lowered it for its process (``use_cost``).
_cost_in_use = CURRENT

#: Refuse absurd stored costs instead of letting a damaged row hang a login.
_MAX = Argon2Params(memory_kib=4 * 1024 * 1024, iterations=64, lanes=64)

#: Our PHC strings: Argon2id version 19, the three costs, salt and hash in unpadded base64.
_PHC = re.compile(
    r"\$argon2id\$v=19\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,10})"
    r"\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{22,})"
)


@dataclass(frozen=True)
class _Costs:
    params: Argon2Params
    salt_bytes: int
    hash_bytes: int


def use_cost(params: Argon2Params) -> Argon2Params:
    """For the test suite only: hash with ``params`` instead of ``CURRENT`` in this process
    (cheap hashes for tests that are not about the cost); returns the cost it replaces."""
    global _cost_in_use
    replaced, _cost_in_use = _cost_in_use, params
    return replaced


def _secret(password: str) -> bytes:
    """NFC first: the same password typed on two keyboards may arrive composed or not."""
    return unicodedata.normalize("NFC", password).encode("utf-8")


def hash_password(
    password: str, *, params: Argon2Params | None = None, salt: bytes | None = None
) -> str:
    """A new salted Argon2id hash of ``password`` in PHC form (slow on purpose).

    ``salt`` is only for reproducible demo data, whose password is public anyway; real
    accounts always get a fresh random salt.
    """
    params = params or _cost_in_use
    if salt is None:
        salt = os.urandom(SALT_BYTES)
    elif len(salt) < SALT_BYTES:
        raise ValueError("a salt needs at least 16 bytes")
    kdf = Argon2id(
        salt=salt,
        length=HASH_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive_phc_encoded(_secret(password))


def _unpadded_length(text: str) -> int:
    return len(text) * 3 // 4


def _costs(stored: str | None) -> _Costs | None:
    """The costs of a stored hash within sane bounds, or ``None`` if it is not one of ours."""
    match = _PHC.fullmatch(stored or "")
    if match is None or len(match[4]) % 4 == 1 or len(match[5]) % 4 == 1:
        return None
    params = Argon2Params(memory_kib=int(match[1]), iterations=int(match[2]), lanes=int(match[3]))
    costs = _Costs(params, _unpadded_length(match[4]), _unpadded_length(match[5]))
    if not (
        1 <= params.lanes <= _MAX.lanes
        and 1 <= params.iterations <= _MAX.iterations
        and 8 * params.lanes <= params.memory_kib <= _MAX.memory_kib
        and costs.salt_bytes >= 8
        and costs.hash_bytes >= 16
    ):
        return None
    return costs


def verify_password(password: str, stored: str | None) -> bool:
    """Does ``password`` match ``stored``? False for a wrong password or a damaged hash."""
    if stored is None or _costs(stored) is None:
        return False
    try:
        Argon2id.verify_phc_encoded(_secret(password), stored)
    except (InvalidKey, ValueError):
        return False
    return True


def needs_rehash(stored: str | None, *, params: Argon2Params | None = None) -> bool:
    """True when ``stored`` is weaker than ``params`` (``CURRENT`` by default) or unreadable:
    re-hash at next login."""
    params = params or _cost_in_use
    costs = _costs(stored)
    if costs is None:
        return True
    return (
        costs.params.memory_kib < params.memory_kib
        or costs.params.iterations < params.iterations
        or costs.params.lanes < params.lanes
        or costs.salt_bytes < SALT_BYTES
        or costs.hash_bytes < HASH_BYTES
    )
