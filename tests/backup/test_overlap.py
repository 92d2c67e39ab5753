"""Work a backup, verify or restore does side by side (to be fast) decides as if done in turn."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import random
from pathlib import Path

import pytest

from backup import manifest as manifests
from backup import snapshot
from backup.age import Identity, decrypt, encrypt, generate
from backup.age.stream import BATCH, CHUNK
from backup.create import create_backup
from backup.errors import BackupDamaged
from backup.restore import restore
from backup.settings import BackupSettings
from backup.store import list_backups
from backup.verify import verify_entry
from node.identity import load_or_create_identity
from tests.backup.conftest import damage_biggest_table, disk_state

T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def test_pieces_handed_on_by_the_decryptor_may_be_kept():
    """It decrypts BATCH chunks into one buffer, and never reuses one it handed on."""
    key = generate()
    data = random.Random(3).randbytes(2 * BATCH * CHUNK + 5)
    sealed = io.BytesIO()
    encrypt(memoryview(data), [sealed.write], [key.recipient])
    pieces: list[memoryview] = []
    decrypt(io.BytesIO(sealed.getvalue()), [key], pieces.append)
    assert len(pieces) == 3 and b"".join(pieces) == data


def test_a_fingerprint_taken_beside_the_encryption_matches_one_taken_first(
    tmp_path: Path, settings: BackupSettings, identity: Identity
):
    """``backup now`` fingerprints the stamped snapshot in the check's thread; the automatic
    run fingerprints it before anything else: both must see the same database as unchanged."""
    made = create_backup(settings, now=T0)
    assert made.manifest is not None
    first = snapshot.take_snapshot(settings.database_path, tmp_path / "copy.db")
    assert made.manifest.fingerprint == first.fingerprint
    again = create_backup(settings, now=T0 + dt.timedelta(hours=1), only_if_changed=True)
    assert again.manifest is None and len(list_backups(settings.destinations[0])) == 1


def test_a_damaged_database_publishes_nothing_when_fingerprinted_first(
    settings: BackupSettings, identity: Identity
):
    """The automatic run fingerprints before encrypting (``backup now`` beside it: see
    test_backup.py); either way damage stops the backup."""
    damage_biggest_table(settings.database_path)
    with pytest.raises(BackupDamaged, match="quick_check|not readable"):
        create_backup(settings, now=T0, only_if_changed=True)
    assert list(settings.destinations[0].iterdir()) == []
    assert not [p for p in settings.data_dir.iterdir() if p.name.endswith(".tmp")]


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_changed_file_is_reported_as_not_matching_its_manifest_when_read_for_data(
    settings: BackupSettings, identity: Identity
):
    """The file's hash is taken while it is decrypted; its refusal outranks the decryptor's."""
    create_backup(settings, now=T0)
    [entry] = list_backups(settings.destinations[0])
    _flip_a_byte(entry.path)
    with pytest.raises(BackupDamaged, match="does not match its manifest"):
        verify_entry(settings, entry, [identity])
    assert not [p for p in settings.data_dir.iterdir() if p.name.endswith(".tmp")]


def test_a_manifest_naming_another_database_is_refused_and_nothing_changes(
    settings: BackupSettings, identity: Identity
):
    """The file is the signed one, but the database inside is not the one the manifest names
    (re-signed by someone holding the node key): the plaintext hash, taken while SQLite
    checks the database, refuses it."""
    created = create_backup(settings, now=T0)
    assert created.manifest is not None
    key, _node = load_or_create_identity(settings.identity_path)
    forged = manifests.sign(dataclasses.replace(created.manifest, plaintext_sha256="0" * 64), key)
    sidecar = created.paths[0].with_name(created.paths[0].name + ".json")
    sidecar.write_bytes(forged.encode())
    before = disk_state(settings.data_dir)
    with pytest.raises(BackupDamaged, match="differs from its manifest"):
        restore(settings, created.paths[0], [identity])
    assert disk_state(settings.data_dir) == before
