"""The signed sidecar of a backup: what it holds, its hashes and its place in the chain.

Listing, retention and checks read only manifests, so they need no secret. A manifest is
signed with the node's Ed25519 key and names the hash of the manifest before it, so a
removed, replaced or edited backup shows up as a broken chain or a bad signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from backup.errors import BackupDamaged
from node.i18n import _

FORMAT = "ediary-backup/1"


@dataclass(frozen=True)
class Manifest:
    format: str
    file: str
    sequence: int
    created: str  # UTC, ISO 8601
    kind: str  # "backup", or "year-end" (never pruned)
    node_id: str
    node_public_key: str  # base64 of the raw Ed25519 key
    schema_version: int
    fingerprint: str
    plaintext_size: int
    plaintext_sha256: str
    ciphertext_size: int
    ciphertext_sha256: str
    recipients: tuple[str, ...]
    previous_manifest_sha256: str | None
    signature: str = ""

    def unsigned(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("signature")
        data["recipients"] = list(self.recipients)
        return data

    def signed_bytes(self) -> bytes:
        return json.dumps(
            self.unsigned(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")

    def encode(self) -> bytes:
        data = self.unsigned() | {"signature": self.signature}
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def public_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def sign(manifest: Manifest, key: Ed25519PrivateKey) -> Manifest:
    signature = base64.b64encode(key.sign(manifest.signed_bytes())).decode("ascii")
    return Manifest(**{**asdict(manifest), "signature": signature})


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse(raw: bytes, name: str) -> Manifest:
    """Read a manifest and check its signature against the key it names."""
    damaged = BackupDamaged(
        _(
            "The manifest {name} is damaged or was edited: its signature does not match. "
            "Do not trust this backup; use another copy."
        ).format(name=name)
    )
    try:
        data = json.loads(raw.decode("utf-8"))
        names = {f.name for f in fields(Manifest)}
        if not isinstance(data, dict) or set(data) != names or data["format"] != FORMAT:
            raise damaged
        data["recipients"] = tuple(data["recipients"])
        manifest = Manifest(**data)
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(manifest.node_public_key))
        public.verify(base64.b64decode(manifest.signature), manifest.signed_bytes())
    except (ValueError, TypeError, KeyError, InvalidSignature, UnicodeDecodeError):
        raise damaged from None
    if not isinstance(manifest.sequence, int) or manifest.file + ".json" != name:
        raise damaged
    return manifest
