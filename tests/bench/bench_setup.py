"""Benchmark: setting an L-size school up from one workbook (issue 14: within 3× of raw).

The workbook is the demo school's set-up, exported with ``ediary setup export``'s service
(2,000 students, their parents, 150 teachers, 70 classes, the whole teaching load and
timetable). Each repeat, on a new node database holding only the school and its first
sysadmin (what ``ediary init`` leaves):

- ``check``: ``check_setup`` reads the workbook and checks everything (and writes nothing);
- ``import``: ``import_setup`` writes it all through the services and generates the lessons;
- ``raw``: the baseline: every row the import left in the database, inserted with plain
  ``sqlite3.executemany`` into an empty database of the same schema (without the sync
  triggers, whose rows are copied as rows) and the same pragmas, in one transaction.

Each runs in its own fresh process, started with ``subprocess`` (fork and exec), and its
peak memory is the process's own high-water mark, ``VmHWM`` in ``/proc/self/status``: it
belongs to the address space exec made, so nothing of the parent (which built the demo
school) is counted. ``ru_maxrss`` would not do: Linux keeps it across exec, so a child's
figure started at the parent's size. The times are measured inside the process
(interpreter start-up is not counted).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _peak_mb() -> float:
    """This process's peak resident memory since its exec, in MiB (``VmHWM``)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM in /proc/self/status: the memory peak needs Linux")


# --- the workbook and the empty node ---------------------------------------------------------


#: First names for a demo student whose full name another student of the class has.
_OTHER_NAMES = {"m": ("Тимур", "Марк", "Роберт", "Эмиль"), "f": ("Злата", "Ника", "Мила", "Ева")}


def _without_namesakes(demo_db: Path, copy: Path) -> Path:
    """A copy of the demo in which no two students of a class share their full name, and
    no room holds two lessons at once.

    The demo draws names at random and now and then gives two children of one class the
    same one; the Subgroups sheet names a student by full name only (a real class list
    tells such children apart by a letter), so the second one gets another first name.
    """
    shutil.copyfile(demo_db, copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        seen: set[tuple[str, str, str, str]] = set()
        rows = conn.execute(
            "SELECT id, school_class_id, last_name, first_name, middle_name, gender "
            "FROM student ORDER BY rowid"
        ).fetchall()
        for student_id, class_id, last, first, middle, gender in rows:
            key = (class_id, last, first, middle)
            if key in seen:
                first = next(
                    name
                    for name in _OTHER_NAMES["m" if gender == "m" else "f"]
                    if (class_id, last, name, middle) not in seen
                )
                conn.execute("UPDATE student SET first_name = ? WHERE id = ?", (first, student_id))
                key = (class_id, last, first, middle)
            seen.add(key)
        # the demo seats several classes in one gym at a time; a school's own timetable
        # names one room per lesson, so a room already taken then is left empty
        conn.execute(
            "UPDATE timetable_slot SET room = '' WHERE id IN (SELECT id FROM (SELECT id, "
            "row_number() OVER (PARTITION BY room, weekday, number ORDER BY rowid) AS n "
            "FROM timetable_slot WHERE room != '') WHERE n > 1)"
        )
    finally:
        conn.close()
    return copy


def make_workbook(demo_db: Path, out: Path) -> dict[str, Any]:
    """Export the demo school's set-up into ``out``; the sizes and the time it took."""
    from node.i18n import use_language
    from node.models.database import open_database
    from node.services.base.actor import Actor
    from node.services.setup import writer
    from node.services.setup.export import export_school

    copy = _without_namesakes(demo_db, out.with_name("demo-copy.db"))
    database = open_database(copy)
    try:
        started = time.perf_counter()
        rows = export_school(Actor.for_system())
        exported = time.perf_counter()
        with use_language("ru"):
            out.write_bytes(writer.workbook_bytes(rows))
        written = time.perf_counter()
    finally:
        database.close()
        for suffix in ("", "-wal", "-shm"):
            copy.with_name(copy.name + suffix).unlink(missing_ok=True)
    return {
        "year_start": rows["year"][0]["start"],
        "setup_export_s": round(exported - started, 3),
        "setup_write_xlsx_s": round(written - exported, 3),
        "setup_workbook_mb": round(out.stat().st_size / 2**20, 2),
        "setup_rows": {kind: len(items) for kind, items in rows.items()},
    }


def make_empty_node(path: Path) -> None:
    """A node database with the school and its first sysadmin, as ``ediary init`` makes."""
    from node.models import Meta
    from node.models.database import open_database
    from node.services.access.staff import create_staff_user
    from node.services.base.actor import Actor
    from node.services.school.school_setup import create_school

    database = open_database(path, create=True)
    try:
        Meta.set_value("node_id", "bench-setup")
        actor = Actor.for_system()
        create_school(actor, "Школа (L)", timezone="Europe/Moscow", locale="ru")
        create_staff_user(actor, "bench-admin", "Сидоров Пётр Ильич", ["sysadmin"])
    finally:
        database.close()


# --- what each fresh process does ------------------------------------------------------------


def child_setup(kind: str, workbook: Path, db_path: Path, today: dt.date) -> dict[str, Any]:
    """``check`` or ``import`` of the workbook into the node at ``db_path``."""
    from node.models.database import open_database
    from node.services.base import clock
    from node.services.base.actor import Actor
    from node.services.setup.run import check_setup, import_setup

    marks: list[tuple[str, float]] = []

    def progress(stage: str, done: int, total: int) -> None:
        if not marks or marks[-1][0] != stage:
            marks.append((stage, time.perf_counter()))

    database = open_database(db_path)
    try:
        with clock.frozen_time(today):
            started = time.perf_counter()
            run = check_setup if kind == "check" else import_setup
            marks.append(("reading", started))
            report = run(Actor.for_system(), [workbook], progress=progress)
            seconds = time.perf_counter() - started
    finally:
        database.close()
    ends = [at for _stage, at in marks[1:]] + [started + seconds]
    stages = {stage: round(end - at, 3) for (stage, at), end in zip(marks, ends, strict=True)}
    problems = [str(p) for p in report.problems]
    return {
        "seconds": seconds,
        "stages_s": stages,
        "peak_mb": _peak_mb(),
        "problems": len(problems),
        "first_problems": problems[:5],
        "written": bool(report.written),
    }


def child_raw(source: Path, target: Path) -> dict[str, Any]:
    """Insert every row of ``source`` into a new ``target`` with plain executemany."""
    from node.models.base import PRAGMAS

    conn = sqlite3.connect(source)
    try:
        schema = [
            sql
            for (sql,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND type != 'trigger' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid"
            )
        ]
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            )
        ]
        # read before the clock starts: the baseline times inserting only
        data = {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        conn.close()
    target.unlink(missing_ok=True)
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        for key, value in PRAGMAS.items():
            conn.execute(f"PRAGMA {key} = {value}")
        for sql in schema:
            conn.execute(sql)
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for table in tables:
            rows = data[table]
            if rows:
                marks = ", ".join("?" for _ in rows[0])
                conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - started
    finally:
        conn.close()
    return {
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "rows": sum(len(rows) for rows in data.values()),
        "by_table": {t: len(rows) for t, rows in data.items() if rows},
    }


def _in_child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_setup", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench_setup {args[0]} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the benchmark ---------------------------------------------------------------------------


def run(demo_db: Path, work: Path, *, repeats: int = 3) -> dict[str, Any]:
    workbook = work / "school-L.xlsx"
    result: dict[str, Any] = make_workbook(demo_db, workbook)
    # a school is set up in the last week of August, before its year starts
    today = result.pop("year_start") - dt.timedelta(days=7)
    empty = work / "empty.db"
    make_empty_node(empty)
    times: dict[str, list[float]] = {"check": [], "import": [], "raw": []}
    peaks: dict[str, float] = {}
    imported: dict[str, Any] = {}
    stages: dict[str, dict[str, float]] = {}
    for n in range(repeats):
        for kind in ("check", "import"):
            node = work / f"{kind}-{n}.db"
            shutil.copyfile(empty, node)
            outcome = _in_child(kind, str(workbook), str(node), today.isoformat())
            if outcome["problems"] or (kind == "import" and not outcome["written"]):
                raise RuntimeError(f"the {kind} found problems: {outcome['first_problems']}")
            times[kind].append(outcome["seconds"])
            stages[kind] = outcome["stages_s"]  # the last repeat's, where the time goes
            peaks[kind] = max(peaks.get(kind, 0.0), outcome["peak_mb"])
        raw = _in_child("raw", str(work / f"import-{n}.db"), str(work / f"raw-{n}.db"))
        times["raw"].append(raw["seconds"])
        peaks["raw"] = max(peaks.get("raw", 0.0), raw["peak_mb"])
        imported = raw
        for name in (f"check-{n}.db", f"import-{n}.db", f"raw-{n}.db"):
            for suffix in ("", "-wal", "-shm"):
                (work / (name + suffix)).unlink(missing_ok=True)
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    raw_median = medians["raw"]
    result.update(
        {
            "setup_check_s_median": round(medians["check"], 3),
            "setup_import_s_median": round(medians["import"], 3),
            "setup_raw_insert_s_median": round(raw_median, 3),
            "setup_check_ratio": round(medians["check"] / raw_median, 2),
            "setup_import_ratio": round(medians["import"] / raw_median, 2),
            "setup_check_s": [round(t, 3) for t in times["check"]],
            "setup_import_s": [round(t, 3) for t in times["import"]],
            "setup_raw_insert_s": [round(t, 3) for t in times["raw"]],
            "setup_peak_mb": peaks,
            "setup_stages_s": stages,
            "setup_imported_rows": imported["rows"],
            "setup_imported_by_table": imported["by_table"],
        }
    )
    return result


def main(argv: list[str]) -> None:
    """The fresh process's side: one measurement, printed as one JSON line."""
    kind = argv[0]
    if kind in ("check", "import"):
        outcome = child_setup(kind, Path(argv[1]), Path(argv[2]), dt.date.fromisoformat(argv[3]))
    else:
        outcome = child_raw(Path(argv[1]), Path(argv[2]))
    print(json.dumps(outcome, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
