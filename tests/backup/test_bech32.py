"""Bech32 against the test vectors of BIP 173 and the keys ``age-keygen`` makes."""

from __future__ import annotations

import subprocess

import pytest

from backup.age import Identity, Recipient
from backup.age.bech32 import Bech32Error, decode, decode_raw, encode
from backup.errors import BadKey
from tests.backup.agecli import needs_age

VALID = [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11" + "q" * 82 + "c8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]

INVALID = [
    "\x201nwldj5",  # HRP character out of range
    "\x7f1axkwrx",
    "\x801eym55h",
    "pzry9x0s0muk",  # no separator
    "1pzry9x0s0muk",  # empty HRP
    "x1b4n0q5v",  # invalid data character
    "li1dgmt3",  # too short checksum
    "de1lg7wt\xff",  # invalid character in checksum
    "A1G7SGD8",  # checksum calculated with uppercase form of HRP
    "10a06t8",  # empty HRP
    "1qzzfhee",  # empty HRP
    "a12UEL5L",  # mixed case
]


@pytest.mark.parametrize("text", VALID)
def test_the_valid_vectors_decode(text: str):
    hrp, values = decode_raw(text)
    assert hrp == text.lower()[: text.lower().rfind("1")]


@pytest.mark.parametrize("text", INVALID)
def test_the_invalid_vectors_are_refused(text: str):
    with pytest.raises(Bech32Error):
        decode_raw(text)


def test_encode_then_decode_gives_the_bytes_back():
    for data in (b"", b"\x00", bytes(range(32)), b"\xff" * 40):
        assert decode(encode("age", data)) == ("age", data)
    assert encode("AGE-SECRET-KEY-", b"\x01" * 32).startswith("AGE-SECRET-KEY-1")


def test_a_recipient_with_a_typo_is_refused_with_a_clear_message():
    good = str(Identity(b"\x07" * 32).recipient)
    typo = good[:-1] + ("q" if good[-1] != "q" else "p")
    with pytest.raises(BadKey, match="not an age recipient"):
        Recipient.parse(typo)
    with pytest.raises(BadKey, match="age1"):
        Recipient.parse(encode("npub", b"\x01" * 32))


@needs_age
def test_keys_from_age_keygen_parse_and_give_the_same_recipient(tmp_path):
    for _ in range(3):
        key_file = tmp_path / "key.txt"
        key_file.unlink(missing_ok=True)
        subprocess.run(["age-keygen", "-o", str(key_file)], check=True, capture_output=True)
        secret = [line for line in key_file.read_text().splitlines() if line.startswith("AGE-")]
        public = subprocess.run(
            ["age-keygen", "-y", str(key_file)], check=True, capture_output=True, text=True
        ).stdout.strip()
        identity = Identity.parse(secret[0])
        assert str(identity) == secret[0]
        assert str(identity.recipient) == public
        assert str(Recipient.parse(public)) == public
