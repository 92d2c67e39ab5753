"""Benchmark: home's count of sync conflicts (``conflict_count``), issue 7.

``run`` copies a school database, logs 2,000 conflicts of marks and absences spread over
every class (the way merge logs them), and times counting them for the teacher of the
busiest journal (who sees a share) and for the director (who sees all). Beside it, in the
same run, the baseline the count replaced: every conflict's row read and asked of
``may_see_conflict`` one by one, as the list does. The ratio is baseline / count.

Used by ``tests/bench/run.py`` (part ``conflicts``); not part of the timed test run.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from node.models import Attendance, Mark, SyncConflict, User, db
from node.models.database import open_database
from node.services.base.actor import Actor
from node.services.base.permissions import may_see_conflict
from node.services.replication.conflict_view import conflict_count
from node.services.replication.sync_conflicts import _stored_row

CONFLICTS = 2000
REPEATS = 7


def _log_conflicts(count: int) -> None:
    """``count`` concurrent edits of random marks (nine in ten) and absences."""
    rng = random.Random(7)
    marks = [row[0] for row in Mark.select(Mark.id).tuples()]
    absences = [row[0] for row in Attendance.select(Attendance.id).tuples()]
    with db.atomic():
        for i in range(count):
            absence = absences and i % 10 == 9
            table, rows = ("attendance", absences) if absence else ("mark", marks)
            db.execute_sql(
                "INSERT INTO sync_conflict (detected_at, kind, tbl, row_id, grp, loser_values, "
                "loser_hlc, loser_origin, winner_values, winner_hlc, winner_origin) "
                "VALUES (?, 'concurrent', ?, ?, 'g', ?, ?, 'laptop', ?, ?, 'hub')",
                (
                    dt.datetime(2026, 11, 20) + dt.timedelta(seconds=i),
                    table,
                    rng.choice(rows),
                    json.dumps({"value": "3"}),
                    i + 1,
                    json.dumps({"value": "5"}),
                    i + 2,
                ),
            )


def _one_by_one(actor: Actor) -> int:
    """The baseline: each conflict's row read and asked of the permission rule."""
    seen = 0
    for row in SyncConflict.select().iterator():
        stored = _stored_row(row.tbl, row.row_id) or {}
        seen += may_see_conflict(actor, row.tbl, {**stored, **json.loads(row.loser_values)})
    return seen


def _median_ms(fn: Any, actor: Actor, repeats: int) -> tuple[int, float]:
    times, value = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        value = fn(actor)
        times.append(time.perf_counter() - started)
    return value, round(statistics.median(times) * 1000, 2)


def _busiest_teacher() -> User:
    """The teacher of the most marks: a share of the conflicts concerns them."""
    teacher_id = db.execute_sql(
        "SELECT ta.teacher_id FROM mark m JOIN lesson l ON l.id = m.lesson_id "
        "JOIN teaching_assignment ta ON ta.id = l.assignment_id "
        "GROUP BY ta.teacher_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    return User.get_by_id(teacher_id)


def run(db_path: Path, work: Path, *, repeats: int = REPEATS) -> dict[str, Any]:
    path = work / "conflicts.db"
    shutil.copy(db_path, path)
    database = open_database(path)
    try:
        _log_conflicts(CONFLICTS)
        result: dict[str, Any] = {"conflicts_logged": CONFLICTS}
        director = User.get(User.login == "director")  # the demo's
        for name, user in (("teacher", _busiest_teacher()), ("director", director)):
            actor = Actor.from_user(user)
            counted, count_ms = _median_ms(conflict_count, actor, repeats)
            seen, baseline_ms = _median_ms(_one_by_one, actor, max(1, repeats // 2))
            assert counted == seen, (name, counted, seen)
            result[f"conflicts_{name}_seen"] = counted
            result[f"conflicts_{name}_count_ms_median"] = count_ms
            result[f"conflicts_{name}_one_by_one_ms_median"] = baseline_ms
            result[f"conflicts_{name}_ratio"] = round(baseline_ms / max(count_ms, 0.01), 1)
        return result
    finally:
        database.close()
