from __future__ import annotations

import pytest

from node.errors import Forbidden, ValidationError
from node.models import Attendance, History, Mark
from node.services.gradebook import finals
from node.services.gradebook.journal_entry import enter_cell, lesson_form, save_lesson_form
from tests.factories import SmallSchool


def _cell(lesson_id: str, student_id: str) -> tuple[list[str], list[str]]:
    marks = [
        m.value
        for m in Mark.select()
        .where(Mark.lesson == lesson_id, Mark.student == student_id)
        .order_by(Mark.position)
    ]
    codes = [
        a.code
        for a in Attendance.select().where(
            Attendance.lesson == lesson_id, Attendance.student == student_id
        )
    ]
    return marks, codes


def test_typed_marks_absence_and_clearing(school: SmallSchool):
    actor = school.actor(school.teacher)
    lesson, student = school.maths_lessons[0], school.students[0]
    enter_cell(actor, lesson.id, student.id, "5/4")
    assert _cell(lesson.id, student.id) == (["5", "4"], [])
    enter_cell(actor, lesson.id, student.id, "н")
    assert _cell(lesson.id, student.id) == (["5", "4"], ["absent"])
    enter_cell(actor, lesson.id, student.id, " ")
    assert _cell(lesson.id, student.id) == ([], [])


def test_a_bad_mark_writes_nothing(school: SmallSchool):
    actor = school.actor(school.teacher)
    lesson, student = school.maths_lessons[0], school.students[0]
    before = (Mark.select().count(), History.select().count())
    with pytest.raises(ValidationError):
        enter_cell(actor, lesson.id, student.id, "7")
    assert (Mark.select().count(), History.select().count()) == before


def test_another_teacher_cannot_type_into_the_journal(school: SmallSchool):
    lesson, student = school.maths_lessons[0], school.students[0]
    before = History.select().count()
    with pytest.raises(Forbidden):
        enter_cell(school.actor(school.pe_teacher), lesson.id, student.id, "5")
    assert History.select().count() == before


def test_the_lesson_form_saves_only_what_changed(school: SmallSchool):
    actor = school.actor(school.teacher)
    lesson = school.maths_lessons[0]
    form = lesson_form(actor, lesson.id)
    assert (form.topic, form.homework, form.work_type_id) == ("", "", None)
    before = History.select().count()
    save_lesson_form(
        actor, lesson.id, topic="", plan_item_ids=[], homework="№ 5", work_type_id=None
    )
    assert History.select().count() == before + 1
    assert lesson_form(actor, lesson.id).homework == "№ 5"
    save_lesson_form(
        actor,
        lesson.id,
        topic="Дроби",
        plan_item_ids=[],
        homework="№ 5",
        work_type_id=school.test_work.id,
    )
    form = lesson_form(actor, lesson.id)
    assert (form.topic, form.work_type_id) == ("Дроби", school.test_work.id)


def test_justification_needed_names_the_reasons(school: SmallSchool):
    actor = school.actor(school.teacher)
    reasons = finals.justification_needed(
        actor, school.maths.id, school.quarters[1].id, school.students[0].id, "5"
    )
    assert reasons  # no marks at all in the period
    with pytest.raises(ValidationError):
        finals.justification_needed(
            actor, school.maths.id, school.quarters[1].id, school.students[0].id, "9"
        )
    with pytest.raises(Forbidden):
        finals.justification_needed(
            school.actor(school.pe_teacher),
            school.maths.id,
            school.quarters[1].id,
            school.students[0].id,
            "5",
        )
