"""The activity log [R 8.1]: journal entries are logged with the write, and the monthly
counts per role and per user come out of it."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, ValidationError
from node.models import ActivityLog
from node.services.base import activity, clock, history
from node.services.base.activity import (
    activity_by_role,
    activity_by_user,
    month_bounds,
    record_activity,
)
from node.services.gradebook import journal


def kinds() -> list[tuple[str, str, str]]:
    rows = ActivityLog.select().order_by(ActivityLog.at, ActivityLog.id)
    return [(row.kind, row.login, row.role) for row in rows]


def test_every_journal_write_is_logged(school):
    teacher = school.actor(school.teacher)
    lesson, student = school.maths_lessons[-1], school.students[1]
    journal.set_topic(teacher, lesson.id, "Дроби")
    journal.set_homework(teacher, lesson.id, "№ 12")
    journal.set_marks(teacher, lesson.id, student.id, ["5", "4"])
    row = journal.set_attendance(teacher, lesson.id, school.students[2].id, "absent")
    journal.correct_attendance(teacher, row.id, "sick", "справка")
    assert [k for k, _login, _role in kinds()] == [
        "topic",
        "homework",
        "mark",
        "attendance",
        "attendance",
    ]
    assert {(login, role) for _k, login, role in kinds()} == {("ivanova", "class_teacher")}
    mark_log = ActivityLog.get(ActivityLog.kind == "mark")
    assert mark_log.detail == f"{lesson.id}/{student.id}"


def test_a_refused_or_failed_write_logs_nothing(school, monkeypatch):
    lesson = school.maths_lessons[-1]
    with pytest.raises(Forbidden):
        journal.set_marks(school.actor(school.pe_teacher), lesson.id, school.students[1].id, ["5"])
    with pytest.raises(ValidationError):
        journal.set_marks(school.actor(school.teacher), lesson.id, school.students[1].id, ["9"])

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # the log line is written in the entry's transaction: when the entry fails, so does it
    # (set_attendance logs first, then writes: the failure comes after the log line)
    monkeypatch.setattr(journal, "record_create", broken)
    with pytest.raises(RuntimeError):
        journal.set_attendance(
            school.actor(school.teacher), lesson.id, school.students[1].id, "sick"
        )
    assert ActivityLog.select().count() == 0
    assert history.History.select().count() == 0


def test_monthly_counts_per_user_and_role(school):
    teacher = school.actor(school.teacher)
    lesson = school.maths_lessons[-1]
    with clock.frozen_time(dt.datetime(2026, 11, 30, 20, 0)):  # 23:00 in Moscow: still November
        journal.set_marks(teacher, lesson.id, school.students[1].id, ["5"])
        journal.set_marks(teacher, lesson.id, school.students[2].id, ["4"])
        record_activity("view", user_id=school.parent.id, login="parent1", role="parent")
    with clock.frozen_time(dt.datetime(2026, 11, 30, 21, 30)):  # 00:30 in Moscow: December
        record_activity("view", user_id=school.parent.id, login="parent1", role="parent")
        record_activity("view", user_id=school.student_user.id, login="student1", role="student")
    november = activity_by_user(school.actor(school.director), 2026, 11)
    assert [(u.login, u.role, u.kind, u.count) for u in november] == [
        ("ivanova", "class_teacher", "mark", 2),
        ("parent1", "parent", "view", 1),
    ]
    december = activity_by_role(school.actor(school.deputy), 2026, 12)
    assert [(r.role, r.kind, r.events, r.users) for r in december] == [
        ("parent", "view", 1, 1),
        ("student", "view", 1, 1),
    ]
    with pytest.raises(Forbidden):
        activity_by_user(school.actor(school.teacher), 2026, 11)
    with pytest.raises(ValidationError):
        activity_by_role(school.actor(school.director), 2026, 13)


def test_month_bounds_follow_the_school_time_zone(school):
    assert month_bounds(2026, 12) == (dt.datetime(2026, 11, 30, 21), dt.datetime(2026, 12, 31, 21))


def test_the_report_queries_use_the_indexes(school):
    """The monthly report scans only the month (the ``at`` index), not the whole log."""
    start, end = month_bounds(2026, 11)
    db = ActivityLog._meta.database
    for sql in (
        "SELECT kind, COUNT(*) FROM activity_log WHERE at >= ? AND at < ? GROUP BY kind",
        "SELECT COUNT(*) FROM activity_log WHERE user_id = ? AND at >= ? AND at < ?",
        "SELECT COUNT(*) FROM activity_log WHERE kind = ? AND at >= ? AND at < ?",
    ):
        params = (start, end) if sql.count("?") == 2 else ("x", start, end)
        plan = " ".join(str(row) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan


def test_an_unknown_kind_is_a_programming_error(school):
    with pytest.raises(ValueError):
        activity.record_activity("dance", user_id=None, login="x")
