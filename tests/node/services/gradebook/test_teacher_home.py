from __future__ import annotations

import datetime as dt

from node.models import FinalMark, Lesson, Period
from node.services.gradebook import journal
from node.services.gradebook.teacher_home import current_period, journal_periods, teacher_home
from node.services.school.school_setup import update_policy
from tests.conftest import SCHOOL_TODAY
from tests.factories import SmallSchool


def test_home_lists_the_teachers_journals_and_lessons_missing_a_topic(school: SmallSchool):
    actor = school.actor(school.teacher)
    home = teacher_home(actor, SCHOOL_TODAY)
    assert [j.assignment_id for j in home.journals] == [school.maths.id]
    assert home.journals[0].period_id == school.quarters[1].id
    past = [lesson for lesson in school.maths_lessons if lesson.date <= SCHOOL_TODAY]
    assert {m.lesson_id for m in home.missing} == {
        lesson.id for lesson in past if lesson.date >= SCHOOL_TODAY - dt.timedelta(days=14)
    }
    assert all(m.no_topic and m.no_homework for m in home.missing)


def test_a_lesson_with_topic_and_homework_needs_no_attention(school: SmallSchool):
    actor = school.actor(school.teacher)
    lesson = school.maths_lessons[-1]
    journal.set_topic(actor, lesson.id, "Дроби")
    journal.set_homework(actor, lesson.id, "№ 12")
    home = teacher_home(actor, lesson.date)
    assert lesson.id not in {m.lesson_id for m in home.missing}


def test_final_marks_due_show_the_days_left(school: SmallSchool):
    actor = school.actor(school.teacher)
    second = school.quarters[1]
    day = second.end
    home = teacher_home(actor, day)
    due = [f for f in home.finals if f.period_id == second.id]
    assert len(due) == 1
    assert due[0].is_open and due[0].days_left == (due[0].closes - day).days >= 0
    assert due[0].set_count == FinalMark.select().count() == 0


def test_home_of_a_user_without_journals_is_empty(school: SmallSchool):
    home = teacher_home(school.actor(school.director), SCHOOL_TODAY)
    assert (home.journals, home.missing, home.finals, home.lessons) == ([], [], [], [])


def test_journal_periods_are_the_class_scheme_then_the_year(school: SmallSchool):
    periods = journal_periods(school.actor(school.teacher), school.maths.id)
    assert [p.id for p in periods] == [p.id for p in school.quarters] + [school.year_period.id]
    assert current_period(school.class_7a, SCHOOL_TODAY).id == school.quarters[1].id
    assert isinstance(periods[0], Period)


def test_students_with_no_or_one_mark_are_named_after_half_the_period(school: SmallSchool):
    actor = school.actor(school.teacher)
    second = school.quarters[1]
    early = teacher_home(actor, second.start)
    assert early.few_marks == []
    late_day = second.end - dt.timedelta(days=1)
    late = teacher_home(actor, late_day)
    assert [f.assignment_id for f in late.few_marks] == [school.maths.id]
    first = school.students[0]
    assert first.display_name in late.few_marks[0].names
    for lesson in school.maths_lessons[:2]:
        journal.set_marks(actor, lesson.id, first.id, ["5"])
    again = teacher_home(actor, late_day)
    assert first.display_name not in again.few_marks[0].names


def test_a_journal_started_today_or_lately_names_nobody_yet(school: SmallSchool):
    """A journal set up mid-period: its half is counted from its first lesson."""
    end = school.quarters[1].end
    started, day = end - dt.timedelta(days=10), end - dt.timedelta(days=8)
    pe_teacher = school.actor(school.pe_teacher)
    Lesson.create(assignment=school.pe, date=started, number=1, topic="Бег")
    assert teacher_home(pe_teacher, started).few_marks == []  # its first lesson is today
    assert teacher_home(pe_teacher, day).few_marks == []  # the period's half is gone, not its own
    assert [f.assignment_id for f in teacher_home(pe_teacher, end).few_marks] == [school.pe.id]


def test_a_class_taught_without_marks_owes_no_final_marks(school: SmallSchool):
    update_policy(school.actor(school.director), {"unmarked_grades": [7]})
    home = teacher_home(school.actor(school.teacher), school.quarters[1].end)
    assert home.finals == [] and home.few_marks == []
