"""Change capture: every write to a syncable table, however made, logs a change in the
same transaction; node-local tables and paused writes log nothing; the clock lives in the
database (docs/ARCHITECTURE.md §4)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import peewee as pw
import pytest

from node.models import (
    SYNC_MODELS,
    AcademicYear,
    Mark,
    Meta,
    Session,
    SyncChange,
    SyncClock,
    SyncVector,
    bulk_insert,
    db,
    new_id,
)
from node.models.base import make_database
from node.models.changes import (
    SQL_GROUP_BASE_FILE,
    SQL_NEW_TABLE_FILES,
    SQL_TRIGGERS_FILE,
    capture_paused,
    current_trigger_sql,
    database_epoch,
    new_epoch,
    start_new_epoch,
    table_columns,
    trigger_names,
)
from node.models.database import open_database
from node.models.migrations import migrate
from node.services.gradebook.journal import set_marks
from tests.factories import SmallSchool


def _changes(**where) -> list[SyncChange]:
    query = SyncChange.select().order_by(SyncChange.seq)
    for name, value in where.items():
        query = query.where(getattr(SyncChange, name) == value)
    return list(query)


def _triggers(database: pw.SqliteDatabase) -> dict[str, str]:
    return dict(database.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))


def test_the_migrated_triggers_are_exactly_those_the_models_need(database):
    """A syncable table added (or changed) later without its triggers fails here: the
    migration that adds it must freeze the output of ``trigger_sql`` for it."""
    assert sorted(_triggers(database).values()) == sorted(current_trigger_sql())
    expected = set()
    for model in SYNC_MODELS:
        expected.update(trigger_names(model._meta.table_name, table_columns(model)))
    assert set(_triggers(database)) == expected


def _frozen(path: Path) -> list[str]:
    statements = [s.strip() for s in path.read_text(encoding="utf-8").split(";\n") if s.strip()]
    return [s.split("\n")[-1] if s.startswith("--") else s for s in statements]


def test_the_frozen_files_in_order_give_what_the_generator_gives(database):
    """v5 made every trigger of its tables; v8 dropped and remade the update triggers;
    later migrations freeze the triggers of the syncable tables they add."""
    made = {s.split('"')[1]: s for s in _frozen(SQL_TRIGGERS_FILE)}
    for path in SQL_NEW_TABLE_FILES:
        for statement in _frozen(path):
            if statement.startswith("CREATE TRIGGER"):
                made[statement.split('"')[1]] = statement
    assert len(made) == len(current_trigger_sql())
    for statement in _frozen(SQL_GROUP_BASE_FILE):
        name = statement.split('"')[1]
        if statement.startswith("DROP TRIGGER"):
            del made[name]
        else:
            made[name] = statement
    assert sorted(made.values()) == sorted(current_trigger_sql())


def test_an_update_records_the_version_of_its_own_group_it_overwrote(school: SmallSchool):
    """Editing the topic after the slot: the topic's base is the insert, not the slot edit."""
    from node.models import Lesson

    lesson = school.maths_lessons[0]
    Lesson.update(topic="Fractions").where(Lesson.id == lesson.id).execute()
    Lesson.update(number=7).where(Lesson.id == lesson.id).execute()
    Lesson.update(topic="Decimals").where(Lesson.id == lesson.id).execute()
    changes = _changes(row_id=lesson.id)
    first_topic, slot, second_topic = changes[-3:]
    assert json.loads(slot.fields) == {"date": lesson.date.isoformat(), "number": 7}
    assert slot.base == max(c.hlc for c in changes if c.op == "insert")
    assert first_topic.base == slot.base  # both overwrote the inserted row's values
    assert second_topic.base == first_topic.hlc


def test_node_local_tables_have_no_triggers(database):
    tables = {
        row[0]
        for row in database.execute_sql("SELECT tbl_name FROM sqlite_master WHERE type='trigger'")
    }
    for local in ("meta", "session", "access_code", "sign_in_throttle", "sync_change"):
        assert local not in tables


def test_a_service_write_is_captured_with_its_history(school: SmallSchool):
    before = SyncChange.select().count()
    lesson, student = school.maths_lessons[0], school.students[1]
    set_marks(school.actor(school.teacher), lesson.id, student.id, ["5"])
    tables = [c.tbl for c in SyncChange.select().where(SyncChange.seq > before)]
    assert tables.count("mark") == 1 and "history" in tables
    mark = Mark.get(Mark.lesson == lesson, Mark.student == student)
    (change,) = _changes(row_id=mark.id)
    assert change.op == "insert" and change.origin == database_epoch()
    assert json.loads(change.fields)["value"] == "5"


def test_bulk_updates_bulk_inserts_and_raw_sql_are_captured(school: SmallSchool):
    lesson = school.maths_lessons[0]
    rows = [
        (new_id(), lesson.id, s.id, 0, "4", 4, school.oral.id, "", None, "2026-11-25 10:00:00")
        for s in school.students[:3]
    ]
    columns = [
        "id",
        "lesson",
        "student",
        "position",
        "value",
        "points",
        "work_type",
        "comment",
        "updated_by",
        "updated_at",
    ]
    with db.atomic():
        bulk_insert(Mark, columns, rows)
    assert [c.op for c in _changes(tbl="mark")] == ["insert"] * 3
    Mark.update(value="3", points=3).where(Mark.lesson == lesson).execute()
    updates = _changes(tbl="mark", op="update")
    assert len(updates) == 3
    assert json.loads(updates[0].fields) == {
        "value": "3",
        "points": 3,
        "work_type_id": school.oral.id,
        "comment": "",
        "updated_by_id": None,
        "updated_at": "2026-11-25 10:00:00",
    }
    # another connection, as the sqlite3 shell would make it
    raw = sqlite3.connect(db.database)
    with raw:
        raw.execute("UPDATE mark SET comment = 'shell' WHERE id = ?", (rows[0][0],))
        raw.execute("DELETE FROM mark WHERE id = ?", (rows[1][0],))
    raw.close()
    assert len(_changes(tbl="mark", op="update")) == 4
    (deleted,) = _changes(tbl="mark", op="delete")
    assert deleted.row_id == rows[1][0] and json.loads(deleted.fields)["lesson_id"] == lesson.id


def test_a_rolled_back_write_leaves_no_change(school: SmallSchool):
    before = SyncChange.select().count()
    clock_before = SyncClock.get_by_id(1).hlc
    with pytest.raises(RuntimeError), db.atomic():
        AcademicYear.update(status="closed").execute()
        db.execute_sql("UPDATE student SET phone = '+7 900'")
        raise RuntimeError("boom")
    assert SyncChange.select().count() == before
    assert SyncClock.get_by_id(1).hlc == clock_before


def test_a_save_that_changes_nothing_logs_nothing_and_groups_travel_whole(school):
    before = SyncChange.select().count()
    school.students[0].save()
    assert SyncChange.select().count() == before
    student = school.students[0]
    student.first_name = "Артемий"
    student.save()
    (change,) = _changes(row_id=student.id, op="update")
    assert json.loads(change.fields) == {
        "last_name": student.last_name,
        "first_name": "Артемий",
        "middle_name": student.middle_name,
    }


def test_the_clock_only_moves_forward_and_every_change_has_its_own_tick(school):
    AcademicYear.update(status="closed").execute()
    AcademicYear.update(status="active").execute()
    hlcs = [c.hlc for c in _changes()]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)
    far = hlcs[-1] + (10**6 << 16)
    SyncClock.update(hlc=far).execute()  # as if a change from a node ahead had been seen
    AcademicYear.update(status="closed").execute()
    assert _changes()[-1].hlc == far + 1


def test_paused_capture_and_node_local_tables_log_nothing(school: SmallSchool):
    before = SyncChange.select().count()
    with db.atomic(), capture_paused():
        AcademicYear.update(status="closed").execute()
    Meta.set_value("something", "local")
    Session.create(
        token_hash="x",
        user=school.teacher,
        created_at=dt.datetime(2026, 11, 25),
        last_seen_at=dt.datetime(2026, 11, 25),
        expires_at=dt.datetime(2026, 11, 26),
        client="test",
    )
    assert SyncChange.select().count() == before
    AcademicYear.update(status="active").execute()
    assert SyncChange.select().count() == before + 1


def test_rows_older_than_capture_are_the_baseline(tmp_path: Path):
    old = make_database(tmp_path / "old.db")
    old.connect()
    migrate(old, target=4)
    old.execute_sql(
        'INSERT INTO academic_year (id, name, start, "end", status) '
        "VALUES ('a', '2025/2026', '2025-09-01', '2026-05-31', 'closed')"
    )
    old.close()
    database = open_database(tmp_path / "old.db")
    assert SyncChange.select().count() == 0
    assert len(database_epoch()) == 32
    database.close()


def test_a_new_epoch_keeps_the_old_one_in_the_vector(school: SmallSchool):
    first = database_epoch()
    top = max(c.hlc for c in _changes())
    second = new_epoch()
    assert second != first and database_epoch() == second
    assert SyncVector.get_by_id(first).hlc == top
    AcademicYear.update(status="closed").execute()
    assert _changes()[-1].origin == second
    assert Meta.get_value("epoch") == second
    raw = sqlite3.connect(db.database)
    with raw:
        third = start_new_epoch(raw, "f" * 32)
    raw.close()
    assert third == "f" * 32 and database_epoch() == third
