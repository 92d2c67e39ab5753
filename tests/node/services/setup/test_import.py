"""Importing a whole school from its workbook, and importing it again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from node.errors import Forbidden
from node.models import (
    AcademicYear,
    Guardian,
    Lesson,
    Mark,
    Period,
    Student,
    StudentGuardian,
    SubgroupMember,
    TeachingAssignment,
    TimetableSlot,
    User,
    WorkType,
)
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.gradebook import journal
from node.services.setup.run import check_setup, import_setup
from tests.node.services.setup.workbook import school, write_xlsx


def _outcomes(report) -> dict[str, tuple[int, int, int, int]]:
    return {
        kind: (c.created, c.updated, c.unchanged, c.left)
        for kind, c in report.counts.items()
        if c.total
    }


def test_a_school_imported_from_scratch_has_journals_with_lessons(node: Actor, tmp_path: Path):
    report = import_setup(node, [write_xlsx(tmp_path / "school.xlsx", school())])
    assert report.ok and report.written, [str(p) for p in report.problems]
    assert _outcomes(report) == {
        "year": (1, 0, 0, 0),
        "periods": (6, 0, 0, 0),
        "holidays": (2, 0, 0, 0),
        "bells": (3, 0, 0, 0),
        "subjects": (3, 0, 0, 0),
        "work_types": (2, 0, 0, 0),
        "classes": (2, 0, 0, 0),
        "staff": (3, 0, 0, 0),
        "students": (3, 0, 0, 0),
        "parents": (3, 0, 0, 0),  # the second row links the same mother to her other child
        "subgroups": (2, 0, 0, 0),
        "load": (5, 0, 0, 0),
        "timetable": (6, 0, 0, 0),
    }
    loads = {load.login: (load.journals, load.lessons) for load in report.teachers}
    assert set(loads) == {"ivanova.m", "petrov.s", "smith.j"}
    for login, (journals, lessons) in loads.items():
        teacher = User.get(User.login == login)
        assert (
            journals
            == TeachingAssignment.select().where(TeachingAssignment.teacher == teacher).count()
        )
        assert (
            lessons
            == (
                Lesson.select()
                .join(TeachingAssignment)
                .where(TeachingAssignment.teacher == teacher)
            ).count()
        )
        assert lessons > 0
    assert report.lessons_created == Lesson.select().count()
    # no lesson on a holiday, a Monday in the autumn break has none
    assert not Lesson.select().where(Lesson.date == dt.date(2026, 10, 26)).exists()
    assert Lesson.select().where(Lesson.date == dt.date(2026, 10, 19)).count() == 4
    year = AcademicYear.get()
    assert (year.name, year.start, year.end) == ("2026/2027", dt.date(2026, 9, 1), year.end)
    names = [p.name for p in Period.select().where(Period.scheme == "quarters")]
    assert names[:2] == ["1 четверть", "2 четверть"] and "3 четверть" in names  # school's ru
    assert Period.select().where(Period.scheme == "year").count() == 1
    assert WorkType.get(WorkType.name == "Контрольная работа").weight == 2
    mother = Guardian.get(Guardian.last_name == "Смирнова")
    assert StudentGuardian.select().where(StudentGuardian.guardian == mother).count() == 2
    assert SubgroupMember.select().count() == 2
    assert {c.login for c in report.codes} == {"ivanova.m", "petrov.s", "smith.j"}
    teacher = User.get(User.login == "ivanova.m")
    assert teacher.role_set == {"teacher", "class_teacher"} and teacher.status == "pending"


def test_importing_the_same_file_again_changes_nothing(node: Actor, tmp_path: Path):
    path = write_xlsx(tmp_path / "school.xlsx", school())
    assert import_setup(node, [path]).written
    lessons = Lesson.select().count()
    again = import_setup(node, [path])
    assert again.ok and again.written
    assert all(c.created == c.updated == c.left == 0 for c in again.counts.values())
    assert again.counts["students"].unchanged == 3 and again.counts["timetable"].unchanged == 6
    assert again.lessons_created == 0 and Lesson.select().count() == lessons
    assert again.codes == []
    assert Student.select().count() == 3 and Guardian.select().count() == 2


def test_a_corrected_file_updates_adds_and_reports_what_it_leaves(node: Actor, tmp_path: Path):
    assert import_setup(node, [write_xlsx(tmp_path / "first.xlsx", school())]).written
    teacher = User.get(User.login == "ivanova.m")
    student = Student.get(Student.last_name == "Кузнецов")
    lesson = (
        Lesson.select()
        .join(TeachingAssignment)
        .where(
            TeachingAssignment.teacher == teacher,
            TeachingAssignment.school_class == student.school_class,
        )
        .order_by(Lesson.date)
        .first()
    )
    with clock.frozen_time(dt.date(2026, 11, 25)):
        (mark,) = journal.set_marks(Actor.from_user(teacher), lesson.id, student.id, ["5"])
    sheets = school()
    sheets["students"][2] = ["7А", "Орлова", "Вера", "Ильинична", "11.11.2012", None]
    sheets["parents"][1][4] = sheets["parents"][2][4] = "elena.smirnova@example.ru"
    sheets["timetable"][1][6] = "33"
    sheets["subgroups"][2][3] = "Орлова Вера Ильинична"
    sheets["parents"] = sheets["parents"][:3]  # Кузнецов's father is not in the file
    sheets["parents"][2][3] = "89123456789"  # the same phone, written the other way
    report = import_setup(node, [write_xlsx(tmp_path / "second.xlsx", sheets)])
    assert report.ok and report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["students"] == (1, 0, 2, 1)
    assert any("Кузнецов Иван Петрович (7А)" in note for note in report.notes)
    assert Student.get_by_id(student.id).left_on is None  # reported, never removed
    assert Mark.get_by_id(mark.id).value == "5"  # marks are never touched
    assert _outcomes(report)["parents"] == (0, 1, 1, 0)  # one parent, one new e-mail
    assert Guardian.get(Guardian.last_name == "Смирнова").email == "elena.smirnova@example.ru"
    assert _outcomes(report)["timetable"] == (0, 1, 5, 0)
    assert TimetableSlot.select().where(TimetableSlot.room == "33").count() == 1
    assert _outcomes(report)["subgroups"] == (0, 1, 1, 0)
    group = SubgroupMember.select().join(Student).where(Student.last_name == "Орлова")
    assert group.count() == 1


def test_the_check_writes_nothing_but_says_what_the_import_would_do(node: Actor, tmp_path: Path):
    report = check_setup(node, [write_xlsx(tmp_path / "school.xlsx", school())])
    assert report.ok and not report.written
    assert report.counts["students"].created == 3 and report.lessons_created > 0
    assert report.codes == []
    assert AcademicYear.select().count() == 0 and User.select().count() == 0
    assert Lesson.select().count() == 0


def test_a_draft_year_is_filled_but_its_lessons_wait_for_confirmation(node: Actor, tmp_path: Path):
    AcademicYear.create(
        name="2026/2027", start=dt.date(2026, 9, 1), end=dt.date(2027, 5, 31), status="draft"
    )
    report = import_setup(node, [write_xlsx(tmp_path / "school.xlsx", school())])
    assert report.ok and report.written, [str(p) for p in report.problems]
    assert report.counts["year"].unchanged == 1 and report.counts["timetable"].created == 6
    assert Lesson.select().count() == 0
    assert any("ediary year confirm" in note for note in report.notes)


def test_a_closed_year_is_refused(node: Actor, tmp_path: Path):
    AcademicYear.create(
        name="2026/2027", start=dt.date(2026, 9, 1), end=dt.date(2027, 5, 31), status="closed"
    )
    report = check_setup(node, [write_xlsx(tmp_path / "school.xlsx", school(), language="en")])
    assert [str(p).split(":")[0] for p in report.problems] == ["Year, row 2, column «Название»"]


def test_only_who_manages_the_school_and_its_accounts_may_import(node: Actor, tmp_path: Path):
    path = write_xlsx(tmp_path / "school.xlsx", school())
    assert import_setup(node, [path]).written
    teacher = Actor.from_user(User.get(User.login == "ivanova.m"))
    with pytest.raises(Forbidden):
        check_setup(teacher, [path])


def test_a_corrected_name_or_birth_date_updates_the_student_instead_of_a_second_one(
    node: Actor, tmp_path: Path
):
    assert import_setup(node, [write_xlsx(tmp_path / "first.xlsx", school())]).written
    sheets = school()
    sheets["students"][1][4] = dt.date(2013, 3, 15)  # the birth date was a typo
    sheets["students"][2][3] = "Павлович"  # and so was a middle name
    sheets["parents"][1][6] = "Смирнов Дмитрий Олегович"
    sheets["parents"][3][6] = "Кузнецов Иван Павлович"
    sheets["subgroups"][2][3] = "Кузнецов Иван Павлович"
    report = import_setup(node, [write_xlsx(tmp_path / "second.xlsx", sheets)])
    assert report.ok and report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["students"] == (0, 2, 1, 0)
    assert Student.select().count() == 3
    assert Student.get(Student.first_name == "Дмитрий").birth_date == dt.date(2013, 3, 15)
    assert Student.get(Student.first_name == "Иван").middle_name == "Павлович"
    assert _outcomes(report)["parents"] == (0, 0, 3, 0)


def test_a_parent_with_a_new_phone_is_the_same_parent(node: Actor, tmp_path: Path):
    assert import_setup(node, [write_xlsx(tmp_path / "first.xlsx", school())]).written
    sheets = school()
    sheets["parents"][1][3] = sheets["parents"][2][3] = "+7 900 111-22-33"
    report = import_setup(node, [write_xlsx(tmp_path / "second.xlsx", sheets)])
    assert report.ok and report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["parents"] == (0, 1, 2, 0)
    assert Guardian.select().count() == 2
    assert Guardian.get(Guardian.last_name == "Смирнова").phone == "+7 900 111-22-33"


def test_the_import_says_how_far_it_is(node: Actor, tmp_path: Path):
    stages: list[tuple[str, int, int]] = []
    path = write_xlsx(tmp_path / "school.xlsx", school(), language="en")
    import_setup(node, [path], progress=lambda *stage: stages.append(stage))
    assert stages[0] == ("Year", 0, 13) and stages[-1] == ("Lessons of the year", 13, 13)
    assert [done for _stage, done, _total in stages] == list(range(14))


def test_new_hours_bells_and_teachers_are_written(node: Actor, tmp_path: Path):
    assert import_setup(node, [write_xlsx(tmp_path / "first.xlsx", school())]).written
    sheets = school()
    sheets["load"][1][4] = 6  # 7А maths: 6 hours now
    sheets["load"][5][2] = "smith.j"  # 10Б Russian: another teacher
    sheets["bells"][2][1:] = ["9:30", "10:15"]
    report = import_setup(node, [write_xlsx(tmp_path / "second.xlsx", sheets)])
    assert report.ok and report.written, [str(p) for p in report.problems]
    assert _outcomes(report)["load"] == (0, 2, 3, 0)
    assert _outcomes(report)["bells"] == (0, 1, 2, 0)
    assert not report.notes, report.notes
    # the journal is handed over: the same journal, its lessons to come the new teacher's
    russian = TeachingAssignment.select().join(User).where(User.login == "smith.j")
    assert russian.count() == 2
    assert TeachingAssignment.select().count() == 5
    assert TeachingAssignment.select().where(TeachingAssignment.hours_per_week == 6).count() == 1
