"""Numbered migrations: a new database, an old one upgraded, and files we must refuse."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import peewee as pw
import pytest

from node.errors import StorageError
from node.models import ALL_MODELS
from node.models.base import make_database
from node.models.database import open_database
from node.models.migrations import LATEST_VERSION, migrate, schema_version


def _schema(database: pw.SqliteDatabase) -> dict:
    out = {}
    for table in database.get_tables():
        out[table] = (
            sorted(
                (c.name, c.data_type, c.null, c.primary_key) for c in database.get_columns(table)
            ),
            sorted((i.name, tuple(i.columns), i.unique) for i in database.get_indexes(table)),
            sorted(
                (f.column, f.dest_table, f.dest_column) for f in database.get_foreign_keys(table)
            ),
        )
    return out


def test_migrating_an_empty_database_gives_the_schema_of_the_models(tmp_path: Path):
    migrated = open_database(tmp_path / "a.db", create=True)
    reference = pw.SqliteDatabase(":memory:")
    with reference.bind_ctx(ALL_MODELS):
        reference.create_tables(ALL_MODELS)
    assert _schema(migrated) == _schema(reference)
    assert schema_version(migrated) == LATEST_VERSION
    migrated.close()


def test_an_older_database_is_upgraded_and_keeps_its_data(tmp_path: Path):
    path = tmp_path / "old.db"
    old = make_database(path)
    old.connect()
    assert migrate(old, target=1) == [1]
    # what version 1 of ediary would have written: a mark without its numeric points
    rows = {
        "academic_year": ("y1", "2025/2026", "2025-09-01", "2026-05-31", "active"),
        "user": (
            "u1",
            "t",
            "Иванова",
            "Мария",
            "",
            "teacher",
            None,
            "active",
            None,
            "2025-08-30 10:00:00",
        ),
        "school_class": ("c1", "y1", 5, "А", "u1", "quarters"),
        "subject": ("s1", "Математика", "", 0, 1),
        "teaching_assignment": ("a1", "u1", "c1", "s1", None, 5.0),
        "student": (
            "st1",
            "c1",
            "Белов",
            "Кирилл",
            "",
            None,
            "",
            "",
            "",
            "2025-09-01",
            None,
            None,
            None,
        ),
        "work_type": ("w1", "Ответ", 1.0, "oral"),
        "lesson": ("l1", "a1", "2025-09-02", 1, "scheduled", "Дроби", "", None),
        "mark": ("m1", "l1", "st1", 0, "4", "w1", "", None, "2025-09-02 10:00:00"),
        "final_mark": ("f1", "st1", "a1", "p1", "зач", None, "", None, "2025-10-30 10:00:00"),
    }
    old.execute_sql("PRAGMA foreign_keys = OFF")
    with old.atomic():
        for table, row in rows.items():
            marks = ", ".join("?" * len(row))
            old.execute_sql(f'INSERT INTO "{table}" VALUES ({marks})', row)
    old.close()

    upgraded = open_database(path)
    assert schema_version(upgraded) == LATEST_VERSION
    mark = upgraded.execute_sql("SELECT value, points FROM mark").fetchone()
    assert mark == ("4", 4)
    final = upgraded.execute_sql("SELECT value, points FROM final_mark").fetchone()
    assert final == ("зач", None)
    assert migrate(upgraded) == []  # a second run has nothing to do
    upgraded.close()


def test_a_database_from_a_newer_ediary_is_refused(tmp_path: Path):
    path = tmp_path / "new.db"
    database = open_database(path, create=True)
    database.execute_sql(
        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(LATEST_VERSION + 1),)
    )
    database.close()
    with pytest.raises(StorageError, match="newer than this ediary knows"):
        open_database(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path):
    path = tmp_path / "notes.db"
    path.write_text("these are not the marks you are looking for\n" * 100)
    with pytest.raises(StorageError, match="is not a database ediary can read"):
        open_database(path)


def test_another_programs_database_is_refused(tmp_path: Path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    with pytest.raises(StorageError, match="not an ediary database"):
        open_database(path)


def test_a_missing_database_says_how_to_make_one(tmp_path: Path):
    with pytest.raises(StorageError, match="ediary demo"):
        open_database(tmp_path / "missing.db")


def test_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path):
    database = open_database(tmp_path / "p.db", create=True)
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
    database.close()
