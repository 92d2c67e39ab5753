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
#: Chunks sealed into one buffer before it is handed to the sinks (1 MiB of output).
BATCH = 16
NONCE_SIZE = 16


class Wrapper(Protocol):
    def wrap(self, file_key: bytes) -> Stanza: ...


class Unwrapper(Protocol):
    def unwrap(self, stanzas: list[Stanza]) -> bytes | None: ...


def payload_key(file_key: bytes, nonce: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=nonce, info=b"payload").derive(file_key)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _file_chunks(source: BinaryIO, size: int = CHUNK) -> Iterator[tuple[memoryview, bool]]:
    """Chunks of ``size`` (plaintext, or sealed ones) with the last one flagged (an empty
    payload is one empty last chunk).

    Read ``BATCH`` chunks at a time straight into one reused buffer (``readinto``: no copy
    per chunk); the last full chunk of a batch is held back until the next read tells
    whether it is the last. Each view is only valid until the next one is asked for.
    """
    buffer = bytearray(BATCH * size)
    view = memoryview(buffer)
    held = 0
    while True:
        filled = held
        while filled < len(buffer):
            got = source.readinto(view[filled:])  # type: ignore[attr-defined]
            if not got:
                break
            filled += got
        if filled < len(buffer):  # the end of the payload is in this buffer
            starts = range(0, filled, size) if filled else range(1)
            for start in starts:
                yield (
                    view[start : start + size][: max(0, filled - start)],
                    (start + size >= filled),
                )
            return
        for start in range(0, filled - size, size):
            yield view[start : start + size], False
        view[:size] = view[filled - size : filled]
        held = size


def _buffer_chunks(data: memoryview) -> Iterator[tuple[memoryview, bool]]:
    """The chunks of an in-memory (or mapped) payload, as views: nothing is copied."""
    if not len(data):
        yield data, True
        return
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK], start + CHUNK >= len(data)


def encrypt(
    source: BinaryIO | memoryview,
    sinks: Iterable[Callable[[memoryview], object]],
    recipients: Iterable[Wrapper],
) -> None:
    """Encrypt ``source`` (a file, or a buffer such as a mapped file) to every recipient.

    Every sink gets the header, then the sealed chunks ``BATCH`` at a time: fewer, larger
    writes and hash updates (which release the GIL) than one per 64 KiB chunk. A piece
    handed on is never reused, so a sink may keep it (a hash in another thread does).
    """
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
        write(memoryview(header + nonce))
    aead = ChaCha20Poly1305(payload_key(file_key, nonce))
    chunks = _buffer_chunks(source) if isinstance(source, memoryview) else _file_chunks(source)
    out = memoryview(bytearray(BATCH * (CHUNK + TAG)))
    filled = 0
    for counter, (chunk, last) in enumerate(chunks):
        end = filled + len(chunk) + TAG
        aead.encrypt_into(_nonce(counter, last), chunk, None, out[filled:end])
        filled = end
        if last or filled + CHUNK + TAG > len(out):
            for write in writers:
                write(out[:filled])
            out, filled = memoryview(bytearray(BATCH * (CHUNK + TAG))), 0


def decrypt(
    source: BinaryIO, identities: Iterable[Unwrapper], sink: Callable[[memoryview], object]
) -> None:
    """Decrypt ``source`` into ``sink``; any damage raises before the last chunk is handed on.

    Chunks are handed on as they are authenticated, ``BATCH`` at a time (decrypted straight
    into one buffer, never reused, so a sink may keep it), so a caller that must not keep
    partial output (restore) writes to a temp file and drops it on error.
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
    out, filled = memoryview(bytearray(BATCH * CHUNK)), 0
    for counter, (sealed, last) in enumerate(_file_chunks(source, CHUNK + TAG)):
        end = filled + max(0, len(sealed) - TAG)
        try:
            aead.decrypt_into(_nonce(counter, last), sealed, None, out[filled:end])
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
        if last and end == filled and counter > 0:
            raise BackupDamaged(_("The file is damaged: an empty final part."))
        filled = end
        if last:
            sink(out[:filled])
            return
        if filled + CHUNK > len(out):
            sink(out[:filled])
            out, filled = memoryview(bytearray(BATCH * CHUNK)), 0
