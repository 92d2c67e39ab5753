"""A journal handed to another teacher or subgroup: marks and history stay, the lessons to
come are the new teacher's, clashes and hidden marks are refused and write nothing.

The small school's 7А maths is Иванова's (Mondays and Wednesdays, lesson 2; lessons on
9–25 November, today is 25 November); Петров teaches 8Б maths, Соколов 7А PE."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from node.errors import Conflict, Forbidden, Locked, ValidationError
from node.models import Lesson, Mark, Subgroup, SubgroupMember, Substitution, TeachingAssignment
from node.models import TimetableSlot as Slot
from node.services.base.permissions import Action, allowed
from node.services.students.handover import change_journal
from tests.factories import make_mark
from tests.helpers import close_year, history_of, nothing_written


def test_a_journal_goes_to_another_teacher_with_its_marks(school, director):
    s = school
    mark = make_mark(s.maths_lessons[0], s.students[0], "5", s.oral)
    change_journal(director, s.maths.id, teacher_id=s.pe_teacher.id, subgroup_id=None)
    journal = TeachingAssignment.get_by_id(s.maths.id)
    assert journal.teacher_id == s.pe_teacher.id and journal.hours_per_week == 2
    assert Mark.get_by_id(mark.id).value == "5"
    [change] = history_of(journal)
    assert change.actor_login == "director"
    assert json.loads(change.changes)["teacher"] == [s.teacher.id, s.pe_teacher.id]
    today = Lesson.get_by_id(s.maths_lessons[-1].id)
    assert allowed(s.actor(s.pe_teacher), Action.JOURNAL_WRITE, today)
    assert not allowed(s.actor(s.teacher), Action.JOURNAL_WRITE, journal)
    # Иванова leads 7А: she still sees the journal, as a class teacher does
    assert allowed(s.actor(s.teacher), Action.JOURNAL_VIEW, journal)


def test_the_new_teachers_substitutions_to_come_end_and_past_ones_stay(school, director):
    s = school
    past, coming = s.maths_lessons[-2], s.maths_lessons[-1]  # 23 and 25 November
    kept = Substitution.create(lesson=past, teacher=s.pe_teacher, reason="болезнь")
    ends = Substitution.create(lesson=coming, teacher=s.pe_teacher, reason="болезнь")
    change_journal(director, s.maths.id, teacher_id=s.pe_teacher.id, subgroup_id=None)
    assert Substitution.get_or_none(Substitution.id == kept.id) is not None
    assert Substitution.get_or_none(Substitution.id == ends.id) is None
    assert [h.action for h in history_of(ends)] == ["delete"]


def test_a_new_teacher_busy_at_a_timetable_place_is_refused(school, director):
    s = school
    Slot.create(assignment=s.maths_8b, weekday=1, number=2)  # Петров, Mondays lesson 2
    with nothing_written(), pytest.raises(Conflict, match="day 1, lesson 2.*8Б.*Петров"):
        change_journal(director, s.maths.id, teacher_id=s.other_teacher.id, subgroup_id=None)


def test_a_new_teacher_busy_at_a_lesson_to_come_is_refused(school, director):
    s = school
    Lesson.create(assignment=s.maths_8b, date=dt.date(2026, 11, 25), number=2)
    with nothing_written(), pytest.raises(Conflict, match="Петров.*already teaches.*25.11"):
        change_journal(director, s.maths.id, teacher_id=s.other_teacher.id, subgroup_id=None)


def test_a_journal_goes_to_a_subgroup_only_of_its_class_and_subject(school, director):
    s = school
    with nothing_written(), pytest.raises(ValidationError, match="not a subgroup"):
        change_journal(director, s.maths.id, teacher_id=s.teacher.id, subgroup_id=s.group1.id)
    # the English group's journal becomes the whole class's (no other English of 7А)
    change_journal(director, s.english_g1.id, teacher_id=s.other_teacher.id, subgroup_id=None)
    assert TeachingAssignment.get_by_id(s.english_g1.id).subgroup_id is None


def test_a_subgroup_that_would_hide_marks_is_refused(school, director):
    s = school
    group = Subgroup.create(school_class=s.class_7a, subject=s.maths_subject, name="1 группа")
    for student in s.students[:2]:
        SubgroupMember.create(subgroup=group, student=student)
    make_mark(s.maths_lessons[0], s.students[3], "4", s.oral)
    with nothing_written(), pytest.raises(Conflict, match="1 students outside «1 группа»"):
        change_journal(director, s.maths.id, teacher_id=s.teacher.id, subgroup_id=group.id)
    Mark.delete().execute()
    change_journal(director, s.maths.id, teacher_id=s.teacher.id, subgroup_id=group.id)
    assert TeachingAssignment.get_by_id(s.maths.id).subgroup_id == group.id


def test_the_sysadmin_hands_a_journal_on_but_hours_are_the_administrations(school):
    s = school
    sysadmin = s.actor(s.sysadmin)
    with nothing_written(), pytest.raises(Forbidden):
        change_journal(
            sysadmin, s.maths.id, teacher_id=s.teacher.id, subgroup_id=None, hours_per_week=3
        )
    with nothing_written(), pytest.raises(Forbidden):
        change_journal(s.actor(s.teacher), s.maths.id, teacher_id=s.pe_teacher.id, subgroup_id=None)
    change_journal(
        sysadmin, s.maths.id, teacher_id=s.pe_teacher.id, subgroup_id=None, hours_per_week="2"
    )
    assert TeachingAssignment.get_by_id(s.maths.id).teacher_id == s.pe_teacher.id


def test_a_parent_cannot_teach_and_a_closed_year_is_locked(school, director):
    s = school
    with nothing_written(), pytest.raises(ValidationError, match="teacher role"):
        change_journal(director, s.maths.id, teacher_id=s.parent.id, subgroup_id=None)
    close_year(s.year)
    with nothing_written(), pytest.raises(Locked):
        change_journal(director, s.maths.id, teacher_id=s.pe_teacher.id, subgroup_id=None)
