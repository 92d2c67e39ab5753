"""Writing a BagIt bag (RFC 8493) straight into a tar file, and signing its tag manifest
with the node's key.

Each file is hashed (SHA-256 and SHA-512) as it goes into the tar, so even the largest
archive is written once and read never. Manifest lines are ``<hex>  data/<path>`` (two
spaces), both the BagIt form and what ``sha256sum -c`` reads; every path is plain ASCII, so
no percent-encoding is ever needed and every tool on every system shows the same names.

The signature is the raw 64-byte Ed25519 signature of ``tagmanifest-sha256.txt``; that file
lists the other tag files (README, public key, bag-info, payload manifests), so the
signature covers, through the hashes, every byte of the bag.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ALGORITHMS = ("sha256", "sha512")
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
PUBLIC_KEY = "node-public-key.pem"
README = "README.txt"
SIGNED = "tagmanifest-sha256.txt"
SIGNATURE = SIGNED + ".sig"
COPY_SIZE = 1 << 20


class _Hashing:
    """A reader that hashes what it hands on (the tar module reads each file once)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.digests = [hashlib.new(alg) for alg in ALGORITHMS]

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        for digest in self.digests:
            digest.update(data)
        return data


@dataclass
class BagWriter:
    """A bag called ``name`` being written into the open tar ``archive``."""

    archive: tarfile.TarFile
    name: str
    hashes: dict[str, dict[str, str]] = field(default_factory=dict)  # data/… → alg → hex
    octets: int = 0
    mtime: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        for folder in ("", "/data"):
            info = self._info(f"{self.name}{folder}", 0)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            self.archive.addfile(info)

    def _info(self, arcname: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(arcname)
        info.size, info.mtime, info.mode = size, self.mtime, 0o644
        return info

    def add(self, relative: str, data: bytes) -> None:
        """Add the payload file ``data/<relative>``."""
        path = self._checked(relative)
        self.archive.addfile(self._info(path, len(data)), io.BytesIO(data))
        self._record(
            relative, {alg: hashlib.new(alg, data).hexdigest() for alg in ALGORITHMS}, len(data)
        )

    def add_file(self, relative: str, source: Path) -> None:
        """Add the payload file ``data/<relative>`` from the file ``source``."""
        path = self._checked(relative)
        size = source.stat().st_size
        with source.open("rb") as raw:
            reader = _Hashing(raw)
            self.archive.addfile(self._info(path, size), reader)
        digests = {alg: d.hexdigest() for alg, d in zip(ALGORITHMS, reader.digests, strict=True)}
        self._record(relative, digests, size)

    def _checked(self, relative: str) -> str:
        if not relative.isascii() or relative.startswith("/") or ".." in relative.split("/"):
            raise ValueError(f"not a plain relative ASCII path: {relative!r}")
        return f"{self.name}/data/{relative}"

    def _record(self, relative: str, digests: dict[str, str], size: int) -> None:
        self.hashes[f"data/{relative}"] = digests
        self.octets += size

    def finish(self, info: dict[str, str], readme: str, key: Ed25519PrivateKey) -> None:
        """Add the tag files, the manifests and the signature: the bag is complete."""
        tags: dict[str, bytes] = {"bagit.txt": BAGIT_TXT}
        today = dt.date.today().isoformat()
        lines = [f"Bagging-Date: {today}", f"Payload-Oxum: {self.octets}.{len(self.hashes)}"]
        lines += [f"{name}: {value}" for name, value in info.items()]
        tags["bag-info.txt"] = ("\n".join(lines) + "\n").encode("utf-8")
        for alg in ALGORITHMS:
            tags[f"manifest-{alg}.txt"] = _manifest({p: h[alg] for p, h in self.hashes.items()})
        tags[README] = readme.encode("utf-8")
        tags[PUBLIC_KEY] = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        listed = dict(tags)  # the tag manifests list every tag file but themselves
        for alg in ALGORITHMS:
            digests = {name: hashlib.new(alg, data).hexdigest() for name, data in listed.items()}
            tags[f"tagmanifest-{alg}.txt"] = _manifest(digests)
        tags[SIGNATURE] = key.sign(tags[SIGNED])
        for name, data in tags.items():
            self.archive.addfile(self._info(f"{self.name}/{name}", len(data)), io.BytesIO(data))


def _manifest(hashes: dict[str, str]) -> bytes:
    return "".join(f"{digest}  {path}\n" for path, digest in sorted(hashes.items())).encode()
