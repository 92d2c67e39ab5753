"""The parent and student read model: own child only, the week, marks, attendance, homework."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import NotFound
from node.models import ActivityLog, Attendance, FinalMark, Lesson, Mark
from node.services.gradebook import diary
from tests.factories import SmallSchool

NOW = dt.datetime(2026, 11, 25, 12)


def _mark(school: SmallSchool, lesson: Lesson, value: int, work_type) -> None:
    Mark.create(
        lesson=lesson,
        student=school.students[0],
        value=str(value),
        points=value,
        work_type=work_type,
        updated_at=NOW,
    )


def test_children_of_a_parent_and_a_student(school: SmallSchool) -> None:
    own = school.students[0]
    assert [c.id for c in diary.my_children(school.actor(school.parent))] == [own.id]
    assert [c.id for c in diary.my_children(school.actor(school.student_user))] == [own.id]
    assert diary.my_children(school.actor(school.other_parent))[0].class_label == "8Б"


@pytest.mark.parametrize(
    "call",
    [
        lambda a, s: diary.week_diary(a, s),
        lambda a, s: diary.marks_by_subject(a, s),
        lambda a, s: diary.attendance_summary(a, s),
        lambda a, s: diary.upcoming_homework(a, s),
    ],
)
def test_another_familys_child_is_not_found(school: SmallSchool, call) -> None:
    parent = school.actor(school.parent)
    for student_id in (school.other_students[0].id, school.students[1].id, "0" * 32):
        with pytest.raises(NotFound):
            call(parent, student_id)
    with pytest.raises(NotFound):
        call(school.actor(school.student_user), school.students[1].id)


def test_week_has_lessons_with_bells_marks_and_absences(school: SmallSchool) -> None:
    lesson = next(x for x in school.maths_lessons if x.date == dt.date(2026, 11, 25))
    Lesson.update(topic="Дроби", homework="№ 5").where(Lesson.id == lesson.id).execute()
    _mark(school, lesson, 4, school.test_work)
    Attendance.create(lesson=lesson, student=school.students[0], code="late", updated_at=NOW)
    week = diary.week_diary(school.actor(school.parent), school.students[0].id)
    assert week.start == dt.date(2026, 11, 23) and len(week.days) == 6
    assert week.previous == dt.date(2026, 11, 16) and week.next == dt.date(2026, 11, 30)
    wednesday = week.days[2].lessons[0]
    assert (wednesday.starts, wednesday.subject, wednesday.topic) == (
        "09:25",
        "Математика",
        "Дроби",
    )
    assert wednesday.marks[0].value == "4" and wednesday.marks[0].work_type == "Контрольная работа"
    assert wednesday.absence == "late"


def test_marks_have_weighted_average_and_final(school: SmallSchool) -> None:
    first, second = school.maths_lessons[:2]
    _mark(school, first, 5, school.test_work)  # weight 2
    _mark(school, second, 2, school.oral)  # weight 1
    quarter = school.quarters[1]
    FinalMark.create(
        student=school.students[0],
        assignment=school.maths,
        period=quarter,
        value="4",
        points=4,
        set_at=NOW,
    )
    report = diary.marks_by_subject(school.actor(school.parent), school.students[0].id)
    assert report.period.id == quarter.id
    maths = next(s for s in report.subjects if s.subject == "Математика")
    assert maths.average == "4.00"  # (5·2 + 2·1) / 3
    assert maths.final == "4"
    with pytest.raises(NotFound):
        diary.marks_by_subject(school.actor(school.parent), school.students[0].id, "nope")


def test_attendance_and_homework(school: SmallSchool) -> None:
    past = [x for x in school.maths_lessons if x.date <= dt.date(2026, 11, 25)]
    Attendance.create(lesson=past[0], student=school.students[0], code="sick", updated_at=NOW)
    summary = diary.attendance_summary(school.actor(school.parent), school.students[0].id)
    assert summary.counts == {"sick": 1}
    assert summary.lessons >= len(past)
    future = Lesson.create(
        assignment=school.maths, date=dt.date(2026, 11, 30), number=2, homework="Повторить §3"
    )
    Lesson.create(assignment=school.maths, date=dt.date(2026, 12, 9), number=2, homework="later")
    items = diary.upcoming_homework(school.actor(school.student_user), school.students[0].id)
    assert [(h.date, h.text) for h in items] == [(future.date, "Повторить §3")]


def test_view_is_logged(school: SmallSchool) -> None:
    diary.record_view(school.actor(school.parent), "week", client="127.0.0.1")
    row = ActivityLog.get(ActivityLog.kind == "view")
    assert (row.login, row.role, row.detail) == ("parent1", "parent", "week")
