"""The UI says a database fault as the command line does (issue 16): damaged pages are named
as damage, with the way back, and remembered so every command warns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from node.models import db
from node.models.database import recorded_damage
from tests.backup.conftest import damage_biggest_table
from tui.backend import Backend


def test_damaged_pages_are_said_as_damage_and_remembered(demo_db: Path):
    conn = sqlite3.connect(demo_db)
    tables = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    biggest = max(tables, key=lambda n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone())
    conn.close()
    damage_biggest_table(demo_db)  # real bytes over its root page
    backend = Backend(demo_db)
    assert backend.open().error is None  # the file itself opens
    outcome = backend.attempt(lambda: db.execute_sql(f'SELECT * FROM "{biggest}"').fetchall())
    assert outcome.value is None and outcome.error is not None
    assert f"The database {demo_db} is damaged" in outcome.error
    assert "ediary backup restore FILE --identity KEY" in outcome.error
    assert recorded_damage(demo_db) is not None
