"""The sync wire format: routes, signed statements, and the framing of streamed chunks.

Trust has two halves. The hub is known by its TLS certificate: the laptop pinned its SHA-256
fingerprint at pairing and every connection checks it (``aiohttp.Fingerprint``), so nobody
else can answer. The laptop is known by its Ed25519 node key: it signs a fresh challenge
from the hub, bound to the hub's node id and certificate fingerprint (a signature made for
one hub is worthless to any other), and gets a short-lived session token. Mutual TLS with
pinned client certificates would do the same, but Python's ``ssl`` cannot accept a
self-signed client certificate without turning it into a CA; signing a challenge needs
nothing but the key the node already has. The hub looks the node up again on every request,
so revocation takes effect at once.

A stream (pull, bootstrap) is a sequence of frames: 4-byte big-endian length + JSON header,
then 4-byte length + payload. The header carries the chunk's version vector and ``more``;
the last frame has ``end: true`` and no payload.
"""

from __future__ import annotations

import json
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from node.identity import node_id_from_public_key

PROTOCOL_VERSION = 1
SERVICE_TYPE = "_ediary._tcp.local."
HTTP_SERVICE_TYPE = "_http._tcp.local."
DEFAULT_SYNC_PORT = 8443
PREFIX = "/sync/v1"

INFO = f"{PREFIX}/info"
JOIN = f"{PREFIX}/join"
HELLO = f"{PREFIX}/hello"
AUTH = f"{PREFIX}/auth"
STATE = f"{PREFIX}/state"
PULL = f"{PREFIX}/pull"
PUSH = f"{PREFIX}/push"

_AUTH_CONTEXT = b"ediary-sync-auth-v1\0"
_JOIN_CONTEXT = b"ediary-sync-join-v1\0"
_LENGTH = struct.Struct(">I")
#: A chunk is at most a few megabytes compressed; anything larger is refused unread.
MAX_FRAME = 64 * 1024 * 1024


def public_key_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def load_public_key(text: str) -> Ed25519PublicKey:
    """The key from its hex form; ValueError for anything that is not 32 bytes."""
    raw = bytes.fromhex(text)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def node_id_of(public_key_text: str) -> str:
    return node_id_from_public_key(load_public_key(public_key_text))


def _statement(context: bytes, *parts: str) -> bytes:
    return context + b"\0".join(part.encode("utf-8") for part in parts)


def auth_statement(challenge: str, node_id: str, hub_id: str, hub_fingerprint: str) -> bytes:
    """What a laptop signs to prove it holds its node key, for this hub only."""
    return _statement(_AUTH_CONTEXT, challenge, node_id, hub_id, _fp(hub_fingerprint))


def join_statement(node_id: str, hub_id: str, hub_fingerprint: str) -> bytes:
    """What a joining laptop signs: this key asks to pair with this hub."""
    return _statement(_JOIN_CONTEXT, node_id, hub_id, _fp(hub_fingerprint))


def _fp(fingerprint: str) -> str:
    return "".join(ch for ch in fingerprint if ch.isalnum()).lower()


def sign(key: Ed25519PrivateKey, statement: bytes) -> str:
    return key.sign(statement).hex()


def verify(public_key_text: str, signature_hex: str, statement: bytes) -> bool:
    try:
        load_public_key(public_key_text).verify(bytes.fromhex(signature_hex), statement)
    except (InvalidSignature, ValueError):
        return False
    return True


# --- frames ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    header: dict[str, Any]
    payload: bytes

    @property
    def end(self) -> bool:
        return bool(self.header.get("end"))


def encode_frame(header: dict[str, Any], payload: bytes = b"") -> bytes:
    head = json.dumps(header, sort_keys=True).encode("utf-8")
    return _LENGTH.pack(len(head)) + head + _LENGTH.pack(len(payload)) + payload


class _Reader(Protocol):
    async def readexactly(self, n: int) -> bytes: ...


async def read_frames(stream: _Reader) -> AsyncIterator[Frame]:
    """Frames until the end frame; a stream cut short raises ``asyncio.IncompleteReadError``."""
    while True:
        (size,) = _LENGTH.unpack(await stream.readexactly(_LENGTH.size))
        if size > MAX_FRAME:
            raise ValueError("frame header too large")
        header = json.loads(await stream.readexactly(size))
        (size,) = _LENGTH.unpack(await stream.readexactly(_LENGTH.size))
        if size > MAX_FRAME:
            raise ValueError("frame too large")
        payload = await stream.readexactly(size) if size else b""
        frame = Frame(header, payload)
        yield frame
        if frame.end:
            return
