"""Importing a changed file again: each value the file changes is updated through the
services (history says who and when), reported as updated, or refused where the services
refuse it, with the sheet, row and column."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from node.models import (
    AcademicYear,
    History,
    Holiday,
    Lesson,
    Mark,
    Period,
    SchoolClass,
    Student,
    Subject,
    TeachingAssignment,
    User,
    WorkType,
)
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.gradebook import journal
from node.services.setup.run import check_setup, import_setup
from tests.node.services.setup.workbook import Grid, school, write_xlsx


def _outcomes(report) -> dict[str, tuple[int, int, int, int]]:
    return {
        kind: (c.created, c.updated, c.unchanged, c.left)
        for kind, c in report.counts.items()
        if c.total
    }


def _first(node: Actor, tmp_path: Path) -> None:
    report = import_setup(node, [write_xlsx(tmp_path / "first.xlsx", school())])
    assert report.written, [str(p) for p in report.problems]


def _again(node: Actor, tmp_path: Path, sheets: dict[str, Grid], *, write: bool = True):
    path = write_xlsx(tmp_path / "again.xlsx", sheets, language="en")
    return (import_setup if write else check_setup)(node, [path])


def _updates(entity: str, entity_id: str) -> list[dict]:
    rows = History.select().where(
        History.entity == entity, History.entity_id == entity_id, History.action == "update"
    )
    return [{**json.loads(r.changes), "_by": r.actor_login} for r in rows]


def test_changed_subject_flags_and_work_type_weights_are_updated(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    sheets = school()
    sheets["subjects"][1][2:4] = ["да", "нет"]  # Математика: pass/fail, no written work
    sheets["subjects"][3][1] = "Англ. яз."
    sheets["work_types"][2][1] = "2,5"  # Контрольная работа weighs 2.5
    report = _again(node, tmp_path, sheets)
    assert report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["subjects"] == (0, 2, 1, 0)
    assert _outcomes(report)["work_types"] == (0, 1, 1, 0)
    maths = Subject.get(Subject.name == "Математика")
    assert (maths.pass_fail, maths.needs_written_work) == (True, False)
    assert Subject.get(Subject.name == "Английский язык").short_name == "Англ. яз."
    test = WorkType.get(WorkType.name == "Контрольная работа")
    assert test.weight == 2.5
    (change,) = _updates("subject", maths.id)
    assert change["pass_fail"] == [False, True] and change["_by"] == "system"
    assert _updates("work_type", test.id)[0]["weight"] == [2.0, 2.5]
    assert not report.notes, report.notes
    again = _again(node, tmp_path, sheets)
    assert _outcomes(again)["subjects"] == (0, 0, 3, 0)
    assert _outcomes(again)["work_types"] == (0, 0, 2, 0)


def test_a_weight_the_service_refuses_is_a_problem_of_its_cell(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    sheets = school()
    sheets["work_types"][1][1] = 0
    report = _again(node, tmp_path, sheets, write=False)
    assert [str(p).split(":")[0] for p in report.problems] == ["Work types, row 2, column «Вес»"]
    assert WorkType.get(WorkType.name == "Ответ на уроке").weight == 1


def _year() -> AcademicYear:
    return AcademicYear.get(AcademicYear.name == "2026/2027")


def _quarter(number: int) -> Period:
    return Period.get(Period.scheme == "quarters", Period.number == number)


def _lessons_of_7a(day: dt.date) -> int:
    return (
        Lesson.select()
        .join(TeachingAssignment)
        .join(SchoolClass)
        .where(Lesson.date == day, SchoolClass.grade == 7)
        .count()
    )


def test_a_boundary_between_two_quarters_moves_in_one_go(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    sheets = school()
    sheets["periods"][1][4] = dt.date(2026, 10, 16)  # the 1st quarter ends a week earlier
    sheets["periods"][2][3] = dt.date(2026, 10, 17)  # and the 2nd begins the day after
    lessons = Lesson.select().count()
    report = _again(node, tmp_path, sheets)
    assert report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["periods"] == (0, 2, 4, 0)
    assert (_quarter(1).end, _quarter(2).start) == (dt.date(2026, 10, 16), dt.date(2026, 10, 17))
    assert _updates("period", _quarter(2).id)[0]["start"] == ["2026-11-04", "2026-10-17"]
    assert Lesson.select().count() == lessons  # every lesson is still in a quarter
    assert report.lessons_created == 0


def test_dates_that_would_leave_marks_outside_every_quarter_are_refused(
    node: Actor, tmp_path: Path
):
    _first(node, tmp_path)
    sheets = school()
    sheets["periods"][1][4] = dt.date(2026, 10, 16)  # the week of 19.10 is in no quarter now
    teacher = User.get(User.login == "ivanova.m")
    lesson = (
        Lesson.select()
        .join(TeachingAssignment)
        .where(TeachingAssignment.teacher == teacher, Lesson.date == dt.date(2026, 10, 19))
        .get()
    )
    student = Student.get(Student.last_name == "Кузнецов")
    with clock.frozen_time(dt.date(2026, 10, 19)):
        journal.set_marks(Actor.from_user(teacher), lesson.id, student.id, ["4"])
    report = _again(node, tmp_path, sheets)
    assert not report.written
    assert [str(p) for p in report.problems] == [
        "Periods, row 2, column «Конец»: 1 lessons with marks would be outside every period "
        "(the first: 7А, Математика, 19.10.2026); keep the dates around them or move those "
        "lessons."
    ]
    assert _quarter(1).end == dt.date(2026, 10, 25)
    Mark.delete().execute()  # without marks there, the quarter may end earlier
    report = _again(node, tmp_path, sheets)
    assert report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["periods"] == (0, 1, 5, 0)
    assert _quarter(1).end == dt.date(2026, 10, 16)
    assert _lessons_of_7a(dt.date(2026, 10, 19)) == 3  # lessons between quarters stay


def test_a_period_that_now_overlaps_is_a_problem_of_its_row(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    sheets = school()
    sheets["periods"][2][3] = dt.date(2026, 10, 20)  # the 2nd quarter begins inside the 1st
    report = _again(node, tmp_path, sheets, write=False)
    assert [str(p).split(":")[0] for p in report.problems] == ["Periods, row 3, column «Начало»"]
    assert "overlaps" in str(report.problems[0])
    assert _quarter(2).start == dt.date(2026, 11, 4)


def test_a_moved_or_longer_holiday_is_the_same_holiday(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    autumn = Holiday.get(Holiday.name == "Осенние каникулы")
    sheets = school()
    sheets["holidays"][1][1:3] = [dt.date(2026, 10, 27), dt.date(2026, 11, 4)]  # moved
    sheets["holidays"][2][2] = dt.date(2027, 1, 12)  # the winter break a day longer
    report = _again(node, tmp_path, sheets)
    assert report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["holidays"] == (0, 2, 0, 0)
    assert Holiday.select().count() == 2
    autumn = Holiday.get_by_id(autumn.id)
    assert (autumn.start, autumn.end) == (dt.date(2026, 10, 27), dt.date(2026, 11, 4))
    assert _updates("holiday", autumn.id)[0]["start"] == ["2026-10-26", "2026-10-27"]
    assert Holiday.get(Holiday.name == "Зимние каникулы").end == dt.date(2027, 1, 12)
    assert _outcomes(_again(node, tmp_path, sheets))["holidays"] == (0, 0, 2, 0)


def test_a_staff_members_new_name_and_roles_are_written(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    sheets = school()
    sheets["staff"][2][1] = "Петров Сергей Игоревич"  # the middle name was wrong
    sheets["staff"][3][2] = "учитель, завуч"  # smith.j is a deputy now as well
    report = _again(node, tmp_path, sheets)
    assert report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["staff"] == (0, 2, 1, 0)
    assert not report.notes and report.codes == []
    petrov = User.get(User.login == "petrov.s")
    assert petrov.middle_name == "Игоревич" and petrov.status == "pending"
    assert User.get(User.login == "smith.j").role_set == {"teacher", "deputy"}
    (renamed,) = [c for c in _updates("user", petrov.id) if "middle_name" in c]
    assert renamed["middle_name"] == ["Иванович", "Игоревич"]
    assert _outcomes(_again(node, tmp_path, sheets))["staff"] == (0, 0, 3, 0)


def test_a_role_still_in_use_is_not_taken_away(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    sheets = school()
    sheets["staff"][2][2] = "завуч"  # petrov.s teaches three journals
    sheets["staff"][1][2] = "завуч"  # ivanova.m teaches, and leads 7А
    report = _again(node, tmp_path, sheets, write=False)
    assert [str(p).split(":")[0] for p in report.problems] == [
        "Staff, row 2, column «roles»",
        "Staff, row 3, column «roles»",
    ]
    assert "teaches 2 journals" in str(report.problems[0])
    assert User.get(User.login == "petrov.s").role_set == {"teacher"}


def test_a_class_follows_the_scheme_the_file_gives_it(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    sheets = school()
    sheets["classes"][2][1:3] = ["ivanova.m", "четверти"]  # 10Б: quarters, a new class teacher
    report = _again(node, tmp_path, sheets)
    assert report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["classes"] == (0, 1, 1, 0)
    tenth = SchoolClass.get(SchoolClass.grade == 10)
    assert tenth.period_scheme == "quarters" and tenth.class_teacher.login == "ivanova.m"
    assert _updates("school_class", tenth.id)[0]["period_scheme"] == ["halves", "quarters"]
    sheets["classes"][2][1:3] = ["", ""]  # empty cells keep what ediary has
    assert _outcomes(_again(node, tmp_path, sheets))["classes"] == (0, 0, 2, 0)


def test_the_years_new_dates_are_written_with_its_periods(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    sheets = school()
    sheets["year"][1][2] = dt.date(2027, 6, 4)  # a week longer, and so is the 4th quarter
    sheets["periods"][4][4] = sheets["periods"][6][4] = dt.date(2027, 6, 4)
    report = _again(node, tmp_path, sheets)
    assert report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["year"] == (0, 1, 0, 0)
    assert _outcomes(report)["periods"] == (0, 2, 4, 0)
    assert Period.get(Period.scheme == "year").end == dt.date(2027, 6, 4)
    assert report.lessons_created > 0  # the new week's lessons
    sheets = school()  # and back: the periods move first, then the year narrows
    report = _again(node, tmp_path, sheets)
    assert report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["year"] == (0, 1, 0, 0)
    assert _year().end == dt.date(2027, 5, 31)


def test_year_dates_that_leave_a_period_outside_are_a_problem_of_the_year(
    node: Actor, tmp_path: Path
):
    _first(node, tmp_path)
    sheets = school()
    sheets["year"][1][2] = dt.date(2027, 5, 28)  # the quarters still end on 31.05
    report = _again(node, tmp_path, sheets, write=False)
    assert [str(p).split(":")[0] for p in report.problems] == ["Year, row 2, column «Конец»"]
    assert _year().end == dt.date(2027, 5, 31)


def test_another_enrolment_date_is_left_as_it_was_and_said(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    sheets = school()
    sheets["students"][3][5] = "15.09.2026"  # Смирнова Ольга: enrolled on 01.09.2026 in ediary
    report = _again(node, tmp_path, sheets)
    assert report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["students"] == (0, 0, 2, 1)
    assert report.notes == [
        "Смирнова Ольга Олеговна (10Б) keeps the enrolment date 2026-09-01; the import does "
        "not change an enrolment date."
    ]
    assert Student.get(Student.first_name == "Ольга").enrolled_on == dt.date(2026, 9, 1)


def test_a_journal_handed_to_a_teacher_busy_at_its_lessons_is_refused(node: Actor, tmp_path: Path):
    _first(node, tmp_path)
    sheets = school()
    sheets["load"][1][2] = "petrov.s"  # 7А maths on Monday 1st: petrov.s has 10Б maths then
    report = _again(node, tmp_path, sheets, write=False)
    assert [str(p).split(":")[0] for p in report.problems] == [
        "Teaching load, row 2, column «Учитель»"
    ], [str(p) for p in report.problems]
    maths = TeachingAssignment.select().join(User).where(User.login == "ivanova.m")
    assert maths.count() == 2
