"""Checking backups: without a secret (manifest signature, hash chain, ciphertext hash) and,
with the identity, by decrypting everything and checking the database inside."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backup import snapshot, store
from backup.age import Identity, decrypt
from backup.background import Background
from backup.errors import BackupDamaged
from backup.hashing import FileHash, file_sha256
from backup.manifest import Manifest
from backup.settings import BackupSettings
from backup.store import Entry
from node.i18n import _
from node.models.identifiers import ident


@dataclass(frozen=True)
class Decrypted:
    size: int
    sha256: str


def _mismatch(path: Path) -> BackupDamaged:
    return BackupDamaged(
        _(
            "{name}: the file does not match its manifest (changed, cut short or damaged). "
            "Use another copy."
        ).format(name=path.name)
    )


def check_file(entry: Entry, *, read: bool = True) -> Manifest:
    """The manifest is signed and the file on disk is exactly the one it describes.

    ``read=False`` leaves the file's hash to ``check_contents``, which takes it beside the
    decryption instead of in a pass of its own.
    """
    if entry.manifest is None:
        raise BackupDamaged(
            _("{name}: {problem}").format(name=entry.path.name, problem=entry.problem)
        )
    manifest = entry.manifest
    if not entry.path.is_file():
        raise BackupDamaged(
            _("{name}: the backup file is missing beside its manifest.").format(
                name=entry.path.name
            )
        )
    if read and file_sha256(entry.path) != (manifest.ciphertext_size, manifest.ciphertext_sha256):
        raise _mismatch(entry.path)
    return manifest


def chain_problems(entries: Sequence[Entry]) -> list[str]:
    """Consecutive backups must link by hash; a pruned gap is fine, a mismatch is not."""
    problems: list[str] = []
    good = [e for e in entries if e.manifest]
    for before, after in zip(good, good[1:], strict=False):
        assert before.manifest and after.manifest
        if after.manifest.sequence == before.manifest.sequence:
            problems.append(
                _("{name}: two backups carry sequence {n}.").format(
                    name=after.path.name, n=after.manifest.sequence
                )
            )
        elif (
            after.manifest.sequence == before.manifest.sequence + 1
            and after.manifest.node_id == before.manifest.node_id
            and after.manifest.previous_manifest_sha256 != before.manifest_sha256
        ):
            problems.append(
                _(
                    "{name}: the chain to the previous backup is broken (a manifest was replaced)."
                ).format(name=after.path.name)
            )
    return problems


def decrypt_to_file(
    path: Path, identities: Sequence[Identity], target: Path, *, sync: bool = True
) -> None:
    """Decrypt ``path`` into the new file ``target`` (0600); on any error ``target`` is
    removed. ``sync=False``: the caller flushes it to disk (or throws it away)."""
    fd = store.create_private(target)
    try:
        with os.fdopen(fd, "wb") as out, path.open("rb") as source:
            decrypt(source, identities, out.write)
            out.flush()
            if sync:
                os.fsync(out.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def check_contents(
    path: Path,
    manifest: Manifest | None,
    identities: Sequence[Identity],
    target: Path,
    *,
    full: bool = False,
    durable: bool = False,
) -> Decrypted:
    """Decrypt into ``target``; check it against the manifest and with ``quick_check``
    (``full``: the slower ``integrity_check``, which restore runs; ``durable``: ``target``
    is on disk when this returns).

    The work overlaps: the file's hash is taken in a thread while it is decrypted (the
    decryption authenticates every chunk itself, and ``target`` is scratch until this
    returns), and the plaintext's hash and the flush to disk run while SQLite checks it.
    """
    cipher = FileHash(path) if manifest else None
    try:
        try:
            decrypt_to_file(path, identities, target, sync=False)
        except BaseException:
            # a file changed on disk is reported as such, not as the damage it decrypts to
            _same_file(cipher, manifest, path)
            raise
        _same_file(cipher, manifest, path)
        plain = FileHash(target)
        # on disk while SQLite checks it
        flush = Background(store.fsync_path, target) if durable else None
        try:
            snapshot.check_database(target, full=full)
        except BaseException:
            _same_database(plain, manifest, path)  # this refusal outranks a failed check
            raise
        finally:
            if flush:
                flush.result()
        result = _same_database(plain, manifest, path)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return result


def _same_file(cipher: FileHash | None, manifest: Manifest | None, path: Path) -> None:
    if cipher and manifest:
        if cipher.result() != (manifest.ciphertext_size, manifest.ciphertext_sha256):
            raise _mismatch(path) from None


def _same_database(plain: FileHash, manifest: Manifest | None, path: Path) -> Decrypted:
    result = Decrypted(*plain.result())
    if manifest and (result.size, result.sha256) != (
        manifest.plaintext_size,
        manifest.plaintext_sha256,
    ):
        raise BackupDamaged(
            _("{name}: the decrypted database differs from its manifest.").format(name=path.name)
        ) from None
    return result


@dataclass(frozen=True)
class Contents:
    """What a decrypted backup was found to hold: the sysadmin sees it was really read."""

    size: int
    tables: int
    rows: int
    students: int
    marks: int
    lessons: int


@dataclass(frozen=True)
class Verified:
    manifest: Manifest
    #: None for a check without the key (the contents were not decrypted)
    contents: Contents | None = None


def count_contents(path: Path) -> Contents:
    """Tables and rows of a decrypted (and already checked) database copy."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {
            name: conn.execute(f"SELECT count(*) FROM {ident(name)}").fetchone()[0]
            for name in tables
        }
    return Contents(
        size=path.stat().st_size,
        tables=len(tables),
        rows=sum(counts.values()),
        students=counts.get("student", 0),
        marks=counts.get("mark", 0),
        lessons=counts.get("lesson", 0),
    )


def verify_entry(
    settings: BackupSettings, entry: Entry, identities: Sequence[Identity] | None = None
) -> Verified:
    """Check one backup; with identities, decrypt it and check the database inside with
    SQLite's full ``integrity_check``, and count what it holds."""
    manifest = check_file(entry, read=not identities)
    contents = None
    if identities:
        target = store.temp_path(settings.data_dir, "verify")
        try:
            check_contents(entry.path, manifest, identities, target, full=True)
            contents = count_contents(target)
        finally:
            target.unlink(missing_ok=True)
    state = store.load_state(settings)
    if manifest.sequence >= int(state.get("verified_sequence", 0)):
        store.save_state(
            settings, verified_created=manifest.created, verified_sequence=manifest.sequence
        )
    return Verified(manifest, contents)
