"""Make one backup: snapshot, encrypt once to every destination, sign the manifest, last."""

from __future__ import annotations

import contextlib
import datetime as dt
import mmap
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from backup import manifest as manifests
from backup import snapshot, store
from backup.age import Recipient, encrypt
from backup.background import Background
from backup.errors import BackupDamaged
from backup.hashing import InlineHash, buffer_sha256
from backup.keys import load_recipients
from backup.manifest import Manifest
from backup.settings import BackupSettings
from node.errors import StorageError, ValidationError
from node.i18n import _
from node.identity import load_or_create_identity
from node.models.database import clear_damage, record_damage

#: How much of a backup file is written before it is flushed to disk (see ``_Output``).
FLUSH_BYTES = 32 << 20


@dataclass(frozen=True)
class Created:
    manifest: Manifest | None  # None when nothing changed since the last backup
    paths: tuple[Path, ...]
    missing: tuple[Path, ...]  # destinations that were not there (an unplugged drive)


def _check(path: Path, fingerprint: bool) -> str | None:
    found = snapshot.fingerprint_file(path) if fingerprint else None
    snapshot.check_database(path)
    return found


class _Check(Background[str | None]):
    """``quick_check`` of the snapshot in a thread, while it is being encrypted.

    With ``fingerprint``, the snapshot's fingerprint is taken there too (before the check),
    so the encryption need not wait for it; ``result()`` returns it once the check passed.
    """

    def __init__(self, path: Path, *, fingerprint: bool = False) -> None:
        super().__init__(_check, path, fingerprint)


class _Output:
    """A backup file being written, flushed to disk as it grows, not all at the end.

    One fsync of a whole backup queues hundreds of megabytes on the disk at once, and a
    writer's commit (its own fsync) waits behind them; flushing every ``FLUSH_BYTES`` in
    a thread keeps that queue short.
    """

    def __init__(self, fd: int) -> None:
        self.handle = os.fdopen(fd, "wb")
        self.fd = fd
        self._pending = 0
        self._due = threading.Event()
        self._closing = False
        self._flusher = threading.Thread(target=self._flush, daemon=True)
        self._flusher.start()

    def write(self, piece: memoryview) -> None:
        self.handle.write(piece)
        self._pending += len(piece)
        if self._pending >= FLUSH_BYTES:
            self._pending = 0
            self._due.set()  # a flush still running takes this one along

    def _flush(self) -> None:
        while True:
            self._due.wait()
            self._due.clear()
            if self._closing:
                return
            with contextlib.suppress(OSError):  # sync() at the end reports a failing disk
                os.fdatasync(self.fd)

    def _stop(self) -> None:
        if self._flusher.is_alive():
            self._closing = True
            self._due.set()
            self._flusher.join()

    def sync(self) -> None:
        self._stop()
        self.handle.flush()
        os.fsync(self.fd)

    def close(self) -> None:
        self._stop()
        self.handle.close()


def _encrypt_file(
    path: Path, writes: list[Callable[[memoryview], object]], recipients: list[Recipient]
) -> tuple[tuple[int, str], tuple[int, str]]:
    """Encrypt the snapshot at ``path`` into ``writes``; (size, SHA-256) of plain and cipher.

    The snapshot is mapped, not read: the encryptor and the plaintext hash (a thread of its
    own, in large steps) take views of the page cache. The ciphertext is hashed as it is
    written, in this thread: each large update lets the GIL go to the other threads.
    """
    cipher_hash = InlineHash()
    with (
        path.open("rb") as source,
        mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as mapped,
    ):
        view = memoryview(mapped)
        try:
            plain_hash = Background(buffer_sha256, view)
            try:
                encrypt(view, [cipher_hash, *writes], recipients)
            finally:
                plain = plain_hash.result()
        finally:
            view.release()
    return plain, cipher_hash.result()


def node_files(settings: BackupSettings) -> dict[str, str]:
    """The node files a restore puts back (``backup.restore``): without the recipients a
    restored node could not make its next backup. Public facts only: no key is in them."""
    found: dict[str, str] = {}
    for path in (settings.recipients_path, settings.config_path):
        with contextlib.suppress(FileNotFoundError):
            found[path.name] = path.read_text(encoding="utf-8")
    return found


def create_backup(
    settings: BackupSettings,
    *,
    now: dt.datetime | None = None,
    only_if_changed: bool = False,
    kind: str = "backup",
) -> Created:
    """Back up the node's database to every reachable destination."""
    with store.locked(settings):
        return _create(settings, now or dt.datetime.now(dt.UTC), only_if_changed, kind)


def _create(
    settings: BackupSettings, now: dt.datetime, only_if_changed: bool, kind: str
) -> Created:
    recipients = load_recipients(settings)
    if not recipients:
        raise ValidationError(
            _(
                "No backup recipient is registered: run 'ediary backup keys init --identity FILE' "
                "first (keep FILE off this machine)."
            )
        )
    folders, missing = store.usable_destinations(settings)
    if not folders:
        raise StorageError(_("No backup destination folder is reachable."))
    for folder in folders:
        store.cleanup_orphans(folder)
    store.cleanup_orphans(settings.data_dir)
    state = store.load_state(settings)
    plain = store.temp_path(settings.data_dir, "snapshot")
    temps: list[Path] = []
    try:
        known: str | None = None  # the fingerprint, taken beside the encryption unless needed now
        if only_if_changed:
            shot = snapshot.take_snapshot(settings.database_path, plain)
            if shot.fingerprint == state.get("fingerprint"):
                return Created(None, (), tuple(missing))
            known, version = shot.fingerprint, shot.schema_version
        else:
            snapshot.copy_database(settings.database_path, plain)
            version = snapshot.schema_version(plain)
        key, node_id = load_or_create_identity(settings.identity_path)
        sequence = store.newest_sequence(settings) + 1
        # chain to the newest manifest on disk: a kill between publishing a manifest and
        # saving the state must not leave the next backup pointing past it
        newest = store.newest_entry(settings)
        previous_sha = (
            newest.manifest_sha256
            if newest and newest.manifest and newest.manifest.sequence == sequence - 1
            else state.get("manifest_sha256")
        )
        now = now.astimezone(dt.UTC).replace(microsecond=0)
        created = now.isoformat().replace("+00:00", "Z")
        snapshot.stamp(plain, sequence, created, node_id, node_files(settings))
        name = store.backup_name(now, sequence)
        temps += [store.temp_path(folder, name) for folder in folders]
        outputs: list[_Output] = []
        try:
            for temp in temps:
                outputs.append(_Output(store.create_private(temp)))
            check = _Check(plain, fingerprint=known is None)
            (plain_size, plain_sha), (cipher_size, cipher_sha) = _encrypt_file(
                plain, [out.write for out in outputs], recipients
            )
            # a snapshot that fails quick_check is never published; every command warns
            try:
                fingerprint = check.result() or known
            except BackupDamaged as exc:
                record_damage(settings.database_path, str(exc))
                raise
            for out in outputs:
                out.sync()
        finally:
            for out in outputs:
                out.close()
        finals = []
        for temp, folder in zip(temps, folders, strict=True):
            final = folder / name
            os.replace(temp, final)
            store.fsync_path(folder)
            finals.append(final)
        manifest = manifests.sign(
            Manifest(
                format=manifests.FORMAT,
                file=name,
                sequence=sequence,
                created=created,
                kind=kind,
                node_id=node_id,
                node_public_key=manifests.public_key_text(key),
                schema_version=version,
                fingerprint=fingerprint,
                plaintext_size=plain_size,
                plaintext_sha256=plain_sha,
                ciphertext_size=cipher_size,
                ciphertext_sha256=cipher_sha,
                recipients=tuple(str(r) for r in recipients),
                previous_manifest_sha256=previous_sha,
            ),
            key,
        )
        raw = manifest.encode()
        for final in finals:
            store.atomic_write(final.with_name(final.name + ".json"), raw)
        store.save_state(
            settings,
            sequence=sequence,
            newest_seen=max(sequence, int(state.get("newest_seen", 0))),
            manifest_sha256=manifests.digest(raw),
            fingerprint=fingerprint,
            last_backup_at=created,
            verified_created=created,
            verified_sequence=sequence,
            destinations=[str(folder) for folder in folders],
            missing_destinations=[str(folder) for folder in missing],
        )
        clear_damage(settings.database_path)  # its copy passed the check just now
        return Created(manifest, tuple(finals), tuple(missing))
    finally:
        for temp in [plain, *temps]:
            temp.unlink(missing_ok=True)
