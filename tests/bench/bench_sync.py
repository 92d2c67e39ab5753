"""Benchmark: sync on a demo school (size L for the goals, issue 7).

* bootstrap of a whole-school replica and of one teacher's (rows/s, goal ≥ 20,000), each
  beside a baseline in the same run: the same rows read with plain ``sqlite3`` and inserted
  with ``executemany`` into an empty copy of the schema;
* 500 incremental changes pulled by the whole-school replica (goal < 0.5 s);
* a no-op sync: export against an up-to-date vector and apply (goal < 0.1 s);
* change capture: journal cells typed through the service, one transaction each (marks,
  history, activity log), with the triggers on against the same writes with capture paused
  (goal ≤ 2×); and, for information, 5,000 marks bulk-inserted then bulk-updated in one
  statement, where a log row costs more than the write it records.

    python -m tests.bench.run --size L --only sync
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import statistics
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from node.models import SYNC_MODELS, db, new_id
from node.models.base import make_database
from node.models.changes import capture_paused
from node.models.migrations import migrate
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.gradebook.journal import set_marks
from sync import engine
from tests.bench.figures import ratio

CAPTURE_ROWS = 5000
SERVICE_CELLS = 200


def _open(path: Path):
    database = make_database(path)
    database.connect()
    migrate(database)
    db.initialize(database)
    return database


def _bootstrap(hub_path: Path, replica_path: Path, scope: engine.Scope) -> dict[str, float]:
    """Export every chunk from the hub and apply it to a new replica; rows/s end to end."""
    hub = make_database(hub_path)
    hub.connect()
    replica = _open(replica_path)
    rows = 0
    started = time.perf_counter()
    db.initialize(hub)
    chunks = engine.bootstrap(scope)
    while True:
        db.initialize(hub)
        chunk = next(chunks, None)
        if chunk is None:
            break
        db.initialize(replica)
        result = engine.apply_chunk(chunk.payload, pushed_by=None)
        rows += result.applied
    seconds = time.perf_counter() - started
    hub.close()
    replica.close()
    return {"rows": rows, "seconds": seconds, "rows_s": rows / seconds}


def _raw_copy(hub_path: Path, target: Path, schema_from: Path) -> dict[str, float]:
    """Baseline: read every replicated row with sqlite3 and executemany it into a copy of
    the (empty) schema."""
    shutil.copy(schema_from, target)
    source = sqlite3.connect(hub_path)
    dest = sqlite3.connect(target)
    dest.execute("PRAGMA foreign_keys = OFF")
    dest.execute("UPDATE sync_clock SET applying = 1")
    rows = 0
    started = time.perf_counter()
    for model in SYNC_MODELS:
        name = model._meta.table_name
        cursor = source.execute(f'SELECT * FROM "{name}"')
        width = len(cursor.description)
        marks = ",".join("?" * width)
        while batch := cursor.fetchmany(20000):
            dest.executemany(f'INSERT INTO "{name}" VALUES ({marks})', batch)
            rows += len(batch)
    dest.commit()
    seconds = time.perf_counter() - started
    source.close()
    dest.close()
    return {"rows": rows, "seconds": seconds, "rows_s": rows / seconds}


def _busiest_teacher(hub_path: Path) -> str:
    conn = sqlite3.connect(hub_path)
    row = conn.execute(
        "SELECT a.teacher_id FROM lesson l JOIN teaching_assignment a ON a.id = l.assignment_id "
        'JOIN "user" u ON u.id = a.teacher_id '
        "WHERE u.roles NOT LIKE '%director%' AND u.roles NOT LIKE '%deputy%' "
        "GROUP BY a.teacher_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    conn.close()
    return row[0]


def _pull(hub, replica) -> tuple[float, int]:
    started = time.perf_counter()
    applied = 0
    while True:
        db.initialize(replica)
        since = engine.version_vector()
        db.initialize(hub)
        chunk = engine.export_chunk(engine.Scope(None), since)
        db.initialize(replica)
        applied += engine.apply_chunk(chunk.payload, pushed_by=None).applied
        if not chunk.more:
            return time.perf_counter() - started, applied


def _incremental(hub_path: Path, replica_path: Path, noops: int = 7) -> dict[str, Any]:
    hub = make_database(hub_path)
    hub.connect()
    replica = make_database(replica_path)
    replica.connect()
    db.initialize(hub)
    ids = [r[0] for r in db.execute_sql("SELECT id FROM mark ORDER BY id DESC LIMIT 500")]
    with db.atomic():
        for i, mark_id in enumerate(ids):
            value = str(2 + i % 4)
            db.execute_sql(
                "UPDATE mark SET value = ?, points = ? WHERE id = ?", (value, int(value), mark_id)
            )
    seconds, applied = _pull(hub, replica)
    noop = []
    for _ in range(noops):
        noop.append(_pull(hub, replica)[0])
    hub.close()
    replica.close()
    return {
        "sync_500_changes_s": seconds,
        "sync_500_changes_applied": applied,
        "sync_noop_s_median": statistics.median(noop),
    }


def _service_writes(cells: list[tuple[str, str]], captured: bool, value: str) -> float:
    """One journal cell typed per transaction, through the service, as a teacher does."""
    actor = Actor.for_system()
    started = time.perf_counter()
    for lesson_id, student_id in cells:
        with db.atomic(), nullcontext() if captured else capture_paused():
            set_marks(actor, lesson_id, student_id, [value])
    return time.perf_counter() - started


def _bulk_writes(cells: list[tuple[str, str, str]], captured: bool) -> tuple[float, float]:
    """Marks inserted with executemany, then updated by one UPDATE, in one transaction."""
    rows = [
        (new_id(), lesson, student, 9, "5", 5, work_type, "", None, "2027-05-31 10:00:00")
        for lesson, student, work_type in cells
    ]
    with db.atomic(), nullcontext() if captured else capture_paused():
        started = time.perf_counter()
        db.connection().executemany(
            "INSERT INTO mark (id, lesson_id, student_id, position, value, points, "
            "work_type_id, comment, updated_by_id, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        inserted = time.perf_counter()
        db.execute_sql("UPDATE mark SET value = '4', points = 4 WHERE position = 9")
        updated = time.perf_counter()
    with db.atomic(), capture_paused():
        db.execute_sql("DELETE FROM mark WHERE position = 9")
    return inserted - started, updated - inserted


def _capture(
    hub_path: Path, work: Path, rounds: int = 5, service_cells: int = SERVICE_CELLS
) -> dict[str, Any]:
    """Writes with the capture triggers against the same writes with capture paused
    (``service_cells`` cells typed through the service in each round, each way)."""
    path = work / "capture.db"
    shutil.copy(hub_path, path)
    database = make_database(path)
    database.connect()
    db.initialize(database)
    day = db.execute_sql("SELECT max(l.date) FROM mark m JOIN lesson l ON l.id = m.lesson_id")
    today = dt.date.fromisoformat(day.fetchone()[0])
    cells = db.execute_sql(
        "SELECT m.lesson_id, m.student_id FROM mark m JOIN lesson l ON l.id = m.lesson_id "
        "WHERE m.position = 0 AND l.date <= ? ORDER BY m.id DESC LIMIT ?",
        (today.isoformat(), service_cells),
    ).fetchall()
    bulk = db.execute_sql(
        "SELECT lesson_id, student_id, work_type_id FROM mark GROUP BY lesson_id, student_id "
        f"LIMIT {CAPTURE_ROWS}"
    ).fetchall()
    service: dict[bool, list[float]] = {True: [], False: []}
    inserts: dict[bool, list[float]] = {True: [], False: []}
    updates: dict[bool, list[float]] = {True: [], False: []}
    with clock.frozen_time(today):
        for round_ in range(rounds):
            for captured in (False, True):
                value = "5" if (round_ + captured) % 2 else "4"
                service[captured].append(_service_writes(cells, captured, value))
                insert, update = _bulk_writes(bulk, captured)
                inserts[captured].append(insert)
                updates[captured].append(update)
    database.close()

    def captured_ratio(times: dict[bool, list[float]]) -> float | None:
        return ratio(statistics.median(times[True]), statistics.median(times[False]), 3)

    return {
        "sync_capture_service_cells": len(cells),
        "sync_capture_plain_s": statistics.median(service[False]),
        "sync_capture_captured_s": statistics.median(service[True]),
        "sync_capture_ratio": captured_ratio(service),
        "sync_capture_bulk_rows": len(bulk),
        "sync_capture_bulk_insert_ratio": captured_ratio(inserts),
        "sync_capture_bulk_update_ratio": captured_ratio(updates),
    }


def run(
    db_path: Path, work: Path, repeats: int = 5, service_cells: int = SERVICE_CELLS
) -> dict[str, Any]:
    """Every figure of the module doc (``repeats`` rounds of the capture's writes, and that
    many no-op syncs and two more; ``service_cells`` cells typed per round and way)."""
    previous = db.obj
    try:
        hub_path = work / "hub.db"
        conn = sqlite3.connect(db_path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        shutil.copy(db_path, hub_path)
        empty = work / "empty.db"
        _open(empty).close()
        result: dict[str, Any] = {}
        raw = _raw_copy(hub_path, work / "raw.db", empty)
        full = _bootstrap(hub_path, work / "full.db", engine.Scope(None))
        result.update(
            {
                "sync_bootstrap_school_rows": full["rows"],
                "sync_bootstrap_school_s": full["seconds"],
                "sync_bootstrap_school_rows_s": full["rows_s"],
                "sync_bootstrap_raw_rows_s": raw["rows_s"],
                "sync_bootstrap_ratio_to_raw": ratio(raw["rows_s"], full["rows_s"], 3),
            }
        )
        teacher = _busiest_teacher(hub_path)
        one = _bootstrap(hub_path, work / "teacher.db", engine.Scope(teacher))
        result.update(
            {
                "sync_bootstrap_teacher_rows": one["rows"],
                "sync_bootstrap_teacher_s": one["seconds"],
                "sync_bootstrap_teacher_rows_s": one["rows_s"],
            }
        )
        result.update(_incremental(hub_path, work / "full.db", repeats + 2))
        result.update(_capture(hub_path, work, repeats, service_cells))
        return result
    finally:
        db.initialize(previous)
