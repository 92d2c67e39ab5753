"""The services behind the administration screen: a journal's gaps (the control report's
drill-down), final marks not set, the previous period and the school's trend."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, NotFound, ValidationError
from node.models import AcademicYear, FinalMark, Lesson, Period
from node.services.gradebook import finals, journal
from node.services.reports.control import control_report
from node.services.reports.finals_progress import finals_progress, finals_table
from node.services.reports.journal_problems import journal_problems
from node.services.reports.performance import (
    performance_comparison,
    previous_period,
    school_trend,
    year_periods,
)
from node.services.school.school_setup import update_policy
from tests.helpers import nothing_written

START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


# --- a journal's gaps ---------------------------------------------------------------------


@pytest.fixture
def kept(school):
    teacher = school.actor(school.teacher)
    lessons, s = school.maths_lessons, school.students
    journal.set_topic(teacher, lessons[0].id, "Дроби")
    journal.set_homework(teacher, lessons[0].id, "№ 1–5")
    journal.set_topic(teacher, lessons[1].id, "Сложение дробей")
    journal.set_marks(teacher, lessons[1].id, s[0].id, ["5"])
    journal.set_marks(teacher, lessons[2].id, s[0].id, ["4"])
    journal.set_marks(teacher, lessons[2].id, s[1].id, ["3"])
    Lesson.update(status="cancelled").where(Lesson.id == lessons[3].id).execute()
    Lesson.create(assignment=school.maths, date=dt.date(2026, 11, 30), number=2)  # after today
    s[4].left_on = dt.date(2026, 10, 1)  # left before the range: not on the roster
    s[4].save()
    return school


def test_the_gaps_are_the_ones_the_control_report_counts(kept):
    school = kept
    director = school.actor(school.director)
    with nothing_written():
        problems = journal_problems(director, school.maths.id, START, END)
    lessons = school.maths_lessons
    assert problems.end == dt.date(2026, 11, 25)  # not past today
    assert [(g.lesson_id, g.no_topic, g.no_homework) for g in problems.lessons] == [
        (lessons[1].id, False, True),
        (lessons[2].id, True, True),
        (lessons[4].id, True, True),
        (lessons[5].id, True, True),
    ]
    s = school.students
    assert [(g.student_id, g.marks) for g in problems.students] == [
        (s[1].id, 1),  # Алексеева: one mark
        (s[2].id, 0),  # Белов
        (s[3].id, 0),  # Волкова; Смирнов has two marks, Григорьев left before the range
    ]
    row = next(
        r for r in control_report(director, START, END).rows if r.assignment_id == school.maths.id
    )
    assert row.lessons - row.with_topic == sum(g.no_topic for g in problems.lessons)
    assert row.lessons - row.with_homework == sum(g.no_homework for g in problems.lessons)
    assert row.no_marks == sum(g.marks == 0 for g in problems.students)
    assert row.one_mark == sum(g.marks == 1 for g in problems.students)


def test_gaps_are_for_those_who_may_see_the_journal(kept):
    school = kept
    journal_problems(school.actor(school.teacher), school.maths.id, START, END)  # their own
    for user in (school.other_teacher, school.parent, school.sysadmin):
        with pytest.raises(Forbidden):
            journal_problems(school.actor(user), school.maths.id, START, END)
    with pytest.raises(NotFound):
        journal_problems(school.actor(school.director), "0" * 32, START, END)
    with nothing_written(), pytest.raises(ValidationError, match="swap"):
        journal_problems(school.actor(school.director), school.maths.id, END, START)


# --- final marks not set ------------------------------------------------------------------


def test_final_marks_missing_are_listed_locked_first(school):
    director = school.actor(school.director)
    with nothing_written():
        rows = finals_progress(director)
    # at 25.11: the 1st quarter is locked everywhere in 7А (by teacher: Иванова, Петров,
    # Соколов); maths has no lesson after today, so its 2nd quarter and its year opened today
    # (the window opens with the last lesson); the other windows are more than a week away
    assert [(r.assignment_id, r.period_id, r.is_locked, r.is_open) for r in rows] == [
        (school.maths.id, school.quarters[0].id, True, False),
        (school.english_g1.id, school.quarters[0].id, True, False),
        (school.pe.id, school.quarters[0].id, True, False),
        (school.maths.id, school.quarters[1].id, False, True),
        (school.maths.id, school.year_period.id, False, True),
    ]
    maths_q2 = rows[3]
    assert (maths_q2.students, maths_q2.set_count, maths_q2.missing) == (5, 0, 5)
    assert maths_q2.days_left == (maths_q2.closes - dt.date(2026, 11, 25)).days > 0
    assert rows[0].days_left < 0
    table = finals_table(rows, dt.date(2026, 11, 25))
    assert len(table.rows) == 5 and table.rows[3][3:5] == (5, 0)


def test_classes_taught_without_marks_owe_no_final_marks(school):
    director = school.actor(school.director)
    update_policy(director, {"unmarked_grades": [7, 8]})
    assert finals_progress(director) == []


def test_a_journal_with_every_final_mark_set_drops_out_and_an_unlock_reopens(school):
    director = school.actor(school.director)
    for student in school.students:
        FinalMark.create(
            student=student,
            assignment=school.maths,
            period=school.quarters[0],
            value="4",
            points=4,
            set_at=dt.datetime(2026, 10, 26, 9),
        )
    finals.unlock_finals(
        director, school.english_g1.id, school.quarters[0].id, reason="Болел учитель"
    )
    rows = {(r.assignment_id, r.period_id): r for r in finals_progress(director)}
    assert (school.maths.id, school.quarters[0].id) not in rows
    english = rows[school.english_g1.id, school.quarters[0].id]
    assert english.is_open and not english.is_locked and english.closes > dt.date(2026, 11, 25)


def test_only_the_administration_sees_final_marks_progress(school):
    for user in (school.teacher, school.sysadmin, school.parent):
        with pytest.raises(Forbidden):
            finals_progress(school.actor(user))


# --- the previous period, the trend, the periods to choose from ------------------------------


def test_the_previous_period_is_the_one_before_in_the_scheme_or_last_year(school):
    q, h = school.quarters, school.halves
    assert previous_period(q[1]).id == q[0].id
    assert previous_period(q[3]).id == q[2].id
    assert previous_period(h[1]).id == h[0].id
    assert previous_period(q[0]) is None
    assert previous_period(school.year_period) is None
    last_year = AcademicYear.create(
        name="2025/2026", start=dt.date(2025, 9, 1), end=dt.date(2026, 5, 31), status="closed"
    )
    old_year = Period.create(
        year=last_year,
        scheme="year",
        number=1,
        name="Год",
        start=last_year.start,
        end=last_year.end,
    )
    old_q4 = Period.create(
        year=last_year,
        scheme="quarters",
        number=4,
        name="4 четверть",
        start=dt.date(2026, 3, 30),
        end=dt.date(2026, 5, 31),
    )
    assert previous_period(school.year_period).id == old_year.id
    assert previous_period(q[0]).id == old_q4.id


def test_comparison_and_trend_use_the_same_report(school):
    director = school.actor(school.director)
    for period, value in ((school.quarters[0], "3"), (school.quarters[1], "5")):
        FinalMark.create(
            student=school.students[0],
            assignment=school.maths,
            period=period,
            value=value,
            points=int(value),
            set_at=dt.datetime(2026, 11, 25, 9),
        )
    comparison = performance_comparison(director, school.quarters[1].id)
    assert comparison.previous is not None
    assert comparison.previous.period.id == school.quarters[0].id
    now = comparison.current.rows[-1]
    before = comparison.before(now)
    assert (now.scope, now.quality_share, before.quality_share) == ("school", 100.0, 0.0)
    assert comparison.before(comparison.current.rows[0]).name == "7А"
    trend = school_trend(director, school.quarters[1].id)
    assert [(p.id, row.sou) for p, row in trend] == [
        (school.quarters[0].id, 36.0),
        (school.quarters[1].id, 100.0),
    ]
    first = performance_comparison(director, school.quarters[0].id)
    assert first.previous is None and first.before(first.current.rows[0]) is None


def test_periods_to_choose_from_quarters_first(school):
    director = school.actor(school.director)
    periods = year_periods(director)
    assert [p.id for p in periods] == [p.id for p in school.quarters + school.halves] + [
        school.year_period.id
    ]
    with pytest.raises(Forbidden):
        year_periods(school.actor(school.teacher))
    with pytest.raises(Forbidden):
        school_trend(school.actor(school.teacher), school.quarters[0].id)
    with pytest.raises(NotFound):
        school_trend(director, "0" * 32)
