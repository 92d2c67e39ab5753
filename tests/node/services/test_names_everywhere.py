"""Every entry point takes a person's names by the one rule of node.services.base.names
[issue 18]: «14.03.2013» typed as a patronymic is refused wherever it is typed."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import ValidationError
from node.models import Guardian, Student, User
from node.services.access.staff import create_staff_user, import_staff
from node.services.base.actor import Actor
from node.services.students import classes, profiles
from node.services.students.guardians import GuardianData, add_guardian
from tests.helpers import nothing_written

NOT_A_PATRONYMIC = "is not a patronymic"


def test_the_enrol_form_refuses_a_date_as_a_patronymic(school, director):
    with nothing_written(), pytest.raises(ValidationError, match=NOT_A_PATRONYMIC):
        classes.enrol_student(
            director,
            school.class_7a.id,
            "Смирнов",
            "Дмитрий",
            "14.03.2013",
            birth_date=dt.date(2013, 3, 14),
        )
    assert not Student.select().where(Student.middle_name == "14.03.2013").exists()


def test_the_enrol_form_keeps_a_double_name_tidied(school, director):
    student = classes.enrol_student(
        director, school.class_7a.id, "Мамин - Сибиряк", "Д'Артаньян", "", birth_date=None
    )
    assert (student.last_name, student.first_name) == ("Мамин-Сибиряк", "Д'Артаньян")


def test_profile_editing_refuses_digits_in_a_name(school, director):
    student = school.students[0]
    with nothing_written(), pytest.raises(ValidationError, match="is not a first name"):
        profiles.update_student(
            director, student.id, last_name=student.last_name, first_name="Иван2"
        )


def test_a_parent_is_named_by_the_same_rule(school, director):
    with nothing_written(), pytest.raises(ValidationError, match="is not a last name"):
        add_guardian(director, school.students[0].id, GuardianData("Смирнов!", "Игорь"), "father")
    assert not Guardian.select().where(Guardian.last_name == "Смирнов!").exists()


def test_staff_accounts_are_named_by_the_same_rule(school):
    system = Actor(user_id=None, login="system:test", roles=frozenset(), system=True)
    with nothing_written(), pytest.raises(ValidationError, match=NOT_A_PATRONYMIC):
        create_staff_user(system, "zaytsev", "Зайцев Пётр 14.03.2013", ["teacher"])
    data = "login;name;roles\nzaytseva;Зайцева Анна 01.01.1980;teacher\n".encode()
    with nothing_written(), pytest.raises(ValidationError, match=NOT_A_PATRONYMIC):
        import_staff(system, data)
    assert not User.select().where(User.login.in_(["zaytsev", "zaytseva"])).exists()
