"""Restore a backup over the node's database: verify everything first, then swap atomically.

Nothing on disk changes until the backup has been decrypted, matched to its manifest and
passed SQLite's integrity check; then the current database is kept as a safety copy, the
restored file gets a new sync epoch (so peers do not take it for the old history) and is
renamed into place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from backup import snapshot, store
from backup.age import Identity
from backup.errors import BackupDamaged, RestoreRefused
from backup.keys import is_encrypted, load_recipients
from backup.manifest import Manifest
from backup.settings import BackupSettings
from backup.verify import check_contents, check_file
from node.config import DATABASE_FILE
from node.errors import StorageError
from node.files import write_private
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
    node_files: NodeFiles = field(default_factory=lambda: NodeFiles((), None, False))


@dataclass(frozen=True)
class NodeFiles:
    """What the restore did with the node files the backup carried (``NODE_FILES_KEY``)."""

    put_back: tuple[str, ...]  # written into the data folder, which had none
    set_aside: Path | None  # the backup's ediary.toml, beside this node's own one
    no_recipient: bool  # still none registered: automatic backups would fail


def _bring_back(settings: BackupSettings, text: str | None) -> NodeFiles:
    """Put back the recipients and ``ediary.toml`` a backup carries, where the node has none:
    a new machine goes on backing up as the old one did. The node's own are never
    overwritten; a different ``ediary.toml`` is set aside for the sysadmin to compare."""
    try:
        carried = json.loads(text) if text else {}
    except ValueError:
        carried = {}
    carried = carried if isinstance(carried, dict) else {}
    put_back: list[str] = []
    aside = None
    recipients = carried.get(settings.recipients_path.name)
    if isinstance(recipients, str) and not load_recipients(settings):
        write_private(settings.recipients_path, recipients.encode("utf-8"))
        put_back.append(settings.recipients_path.name)
    config = carried.get(settings.config_path.name)
    if isinstance(config, str) and config:
        if not settings.config_path.exists() and _same_database(settings, config):
            write_private(settings.config_path, config.encode("utf-8"))
            put_back.append(settings.config_path.name)
        elif _differs(settings.config_path, config):
            aside = settings.config_path.with_name(settings.config_path.name + ".from-backup")
            write_private(aside, config.encode("utf-8"))
    return NodeFiles(tuple(put_back), aside, not load_recipients(settings))


def _same_database(settings: BackupSettings, config: str) -> bool:
    """The carried settings name the database just restored (not another file)."""
    try:
        values = tomllib.loads(config)
    except tomllib.TOMLDecodeError:
        return False
    name = str(values.get("database", DATABASE_FILE))
    return (settings.data_dir / name) == settings.database_path


def _differs(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") != text
    except FileNotFoundError:
        return True


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
                # the node files go back beside the database, not inside it
                conn.execute("DELETE FROM meta WHERE key = ?", (snapshot.NODE_FILES_KEY,))
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
            node_files=_bring_back(settings, meta.get(snapshot.NODE_FILES_KEY)),
        )
