"""Fixtures for the backup tests: a node's data directory with a small school and a key.

Identity files made in the test process are encrypted at ``TEST_SCRYPT_LOG_N``, a cheap scrypt
cost: the production cost (2^18, 256 MiB) takes most of a second of CPU to make and again to
open, and these tests make and open dozens. The cost is written in the file, so a child
process opening it pays the cheap cost too. tests/backup/test_interop.py, where the standard
``age`` tool opens our identity file, keeps the production cost.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from backup import keys
from backup.age import Identity, generate
from backup.keys import add_recipient
from backup.settings import BackupSettings, backup_settings
from node.config import NodeConfig, load_config
from node.files import private_folder, write_private
from node.identity import load_or_create_identity
from node.models import Meta
from node.models.database import open_database
from node.services.base import clock
from tests.conftest import SCHOOL_TODAY
from tests.factories import build_small_school

#: Meta keys a backup or a restore adds; everything else must come back unchanged.
BOOKKEEPING = (
    "backup_sequence",
    "backup_created",
    "backup_node",
    "backup_node_files",
    "epoch",
    "restored_from",
)


#: The scrypt cost (log2 of N) of identity files made in the test process.
TEST_SCRYPT_LOG_N = 10


@pytest.fixture(autouse=True)
def cheap_identity_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """``create_identity_file`` (``backup keys init``) uses ``TEST_SCRYPT_LOG_N`` by default
    here (see the module's text)."""
    defaults = keys.create_identity_file.__kwdefaults__
    assert defaults is not None and "log_n" in defaults
    monkeypatch.setitem(defaults, "log_n", TEST_SCRYPT_LOG_N)


def make_node(data_dir: Path) -> NodeConfig:
    """A data directory with the small school in it, closed again (as between commands)."""
    _key, node_id = load_or_create_identity(data_dir / "node_key.pem")
    database = open_database(data_dir / "ediary.db", create=True)
    Meta.set_value("node_id", node_id)
    with clock.frozen_time(SCHOOL_TODAY):
        build_small_school()
    database.close()
    return load_config(data_dir)


@pytest.fixture(scope="session")
def school_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small school for the whole session; tests copy it (building takes a while)."""
    return make_node(tmp_path_factory.mktemp("school")).data_dir


@pytest.fixture
def node(tmp_path: Path, school_db: Path) -> NodeConfig:
    data_dir = private_folder(tmp_path / "node")  # as init leaves it
    for name in ("ediary.db", "node_key.pem"):
        write_private(data_dir / name, (school_db / name).read_bytes())
    return load_config(data_dir)


@pytest.fixture
def settings(node: NodeConfig) -> BackupSettings:
    return backup_settings(node)


@pytest.fixture
def identity(settings: BackupSettings) -> Identity:
    """The sysadmin's key, registered on the node."""
    key = generate()
    add_recipient(settings, str(key.recipient), "test")
    return key


def table_rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, without the bookkeeping a backup adds."""
    conn = sqlite3.connect(path)
    try:
        names = [
            n
            for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        rows = {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()
    rows["meta"] = [r for r in rows.get("meta", []) if r[0] not in (*BOOKKEEPING, "node_id")]
    # a restore starts a new sync epoch: the clock's origin changes, the old one is remembered
    for name in ("sync_clock", "sync_vector"):
        rows.pop(name, None)
    return rows


def disk_state(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file under ``folder`` with size, mtime and a hash of its content."""
    import hashlib

    return {
        str(p.relative_to(folder)): (
            p.stat().st_size,
            p.stat().st_mtime_ns,
            hashlib.sha256(p.read_bytes()).digest(),
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def damage_biggest_table(database: Path) -> None:
    """Scribble over the root page of the biggest table (as a failing disk would)."""
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA journal_mode=DELETE")
    tables = conn.execute("SELECT name, rootpage FROM sqlite_master WHERE type = 'table'")
    _rows, root = max(
        (conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0], page)
        for name, page in tables.fetchall()
    )
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with database.open("r+b") as handle:
        handle.seek((root - 1) * page_size + 8)
        handle.write(b"\xff" * 64)
