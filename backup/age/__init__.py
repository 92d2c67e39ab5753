"""The age v1 file format (age-encryption.org/v1), written with ``cryptography`` only.

Just enough of age for backups: X25519 and scrypt recipient stanzas, the header MAC and the
ChaCha20-Poly1305 STREAM payload, so files we write open with the standard ``age`` tool and
files it writes open here.
"""

from __future__ import annotations

from backup.age.keys import Identity, Recipient, ScryptIdentity, ScryptRecipient, generate
from backup.age.stream import decrypt, encrypt

__all__ = [
    "Identity",
    "Recipient",
    "ScryptIdentity",
    "ScryptRecipient",
    "decrypt",
    "encrypt",
    "generate",
]
