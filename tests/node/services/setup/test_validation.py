"""Every rule the check enforces: the problem names the sheet, the row and the column, says
what to write, and nothing at all is written (neither by the check nor by the import)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from node.i18n import use_language
from node.models import AcademicYear, Guardian, Lesson, Student, TimetableSlot, User
from node.services.base.actor import Actor
from node.services.setup.run import check_setup, import_setup
from tests.node.services.setup.workbook import Grid, school, write_xlsx

Change = Callable[[dict[str, Grid]], None]


def _cell(kind: str, row: int, column: int, value: object) -> Change:
    """Set the cell of Excel row ``row`` (the header is row 1) to ``value``."""

    def change(sheets: dict[str, Grid]) -> None:
        sheets[kind][row - 1][column] = value

    return change


def _append(kind: str, row: list[object]) -> Change:
    def change(sheets: dict[str, Grid]) -> None:
        sheets[kind].append(row)

    return change


# (what is wrong, the change, the expected «sheet, row N, column «X»», words of the message)
CASES: list[tuple[str, Change, str, str]] = [
    (
        "a period outside the year",
        _cell("periods", 5, 4, dt.date(2027, 6, 30)),
        "Periods, row 5, column «Конец»",
        "not inside the academic year 2026/2027",
    ),
    (
        "periods overlapping",
        _cell("periods", 3, 3, dt.date(2026, 10, 20)),
        "Periods, row 3, column «Начало»",
        "overlaps 1 четверть",
    ),
    (
        "a holiday outside the year",
        _cell("holidays", 2, 1, dt.date(2026, 8, 20)),
        "Holidays, row 2, column «Начало»",
        "not inside the academic year",
    ),
    (
        "a teacher in two places at one time",
        lambda s: (
            s["timetable"].append(["10Б", "Ср", 1, "Русский язык", "", "", ""]),
            s["timetable"].append(["7А", "Ср", 1, "Математика", "", "", ""]),
        ),
        "Timetable, row 9, column «Урок»",
        "Иванова М. А. already has a lesson then (Русский язык, 10Б, Wed, lesson 1)",
    ),
    (
        "a class in two lessons at one time",
        _append("timetable", ["7А", "Пн", 1, "Английский язык", "1 группа", "", ""]),
        "Timetable, row 8, column «Урок»",
        "7А already has a lesson then",
    ),
    (
        "a subject unknown to the load",
        _append("timetable", ["10Б", "Ср", 2, "Английский язык", "", "", ""]),
        "Timetable, row 8, column «Предмет»",
        "the teaching load has no Английский язык for 10Б",
    ),
    (
        "a subject unknown to ediary",
        _cell("load", 2, 1, "Физика"),
        "Teaching load, row 2, column «Предмет»",
        "there is no subject «Физика»",
    ),
    (
        "a student in two classes",
        _append("students", ["10Б", "Смирнов", "Дмитрий", "Олегович", dt.date(2013, 3, 14)]),
        "Students, row 5, column «Класс»",
        "also in 7А (row 2)",
    ),
    (
        "a birth date that is not a date",
        _cell("students", 3, 4, "31.02.2013"),
        "Students, row 3, column «Дата рождения»",
        "«31.02.2013» is not a date",
    ),
    (
        "a birth date too far back",
        _cell("students", 3, 4, dt.date(1013, 7, 2)),
        "Students, row 3, column «Дата рождения»",
        "too far back",
    ),
    (
        "a birth date after the enrolment",
        _cell("students", 4, 4, dt.date(2027, 1, 1)),
        "Students, row 4, column «Дата рождения»",
        "must be before the enrolment date",
    ),
    (
        "a patronymic that is a date",
        _cell("students", 2, 3, "14.03.2013"),
        "Students, row 2, column «Отчество»",
        "is a date, not a name",
    ),
    (
        "a name that is not a name",
        _cell("parents", 3, 1, "Ольга!"),
        "Parents, row 3, column «Имя»",
        "is not a first name",
    ),
    (
        "a phone that is not a phone",
        _cell("parents", 4, 3, "позвонить маме"),
        "Parents, row 4, column «Телефон»",
        "does not look like a phone number",
    ),
    (
        "an e-mail that is not an e-mail",
        _cell("parents", 4, 4, "kuznetsov at mail"),
        "Parents, row 4, column «Эл. почта»",
        "does not look like an e-mail address",
    ),
    (
        "one parent with two e-mails",
        _cell("parents", 3, 4, "other@example.ru"),
        "Parents, row 3, column «Эл. почта»",
        "row 2 gives this parent the e-mail smirnova@example.ru",
    ),
    (
        "a parent's child who is not in the class",
        _cell("parents", 4, 7, "10Б"),
        "Parents, row 4, column «Ученик»",
        "there is no student «Кузнецов Иван Петрович» in 10Б",
    ),
    (
        "a teacher login that does not exist",
        _cell("load", 3, 2, "smith.k"),
        "Teaching load, row 3, column «Учитель»",
        "no account with the login «smith.k»",
    ),
    (
        "a class teacher login that does not exist",
        _cell("classes", 2, 1, "ivanova"),
        "Classes, row 2, column «Классный руководитель»",
        "no account with the login «ivanova»",
    ),
    (
        "an unknown class",
        _cell("students", 3, 0, "7В"),
        "Students, row 3, column «Класс»",
        "there is no class 7В in the year 2026/2027",
    ),
    (
        "something that is not a class",
        _cell("classes", 3, 0, "десятый"),
        "Classes, row 3, column «Класс»",
        "is not a class",
    ),
    (
        "a bad login on the staff sheet",
        _cell("staff", 4, 0, "смит"),
        "Staff, row 4, column «login»",
        "cannot be a login",
    ),
    (
        "an unknown role",
        _cell("staff", 3, 2, "учитель, повар"),
        "Staff, row 3, column «roles»",
        "Unknown role «повар»",
    ),
    (
        "a class teacher without the teacher role",
        lambda s: (
            s["staff"].append(["zueva", "Зуева Анна", "deputy"]),
            _cell("classes", 3, 1, "zueva")(s),
        ),
        "Classes, row 3, column «Классный руководитель»",
        "Зуева А. is not a teacher",
    ),
    (
        "a time that is not a time",
        _cell("bells", 3, 2, "10 часов"),
        "Bells, row 3, column «Конец»",
        "is not a time",
    ),
    (
        "a lesson that ends before it starts",
        _cell("bells", 4, 2, "10:00"),
        "Bells, row 4, column «Конец»",
        "must end after it starts",
    ),
    (
        "a lesson number without a bell",
        _cell("timetable", 2, 2, 7),
        "Timetable, row 2, column «Урок»",
        "no lesson 7 in the bell schedule",
    ),
    (
        "a yes/no that is neither",
        _cell("subjects", 2, 2, "может быть"),
        "Subjects, row 2, column «Зачёт»",
        "is not a yes or no",
    ),
    (
        "a choice that is not one",
        _cell("work_types", 3, 2, "громкая"),
        "Work types, row 3, column «Тип»",
        "is not one of the choices",
    ),
    (
        "a weight that is not a number",
        _cell("work_types", 3, 1, "много"),
        "Work types, row 3, column «Вес»",
        "is not a number",
    ),
    (
        "too many hours",
        _cell("load", 2, 4, 50),
        "Teaching load, row 2, column «Часов в неделю»",
        "at most 40",
    ),
    (
        "an unknown subgroup",
        _cell("load", 4, 3, "3 группа"),
        "Teaching load, row 4, column «Подгруппа»",
        "there is no subgroup «3 группа»",
    ),
    (
        "a timetable teacher who does not teach the lesson",
        _cell("timetable", 2, 5, "petrov.s"),
        "Timetable, row 2, column «Учитель»",
        "the teaching load gives this lesson to ivanova.m",
    ),
    (
        "a required cell left empty",
        _cell("students", 2, 1, ""),
        "Students, row 2, column «Фамилия»",
        "must be filled in",
    ),
    (
        "the same row twice",
        _append("holidays", ["Осенние каникулы", dt.date(2026, 10, 26), dt.date(2026, 11, 3)]),
        "Holidays, row 4, column «Название»",
        "repeats row 2",
    ),
    (
        "two years in one file",
        _append("year", ["2027/2028", dt.date(2027, 9, 1), dt.date(2028, 5, 31)]),
        "Year, row 3:",
        "one academic year",
    ),
]


def _nothing_written() -> None:
    assert AcademicYear.select().count() == 0
    assert User.select().count() == 0
    assert Student.select().count() == Guardian.select().count() == 0
    assert TimetableSlot.select().count() == Lesson.select().count() == 0


@pytest.mark.parametrize(
    ("change", "where", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_the_problem_names_sheet_row_and_column_and_nothing_is_written(
    node: Actor, tmp_path: Path, change: Change, where: str, words: str
):
    sheets = school()
    change(sheets)
    path = write_xlsx(tmp_path / "school.xlsx", sheets, language="en")
    for run in (check_setup, import_setup):
        report = run(node, [path])
        messages = [str(problem) for problem in report.problems]
        assert len(messages) == 1, messages
        assert messages[0].startswith(where), messages
        assert words in messages[0], messages
        assert not report.written
        _nothing_written()


def test_every_problem_is_listed_at_once(node: Actor, tmp_path: Path):
    chosen = {
        "a period outside the year",
        "a holiday outside the year",
        "a birth date that is not a date",
        "a patronymic that is a date",
        "a phone that is not a phone",
        "a teacher login that does not exist",
        "a yes/no that is neither",
        "a weight that is not a number",
    }
    cases = [case for case in CASES if case[0] in chosen]
    sheets = school()
    for _what, change, _where, _words in cases:
        change(sheets)
    report = import_setup(node, [write_xlsx(tmp_path / "school.xlsx", sheets, language="en")])
    found = sorted(str(problem) for problem in report.problems)
    assert len(found) == len(cases), found
    for _what, _change, where, words in cases:
        assert any(p.startswith(where) and words in p for p in found), (where, found)
    _nothing_written()


def test_problems_speak_russian(node: Actor, tmp_path: Path):
    sheets = school()
    sheets["parents"][3][3] = "позвонить маме"
    with use_language("ru"):
        report = check_setup(node, [write_xlsx(tmp_path / "school.xlsx", sheets)])
        assert [str(p) for p in report.problems] == [
            "Родители, строка 4, столбец «Телефон»: «позвонить маме» не похоже на номер "
            "телефона: введите цифры, например +7 912 345-67-89 (от 5 до 15 цифр)."
        ]


def test_a_student_already_in_another_class_is_not_moved(node: Actor, tmp_path: Path):
    assert import_setup(node, [write_xlsx(tmp_path / "first.xlsx", school())]).written
    sheets = school()
    sheets["students"][2][0] = "10Б"
    sheets["parents"][3][7] = "10Б"
    report = import_setup(node, [write_xlsx(tmp_path / "second.xlsx", sheets, language="en")])
    assert [str(p).split(":")[0] for p in report.problems] == ["Students, row 3, column «Класс»"]
    assert "is in 7А in ediary" in str(report.problems[0])
    assert Student.get(Student.last_name == "Кузнецов").school_class.label == "7А"


def test_namesakes_in_one_class_are_told_apart_by_birth_date(node: Actor, tmp_path: Path):
    sheets = school()
    sheets["students"].append(["7А", "Кузнецов", "Иван", "Петрович", "01.01.2014", None])
    report = check_setup(node, [write_xlsx(tmp_path / "one.xlsx", sheets, language="en")])
    assert [str(p).split(":")[0] for p in report.problems] == [
        "Parents, row 4, column «Student's birth date»",  # not in the file: named in English
        "Subgroups, row 3, column «Student's birth date»",
    ]
    sheets["parents"][0].append("Дата рождения ученика")
    sheets["parents"][3].append(dt.date(2013, 7, 2))
    sheets["subgroups"][0].append("Дата рождения ученика")
    sheets["subgroups"][2].append("01.01.2014")
    report = import_setup(node, [write_xlsx(tmp_path / "two.xlsx", sheets)])
    assert report.ok and report.written, [str(p) for p in report.problems]
    younger = Student.get(Student.birth_date == dt.date(2014, 1, 1))
    assert younger.subgroup_memberships.count() == 1
    older = Student.get(Student.birth_date == dt.date(2013, 7, 2))
    assert older.guardian_links.count() == 1 and younger.guardian_links.count() == 0
