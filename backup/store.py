"""Backup files on disk: names, atomic writes, listing by manifest, orphans and node state.

A backup becomes visible only when its manifest exists, and the manifest is written last
(temp file, fsync, rename, fsync of the folder), so a crash never leaves a file that looks
complete: what is left is a temp file or a manifest-less ``.age`` file, both removed at the
next start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backup import manifest as manifests
from backup.errors import BackupDamaged
from backup.manifest import Manifest
from backup.settings import BackupSettings
from node import files
from node.errors import Conflict, StorageError
from node.i18n import _

TEMP_PREFIX = ".ediary-"
TEMP_SUFFIX = ".tmp"
NAME_RE = re.compile(r"^ediary-\d{8}T\d{6}Z-\d{6,}\.age$")
LOCK_FILE = "backup.lock"


def backup_name(created: dt.datetime, sequence: int) -> str:
    return f"ediary-{created:%Y%m%dT%H%M%SZ}-{sequence:06d}.age"


def fsync_path(path: Path) -> None:
    """fsync a file, or a folder (which makes a rename or delete inside it durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path(folder: Path, name: str) -> Path:
    return folder / f"{TEMP_PREFIX}{name}.{os.getpid()}{TEMP_SUFFIX}"


def create_private(path: Path) -> int:
    """Open a new file readable by its owner only; an existing file is never overwritten."""
    return files.create_private(path)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that it is either absent, the old file, or complete."""
    tmp = temp_path(path.parent, path.name)
    fd = create_private(tmp)
    try:
        os.write(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)
    fsync_path(path.parent)


@contextlib.contextmanager
def locked(settings: BackupSettings) -> Iterator[None]:
    """One backup, prune or restore at a time per node (a timer run and a manual one)."""
    files.private_folder(settings.data_dir)
    with files.append_private(settings.data_dir / LOCK_FILE) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(
                _("Another backup, prune or restore is running on this node; try again later.")
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Entry:
    """One backup in one destination, as its manifest describes it (or why it cannot)."""

    destination: Path
    path: Path
    manifest: Manifest | None
    manifest_sha256: str | None
    problem: str | None = None

    @property
    def manifest_path(self) -> Path:
        return self.path.with_name(self.path.name + ".json")


def read_entry(path: Path) -> Entry:
    """The entry of a backup file, from its sidecar manifest (signature checked)."""
    sidecar = path.with_name(path.name + ".json")
    try:
        raw = sidecar.read_bytes()
    except FileNotFoundError:
        return Entry(path.parent, path, None, None, _("no manifest"))
    try:
        manifest = manifests.parse(raw, sidecar.name)
    except BackupDamaged as exc:
        return Entry(path.parent, path, None, None, str(exc))
    return Entry(path.parent, path, manifest, manifests.digest(raw))


def list_backups(destination: Path) -> list[Entry]:
    """Every backup with a manifest in ``destination``, oldest first; no secret needed."""
    if not destination.is_dir():
        return []
    entries = [
        read_entry(p.with_suffix(""))
        for p in destination.iterdir()
        if p.name.endswith(".age.json") and NAME_RE.match(p.name[: -len(".json")])
    ]
    return sorted(entries, key=lambda e: (e.manifest.sequence if e.manifest else -1, e.path.name))


def cleanup_orphans(destination: Path) -> list[Path]:
    """Remove what a crash left: temp files and backup files whose manifest was never written.

    Call it only while holding ``locked``, or a backup being written would be removed.
    """
    removed: list[Path] = []
    if not destination.is_dir():
        return removed
    for path in destination.iterdir():
        temp = path.name.startswith(TEMP_PREFIX) and path.name.endswith(TEMP_SUFFIX)
        orphan = NAME_RE.match(path.name) and not path.with_name(path.name + ".json").exists()
        if temp or orphan:
            path.unlink(missing_ok=True)
            removed.append(path)
    if removed:
        fsync_path(destination)
    return removed


def usable_destinations(settings: BackupSettings) -> tuple[list[Path], list[Path]]:
    """(usable, missing): the default folder is created; others (a USB drive) must exist."""
    usable, missing = [], []
    for index, folder in enumerate(settings.destinations):
        if index == 0:
            files.private_folder(folder)
        (usable if folder.is_dir() else missing).append(folder)
    return usable, missing


# --- the node's own record of its backups -------------------------------------------------


def load_state(settings: BackupSettings) -> dict[str, Any]:
    try:
        data = json.loads(settings.state_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise StorageError(
            _(
                "The backup state file {path} is damaged ({error}); remove it and run "
                "'ediary backup verify --all'."
            ).format(path=settings.state_path, error=exc)
        ) from exc
    return data if isinstance(data, dict) else {}


def save_state(settings: BackupSettings, **changes: Any) -> dict[str, Any]:
    state = load_state(settings) | changes
    atomic_write(settings.state_path, (json.dumps(state, indent=2) + "\n").encode("utf-8"))
    return state


def newest_entry(settings: BackupSettings) -> Entry | None:
    """The published backup with the highest sequence in any destination."""
    entries = [e for folder in settings.destinations for e in list_backups(folder) if e.manifest]
    return max(entries, key=lambda e: e.manifest.sequence if e.manifest else -1, default=None)


def newest_sequence(settings: BackupSettings) -> int:
    """The highest sequence this node has made or seen, in its state or any destination."""
    state = load_state(settings)
    seen = [int(state.get("sequence", 0)), int(state.get("newest_seen", 0))]
    for folder in settings.destinations:
        seen += [e.manifest.sequence for e in list_backups(folder) if e.manifest]
    return max(seen)
