"""The weekly attendance correction as the class teacher's screen reads it [R 4.2]."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, NotFound, ValidationError
from node.models import Lesson
from node.services.gradebook import journal
from node.services.gradebook.class_attendance import attendance_week, monday_of


def lesson_of(assignment, day, number=3):
    return Lesson.create(assignment=assignment, date=day, number=number)


@pytest.fixture
def week(school):
    """Absences of 7А in the week of 16.11: two of Белов, one of Смирнов."""
    s = school
    teacher = s.actor(s.teacher)
    english = lesson_of(s.english_g1, dt.date(2026, 11, 17))
    journal.set_attendance(teacher, s.maths_lessons[3].id, s.students[2].id, "late")
    journal.set_attendance(teacher, s.maths_lessons[2].id, s.students[2].id, "absent")
    journal.set_attendance(teacher, s.maths_lessons[0].id, s.students[2].id, "absent")  # 9.11
    journal.set_attendance(s.actor(s.other_teacher), english.id, s.students[0].id, "sick")
    return s


def test_the_week_is_arranged_student_by_student(week):
    s = week
    view = attendance_week(s.actor(s.teacher), s.class_7a.id, dt.date(2026, 11, 19))
    assert (view.monday, view.sunday, view.label) == (
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 22),
        "7А",
    )
    assert [(st.name, len(st.absences)) for st in view.students] == [
        ("Белов К.", 2),
        ("Смирнов А.", 1),
    ]
    belov = view.students[0]
    assert [a.date.day for a in belov.absences] == [16, 18]
    assert (belov.count("absent"), belov.count("late"), belov.count("sick")) == (1, 1, 0)
    assert [a.code for a in view.absences] == ["absent", "late", "sick"]
    assert view.unexplained == 1


def test_a_reason_set_with_the_journal_service_is_read_back(week):
    s = week
    teacher = s.actor(s.teacher)
    view = attendance_week(teacher, s.class_7a.id, dt.date(2026, 11, 16))
    absent = view.absences[0]
    journal.correct_attendance(teacher, absent.attendance_id, "excused", "заявление родителей")
    again = attendance_week(teacher, s.class_7a.id, dt.date(2026, 11, 16))
    assert (again.absences[0].code, again.absences[0].reason) == ("excused", "заявление родителей")
    assert again.unexplained == 0


def test_an_empty_week(school):
    s = school
    view = attendance_week(s.actor(s.teacher), s.class_7a.id, dt.date(2026, 11, 2))
    assert (view.students, view.absences, view.unexplained) == ([], [], 0)


def test_refusals(school):
    s = school
    for user in (s.other_teacher, s.pe_teacher, s.parent, s.sysadmin):
        with pytest.raises(Forbidden):
            attendance_week(s.actor(user), s.class_7a.id, dt.date(2026, 11, 16))
    with pytest.raises(Forbidden):
        attendance_week(s.actor(s.teacher), s.class_8b.id, dt.date(2026, 11, 16))
    with pytest.raises(NotFound):
        attendance_week(s.actor(s.teacher), "0" * 32, dt.date(2026, 11, 16))
    with pytest.raises(ValidationError, match="outside the academic year"):
        attendance_week(s.actor(s.teacher), s.class_7a.id, dt.date(2027, 7, 5))
    # the week around the year's first day still opens
    assert attendance_week(s.actor(s.teacher), s.class_7a.id, dt.date(2026, 9, 1)).students == []


def test_monday_of():
    assert monday_of(dt.date(2026, 11, 22)) == dt.date(2026, 11, 16)
    assert monday_of(dt.date(2026, 11, 16)) == dt.date(2026, 11, 16)
