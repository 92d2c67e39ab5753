"""Benchmark: building the demo school against inserting the same rows with raw sqlite3.

Each repeat builds the demo into a fresh directory with ``build_demo``, then reads every
row of every table of the result and times inserting them with plain
``sqlite3.executemany`` into an empty database with the same schema and the same pragmas,
in one transaction. The ratio of the two medians is what the demo's own work costs on top
of SQLite (docs/ARCHITECTURE.md §7: within 3×).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from node.services.demo import BUILD_PRAGMAS, build_demo
from tests.bench.figures import ratio

DB_NAME = "ediary.db"


def raw_insert_seconds(built: Path, target: Path) -> tuple[float, int]:
    """Seconds to insert every row of ``built`` into a new ``target``, and the row count."""
    source = sqlite3.connect(built)
    try:
        schema = [
            sql
            for (sql,) in source.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid"
            )
        ]
        tables = [
            name
            for (name,) in source.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            )
        ]
        # read before the clock starts: the baseline times inserting only
        data = {t: source.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        source.close()
    target.unlink(missing_ok=True)
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        for key, value in BUILD_PRAGMAS.items():
            conn.execute(f"PRAGMA {key} = {value}")
        for sql in schema:
            conn.execute(sql)
        started = time.perf_counter()
        conn.execute("BEGIN")
        for table in tables:
            rows = data[table]
            if rows:
                marks = ", ".join("?" for _ in rows[0])
                conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
    return elapsed, sum(len(rows) for rows in data.values())


def run(size: str, today: dt.date, repeats: int, work_dir: Path) -> tuple[dict[str, Any], Path]:
    """Medians of ``repeats`` builds and baselines; returns them and the last built file."""
    build_times: list[float] = []
    raw_times: list[float] = []
    last: Path | None = None
    summary = None
    rows = 0
    for n in range(repeats):
        run_dir = work_dir / f"demo-{n}"
        if last is not None:
            shutil.rmtree(last.parent)  # the files of L are large; keep only the newest
        run_dir.mkdir(parents=True)
        started = time.perf_counter()
        summary = build_demo(run_dir / DB_NAME, size=size, seed=1, today=today, node_id="bench")
        build_times.append(time.perf_counter() - started)
        seconds, rows = raw_insert_seconds(run_dir / DB_NAME, run_dir / "raw.db")
        raw_times.append(seconds)
        (run_dir / "raw.db").unlink()
        last = run_dir / DB_NAME
    assert summary is not None and last is not None
    build = statistics.median(build_times)
    raw = statistics.median(raw_times)
    result = {
        "demo_build_s_median": round(build, 3),
        "demo_raw_insert_s_median": round(raw, 3),
        "demo_ratio": ratio(build, raw),
        "demo_build_s": [round(t, 3) for t in build_times],
        "demo_raw_insert_s": [round(t, 3) for t in raw_times],
        "demo_rows": {
            "total": rows,
            "students": summary.students,
            "classes": summary.classes,
            "teachers": summary.teachers,
            "lessons": summary.lessons,
            "marks": summary.marks,
            "absences": summary.absences,
            "final_marks": summary.final_marks,
        },
    }
    return result, last
