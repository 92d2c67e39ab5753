"""Backups under stress: killed at the points where a crash could hurt, and taken while
another process writes.

The backing-up child stops at each point it reaches (a piece of the encrypted file written,
a rename, an fsync of a folder) and says so; the test kills it at one of them, chosen by a
seeded random, so every round kills a backup in progress."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from backup.age import Identity
from backup.create import create_backup
from backup.settings import BackupSettings
from backup.store import list_backups
from backup.verify import chain_problems, check_contents, check_file
from tests.backup.conftest import table_rows
from tests.node.test_crash_safety import _kill, _spawn

BACKING_UP = """
import os, sys
from backup import create, store
from backup.create import create_backup
from backup.settings import backup_settings
from node.config import load_config

def pausing(point, function):
    def paused(*args, **kwargs):
        print(point, flush=True)
        if sys.stdin.readline() != "go\\n":
            sys.exit(3)
        return function(*args, **kwargs)
    return paused

create._Output.write = pausing("write", create._Output.write)
create.os.replace = pausing("rename", os.replace)
store.fsync_path = pausing("fsync-folder", store.fsync_path)
settings = backup_settings(load_config(sys.argv[1]))
print("ready", flush=True)
while True:
    create_backup(settings)
    print("backed-up", flush=True)
"""

WRITING = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
conn.execute("PRAGMA journal_mode=wal")
conn.execute("CREATE TABLE IF NOT EXISTS load (n INTEGER, pad TEXT)")
n = 0
while True:
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO load VALUES (?, ?)", [(n + i, "x" * 200) for i in range(50)])
    conn.execute("COMMIT")
    if n == 0:
        print("committed", flush=True)
    n += 50
"""


def _kill_at(child: subprocess.Popen, point: int) -> str:
    """Let the child pass ``point - 1`` of its stopping points, then kill it at the next;
    the point it was killed at."""
    assert child.stdin is not None and child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    passed = 0
    for line in child.stdout:
        if line.strip() == "backed-up":
            continue
        passed += 1
        if passed == point:
            _kill(child)
            return line.strip()
        child.stdin.write("go\n")
        child.stdin.flush()
    raise AssertionError("the child ended before the point to kill it at")


def test_kill_9_during_backups_leaves_older_backups_valid_and_no_partial_file_listed(
    settings: BackupSettings, identity: Identity
):
    create_backup(settings)  # the older backup that must survive
    folder = settings.destinations[0]
    rng = random.Random(9)
    killed_at = []
    for _round in range(6):
        child = _spawn(BACKING_UP, str(settings.data_dir), stdin=True)
        killed_at.append(_kill_at(child, rng.randint(1, 12)))
        entries = list_backups(folder)
        assert entries and all(e.manifest for e in entries)
        for entry in entries:
            check_file(entry)  # every listed backup is complete and matches its manifest
        assert chain_problems(entries) == []
    # the seed kills while the file is written and around its renames
    assert {"write", "rename"} <= set(killed_at), killed_at
    # the next backup cleans what the crashes left and continues the sequence
    created = create_backup(settings)
    names = {p.name for p in folder.iterdir()}
    assert not [n for n in names if n.endswith(".tmp")]
    assert all(n + ".json" in names for n in names if n.endswith(".age"))
    assert not [p for p in settings.data_dir.iterdir() if p.name.endswith(".tmp")]
    oldest = list_backups(folder)[0]
    target = settings.data_dir / "check.db"
    check_contents(oldest.path, oldest.manifest, [identity], target)
    assert (
        created.manifest and created.manifest.sequence == list_backups(folder)[-1].manifest.sequence
    )


def test_a_backup_completes_while_another_process_writes_continuously(
    tmp_path: Path, settings: BackupSettings, identity: Identity
):
    writer = _spawn(WRITING, str(settings.database_path))
    try:
        # the first rows are committed: every backup holds some, each later one more
        assert writer.stdout is not None and writer.stdout.readline().strip() == "committed"
        created = [create_backup(settings) for _ in range(3)]
    finally:
        _kill(writer)
    assert all(c.manifest for c in created)
    rows = []
    for c in created:
        target = tmp_path / f"{c.paths[0].name}.db"
        check_contents(c.paths[0], c.manifest, [identity], target)
        rows.append(len(table_rows(target).get("load", [])))
    assert rows[-1] > 0 and rows == sorted(rows)  # each a consistent, later snapshot


def test_a_crash_between_the_manifest_and_the_state_file_keeps_the_chain(
    settings: BackupSettings, identity: Identity
):
    """Killed after a manifest was published but before the node noted it: the next backup
    still links to that manifest, not to the one before."""
    create_backup(settings)
    state_before = settings.state_path.read_bytes()
    create_backup(settings)
    settings.state_path.write_bytes(state_before)  # as if the state write never happened
    create_backup(settings)
    entries = list_backups(settings.destinations[0])
    assert [e.manifest.sequence for e in entries if e.manifest] == [1, 2, 3]
    assert chain_problems(entries) == []
