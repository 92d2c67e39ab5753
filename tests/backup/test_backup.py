"""Backups on disk: create, list, verify, restore, and every refusal leaving the disk as it was."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from backup.age import Identity, generate
from backup.create import create_backup
from backup.errors import BackupDamaged, RestoreRefused, WrongKey
from backup.restore import restore
from backup.settings import BackupSettings, backup_settings
from backup.store import cleanup_orphans, list_backups, load_state, read_entry
from backup.verify import chain_problems, verify_entry
from node.config import NodeConfig, load_config
from node.errors import Conflict, ValidationError
from tests.backup.conftest import damage_biggest_table, disk_state, table_rows

T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def _write_mark(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "UPDATE mark SET value = '3', points = 3 WHERE rowid = (SELECT min(rowid) FROM mark)"
        )
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('touched', ?)", (str(T0),))
    conn.close()


def test_a_backup_is_listed_with_a_signed_manifest_and_verifies(
    settings: BackupSettings, identity: Identity
):
    created = create_backup(settings, now=T0)
    assert created.manifest is not None and created.manifest.sequence == 1
    [entry] = list_backups(settings.destinations[0])
    assert entry.manifest == created.manifest
    assert entry.manifest.recipients == (str(identity.recipient),)
    assert entry.path.stat().st_mode & 0o777 == 0o600
    assert verify_entry(settings, entry, [identity]).manifest.sequence == 1
    assert load_state(settings)["verified_created"] == "2026-11-25T10:00:00Z"


def test_the_round_trip_gives_back_the_database_row_for_row(
    tmp_path: Path, settings: BackupSettings, identity: Identity
):
    created = create_backup(settings, now=T0)
    fresh = backup_settings(load_config(tmp_path / "fresh"))
    done = restore(fresh, created.paths[0], [identity])
    assert done.safety_copy is None and done.sequence == 1
    assert table_rows(done.database) == table_rows(settings.database_path)
    conn = sqlite3.connect(done.database)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    conn.close()
    assert len(meta["epoch"]) == 32 and meta["restored_from"] == created.paths[0].name


def test_a_restore_over_a_database_keeps_a_safety_copy_and_a_new_epoch(
    settings: BackupSettings, identity: Identity
):
    first = create_backup(settings, now=T0)
    before = table_rows(settings.database_path)
    _write_mark(settings.database_path)
    changed = table_rows(settings.database_path)
    done = restore(settings, first.paths[0], [identity], allow_older=True)
    assert done.safety_copy is not None and table_rows(done.safety_copy) == changed
    assert table_rows(settings.database_path) == before
    again = restore(settings, first.paths[0], [identity], now=T0 + dt.timedelta(hours=1))
    assert again.epoch != done.epoch


def test_multiple_destinations_get_the_same_backup_and_a_missing_drive_is_skipped(
    tmp_path: Path, node: NodeConfig, identity: Identity
):
    usb = tmp_path / "usb"
    usb.mkdir()
    (node.data_dir / "ediary.toml").write_text(
        f'backup_destinations = ["{usb}", "{tmp_path / "unplugged"}"]\n'
    )
    settings = backup_settings(load_config(node.data_dir))
    created = create_backup(settings, now=T0)
    assert [p.parent for p in created.paths] == [settings.destinations[0], usb]
    assert created.missing == (tmp_path / "unplugged",)
    assert not (tmp_path / "unplugged").exists()
    assert created.paths[0].read_bytes() == created.paths[1].read_bytes()


def test_no_recipient_means_no_backup(settings: BackupSettings):
    with pytest.raises(ValidationError, match="keys init"):
        create_backup(settings)
    assert not list_backups(settings.destinations[0])


def test_sequences_chain_by_hash(settings: BackupSettings, identity: Identity):
    for hour in range(3):
        create_backup(settings, now=T0 + dt.timedelta(hours=hour))
    entries = list_backups(settings.destinations[0])
    assert [e.manifest.sequence for e in entries if e.manifest] == [1, 2, 3]
    assert entries[1].manifest and entries[1].manifest.previous_manifest_sha256 == (
        entries[0].manifest_sha256
    )
    assert chain_problems(entries) == []


def test_a_replaced_manifest_breaks_the_chain(settings: BackupSettings, identity: Identity):
    import dataclasses

    from backup import manifest as manifests
    from node.identity import load_or_create_identity

    first = create_backup(settings, now=T0)
    create_backup(settings, now=T0 + dt.timedelta(hours=1))
    # someone holding the node key re-signs the first manifest with other content
    key, _node = load_or_create_identity(settings.identity_path)
    assert first.manifest is not None
    forged = manifests.sign(dataclasses.replace(first.manifest, kind="year-end"), key)
    path = first.paths[0].with_name(first.paths[0].name + ".json")
    path.write_bytes(forged.encode())
    problems = chain_problems(list_backups(settings.destinations[0]))
    assert problems and "chain" in problems[0]


@pytest.fixture
def made(settings: BackupSettings, identity: Identity) -> Path:
    """Two backups; returns the newer one's path."""
    create_backup(settings, now=T0)
    _write_mark(settings.database_path)
    return create_backup(settings, now=T0 + dt.timedelta(hours=1)).paths[0]


def _refused(settings: BackupSettings, path: Path, identities, error, match: str, **kw) -> None:
    before = disk_state(settings.data_dir)
    with pytest.raises(error, match=match):
        restore(settings, path, identities, **kw)
    assert disk_state(settings.data_dir) == before  # nothing changed, not even the state


def _copy(made: Path, tmp_path: Path, data: bytes | None = None, manifest: bool = True) -> Path:
    target = tmp_path / made.name
    target.write_bytes(made.read_bytes() if data is None else data)
    if manifest:
        target.with_name(target.name + ".json").write_bytes(
            made.with_name(made.name + ".json").read_bytes()
        )
    return target


def test_a_flipped_byte_is_refused_with_or_without_the_manifest(
    tmp_path: Path, settings: BackupSettings, identity: Identity, made: Path
):
    data = bytearray(made.read_bytes())
    data[len(data) // 2] ^= 0x40
    (tmp_path / "a").mkdir()
    with_manifest = _copy(made, tmp_path / "a", bytes(data))
    _refused(settings, with_manifest, [identity], BackupDamaged, "does not match its manifest")
    (tmp_path / "b").mkdir()
    alone = _copy(made, tmp_path / "b", bytes(data), manifest=False)
    _refused(settings, alone, [identity], BackupDamaged, "damaged at part")


def test_a_truncated_backup_is_refused(
    tmp_path: Path, settings: BackupSettings, identity: Identity, made: Path
):
    alone = _copy(made, tmp_path, made.read_bytes()[:-20], manifest=False)
    _refused(settings, alone, [identity], BackupDamaged, "cut short|damaged")


def test_the_wrong_identity_is_refused(settings: BackupSettings, identity: Identity, made: Path):
    _refused(settings, made, [generate()], WrongKey, "None of the given keys")


def test_a_tampered_manifest_is_refused(
    tmp_path: Path, settings: BackupSettings, identity: Identity, made: Path
):
    copy = _copy(made, tmp_path)
    sidecar = copy.with_name(copy.name + ".json")
    data = json.loads(sidecar.read_text())
    data["sequence"] = 99
    sidecar.write_text(json.dumps(data))
    _refused(settings, copy, [identity], BackupDamaged, "signature does not match")
    assert read_entry(copy).manifest is None


def test_a_rollback_to_an_older_backup_is_refused_unless_allowed(
    settings: BackupSettings, identity: Identity, made: Path
):
    [older, newer] = list_backups(settings.destinations[0])
    _refused(settings, older.path, [identity], RestoreRefused, "older than the newest")
    done = restore(settings, older.path, [identity], allow_older=True)
    assert done.sequence == 1
    # the rollback check reads the sequence inside the database: a lone file is caught too
    older.manifest_path.unlink()
    _refused(settings, older.path, [identity], RestoreRefused, "older than the newest")


def test_orphans_of_a_crash_are_removed_and_never_listed(
    settings: BackupSettings, identity: Identity
):
    created = create_backup(settings, now=T0)
    folder = settings.destinations[0]
    (folder / ".ediary-ediary-20261125T110000Z-000002.age.123.tmp").write_bytes(b"partial")
    (folder / "ediary-20261125T110000Z-000002.age").write_bytes(b"no manifest yet")
    assert [e.path for e in list_backups(folder)] == list(created.paths)
    assert len(cleanup_orphans(folder)) == 2
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [created.paths[0].name, created.paths[0].name + ".json"]
    )


def test_a_second_backup_at_the_same_time_waits_its_turn(
    settings: BackupSettings, identity: Identity
):
    from backup.store import locked

    with locked(settings), pytest.raises(Conflict, match="Another backup"):
        create_backup(settings)


def test_a_damaged_database_is_never_published_as_a_backup(
    settings: BackupSettings, identity: Identity
):
    damage_biggest_table(settings.database_path)
    with pytest.raises(BackupDamaged, match="quick_check|not readable"):
        create_backup(settings, now=T0)
    assert list(settings.destinations[0].iterdir()) == []
    assert not [p for p in settings.data_dir.iterdir() if p.name.endswith(".tmp")]
