"""Restore a backup over the node's database: verify everything first, then swap atomically.

Nothing on disk changes until the backup has been decrypted, matched to its manifest and
passed SQLite's integrity check; then the current database is kept as a safety copy, the
restored file gets a new sync epoch (so peers do not take it for the old history) and is
renamed into place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backup import snapshot, store
from backup.age import Identity
from backup.errors import BackupDamaged, RestoreRefused
from backup.keys import is_encrypted
from backup.manifest import Manifest
from backup.settings import BackupSettings
from backup.verify import check_contents, check_file
from node.errors import StorageError
from node.i18n import _
from node.identity import load_or_create_identity
from node.models.changes import start_new_epoch
from node.models.database import clear_damage
from node.models.migrations import LATEST_VERSION

EPOCH_KEY = "epoch"


@dataclass(frozen=True)
class Restored:
    database: Path
    safety_copy: Path | None
    sequence: int
    created: str | None
    node_id: str | None
    had_manifest: bool
    epoch: str


def _meta(path: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        try:
            return dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error as exc:
            raise BackupDamaged(
                _("The backup does not hold an ediary database ({error}).").format(error=exc)
            ) from exc


def _retire(database: Path, safety: Path) -> None:
    """Copy the current database aside and fold its WAL in, so the swap loses nothing."""
    snapshot.copy_database(database, safety)
    store.fsync_path(safety)  # on disk before the database it saves is replaced
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as conn:
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy and busy[0]:
        safety.unlink(missing_ok=True)
        raise RestoreRefused(
            _(
                "The database is in use: stop ediary (serve, the TUI) on this node, then restore "
                "again."
            )
        )
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def check_before_restore(
    settings: BackupSettings, backup_file: Path, *, allow_older: bool = False
) -> Manifest | None:
    """Everything that can be checked before the secret is asked for: the file is there and
    is an age file, its manifest (if beside it) is signed and not older than the newest
    backup seen, and the data folder can be written. Returns the manifest, if any."""
    if not backup_file.is_file():
        raise RestoreRefused(_("There is no backup file at {path}.").format(path=backup_file))
    if not is_encrypted(backup_file):
        raise RestoreRefused(
            _("{path} is not an ediary backup (not an age-encrypted file).").format(
                path=backup_file
            )
        )
    entry = store.read_entry(backup_file)
    manifest = None
    if entry.manifest is not None or entry.manifest_path.exists():
        # a sidecar that is there must be right; the file's hash is taken while decrypting
        manifest = check_file(entry, read=False)
        _refuse_older(settings, manifest.sequence, allow_older)
    folder = settings.database_path.parent
    if folder.is_dir() and not os.access(folder, os.W_OK):
        raise RestoreRefused(
            _("The data folder {path} is read-only: the backup cannot be restored into it.").format(
                path=folder
            )
        )
    return manifest


def _refuse_older(settings: BackupSettings, sequence: int, allow_older: bool) -> None:
    newest = store.newest_sequence(settings)
    if sequence < newest and not allow_older:
        raise RestoreRefused(
            _(
                "This backup (number {sequence}) is older than the newest one this node "
                "has seen (number {newest}): restoring it would lose the changes made "
                "since. Restore the newest backup, or add --allow-older if you really "
                "mean to go back."
            ).format(sequence=sequence, newest=newest)
        )


def restore(
    settings: BackupSettings,
    backup_file: Path,
    identities: Sequence[Identity],
    *,
    allow_older: bool = False,
    now: dt.datetime | None = None,
) -> Restored:
    """Restore ``backup_file``; on any problem raise with nothing on disk changed."""
    with store.locked(settings):
        manifest = check_before_restore(settings, backup_file, allow_older=allow_older)
        store.cleanup_orphans(settings.data_dir)
        target = store.temp_path(settings.data_dir, "restore")
        check_contents(backup_file, manifest, identities, target, full=True, durable=True)
        try:
            meta = _meta(target)
            sequence = int(meta.get(snapshot.SEQUENCE_KEY, "0") or 0)
            if manifest and sequence != manifest.sequence:
                raise BackupDamaged(
                    _("{name}: the database inside does not match its manifest.").format(
                        name=backup_file.name
                    )
                )
            version = int(meta.get("schema_version", "0") or 0)
            if version > LATEST_VERSION:
                raise RestoreRefused(
                    _(
                        "The backup was made by a newer ediary (schema {version}); "
                        "update ediary on this machine first."
                    ).format(version=version)
                )
            _refuse_older(settings, sequence, allow_older)
            epoch = os.urandom(16).hex()
            _key, node_id = load_or_create_identity(settings.identity_path)
            with contextlib.closing(sqlite3.connect(target)) as conn, conn:
                # the change log's clock moves to the new epoch too (node.models.changes)
                start_new_epoch(conn, epoch)
                conn.executemany(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    [
                        (EPOCH_KEY, epoch),
                        ("node_id", node_id),  # this machine writes under its own id
                        ("restored_from", backup_file.name),
                    ],
                )
            store.fsync_path(target)
            database = settings.database_path
            safety = None
            database.parent.mkdir(parents=True, exist_ok=True)
            if database.exists():
                moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
                safety = database.with_name(
                    f"{database.name}.before-restore-{moment:%Y%m%dT%H%M%SZ}"
                )
                if safety.exists():
                    raise RestoreRefused(
                        _("{path} already exists; wait a second and try again.").format(path=safety)
                    )
                _retire(database, safety)
            os.replace(target, database)
            store.fsync_path(database.parent)
            clear_damage(database)  # a checked copy replaced the damaged one
        except sqlite3.Error as exc:
            raise StorageError(_("Restore failed: {error}").format(error=exc)) from exc
        finally:
            target.unlink(missing_ok=True)
        state = store.load_state(settings)
        store.save_state(
            settings,
            newest_seen=max(sequence, int(state.get("newest_seen", 0))),
            fingerprint=None,
        )
        return Restored(
            database=database,
            safety_copy=safety,
            sequence=sequence,
            created=meta.get(snapshot.CREATED_KEY),
            node_id=meta.get(snapshot.NODE_KEY),
            had_manifest=manifest is not None,
            epoch=epoch,
        )
