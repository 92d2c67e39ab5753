"""Journal control on the small school, with entries made at known times."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, ValidationError
from node.models import History, Lesson, PlanItem
from node.services.base import clock
from node.services.gradebook import journal
from node.services.reports.control import by_class, by_teacher, control_report, control_table
from node.services.reports.journal_problems import journal_problems

START, END = dt.date(2026, 11, 9), dt.date(2026, 11, 30)


@pytest.fixture
def kept(school):
    teacher = school.actor(school.teacher)
    lessons, s = school.maths_lessons, school.students
    with clock.frozen_time(dt.datetime(2026, 11, 10, 9)):  # a day after the lesson: in time
        journal.set_topic(teacher, lessons[0].id, "Дроби")
        journal.set_homework(teacher, lessons[0].id, "№ 1–5")
    with clock.frozen_time(dt.datetime(2026, 11, 20, 9)):  # nine days late
        journal.set_topic(teacher, lessons[1].id, "Сложение дробей")
        journal.set_marks(teacher, lessons[1].id, s[1].id, ["5"])
    journal.set_marks(teacher, lessons[4].id, s[2].id, ["3"])  # on the 25th: 2 days
    journal.set_marks(teacher, lessons[5].id, s[2].id, ["4"])  # the same day
    Lesson.update(status="cancelled").where(Lesson.id == lessons[3].id).execute()
    # after today: not counted even though the range reaches it
    Lesson.create(assignment=school.maths, date=dt.date(2026, 11, 30), number=2, topic="Потом")
    s[4].left_on = dt.date(2026, 11, 1)  # left before the range: not on the roster
    s[4].save()
    for position, (week, hours) in enumerate([(1, 2.0), (13, 1.0), (20, 5.0), (None, 4.0)]):
        PlanItem.create(
            assignment=school.maths, position=position, topic="т", hours=hours, planned_week=week
        )
    return school


def test_per_journal_counts_and_shares(kept):
    school = kept
    history_before = History.select().count()
    report = control_report(school.actor(school.deputy), START, END)
    assert report.end == dt.date(2026, 11, 25)  # capped at today
    maths = next(r for r in report.rows if r.assignment_id == school.maths.id)
    assert (maths.lessons, maths.with_topic, maths.with_homework) == (5, 2, 1)
    assert (maths.share("with_topic"), maths.share("with_homework")) == (40.0, 20.0)
    assert (maths.students, maths.no_marks, maths.one_mark) == (4, 2, 1)
    assert (maths.share("no_marks"), maths.share("one_mark")) == (50.0, 25.0)
    # week 13 is the week of 25.11; the unscheduled line does not count
    assert (maths.planned_hours, maths.taught_hours, maths.coverage) == (3.0, 2.0, 66.7)
    assert (maths.in_time, maths.share("in_time")) == (3, 60.0)
    assert maths.teacher_active
    english = next(r for r in report.rows if r.assignment_id == school.english_g1.id)
    # no lesson due yet: nobody flagged for having no marks, the share not applicable
    assert (english.students, english.no_marks, english.lessons, english.coverage) == (
        3,
        0,
        0,
        None,
    )
    assert english.share("no_marks") is None
    assert not english.teacher_active
    assert (report.teachers, report.active_teachers, report.participation) == (3, 1, 33.3)
    assert History.select().count() == history_before


def test_the_in_time_window_is_a_parameter(kept):
    report = control_report(kept.actor(kept.director), START, END, days=10)
    maths = next(r for r in report.rows if r.assignment_id == kept.maths.id)
    assert maths.in_time == 4


def test_sums_per_teacher_and_class_and_the_table(kept):
    school = kept
    report = control_report(school.actor(school.director), START, END)
    teachers = {r.teacher: r for r in by_teacher(report)}
    assert teachers["Петров О. В."].students == 6  # English group (3) + maths 8Б (3)
    classes = {r.class_label: r for r in by_class(report)}
    assert classes["7А"].lessons == 5 and classes["8Б"].lessons == 0
    table = control_table(report)
    assert len(table.rows) == len(report.rows) + 1
    assert table.rows[-1][0] == "Whole school" and table.rows[-1][-1] == 33.3
    assert "1 of 3" in table.subtitle


def test_rules(school):
    with pytest.raises(Forbidden):
        control_report(school.actor(school.teacher), START, END)
    with pytest.raises(ValidationError, match="swap"):
        control_report(school.actor(school.director), END, START)
    with pytest.raises(ValidationError, match="outside every school year"):
        control_report(school.actor(school.director), dt.date(2025, 1, 1), END)
    with pytest.raises(ValidationError):
        control_report(school.actor(school.director), START, END, days=-1)
    with pytest.raises(ValidationError, match="after today"):  # 25.11 is today
        control_report(school.actor(school.director), dt.date(2026, 11, 26), END)


def test_a_journal_whose_first_lesson_is_today_flags_nobody(school):
    """Today's lesson is held, but no day of the journal is over: no student is short."""
    Lesson.create(assignment=school.english_g1, date=dt.date(2026, 11, 25), number=3, topic="A")
    deputy = school.actor(school.deputy)
    report = control_report(deputy, START, END)
    english = next(r for r in report.rows if r.assignment_id == school.english_g1.id)
    assert (english.lessons, english.students, english.no_marks) == (1, 3, 0)
    assert english.share("no_marks") is None and english.share("one_mark") is None
    assert journal_problems(deputy, school.english_g1.id, START, END).students == []
    maths = next(r for r in report.rows if r.assignment_id == school.maths.id)
    assert maths.share("no_marks") is not None  # its lessons before today do count
