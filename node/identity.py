"""The node's identity: an Ed25519 key made once, and the node id derived from it.

The id comes from the public key (never from a MAC address), so a copied or restored
machine can be told apart once it makes its own key. Sync pins the key; backups sign with it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from node.files import private_folder, write_private


def node_id_from_public_key(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


def load_or_create_identity(path: Path) -> tuple[Ed25519PrivateKey, str]:
    """Read the key at ``path``, or make one (written atomically, readable by owner only)."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 key")
        return key, node_id_from_public_key(key.public_key())
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    private_folder(path.parent)
    write_private(path, pem)  # 0600, atomically: a crash never leaves half a key
    return key, node_id_from_public_key(key.public_key())
