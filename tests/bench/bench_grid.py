"""Benchmark: loading one journal grid against the same rows fetched with plain sqlite3.

``run`` opens an existing school database, picks the journal with the most lessons in one
quarter, and times ``node.services.gradebook.grid.load_grid`` against a baseline that runs the
equivalent SQL through the standard ``sqlite3`` module and computes the same averages and
suggestions in Python the same way. The two are timed alternately, so drift on a shared
machine hits both. Used by ``tests/bench/run.py``; not part of the timed test run.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import time
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

from node.models.database import open_database
from node.services.base.actor import Actor
from node.services.base.policy import policy_from_json
from node.services.gradebook import grading
from node.services.gradebook.grid import load_grid
from tests.bench.figures import ratio

#: The journal with the most lessons in one period; quarters first (what teachers open).
_BIGGEST_JOURNAL = """
SELECT l.assignment_id, p.id, COUNT(*) AS n
FROM lesson l
JOIN teaching_assignment a ON a.id = l.assignment_id
JOIN school_class c ON c.id = a.school_class_id
JOIN period p ON p.year_id = c.year_id AND p.scheme = c.period_scheme
    AND l.date >= p.start AND l.date <= p."end"
GROUP BY l.assignment_id, p.id
ORDER BY p.scheme = 'quarters' DESC, n DESC, l.assignment_id
LIMIT 1
"""


def pick_journal(conn: sqlite3.Connection) -> tuple[str, str]:
    """(assignment id, period id) of the journal with the most lessons in a quarter."""
    row = conn.execute(_BIGGEST_JOURNAL).fetchone()
    if row is None:
        raise SystemExit("The database has no lessons: build a school first (ediary demo).")
    return row[0], row[1]


def raw_grid(conn: sqlite3.Connection, assignment_id: str, period_id: str) -> dict[str, Any]:
    """What ``load_grid`` fetches and computes, with plain sqlite3 and no ORM."""
    (
        _aid,
        class_id,
        subgroup_id,
        grade,
        letter,
        year_id,
        scheme,
        subject_name,
        pass_fail,
    ) = conn.execute(
        "SELECT a.id, a.school_class_id, a.subgroup_id, c.grade, c.letter, c.year_id, "
        "c.period_scheme, s.name, s.pass_fail FROM teaching_assignment a "
        "JOIN school_class c ON c.id = a.school_class_id JOIN subject s ON s.id = a.subject_id "
        "WHERE a.id = ?",
        (assignment_id,),
    ).fetchone()
    _pid, _pyear, _pscheme, period_name, start, end = conn.execute(
        'SELECT id, year_id, scheme, name, start, "end" FROM period WHERE id = ?', (period_id,)
    ).fetchone()
    policy_row = conn.execute("SELECT policy FROM school ORDER BY id LIMIT 1").fetchone()
    policy = policy_from_json(json.loads(policy_row[0] or "{}"))
    work_types = {
        wt_id: (name, weight)
        for wt_id, name, weight in conn.execute("SELECT id, name, weight FROM work_type")
    }
    exact = {wt_id: Fraction(str(weight)) for wt_id, (_n, weight) in work_types.items()}

    sql = (
        "SELECT id, last_name, first_name, middle_name, enrolled_on, left_on FROM student "
        "WHERE school_class_id = ? AND enrolled_on <= ? AND (left_on IS NULL OR left_on >= ?)"
    )
    params: list[Any] = [class_id, end, start]
    if subgroup_id is not None:
        sql += " AND id IN (SELECT student_id FROM subgroup_member WHERE subgroup_id = ?)"
        params.append(subgroup_id)
    sql += " ORDER BY last_name, first_name, middle_name, id"
    students = conn.execute(sql, params).fetchall()
    student_ids = {row[0] for row in students}

    lessons = conn.execute(
        "SELECT id, date, number, topic, homework, status, work_type_id FROM lesson "
        "WHERE assignment_id = ? AND date >= ? AND date <= ? ORDER BY date, number",
        (assignment_id, start, end),
    ).fetchall()
    cancelled = {row[0] for row in lessons if row[5] == "cancelled"}

    cells: dict[tuple[str, str], list[tuple[str, int | None, float]]] = defaultdict(list)
    counted: dict[str, Counter[tuple[int, str]]] = defaultdict(Counter)
    for sid, lid, value, points, wt_id in conn.execute(
        "SELECT m.student_id, m.lesson_id, m.value, m.points, m.work_type_id FROM mark m "
        "JOIN lesson l ON l.id = m.lesson_id "
        "WHERE l.assignment_id = ? AND l.date >= ? AND l.date <= ? "
        "ORDER BY m.lesson_id, m.student_id, m.position",
        (assignment_id, start, end),
    ):
        if sid not in student_ids:
            continue
        cells[(sid, lid)].append((value, points, work_types[wt_id][1]))
        if lid not in cancelled and points is not None:
            counted[sid][(points, wt_id)] += 1
    attendance = {
        (sid, lid): code
        for sid, lid, code in conn.execute(
            "SELECT a.student_id, a.lesson_id, a.code FROM attendance a "
            "JOIN lesson l ON l.id = a.lesson_id "
            "WHERE l.assignment_id = ? AND l.date >= ? AND l.date <= ?",
            (assignment_id, start, end),
        )
        if sid in student_ids
    }
    averages = {}
    suggested = {}
    for sid in student_ids:
        pairs = [(p, exact[wt] * n) for (p, wt), n in counted[sid].items()]
        averages[sid] = grading.weighted_average(pairs)
        suggested[sid] = grading.suggest_final(pairs, policy)
    finals = conn.execute(
        "SELECT id, student_id, value, points, suggested, justification, set_at FROM final_mark "
        "WHERE assignment_id = ? AND period_id = ?",
        (assignment_id, period_id),
    ).fetchall()
    last_lesson = conn.execute(
        "SELECT MAX(date) FROM lesson WHERE assignment_id = ? AND date >= ? AND date <= ? "
        "AND status != 'cancelled'",
        (assignment_id, start, end),
    ).fetchone()
    unlocked = conn.execute(
        "SELECT MAX(until) FROM final_mark_unlock WHERE assignment_id = ? AND period_id = ?",
        (assignment_id, period_id),
    ).fetchone()
    return {
        "label": f"{grade}{letter}",
        "year": year_id,
        "scheme": scheme,
        "subject": subject_name,
        "pass_fail": pass_fail,
        "period": period_name,
        "students": students,
        "lessons": lessons,
        "marks": cells,
        "attendance": attendance,
        "averages": averages,
        "suggested": suggested,
        "finals": finals,
        "window": (last_lesson, unlocked),
    }


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def run(db_path: Path, repeats: int = 30) -> dict[str, float]:
    """Median milliseconds of ``load_grid`` and of the raw-SQL baseline, and their ratio."""
    database = open_database(db_path)
    conn = sqlite3.connect(str(db_path))
    try:
        assignment_id, period_id = pick_journal(conn)
        actor = Actor.for_system()
        grid = load_grid(actor, assignment_id, period_id)  # warm both caches once
        raw = raw_grid(conn, assignment_id, period_id)
        if (len(grid.students), len(grid.lessons), dict(grid.suggested)) != (
            len(raw["students"]),
            len(raw["lessons"]),
            raw["suggested"],
        ):
            raise AssertionError("load_grid and the raw-SQL baseline disagree")
        grid_times: list[float] = []
        raw_times: list[float] = []
        for _ in range(repeats):
            started = time.perf_counter()
            load_grid(actor, assignment_id, period_id)
            grid_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            raw_grid(conn, assignment_id, period_id)
            raw_times.append(time.perf_counter() - started)
    finally:
        conn.close()
        database.close()
    grid_ms = statistics.median(grid_times)
    raw_ms = statistics.median(raw_times)
    return {
        "grid_load_ms_median": _ms(grid_ms),
        "grid_raw_sql_ms_median": _ms(raw_ms),
        "grid_ratio": ratio(grid_ms, raw_ms),
    }


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 30)))
