"""Guardians: add, correct, unlink, link an existing one (siblings share parents)."""

from __future__ import annotations

import pytest

from node.errors import Conflict, EdiaryError, Forbidden, Locked, NotFound, ValidationError
from node.models import Guardian, StudentGuardian, User
from node.services.students import guardians
from node.services.students.guardians import GuardianData
from tests.helpers import close_year, history_of, nothing_written

FATHER = GuardianData("Смирнов", "Игорь", "Петрович", "+7 912 000-11-22", "igor@example.ru")


def link_of(student, guardian_id):
    return StudentGuardian.get_or_none(
        StudentGuardian.student == student.id, StudentGuardian.guardian == guardian_id
    )


def test_a_guardian_is_added_and_linked(school):
    s = school
    link = guardians.add_guardian(s.actor(s.teacher), s.students[0].id, FATHER, " Father ")
    guardian = Guardian.get_by_id(link.guardian_id)
    assert (guardian.last_name, guardian.phone, guardian.email) == (
        "Смирнов",
        "+7 912 000-11-22",
        "igor@example.ru",
    )
    assert link.relation == "father" and guardian.user_id is None
    assert [h.action for h in history_of(guardian)] == ["create"]
    assert [h.action for h in history_of(link)] == ["create"]


@pytest.mark.parametrize(
    ("data", "relation", "message"),
    [
        (GuardianData("", "Игорь"), "father", "last name"),
        (GuardianData("Смирнов", " "), "father", "first name"),
        (GuardianData("Смирнов", "Игорь", phone="abc"), "father", "phone"),
        (GuardianData("Смирнов", "Игорь", email="igor.example.ru"), "father", "e-mail"),
        (GuardianData("Смирнов", "Игорь", email="@example.ru"), "father", "e-mail"),
        (GuardianData("Смирнов", "Игорь"), "uncle", "not a relation"),
        (GuardianData("Смирнов", "Игорь"), "", "not a relation"),
    ],
)
def test_bad_guardian_data_writes_nothing(school, data, relation, message):
    s = school
    with nothing_written(), pytest.raises(ValidationError, match=message):
        guardians.add_guardian(s.actor(s.teacher), s.students[0].id, data, relation)


def test_only_the_class_teacher_or_administration_keeps_guardians(school):
    s = school
    for user in (s.other_teacher, s.pe_teacher, s.parent):
        with nothing_written(), pytest.raises(Forbidden):
            guardians.add_guardian(s.actor(user), s.students[0].id, FATHER, "father")
    assert guardians.add_guardian(s.actor(s.deputy), s.students[0].id, FATHER, "father")
    close_year(s.year)
    with nothing_written(), pytest.raises(Locked):
        guardians.add_guardian(s.actor(s.teacher), s.students[0].id, FATHER, "father")


def test_a_guardian_is_corrected(school):
    s = school
    mother = link_of(s.students[0], Guardian.get(Guardian.user == s.parent.id).id)
    data = GuardianData("Смирнова", "Елена", "Викторовна", "8 900 111-22-33", "")
    link = guardians.update_guardian(
        s.actor(s.teacher), s.students[0].id, mother.guardian_id, data, "guardian"
    )
    guardian = Guardian.get_by_id(mother.guardian_id)
    assert guardian.phone == "8 900 111-22-33" and link.relation == "guardian"
    assert [h.action for h in history_of(guardian)] == ["update"]
    assert [h.action for h in history_of(link)] == ["update"]


def test_correcting_refusals(school):
    s = school
    mother_id = Guardian.get(Guardian.user == s.parent.id).id
    other_id = Guardian.get(Guardian.user == s.other_parent.id).id
    with nothing_written(), pytest.raises(NotFound, match="not linked"):
        guardians.update_guardian(s.actor(s.teacher), s.students[1].id, mother_id, FATHER, "mother")
    with nothing_written(), pytest.raises(Forbidden):
        # another class's parent, through their own child: not this class teacher's
        guardians.update_guardian(
            s.actor(s.teacher), s.other_students[0].id, other_id, FATHER, "father"
        )
    with nothing_written(), pytest.raises(ValidationError):
        guardians.update_guardian(
            s.actor(s.teacher), s.students[0].id, mother_id, GuardianData("", ""), "mother"
        )


def test_unlink_keeps_the_guardian_and_the_account(school):
    s = school
    mother_id = Guardian.get(Guardian.user == s.parent.id).id
    link = link_of(s.students[0], mother_id)
    guardians.unlink_guardian(s.actor(s.teacher), s.students[0].id, mother_id)
    assert link_of(s.students[0], mother_id) is None
    assert Guardian.get_by_id(mother_id).user_id == s.parent.id
    assert User.get_by_id(s.parent.id).status == "active"
    assert [h.action for h in history_of(link)] == ["delete"]
    with nothing_written(), pytest.raises(NotFound):
        guardians.unlink_guardian(s.actor(s.teacher), s.students[0].id, mother_id)
    with nothing_written(), pytest.raises(Forbidden):
        guardians.unlink_guardian(s.actor(s.pe_teacher), s.students[0].id, mother_id)


def test_a_siblings_parent_is_found_and_linked(school):
    s = school
    mother_id = Guardian.get(Guardian.user == s.parent.id).id
    found = guardians.find_guardians(s.actor(s.teacher), s.students[3].id, "смир")
    assert [(f.guardian_id, f.children) for f in found] == [(mother_id, ["Смирнов А. (7А)"])]
    link = guardians.link_guardian(s.actor(s.teacher), s.students[3].id, mother_id, "mother")
    assert link.relation == "mother"
    assert [h.action for h in history_of(link)] == ["create"]
    # the linked child no longer finds her, and the first child's profile names the sibling
    assert guardians.find_guardians(s.actor(s.teacher), s.students[3].id, "Смир") == []
    # a class teacher finds parents of the whole school (a sibling may be in another class)
    found = guardians.find_guardians(s.actor(s.teacher), s.students[3].id, "Кузн")
    assert [f.children for f in found] == [["Кузнецова А. (8Б)"]]


def test_add_guardians_answers_each_request_as_add_or_link_would(school):
    s = school
    actor = s.actor(s.teacher)
    mother_id = Guardian.get(Guardian.user == s.parent.id).id
    request = guardians.GuardianRequest
    requests = [
        request(s.students[0].id, "father", data=FATHER),  # a new parent
        request(s.students[3].id, "father", same_as=0),  # …who is a sibling's father too
        request(s.students[1].id, "uncle", data=FATHER),
        request(s.students[1].id, "father", data=GuardianData("", "Игорь")),
        request(s.students[0].id, "mother", guardian_id=mother_id),  # linked already
        request(s.students[1].id, "mother", guardian_id="a" * 32),
        request(s.students[1].id, "aunt", guardian_id=mother_id),
        request(s.students[2].id, "uncle", same_as=2),  # the parent of a refused request
    ]
    results = guardians.add_guardians(actor, requests)
    singles = []
    for r in requests[2:7]:
        with nothing_written(), pytest.raises(EdiaryError) as refused:
            if r.data is not None:
                guardians.add_guardian(actor, r.student_id, r.data, r.relation)
            else:
                guardians.link_guardian(actor, r.student_id, r.guardian_id, r.relation)
        singles.append(refused.value)
    assert [(type(r), str(r)) for r in results[2:7]] == [(type(e), str(e)) for e in singles]
    assert results[7] is results[2]
    father, sibling = results[0], results[1]
    assert isinstance(father, StudentGuardian) and isinstance(sibling, StudentGuardian)
    guardian = Guardian.get_by_id(father.guardian_id)
    assert (guardian.last_name, guardian.phone) == ("Смирнов", "+7 912 000-11-22")
    assert link_of(s.students[3], guardian.id).relation == "father"
    assert [h.action for h in history_of(guardian)] == ["create"]
    assert [h.action for h in history_of(link_of(s.students[3], guardian.id))] == ["create"]
    with nothing_written():
        [refused] = guardians.add_guardians(s.actor(s.other_teacher), requests[:1])
    assert isinstance(refused, Forbidden)


def test_linking_refusals(school):
    s = school
    mother_id = Guardian.get(Guardian.user == s.parent.id).id
    with nothing_written(), pytest.raises(Conflict, match="already linked"):
        guardians.link_guardian(s.actor(s.teacher), s.students[0].id, mother_id, "mother")
    with nothing_written(), pytest.raises(NotFound):
        guardians.link_guardian(s.actor(s.teacher), s.students[1].id, "a" * 32, "mother")
    with nothing_written(), pytest.raises(ValidationError, match="relation"):
        guardians.link_guardian(s.actor(s.teacher), s.students[1].id, mother_id, "aunt")
    with nothing_written(), pytest.raises(Forbidden):
        guardians.link_guardian(s.actor(s.other_teacher), s.students[1].id, mother_id, "mother")
    with pytest.raises(ValidationError, match="at least 2 letters"):
        guardians.find_guardians(s.actor(s.teacher), s.students[1].id, " с ")
    with pytest.raises(Forbidden):
        guardians.find_guardians(s.actor(s.parent), s.students[1].id, "Смир")
