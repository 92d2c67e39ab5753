"""Exporting the school in the set-up format: what each sheet holds, and who may."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, NotFound
from node.models import User
from node.services.base.actor import Actor
from node.services.setup.export import export_school
from node.services.setup.sheets import SHEETS
from node.services.students.classes import student_leaves


def test_every_sheet_is_there_with_only_its_columns(school):
    rows = export_school(school.actor(school.director))
    assert list(rows) == [sheet.kind for sheet in SHEETS]
    for sheet in SHEETS:
        keys = {column.key for column in sheet.columns}
        for row in rows[sheet.kind]:
            assert set(row) <= keys, sheet.kind


def test_the_year_its_calendar_subjects_and_work_types(school):
    rows = export_school(school.actor(school.sysadmin))
    assert rows["year"] == [
        {"name": "2026/2027", "start": dt.date(2026, 9, 1), "end": dt.date(2027, 5, 31)}
    ]
    # quarters then halves; the whole-year period comes with the year
    assert [(p["scheme"], p["number"]) for p in rows["periods"]] == [
        ("quarters", 1), ("quarters", 2), ("quarters", 3), ("quarters", 4),
        ("halves", 1), ("halves", 2),
    ]  # fmt: skip
    assert rows["periods"][1]["start"] == dt.date(2026, 11, 5)
    assert rows["holidays"] == [
        {"name": "Осенние каникулы", "start": dt.date(2026, 10, 25), "end": dt.date(2026, 11, 4)}
    ]
    assert rows["bells"][0] == {"number": 1, "starts": "08:30", "ends": "09:15"}
    maths = next(s for s in rows["subjects"] if s["name"] == "Математика")
    assert maths == {
        "name": "Математика", "short_name": "Мат", "pass_fail": False, "written_work": True,
    }  # fmt: skip
    assert {"name": "Самостоятельная работа", "weight": 1.5, "kind": "written"} in rows[
        "work_types"
    ]
    assert {"name": "Контрольная работа", "weight": 2, "kind": "test"} in rows["work_types"]


def test_classes_staff_students_and_parents(school):
    User.update(status="disabled").where(User.id == school.deputy.id).execute()
    with_leaver = school.students[4]
    student_leaves(Actor.for_system(), with_leaver.id, dt.date(2026, 11, 20))
    rows = export_school(school.actor(school.director))
    assert rows["classes"] == [
        {"class": "7А", "class_teacher": "ivanova", "scheme": "quarters"},
        {"class": "8Б", "class_teacher": "petrov", "scheme": "halves"},
    ]
    staff = {row["login"]: row for row in rows["staff"]}
    # parents and students are not staff; a disabled account has left
    assert set(staff) == {"admin", "director", "ivanova", "petrov", "sokolov"}
    assert staff["ivanova"] == {
        "login": "ivanova",
        "name": "Иванова Мария Александровна",
        "roles": ("teacher", "class_teacher"),
    }
    names = [(r["class"], r["last_name"]) for r in rows["students"]]
    assert names == [
        ("7А", "Алексеева"),
        ("7А", "Белов"),
        ("7А", "Волкова"),
        ("7А", "Смирнов"),
        ("8Б", "Кузнецова"),
        ("8Б", "Лебедев"),
        ("8Б", "Морозова"),
    ]  # fmt: skip  — Григорьев left
    assert rows["parents"] == [
        {
            "last_name": "Смирнова",
            "first_name": "Елена",
            "middle_name": "Викторовна",
            "phone": "",
            "email": "",
            "relation": "mother",
            "child": "Смирнов Артём",
            "child_class": "7А",
            "child_birth_date": None,
        },
        {
            "last_name": "Кузнецов",
            "first_name": "Андрей",
            "middle_name": "",
            "phone": "",
            "email": "",
            "relation": "father",
            "child": "Кузнецова Алина",
            "child_class": "8Б",
            "child_birth_date": None,
        },
    ]


def test_subgroups_load_and_timetable(school):
    rows = export_school(school.actor(school.director))
    assert rows["subgroups"] == [
        {
            "class": "7А",
            "subject": "Английский язык",
            "subgroup": "1 группа",
            "student": name,
            "student_birth_date": None,
        }
        for name in ("Алексеева Дарья", "Белов Кирилл", "Смирнов Артём")
    ]
    assert rows["load"] == [
        {"class": "7А", "subject": "Английский язык", "teacher": "petrov",
         "subgroup": "1 группа", "hours": 3},
        {"class": "7А", "subject": "Математика", "teacher": "ivanova", "subgroup": "", "hours": 2},
        {"class": "7А", "subject": "Физическая культура", "teacher": "sokolov", "subgroup": "",
         "hours": 2},
        {"class": "8Б", "subject": "Математика", "teacher": "petrov", "subgroup": "", "hours": 5},
    ]  # fmt: skip
    assert [(r["weekday"], r["number"], r["subject"]) for r in rows["timetable"]] == [
        (1, 2, "Математика"),
        (2, 3, "Английский язык"),
        (3, 2, "Математика"),
        (4, 1, "Физическая культура"),
    ]
    assert rows["timetable"][1]["subgroup"] == "1 группа"
    assert rows["timetable"][1]["teacher"] == "petrov"


def test_an_empty_subgroup_is_one_row_without_a_student(school):
    from node.models import Subgroup

    Subgroup.create(school_class=school.class_7a, subject=school.english_subject, name="2 группа")
    rows = export_school(school.actor(school.director))
    assert rows["subgroups"][-1] == {
        "class": "7А", "subject": "Английский язык", "subgroup": "2 группа", "student": "",
    }  # fmt: skip


def test_only_the_administration_and_the_sysadmin_may_export(school):
    for user in (school.director, school.deputy, school.sysadmin):
        assert export_school(school.actor(user))["year"]
    for user in (school.teacher, school.parent, school.student_user):
        with pytest.raises(Forbidden):
            export_school(school.actor(user))


def test_a_named_year_or_a_clear_refusal(school):
    rows = export_school(school.actor(school.director), year_name="2026/2027")
    assert rows["year"][0]["name"] == "2026/2027"
    with pytest.raises(NotFound, match="no academic year «2025/2026».*2026/2027"):
        export_school(school.actor(school.director), year_name="2025/2026")
