"""The journal grid read model: rows, columns, cells, averages, suggestions, finals."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

import pytest

from node.errors import Forbidden, NotFound, ValidationError
from node.models import Attendance, FinalMark, Lesson, Student, WorkType
from node.services.base.actor import Actor
from node.services.gradebook.finals import FinalWindow
from node.services.gradebook.grid import CellMark, load_grid
from tests.factories import make_mark as mark

NOW = dt.datetime(2026, 11, 25, 12, 0)


@pytest.fixture
def teacher(school) -> Actor:
    return school.actor(school.teacher)


def by_name(school):
    """7А's students by first name: Артём (Смирнов), Дарья, Кирилл, Софья, Максим."""
    return {s.first_name: s for s in school.students}


def test_rows_and_columns(school, teacher):
    grid = load_grid(teacher, school.maths.id, school.quarters[1].id)
    assert [s.name for s in grid.students] == [
        "Алексеева Д.",
        "Белов К.",
        "Волкова С.",
        "Григорьев М.",
        "Смирнов А.",
    ]
    assert [lesson.date for lesson in grid.lessons] == [
        lesson.date for lesson in school.maths_lessons
    ]
    assert (grid.class_label, grid.subject_name, grid.pass_fail) == ("7А", "Математика", False)
    assert (grid.period_start, grid.period_end) == (dt.date(2026, 11, 5), dt.date(2026, 12, 27))
    assert isinstance(grid.window, FinalWindow)
    assert grid.marks == {} and grid.attendance == {} and grid.finals == {}
    assert set(grid.averages.values()) == {None}
    assert set(grid.suggested.values()) == {None}


def test_lessons_ordered_with_work_type_and_status(school, teacher):
    first = school.maths_lessons[0]
    extra = Lesson.create(
        assignment=school.maths,
        date=first.date,
        number=1,
        topic="Дроби",
        homework="№ 3",
        work_type=school.test_work,
    )
    Lesson.create(assignment=school.maths, date=dt.date(2026, 10, 20), number=2)  # quarter 1
    grid = load_grid(teacher, school.maths.id, school.quarters[1].id)
    assert [lesson.id for lesson in grid.lessons[:2]] == [extra.id, first.id]
    column = grid.lessons[0]
    assert (column.topic, column.homework, column.status) == ("Дроби", "№ 3", "scheduled")
    assert (column.work_type_name, column.work_type_weight) == ("Контрольная работа", 2.0)
    assert grid.lessons[1].work_type_name == "" and grid.lessons[1].work_type_weight is None
    assert len(grid.lessons) == len(school.maths_lessons) + 1


def test_averages_and_suggestions_are_hand_computed(school, teacher):
    lessons = school.maths_lessons
    oral, test = school.oral, school.test_work
    written = WorkType.get(WorkType.name == "Самостоятельная работа")  # weight 1.5
    s = by_name(school)
    # Дарья: 5 (×1) and 4 (×2) → 13/3 = 4.33 → 4
    mark(lessons[0], s["Дарья"], "5", oral)
    mark(lessons[1], s["Дарья"], "4", test)
    # Кирилл: 5 (×2) and 4 (×1) in one cell "5/4" → 14/3 = 4.67 → 5
    mark(lessons[0], s["Кирилл"], "5", test, 0)
    mark(lessons[0], s["Кирилл"], "4", oral, 1)
    # Софья: 4, 4, 4, 3, 3 → 18/5 = 3.6 → 4 (the .6 threshold rounds up)
    held = [lessons[i] for i in (0, 1, 3, 4, 5)]  # lessons[2] is cancelled below
    for lesson, value in zip(held, ["4", "4", "4", "3", "3"], strict=True):
        mark(lesson, s["Софья"], value, oral)
    # Максим: 5 (×1.5) and 3 (×1) → 10.5/2.5 = 4.2 → 4; a 2 on a cancelled lesson is not counted
    mark(lessons[0], s["Максим"], "5", written)
    mark(lessons[1], s["Максим"], "3", oral)
    mark(lessons[2], s["Максим"], "2", test)
    Lesson.update(status="cancelled").where(Lesson.id == lessons[2].id).execute()
    # Артём: 3, 3, 4 → 10/3 = 3.33 → 3
    for lesson, value in zip(held, ["3", "3", "4"], strict=False):
        mark(lesson, s["Артём"], value, oral)

    grid = load_grid(teacher, school.maths.id, school.quarters[1].id)
    assert grid.averages[s["Дарья"].id] == Fraction(13, 3)
    assert grid.suggested[s["Дарья"].id] == 4
    assert grid.averages[s["Кирилл"].id] == Fraction(14, 3)
    assert grid.suggested[s["Кирилл"].id] == 5
    assert grid.averages[s["Софья"].id] == Fraction(18, 5)
    assert grid.suggested[s["Софья"].id] == 4
    assert grid.averages[s["Максим"].id] == Fraction(21, 5)
    assert grid.suggested[s["Максим"].id] == 4
    assert grid.averages[s["Артём"].id] == Fraction(10, 3)
    assert grid.suggested[s["Артём"].id] == 3
    assert grid.mark_counts[s["Максим"].id] == 2  # the cancelled lesson's mark is left out
    assert grid.mark_counts[s["Софья"].id] == 5

    assert grid.marks[(s["Кирилл"].id, lessons[0].id)] == (
        CellMark("5", 5, 2.0),
        CellMark("4", 4, 1.0),
    )
    assert grid.cell_text(s["Кирилл"].id, lessons[0].id) == "5/4"
    assert grid.cell_text(s["Кирилл"].id, lessons[1].id) == ""
    # the cancelled lesson's mark is still shown in its cell
    assert grid.cell_text(s["Максим"].id, lessons[2].id) == "2"


def test_school_threshold_from_policy(school, teacher):
    school.school.policy = '{"rounding_threshold": "0.5"}'
    school.school.save()
    s = by_name(school)
    mark(school.maths_lessons[0], s["Дарья"], "5", school.oral)
    mark(school.maths_lessons[1], s["Дарья"], "4", school.oral)
    grid = load_grid(teacher, school.maths.id, school.quarters[1].id)
    assert grid.averages[s["Дарья"].id] == Fraction(9, 2)
    assert grid.suggested[s["Дарья"].id] == 5


def test_pass_fail_journal_has_no_average(school):
    lesson = Lesson.create(assignment=school.pe, date=dt.date(2026, 11, 19), number=1)
    student = school.students[0]
    mark(lesson, student, "зач", school.oral)
    grid = load_grid(school.actor(school.pe_teacher), school.pe.id, school.quarters[1].id)
    assert grid.pass_fail
    assert grid.marks[(student.id, lesson.id)] == (CellMark("зач", None, 1.0),)
    assert grid.averages[student.id] is None and grid.suggested[student.id] is None
    assert grid.mark_counts[student.id] == 1


def test_attendance_cells(school, teacher):
    lesson = school.maths_lessons[1]
    student = school.students[2]
    Attendance.create(lesson=lesson, student=student, code="sick", updated_at=NOW)
    grid = load_grid(teacher, school.maths.id, school.quarters[1].id)
    assert grid.attendance == {(student.id, lesson.id): "sick"}


def test_students_who_left_or_came_later(school, teacher):
    s = by_name(school)
    left_during = s["Софья"]
    left_during.left_on = dt.date(2026, 11, 20)
    left_during.save()
    left_before = s["Максим"]
    left_before.left_on = dt.date(2026, 10, 1)
    left_before.save()
    came_later = Student.create(
        school_class=school.class_7a,
        last_name="Ёлкин",
        first_name="Иван",
        enrolled_on=dt.date(2027, 1, 11),
    )
    came_during = Student.create(
        school_class=school.class_7a,
        last_name="Андреев",
        first_name="Павел",
        enrolled_on=dt.date(2026, 11, 16),
    )
    # a mark from before the student left the school stays out of the grid too
    mark(school.maths_lessons[0], left_before, "5", school.oral)

    grid = load_grid(teacher, school.maths.id, school.quarters[1].id)
    ids = [row.id for row in grid.students]
    assert left_before.id not in ids and came_later.id not in ids
    assert came_during.id in ids and left_during.id in ids
    rows = {row.id: row for row in grid.students}
    assert rows[left_during.id].has_left
    assert not rows[left_during.id].enrolled_on_day(dt.date(2026, 11, 23))
    assert not rows[came_during.id].has_left
    assert not rows[came_during.id].enrolled_on_day(dt.date(2026, 11, 9))
    assert all(key[0] in ids for key in grid.marks)
    assert left_before.id not in grid.averages
    # in quarter 1 the one who left in October is there, flagged
    q1 = load_grid(teacher, school.maths.id, school.quarters[0].id)
    assert {row.id: row.has_left for row in q1.students}[left_before.id] is True


def test_subgroup_journal_lists_only_its_members(school):
    lesson = Lesson.create(assignment=school.english_g1, date=dt.date(2026, 11, 17), number=3)
    outsider = school.students[4]
    mark(lesson, outsider, "5", school.oral)  # should not happen, and is not shown
    grid = load_grid(
        school.actor(school.other_teacher), school.english_g1.id, school.quarters[1].id
    )
    assert {row.id for row in grid.students} == {s.id for s in school.students[:3]}
    assert grid.marks == {}


def test_existing_final_marks(school, teacher):
    student = school.students[1]
    final = FinalMark.create(
        student=student,
        assignment=school.maths,
        period=school.quarters[1],
        value="4",
        points=4,
        suggested="4",
        justification="",
        set_by=school.teacher,
        set_at=NOW,
    )
    FinalMark.create(  # another period: not shown
        student=student,
        assignment=school.maths,
        period=school.quarters[0],
        value="5",
        points=5,
        set_at=NOW,
    )
    grid = load_grid(teacher, school.maths.id, school.quarters[1].id)
    assert list(grid.finals) == [student.id]
    row = grid.finals[student.id]
    assert (row.id, row.value, row.points, row.suggested) == (final.id, "4", 4, "4")


def test_year_grid_suggests_from_period_finals(school, teacher):
    student = school.students[1]
    for period, value in ((school.quarters[0], "5"), (school.quarters[1], "4")):
        FinalMark.create(
            student=student,
            assignment=school.maths,
            period=period,
            value=value,
            points=int(value),
            set_at=NOW,
        )
    mark(school.maths_lessons[0], student, "5", school.oral)
    grid = load_grid(teacher, school.maths.id, school.year_period.id)
    assert grid.averages[student.id] == 5  # the marks of the year
    assert grid.suggested[student.id] == 4  # (5 + 4) / 2 = 4.5 → 4
    assert grid.suggested[school.students[0].id] is None


def test_final_window_of_the_period(school, teacher):
    grid = load_grid(teacher, school.maths.id, school.quarters[0].id)
    assert grid.window.is_locked and not grid.window.is_open
    assert grid.window.closes == dt.date(2026, 10, 28)


def test_permissions(school):
    # the journal's teacher, the class teacher and the administration see it
    for user in (school.teacher, school.director, school.deputy):
        load_grid(school.actor(user), school.english_g1.id, school.quarters[1].id)
    load_grid(Actor.for_system(), school.maths.id, school.quarters[1].id)
    for user in (school.pe_teacher, school.parent, school.student_user, school.sysadmin):
        with pytest.raises(Forbidden):
            load_grid(school.actor(user), school.maths.id, school.quarters[1].id)


def test_bad_arguments(school, teacher):
    with pytest.raises(NotFound):
        load_grid(teacher, "0" * 32, school.quarters[1].id)
    with pytest.raises(NotFound):
        load_grid(teacher, school.maths.id, "0" * 32)
    with pytest.raises(ValidationError, match="quarters"):
        load_grid(teacher, school.maths.id, school.halves[0].id)


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    queries: list[str] = []

    class Recorder(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            queries.append(record.getMessage())

    logger = logging.getLogger("peewee")
    handler, level = Recorder(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield queries
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_query_count_does_not_grow_with_the_journal(school, teacher):
    period = school.quarters[1].id
    with counting_queries() as small:
        load_grid(teacher, school.maths.id, period)
    for day in range(1, 25):
        lesson = Lesson.create(
            assignment=school.maths, date=dt.date(2026, 12, day), number=2, topic=f"Тема {day}"
        )
        for student in school.students:
            mark(lesson, student, "4", school.oral)
            Attendance.create(lesson=lesson, student=student, code="late", updated_at=NOW)
    with counting_queries() as big:
        grid = load_grid(teacher, school.maths.id, period)
    assert len(grid.lessons) == 30
    assert len(big) == len(small) <= 15
