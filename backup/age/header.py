"""The age header: the version line, recipient stanzas and the HMAC that seals them."""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from backup.errors import BackupDamaged
from node.i18n import _

VERSION_LINE = b"age-encryption.org/v1"
_COLUMNS = 64
_MAX_LINE = 4096  # far above any real stanza; a hostile file cannot make us read gigabytes
_MAX_STANZAS = 64


def _damaged(detail: str) -> BackupDamaged:
    return BackupDamaged(
        _(
            "The file is damaged or is not an age file ({detail}). Use another copy of the backup."
        ).format(detail=detail)
    )


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def b64decode(text: str) -> bytes:
    """Strict unpadded base64, as age requires (a non-canonical encoding is damage)."""
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise _damaged("bad base64") from None
    if "=" in text or b64encode(data) != text:
        raise _damaged("bad base64")
    return data


@dataclass(frozen=True)
class Stanza:
    type: str
    args: tuple[str, ...]
    body: bytes

    def encode(self) -> bytes:
        text = b64encode(self.body)
        lines = [text[i : i + _COLUMNS] for i in range(0, len(text), _COLUMNS)]
        if not lines or len(lines[-1]) == _COLUMNS:
            lines.append("")
        head = " ".join(("->", self.type, *self.args))
        return (head + "\n" + "".join(line + "\n" for line in lines)).encode("ascii")


def mac_key(file_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"", info=b"header").derive(file_key)


def header_without_mac(stanzas: list[Stanza]) -> bytes:
    return VERSION_LINE + b"\n" + b"".join(s.encode() for s in stanzas) + b"---"


def compute_mac(file_key: bytes, sealed: bytes) -> bytes:
    return hmac.digest(mac_key(file_key), sealed, "sha256")


def encode_header(stanzas: list[Stanza], file_key: bytes) -> bytes:
    sealed = header_without_mac(stanzas)
    return sealed + b" " + b64encode(compute_mac(file_key, sealed)).encode("ascii") + b"\n"


def _line(stream: BinaryIO) -> bytes:
    line = stream.readline(_MAX_LINE + 1)
    if not line.endswith(b"\n"):
        raise _damaged("the header is cut short" if len(line) <= _MAX_LINE else "line too long")
    return line[:-1]


def _is_arg(text: str) -> bool:
    return bool(text) and all(33 <= ord(c) <= 126 for c in text)


@dataclass(frozen=True)
class Header:
    stanzas: list[Stanza]
    sealed: bytes  # the bytes the MAC covers
    mac: bytes

    def verify(self, file_key: bytes) -> None:
        if not hmac.compare_digest(compute_mac(file_key, self.sealed), self.mac):
            raise _damaged("the header's MAC does not match")


def read_header(stream: BinaryIO) -> Header:
    """Parse the header from ``stream``, leaving it at the payload nonce."""
    raw = stream.read(len(VERSION_LINE) + 1)
    if raw != VERSION_LINE + b"\n":
        raise _damaged("no age-encryption.org/v1 header")
    sealed = bytearray(raw)
    stanzas: list[Stanza] = []
    while True:
        line = _line(stream)
        try:
            text = line.decode("ascii")
        except UnicodeDecodeError:
            raise _damaged("non-ASCII header") from None
        if text.startswith("--- "):
            sealed += b"---"
            mac = b64decode(text[4:])
            if len(mac) != 32 or not stanzas:
                raise _damaged("bad header MAC line")
            return Header(stanzas, bytes(sealed), mac)
        parts = text.split(" ")
        if parts[0] != "->" or len(parts) < 2 or not all(_is_arg(p) for p in parts[1:]):
            raise _damaged("bad stanza line")
        if len(stanzas) >= _MAX_STANZAS:
            raise _damaged("too many stanzas")
        sealed += line + b"\n"
        body = ""
        while True:
            chunk = _line(stream)
            sealed += chunk + b"\n"
            piece = chunk.decode("ascii", errors="replace")
            if len(piece) > _COLUMNS:
                raise _damaged("bad stanza body")
            body += piece
            if len(piece) < _COLUMNS:
                break
        stanzas.append(Stanza(parts[1], tuple(parts[2:]), b64decode(body)))
