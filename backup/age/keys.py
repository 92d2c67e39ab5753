"""age recipients and identities: X25519 key pairs and passphrases (scrypt).

A recipient wraps the 16-byte file key into a stanza; an identity unwraps it. Both follow
age-encryption.org/v1 exactly, so keys made by ``age-keygen`` work here and ours work there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from backup.age import bech32
from backup.age.header import Stanza, b64decode, b64encode
from backup.errors import BackupDamaged, BadKey, WrongKey
from node.i18n import _

RECIPIENT_HRP = "age"
IDENTITY_HRP = "AGE-SECRET-KEY-"
X25519_LABEL = b"age-encryption.org/v1/X25519"
SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
FILE_KEY_SIZE = 16
#: Our passphrase files use age's default cost; anything above the maximum is refused, as
#: age does, because a hostile file could otherwise make us spend minutes and gigabytes.
SCRYPT_DEFAULT_LOG_N = 18
SCRYPT_MAX_LOG_N = 22
_ZERO_NONCE = bytes(12)


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _wrap(key: bytes, file_key: bytes) -> bytes:
    return ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)


def _unwrap(key: bytes, body: bytes) -> bytes | None:
    if len(body) != FILE_KEY_SIZE + 16:
        raise BackupDamaged(_("The backup's header is damaged: a key stanza has a wrong size."))
    try:
        return ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, body, None)
    except InvalidTag:
        return None


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


@dataclass(frozen=True)
class Recipient:
    """An X25519 public key, written ``age1…``."""

    public: bytes

    @classmethod
    def parse(cls, text: str) -> Recipient:
        try:
            hrp, data = bech32.decode(text.strip())
        except bech32.Bech32Error as exc:
            raise BadKey(
                _("«{text}» is not an age recipient ({error}); it starts with age1.").format(
                    text=text.strip(), error=exc
                )
            ) from None
        if hrp != RECIPIENT_HRP or len(data) != 32 or text.strip().lower() != text.strip():
            raise BadKey(
                _("«{text}» is not an age X25519 recipient; it starts with age1.").format(
                    text=text.strip()
                )
            )
        return cls(data)

    def __str__(self) -> str:
        return bech32.encode(RECIPIENT_HRP, self.public)

    def wrap(self, file_key: bytes) -> Stanza:
        ephemeral = X25519PrivateKey.generate()
        share = _raw(ephemeral.public_key())
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(self.public))
        key = _hkdf(shared, share + self.public, X25519_LABEL)
        return Stanza("X25519", (b64encode(share),), _wrap(key, file_key))


@dataclass(frozen=True)
class Identity:
    """An X25519 private key, written ``AGE-SECRET-KEY-1…``."""

    secret: bytes

    @classmethod
    def parse(cls, text: str) -> Identity:
        try:
            hrp, data = bech32.decode(text.strip())
        except bech32.Bech32Error as exc:
            raise BadKey(_("This is not an age identity ({error}).").format(error=exc)) from None
        if hrp != IDENTITY_HRP.lower() or len(data) != 32:
            raise BadKey(_("This is not an age identity: it starts with AGE-SECRET-KEY-1."))
        return cls(data)

    def __str__(self) -> str:
        return bech32.encode(IDENTITY_HRP, self.secret)

    @property
    def recipient(self) -> Recipient:
        return Recipient(_raw(X25519PrivateKey.from_private_bytes(self.secret).public_key()))

    def unwrap(self, stanzas: list[Stanza]) -> bytes | None:
        private = X25519PrivateKey.from_private_bytes(self.secret)
        own = self.recipient.public
        for stanza in stanzas:
            if stanza.type != "X25519":
                continue
            if len(stanza.args) != 1:
                raise BackupDamaged(_("The backup's header is damaged: a bad X25519 stanza."))
            share = b64decode(stanza.args[0])
            if len(share) != 32:
                raise BackupDamaged(_("The backup's header is damaged: a bad X25519 stanza."))
            try:
                shared = private.exchange(X25519PublicKey.from_public_bytes(share))
            except ValueError:  # an all-zero shared secret: a low-order point
                raise BackupDamaged(
                    _("The backup's header is damaged: a bad X25519 stanza.")
                ) from None
            file_key = _unwrap(_hkdf(shared, share + own, X25519_LABEL), stanza.body)
            if file_key is not None:
                return file_key
        return None


def generate() -> Identity:
    """A new random X25519 identity."""
    key = X25519PrivateKey.generate()
    return Identity(key.private_bytes_raw())


def _scrypt_key(passphrase: str, salt: bytes, log_n: int) -> bytes:
    kdf = Scrypt(salt=SCRYPT_LABEL + salt, length=32, n=1 << log_n, r=8, p=1)
    return kdf.derive(passphrase.encode("utf-8"))


@dataclass(frozen=True)
class ScryptRecipient:
    """A passphrase as a recipient; age requires it to be the only stanza of a file."""

    passphrase: str
    log_n: int = SCRYPT_DEFAULT_LOG_N

    def wrap(self, file_key: bytes) -> Stanza:
        salt = os.urandom(16)
        key = _scrypt_key(self.passphrase, salt, self.log_n)
        return Stanza("scrypt", (b64encode(salt), str(self.log_n)), _wrap(key, file_key))


@dataclass(frozen=True)
class ScryptIdentity:
    """A passphrase that opens a file with one scrypt stanza (cost at most ``max_log_n``)."""

    passphrase: str
    max_log_n: int = SCRYPT_MAX_LOG_N

    def unwrap(self, stanzas: list[Stanza]) -> bytes | None:
        found = [s for s in stanzas if s.type == "scrypt"]
        if not found:
            return None
        if len(stanzas) != 1:
            raise BackupDamaged(
                _("The file's header is damaged: a passphrase must be its only key stanza.")
            )
        stanza = found[0]
        if len(stanza.args) != 2 or not stanza.args[1].isdigit() or stanza.args[1][0] == "0":
            raise BackupDamaged(_("The file's header is damaged: a bad scrypt stanza."))
        salt, log_n = b64decode(stanza.args[0]), int(stanza.args[1])
        if len(salt) != 16:
            raise BackupDamaged(_("The file's header is damaged: a bad scrypt stanza."))
        if log_n > self.max_log_n:
            raise BackupDamaged(
                _(
                    "The file asks for a scrypt work factor of 2^{log_n}, above the limit of "
                    "2^{limit}: it was not made by ediary or age defaults and is refused."
                ).format(log_n=log_n, limit=self.max_log_n)
            )
        file_key = _unwrap(_scrypt_key(self.passphrase, salt, log_n), stanza.body)
        if file_key is None:
            raise WrongKey(_("Wrong passphrase: it does not open this file. Try again."))
        return file_key
