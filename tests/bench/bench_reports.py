"""Benchmark: the administration reports against the same aggregates in plain sqlite3.

On a demo school (size L for the goals): the whole-school journal control report for one
quarter (goal < 1 s) and the year's performance report (goal < 2 s), each timed
alternately with a baseline that computes the same numbers with the standard ``sqlite3``
module in one statement (ratio goal ≤ 2). The numbers of both are compared first.

The demo builds final marks up to the day it is built for, so its "year" period may hold no
marks yet; the year's performance report is therefore timed as the reports of *every*
period of the year (quarters, halves and the year), which is what a year overview shows.
The clock is pinned to the last lesson day, so "up to today" covers the whole quarter.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from node.models.database import open_database
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.gradebook.plan import week_number
from node.services.reports.control import control_report
from node.services.reports.performance import performance_report
from tests.bench.figures import ratio

#: The quarter with the most held lessons up to the last lesson day.
_BUSIEST_QUARTER = """
SELECT p.id, p.start, p.end, y.id, y.start FROM period p
JOIN academic_year y ON y.id = p.year_id
JOIN lesson l ON l.date BETWEEN p.start AND p.end
WHERE p.scheme = 'quarters'
GROUP BY p.id ORDER BY COUNT(*) DESC LIMIT 1
"""

RAW_CONTROL = """
WITH j AS (
  SELECT a.id, a.subgroup_id, a.school_class_id FROM teaching_assignment a
  JOIN school_class c ON c.id = a.school_class_id WHERE c.year_id = :year
), held AS (
  SELECT l.id, l.assignment_id, l.date, l.topic, l.homework FROM lesson l
  WHERE l.date BETWEEN :start AND :upto AND l.status != 'cancelled'
), marks AS (
  SELECT h.assignment_id, m.student_id, COUNT(*) AS n FROM held h
  JOIN mark m ON m.lesson_id = h.id GROUP BY h.assignment_id, m.student_id
), roster AS (
  SELECT j.id AS aid, COUNT(*) AS students, SUM(k.n IS NULL) AS none, SUM(k.n = 1) AS one
  FROM j JOIN student s ON s.school_class_id = j.school_class_id
  LEFT JOIN marks k ON k.assignment_id = j.id AND k.student_id = s.id
  WHERE s.enrolled_on <= :upto AND (s.left_on IS NULL OR s.left_on >= :start)
    AND (j.subgroup_id IS NULL OR s.id IN
         (SELECT student_id FROM subgroup_member WHERE subgroup_id = j.subgroup_id))
  GROUP BY j.id
), first AS (
  SELECT entity_id AS lesson_id, at FROM history
  WHERE entity = 'lesson' AND action = 'update' AND at >= :start
  UNION ALL
  SELECT substr(cell, 1, 32), at FROM history
  WHERE entity IN ('mark', 'attendance') AND cell IS NOT NULL AND at >= :start
)
SELECT j.id,
  (SELECT COUNT(*) FROM held h WHERE h.assignment_id = j.id),
  (SELECT COUNT(*) FROM held h WHERE h.assignment_id = j.id AND h.topic != ''),
  (SELECT COUNT(*) FROM held h WHERE h.assignment_id = j.id AND h.homework != ''),
  COALESCE(r.students, 0), COALESCE(r.none, 0), COALESCE(r.one, 0),
  (SELECT COALESCE(SUM(hours), 0.0) FROM plan_item p
     WHERE p.assignment_id = j.id AND p.planned_week <= :week),
  (SELECT COUNT(*) FROM lesson l WHERE l.assignment_id = j.id AND l.date <= :upto
     AND l.status != 'cancelled' AND (l.topic != '' OR EXISTS
       (SELECT 1 FROM lesson_plan_item x WHERE x.lesson_id = l.id))),
  (SELECT COUNT(*) FROM held h WHERE h.assignment_id = j.id AND EXISTS
     (SELECT 1 FROM first f WHERE f.lesson_id = h.id AND f.at < datetime(h.date, :window)))
FROM j LEFT JOIN roster r ON r.aid = j.id
"""

RAW_PERFORMANCE = """
WITH ps AS (
  SELECT a.school_class_id AS cid, a.subject_id AS sid, a.teacher_id AS tid, f.student_id AS st,
    CASE WHEN sub.pass_fail THEN 0 ELSE SUM(f.value = '5') END AS n5,
    CASE WHEN sub.pass_fail THEN 0 ELSE SUM(f.value = '4') END AS n4,
    CASE WHEN sub.pass_fail THEN 0 ELSE SUM(f.value = '3') END AS n3,
    CASE WHEN sub.pass_fail THEN 0 ELSE SUM(f.value = '2') END AS n2,
    CASE WHEN sub.pass_fail THEN 0 ELSE SUM(f.value = 'н/а') END AS nag,
    SUM(f.value IN ('н/а', 'незач') OR (sub.pass_fail AND f.value = '2')) AS fails
  FROM final_mark f
  JOIN teaching_assignment a ON a.id = f.assignment_id
  JOIN subject sub ON sub.id = a.subject_id
  JOIN student s ON s.id = f.student_id
  WHERE f.period_id = :period AND f.value != 'осв' AND (s.left_on IS NULL OR s.left_on > :end)
  GROUP BY cid, sid, tid, st
), per AS (
  SELECT 'class' AS scope, cid AS k, st, SUM(n5) n5, SUM(n4) n4, SUM(n3) n3, SUM(n2) n2,
         SUM(nag) nag, SUM(fails) fails FROM ps GROUP BY cid, st
  UNION ALL
  SELECT 'subject', sid, st, SUM(n5), SUM(n4), SUM(n3), SUM(n2), SUM(nag), SUM(fails)
  FROM ps GROUP BY sid, st
  UNION ALL
  SELECT 'teacher', tid, st, SUM(n5), SUM(n4), SUM(n3), SUM(n2), SUM(nag), SUM(fails)
  FROM ps GROUP BY tid, st
  UNION ALL
  SELECT 'school', '', st, SUM(n5), SUM(n4), SUM(n3), SUM(n2), SUM(nag), SUM(fails)
  FROM ps GROUP BY st
)
SELECT scope, k, COUNT(*),
  SUM(n2 + fails = 0),
  SUM(n2 + fails = 0 AND n3 = 0 AND n5 + n4 > 0),
  ROUND((100.0 * SUM(n5) + 64 * SUM(n4) + 36 * SUM(n3) + 16 * SUM(n2) + 7 * SUM(nag))
        / NULLIF(SUM(n5) + SUM(n4) + SUM(n3) + SUM(n2) + SUM(nag), 0), 1)
FROM per GROUP BY scope, k
"""


def _median_pair(
    ours: Callable[[], Any], raw: Callable[[], Any], repeats: int
) -> tuple[float, float]:
    """Median seconds of each, timed alternately so drift hits both."""
    ours_t: list[float] = []
    raw_t: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        ours()
        ours_t.append(time.perf_counter() - started)
        started = time.perf_counter()
        raw()
        raw_t.append(time.perf_counter() - started)
    return statistics.median(ours_t), statistics.median(raw_t)


def run(db_path: Path, repeats: int = 5) -> dict[str, Any]:
    database = open_database(db_path)
    conn = sqlite3.connect(str(db_path))
    try:
        period_id, start, end, year_id, year_start = conn.execute(_BUSIEST_QUARTER).fetchone()
        (last_day,) = conn.execute("SELECT MAX(date) FROM lesson").fetchone()
        today = dt.date.fromisoformat(last_day)
        start_d, end_d = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        upto = min(end_d, today)
        params = {
            "year": year_id,
            "start": start,
            "upto": upto.isoformat(),
            "week": week_number(dt.date.fromisoformat(year_start), upto),
            "window": "+4 days",
        }
        periods = [
            row
            for row in conn.execute(
                "SELECT id, end FROM period WHERE year_id = ? ORDER BY start, scheme", (year_id,)
            )
        ]
        actor = Actor.for_system()
        with clock.frozen_time(dt.datetime.combine(today, dt.time(12))):

            def control() -> Any:
                return control_report(actor, start_d, end_d)

            def raw_control() -> list[tuple]:
                return conn.execute(RAW_CONTROL, params).fetchall()

            def performance() -> list[Any]:
                return [performance_report(actor, pid) for pid, _end in periods]

            def raw_performance() -> list[list[tuple]]:
                return [
                    conn.execute(RAW_PERFORMANCE, {"period": pid, "end": pend}).fetchall()
                    for pid, pend in periods
                ]

            _check_control(control(), raw_control())
            finals = _check_performance(performance(), raw_performance())
            control_s, raw_control_s = _median_pair(control, raw_control, repeats)
            perf_s, raw_perf_s = _median_pair(performance, raw_performance, repeats)
        del period_id
    finally:
        conn.close()
        database.close()
    return {
        "reports_control_quarter": f"{start} – {upto.isoformat()}",
        "reports_control_s_median": round(control_s, 3),
        "reports_control_raw_sql_s_median": round(raw_control_s, 3),
        "reports_control_ratio": ratio(control_s, raw_control_s),
        "reports_performance_periods": len(periods),
        "reports_performance_counted_students": finals,
        "reports_performance_year_s_median": round(perf_s, 3),
        "reports_performance_raw_sql_s_median": round(raw_perf_s, 3),
        "reports_performance_ratio": ratio(perf_s, raw_perf_s),
    }


def _check_control(report: Any, raw: list[tuple]) -> None:
    ours = {
        r.assignment_id: (
            r.lessons,
            r.with_topic,
            r.with_homework,
            r.students,
            r.no_marks,
            r.one_mark,
            r.planned_hours,
            r.taught_hours,
            r.in_time,
        )
        for r in report.rows
    }
    theirs = {row[0]: tuple(row[1:7]) + (float(row[7]), float(row[8]), row[9]) for row in raw}
    if ours != theirs:
        raise AssertionError("control_report and the raw-SQL baseline disagree")


def _check_performance(reports: list[Any], raws: list[list[tuple]]) -> int:
    """Compare the school-wide lines of every period; returns the students counted."""
    counted = 0
    for report, raw in zip(reports, raws, strict=True):
        school = report.rows[-1]
        theirs = [row[2:] for row in raw if row[0] == "school"]
        ours = (school.students, school.succeeding, school.quality, school.sou)
        if theirs != ([ours] if school.students else []):
            raise AssertionError(f"performance differs from the raw SQL: {ours} vs {theirs}")
        if len([row for row in raw if row[0] != "school"]) != len(report.rows) - 1:
            raise AssertionError(
                "performance has other classes, subjects or teachers than the raw SQL"
            )
        counted += school.students
    return counted


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 5)))
