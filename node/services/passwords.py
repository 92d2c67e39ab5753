"""Password hashing with Argon2id, stored as PHC strings so the cost can be raised later.

A stored hash reads ``$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`` (base64 without
padding). The parameters travel with the hash: raising ``CURRENT`` does not lock anyone out,
and ``needs_rehash`` tells the sign-in code to re-hash with the new cost after a good login.
Hashing is slow on purpose (tens of milliseconds) so that a stolen database cannot be
brute-forced cheaply.
"""

from __future__ import annotations

import base64
import hmac
import os
import unicodedata
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

ALGORITHM = "argon2id"
VERSION = 19
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

#: Refuse absurd stored costs instead of letting a damaged row hang a login.
_MAX = Argon2Params(memory_kib=4 * 1024 * 1024, iterations=64, lanes=64)


@dataclass(frozen=True)
class _Parsed:
    params: Argon2Params
    salt: bytes
    digest: bytes


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _secret(password: str) -> bytes:
    """NFC first: the same password typed on two keyboards may arrive composed or not."""
    return unicodedata.normalize("NFC", password).encode("utf-8")


def _derive(password: str, salt: bytes, params: Argon2Params, length: int) -> bytes:
    kdf = Argon2id(
        salt=salt,
        length=length,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(_secret(password))


def hash_password(
    password: str, *, params: Argon2Params = CURRENT, salt: bytes | None = None
) -> str:
    """A new salted Argon2id hash of ``password`` in PHC form (slow on purpose).

    ``salt`` is only for reproducible demo data, whose password is public anyway; real
    accounts always get a fresh random salt.
    """
    if salt is None:
        salt = os.urandom(SALT_BYTES)
    elif len(salt) < SALT_BYTES:
        raise ValueError("a salt needs at least 16 bytes")
    digest = _derive(password, salt, params, HASH_BYTES)
    return (
        f"${ALGORITHM}$v={VERSION}"
        f"$m={params.memory_kib},t={params.iterations},p={params.lanes}"
        f"${_b64encode(salt)}${_b64encode(digest)}"
    )


def _parse(stored: str | None) -> _Parsed | None:
    """The parts of a stored hash, or ``None`` if it is not one of ours."""
    if not stored:
        return None
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "" or parts[1] != ALGORITHM or parts[2] != f"v={VERSION}":
        return None
    try:
        costs = dict(item.split("=", 1) for item in parts[3].split(","))
        params = Argon2Params(
            memory_kib=int(costs["m"]), iterations=int(costs["t"]), lanes=int(costs["p"])
        )
        salt = _b64decode(parts[4])
        digest = _b64decode(parts[5])
    except (ValueError, KeyError):
        return None
    if not (
        1 <= params.lanes <= _MAX.lanes
        and 1 <= params.iterations <= _MAX.iterations
        and 8 * params.lanes <= params.memory_kib <= _MAX.memory_kib
        and len(salt) >= 8
        and len(digest) >= 16
    ):
        return None
    return _Parsed(params, salt, digest)


def verify_password(password: str, stored: str | None) -> bool:
    """Does ``password`` match ``stored``? False for a wrong password or a damaged hash."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    candidate = _derive(password, parsed.salt, parsed.params, len(parsed.digest))
    return hmac.compare_digest(candidate, parsed.digest)


def needs_rehash(stored: str | None, *, params: Argon2Params = CURRENT) -> bool:
    """True when ``stored`` is weaker than ``params`` (or unreadable): re-hash at next login."""
    parsed = _parse(stored)
    if parsed is None:
        return True
    return (
        parsed.params.memory_kib < params.memory_kib
        or parsed.params.iterations < params.iterations
        or parsed.params.lanes < params.lanes
        or len(parsed.salt) < SALT_BYTES
        or len(parsed.digest) < HASH_BYTES
    )
