"""The monthly activity report: per role and user, and the page shares (zero before views)."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, ValidationError
from node.models import Lesson
from node.services.base import clock
from node.services.base.activity import record_activity
from node.services.gradebook import journal
from node.services.reports.activity_report import activity_report, activity_table
from node.services.school import substitutions, timetable


def test_roles_users_and_no_page_views_yet(school):
    with clock.frozen_time(dt.datetime(2026, 11, 20, 8)):
        record_activity("signin", user_id=school.teacher.id, login="ivanova", role="class_teacher")
    with clock.frozen_time(dt.datetime(2026, 11, 24, 8)):
        journal.set_marks(
            school.actor(school.teacher), school.maths_lessons[0].id, school.students[1].id, ["5"]
        )
    report = activity_report(school.actor(school.director), 2026, 11)
    assert [(r.role, r.login, r.sign_ins, r.entries, r.views, r.users) for r in report.users] == [
        ("class_teacher", "ivanova", 1, 1, 0, 1)
    ]
    assert report.users[0].last_active == dt.datetime(2026, 11, 24, 11)  # Moscow time
    assert [(r.role, r.sign_ins, r.entries, r.users) for r in report.roles] == [
        ("class_teacher", 1, 1, 1)
    ]
    assert [(p.role, p.accounts, p.opened, p.share) for p in report.pages] == [
        ("parent", 2, 0, 0.0),
        ("student", 1, 0, 0.0),
    ]
    table = activity_table(report)
    assert len(table.rows) == 2 and "0 of 2 opened their page" in table.subtitle
    # stored in UTC, shown on the school's clock (Europe/Moscow: +3 h)
    assert table.columns[-1] == "Last active"
    assert [row[-1] for row in table.rows] == ["24.11.2026 11:00"] * 2


def test_page_views_count_people_once(school):
    with clock.frozen_time(dt.datetime(2026, 11, 20, 8)):
        for _ in range(3):
            record_activity("view", user_id=school.parent.id, login="parent1", role="parent")
    report = activity_report(school.actor(school.deputy), 2026, 11)
    assert [(p.role, p.opened, p.share) for p in report.pages] == [
        ("parent", 1, 50.0),
        ("student", 0, 0.0),
    ]
    assert report.roles[0].views == 3


def test_rules(school):
    with pytest.raises(Forbidden):
        activity_report(school.actor(school.teacher), 2026, 11)
    with pytest.raises(ValidationError):
        activity_report(school.actor(school.director), 2026, 13)
    empty = activity_report(school.actor(school.director), 2026, 10)
    assert empty.users == [] and empty.roles == []


def test_substitutions_count_the_lessons_taught_for_another_teacher(school):
    """Held lessons of the month up to today (25.11) with the teacher as substitute; a
    substitute who wrote nothing has a line of their own, and so does their role."""
    deputy = school.actor(school.deputy)
    first, second, third = school.maths_lessons[:3]  # 09, 11 and 16 November
    for lesson in (first, second, third):
        substitutions.set_substitute(deputy, lesson.id, school.pe_teacher.id, "болезнь")
    timetable.cancel_lesson(deputy, third.id, "карантин")  # not held: not counted
    tomorrow = Lesson.create(assignment=school.maths, date=dt.date(2026, 11, 30), number=2)
    substitutions.set_substitute(deputy, tomorrow.id, school.pe_teacher.id)  # not yet taught
    report = activity_report(deputy, 2026, 11)
    [line] = report.users
    assert (line.role, line.login, line.entries, line.sign_ins, line.substituted) == (
        "teacher",
        "sokolov",
        0,
        0,
        2,
    )
    [role] = report.roles
    assert (role.role, role.users, role.substituted) == ("teacher", 1, 2)
    table = activity_table(report)
    assert table.columns[5] == "Substitutions"
    assert [row[5] for row in table.rows] == [2, 2]
    assert activity_report(deputy, 2026, 10).users == []  # another month: none
