"""Checking a year archive without the database: every member's path, every hash in both
payload manifests and both tag manifests, the payload's size, and the Ed25519 signature of
the tag manifest; and extracting one safely.

A tar file can name ``/etc/passwd``, ``../../x`` or a link to outside the folder it is
unpacked into ("tar-slip"): such an archive is refused before anything is read or written.
"""

from __future__ import annotations

import hashlib
import posixpath
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from backup.archive.bag import ALGORITHMS, PUBLIC_KEY, SIGNATURE, SIGNED
from backup.errors import BackupDamaged
from node.i18n import _
from node.identity import node_id_from_public_key

READ_SIZE = 1 << 20


@dataclass(frozen=True)
class Verified:
    bag: str  # the bag's folder name inside the tar
    payload_files: int
    payload_bytes: int
    node_id: str  # derived from the key that signed it
    info: dict[str, str]


def _damaged(detail: str) -> BackupDamaged:
    return BackupDamaged(_("The archive is damaged or was changed: {detail}").format(detail=detail))


def _unsafe(name: str) -> BackupDamaged:
    return BackupDamaged(
        _(
            "The archive holds «{name}», a path that would land outside the folder it is "
            "unpacked into; it is refused."
        ).format(name=name)
    )


def check_members(members: list[tarfile.TarInfo]) -> str:
    """Refuse absolute paths, ``..``, links out of the bag and special files; returns the
    bag's top folder, which every member must be inside."""
    tops: set[str] = set()
    for member in members:
        name = member.name
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or ".." in parts or ":" in parts[0]:
            raise _unsafe(name)
        if member.issym() or member.islnk():
            target = member.linkname
            base = posixpath.dirname(name) if member.issym() else ""
            joined = posixpath.normpath(posixpath.join(base, target))
            if target.startswith("/") or joined == ".." or joined.startswith("../"):
                raise _unsafe(f"{name} → {target}")
            raise _damaged(_("{name} is a link; a year archive holds none.").format(name=name))
        if not (member.isfile() or member.isdir()):
            raise _damaged(_("{name} is not a file nor a folder.").format(name=name))
        tops.add(parts[0])
    if len(tops) != 1:
        raise _damaged(
            _("it must hold exactly one folder (the bag), not {count}.").format(count=len(tops))
        )
    return tops.pop()


@contextmanager
def _opened(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        archive = tarfile.open(path, "r:")
    except (tarfile.TarError, OSError) as exc:
        raise _damaged(_("not a readable tar file")) from exc
    with archive:
        yield archive


def _parse_manifest(raw: bytes, name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in raw.decode("utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        digest, _sep, path = line.partition(" ")
        path = path.strip().lstrip("*")
        if not digest or not path:
            raise _damaged(_("a line of {name} cannot be read").format(name=name))
        out[path] = digest.lower()
    return out


def verify_archive(path: Path, *, expected_key: Ed25519PublicKey | None = None) -> Verified:
    """Check the tar of a bag completely; raises ``BackupDamaged`` saying what is wrong."""
    with _opened(path) as archive:
        try:
            members = archive.getmembers()
        except (tarfile.TarError, OSError) as exc:
            raise _damaged(_("not a readable tar file")) from exc
        top = check_members(members)
        hashes: dict[str, dict[str, str]] = {}
        tags: dict[str, bytes] = {}
        sizes: dict[str, int] = {}
        for member in members:
            if not member.isfile():
                continue
            relative = member.name[len(top) + 1 :]
            handle = archive.extractfile(member)
            assert handle is not None
            digests = {alg: hashlib.new(alg) for alg in ALGORITHMS}
            small = bytearray() if "/" not in relative else None
            try:
                while block := handle.read(READ_SIZE):
                    for digest in digests.values():
                        digest.update(block)
                    if small is not None:
                        small += block
            except (tarfile.TarError, OSError) as exc:
                raise _damaged(
                    _("{name} cannot be read ({error})").format(name=relative, error=exc)
                ) from exc
            hashes[relative] = {alg: d.hexdigest() for alg, d in digests.items()}
            sizes[relative] = member.size
            if small is not None:
                tags[relative] = bytes(small)
    return _check_bag(top, hashes, sizes, tags, expected_key)


def _check_bag(
    top: str,
    hashes: dict[str, dict[str, str]],
    sizes: dict[str, int],
    tags: dict[str, bytes],
    expected_key: Ed25519PublicKey | None,
) -> Verified:
    for needed in ("bagit.txt", "bag-info.txt", SIGNED, SIGNATURE, PUBLIC_KEY):
        if needed not in tags:
            raise _damaged(_("{name} is missing").format(name=needed))
    key = _public_key(tags[PUBLIC_KEY])
    if expected_key is not None and _raw(expected_key) != _raw(key):
        raise BackupDamaged(
            _("The archive was signed by another node's key ({found}), not the one given.").format(
                found=node_id_from_public_key(key)
            )
        )
    try:
        key.verify(tags[SIGNATURE], tags[SIGNED])
    except InvalidSignature:
        raise _damaged(_("the signature of {name} does not match").format(name=SIGNED)) from None
    payload = {p for p in hashes if p.startswith("data/")}
    for alg in ALGORITHMS:
        for kind, expected_set in (("tagmanifest", None), ("manifest", payload)):
            name = f"{kind}-{alg}.txt"
            if name not in tags:
                raise _damaged(_("{name} is missing").format(name=name))
            listed = _parse_manifest(tags[name], name)
            for listed_path, digest in listed.items():
                found = hashes.get(listed_path)
                if found is None:
                    raise _damaged(
                        _("{name} lists {path}, which is missing").format(
                            name=name, path=listed_path
                        )
                    )
                if found[alg] != digest:
                    raise _damaged(
                        _("{path} does not match its {alg} hash").format(
                            path=listed_path, alg=alg.upper()
                        )
                    )
            if expected_set is not None and set(listed) != expected_set:
                extra = sorted(expected_set - set(listed))[:3]
                raise _damaged(
                    _("files not in {name}: {paths}").format(name=name, paths=", ".join(extra))
                )
    info = _info(tags["bag-info.txt"])
    octets = sum(sizes[p] for p in payload)
    if info.get("Payload-Oxum") != f"{octets}.{len(payload)}":
        raise _damaged(_("the payload size does not match Payload-Oxum"))
    return Verified(top, len(payload), octets, node_id_from_public_key(key), info)


def _public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise _damaged(_("{name} is not a public key").format(name=PUBLIC_KEY)) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise _damaged(_("{name} is not an Ed25519 key").format(name=PUBLIC_KEY))
    return key


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _info(raw: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in raw.decode("utf-8", errors="replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            out[name.strip()] = value.strip()
    return out


def extract_archive(path: Path, target: Path) -> Path:
    """Unpack a (verified) archive into the existing folder ``target``; returns the bag's
    folder. Paths are checked first, so nothing lands outside ``target``."""
    with _opened(path) as archive:
        members = archive.getmembers()
        top = check_members(members)
        if (target / top).exists():
            raise BackupDamaged(
                _("{path} already exists; unpack into an empty folder.").format(path=target / top)
            )
        archive.extractall(target, members=members, filter="data")
    return target / top
