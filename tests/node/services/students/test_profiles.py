"""A student's personal data: reading, editing with validation, the monthly check [R 4.1]."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, Locked, NotFound, ValidationError
from node.models import Student
from node.services.base import clock
from node.services.students import profiles
from node.services.students.profiles import clean_phone
from tests.helpers import close_year, history_of, nothing_written

TODAY = dt.date(2026, 11, 25)


def edit(school, actor=None, student=None, **changes):
    s = school
    values = dict(
        last_name="Смирнов",
        first_name="Артём",
        middle_name="Игоревич",
        birth_date=dt.date(2013, 4, 2),
        gender="m",
        address="ул. Ленина, д. 5, кв. 12",
        phone="+7 912 345-67-89",
    )
    values.update(changes)
    return profiles.update_student(
        actor or s.actor(s.teacher), (student or s.students[0]).id, **values
    )


def test_the_profile_shows_the_student_and_the_guardians(school):
    s = school
    profile = profiles.student_profile(s.actor(s.teacher), s.students[0].id, TODAY)
    assert profile.class_label == "7А"
    assert (profile.account, profile.login, profile.due) == ("active", "student1", True)
    [mother] = profile.guardians
    assert (mother.name, mother.relation, mother.account, mother.login) == (
        "Смирнова Елена Викторовна",
        "mother",
        "active",
        "parent1",
    )
    assert mother.other_children == []
    other = profiles.student_profile(s.actor(s.teacher), s.students[1].id, TODAY)
    assert (other.account, other.login, other.guardians) == ("none", "", [])


def test_the_profile_is_the_class_teachers_and_the_administrations(school):
    s = school
    for user in (s.pe_teacher, s.other_teacher, s.parent, s.student_user):
        with pytest.raises(Forbidden):
            profiles.student_profile(s.actor(user), s.students[0].id, TODAY)
    assert profiles.student_profile(s.actor(s.deputy), s.students[0].id, TODAY)
    with pytest.raises(NotFound):
        profiles.student_profile(s.actor(s.teacher), "f" * 32, TODAY)


def test_editing_saves_every_field_and_records_history(school):
    s = school
    student = edit(school, middle_name="  Игоревич ", address="  ул. Ленина,  д. 5 ")
    fresh = Student.get_by_id(student.id)
    assert (fresh.middle_name, fresh.birth_date, fresh.gender) == (
        "Игоревич",
        dt.date(2013, 4, 2),
        "m",
    )
    assert (fresh.address, fresh.phone) == ("ул. Ленина, д. 5", "+7 912 345-67-89")
    [change] = history_of(fresh)
    assert change.action == "update" and "birth_date" in change.changes
    assert fresh.verified_at is None  # saving is not the monthly check
    edit(school, middle_name="Игоревич", address="ул. Ленина, д. 5")
    assert len(history_of(fresh)) == 1  # nothing changed, nothing recorded
    assert s.students[0].school_class_id == fresh.school_class_id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"last_name": "  "}, "last name"),
        ({"first_name": ""}, "first name"),
        ({"birth_date": dt.date(2026, 9, 1)}, "before the enrolment date"),
        ({"birth_date": dt.date(1850, 1, 1)}, "too far back"),
        ({"gender": "x"}, "gender"),
        ({"phone": "call me"}, "phone number"),
        ({"phone": "12-34"}, "phone number"),
        ({"phone": "+7 912 345 67 89 00 11 22"}, "phone number"),
        ({"address": "д" * 201}, "too long"),
    ],
)
def test_bad_data_is_refused_and_nothing_written(school, changes, message):
    with nothing_written(), pytest.raises(ValidationError, match=message):
        edit(school, **changes)


def test_editing_refusals(school):
    s = school
    with nothing_written(), pytest.raises(Forbidden):
        edit(school, actor=s.actor(s.other_teacher))
    with nothing_written(), pytest.raises(Forbidden):
        edit(school, actor=s.actor(s.teacher), student=s.other_students[0], last_name="Кузнецова")
    close_year(s.year)
    with nothing_written(), pytest.raises(Locked):
        edit(school)


def test_phones_are_checked_loosely():
    assert clean_phone("  8 (912) 345-67-89 ") == "8 (912) 345-67-89"
    assert clean_phone("") == ""
    assert clean_phone("12345") == "12345"


def test_mark_verified_stamps_now(school):
    s = school
    with clock.frozen_time(dt.datetime(2026, 11, 25, 14, 30)):
        student = profiles.mark_verified(s.actor(s.teacher), s.students[1].id)
    assert Student.get_by_id(student.id).verified_at == dt.datetime(2026, 11, 25, 14, 30)
    assert [h.action for h in history_of(student)] == ["update"]
    profile = profiles.student_profile(s.actor(s.teacher), student.id, TODAY)
    assert not profile.due


def test_mark_verified_refusals(school):
    s = school
    with nothing_written(), pytest.raises(Forbidden):
        profiles.mark_verified(s.actor(s.pe_teacher), s.students[1].id)
    with nothing_written(), pytest.raises(NotFound):
        profiles.mark_verified(s.actor(s.teacher), "e" * 32)
    s.students[2].left_on = dt.date(2026, 11, 20)
    s.students[2].save()
    with nothing_written(), pytest.raises(ValidationError, match="left on 2026-11-20"):
        profiles.mark_verified(s.actor(s.teacher), s.students[2].id)
    close_year(s.year)
    with nothing_written(), pytest.raises(Locked):
        profiles.mark_verified(s.actor(s.teacher), s.students[1].id)
