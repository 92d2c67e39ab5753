"""Encrypt and decrypt whole age files: header, payload nonce, ChaCha20-Poly1305 STREAM.

The payload is cut into 64 KiB chunks; each nonce is an 11-byte counter and a final flag,
so a reordered, duplicated, dropped or cut-off chunk fails authentication.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from backup.age.header import Stanza, encode_header, read_header
from backup.age.keys import FILE_KEY_SIZE, ScryptRecipient
from backup.errors import BackupDamaged, WrongKey
from node.i18n import _

CHUNK = 64 * 1024
TAG = 16
NONCE_SIZE = 16


class Wrapper(Protocol):
    def wrap(self, file_key: bytes) -> Stanza: ...


class Unwrapper(Protocol):
    def unwrap(self, stanzas: list[Stanza]) -> bytes | None: ...


def payload_key(file_key: bytes, nonce: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=nonce, info=b"payload").derive(file_key)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _chunks(source: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """Plaintext chunks with the last one flagged (an empty payload is one empty last chunk)."""
    current = source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if len(current) == CHUNK else b""
        yield current, not following
        if not following:
            return
        current = following


def encrypt(
    source: BinaryIO,
    sinks: Iterable[Callable[[bytes], object]],
    recipients: Iterable[Wrapper],
) -> None:
    """Encrypt ``source`` to every recipient, handing each piece of output to every sink."""
    wrappers = list(recipients)
    if not wrappers:
        raise WrongKey(_("There is no recipient to encrypt to: add one with 'backup keys add'."))
    if any(isinstance(w, ScryptRecipient) for w in wrappers) and len(wrappers) > 1:
        raise ValueError("a passphrase must be the only recipient of an age file")
    writers = list(sinks)
    file_key = os.urandom(FILE_KEY_SIZE)
    header = encode_header([w.wrap(file_key) for w in wrappers], file_key)
    nonce = os.urandom(NONCE_SIZE)
    for write in writers:
        write(header + nonce)
    aead = ChaCha20Poly1305(payload_key(file_key, nonce))
    for counter, (chunk, last) in enumerate(_chunks(source)):
        sealed = aead.encrypt(_nonce(counter, last), chunk, None)
        for write in writers:
            write(sealed)


def decrypt(
    source: BinaryIO, identities: Iterable[Unwrapper], sink: Callable[[bytes], object]
) -> None:
    """Decrypt ``source`` into ``sink``; any damage raises before the last chunk is handed on.

    Chunks are handed on as they are authenticated, so a caller that must not keep partial
    output (restore) writes to a temp file and drops it on error.
    """
    header = read_header(source)
    file_key = None
    for identity in identities:
        file_key = identity.unwrap(header.stanzas)
        if file_key is not None:
            break
    if file_key is None:
        raise WrongKey(
            _(
                "None of the given keys opens this file: it was encrypted to other recipients. "
                "Use the identity file that belongs to a recipient registered on the node."
            )
        )
    header.verify(file_key)
    nonce = source.read(NONCE_SIZE)
    if len(nonce) != NONCE_SIZE:
        raise BackupDamaged(_("The file is cut short: its payload is missing."))
    aead = ChaCha20Poly1305(payload_key(file_key, nonce))
    sealed = source.read(CHUNK + TAG)
    counter = 0
    while True:
        following = source.read(CHUNK + TAG) if len(sealed) == CHUNK + TAG else b""
        last = not following
        try:
            chunk = aead.decrypt(_nonce(counter, last), sealed, None)
        except InvalidTag:
            if last and len(sealed) == CHUNK + TAG:
                raise BackupDamaged(
                    _("The file is cut short or damaged: its final part is missing.")
                ) from None
            raise BackupDamaged(
                _(
                    "The file is damaged at part {n}: it was changed, cut or reordered. "
                    "Use another copy of the backup."
                ).format(n=counter + 1)
            ) from None
        if last and not chunk and counter > 0:
            raise BackupDamaged(_("The file is damaged: an empty final part."))
        sink(chunk)
        if last:
            return
        counter += 1
        sealed = following
