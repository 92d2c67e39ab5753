"""Access codes [R 3.2]: random, stored as a hash, issued by the sysadmin and by class teachers."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from node.errors import Forbidden, NotFound, ValidationError
from node.models import (
    AccessCode,
    Guardian,
    History,
    Student,
    StudentGuardian,
    User,
)
from node.services.access.activation import activate
from node.services.access.codes import (
    CODE_ALPHABET,
    issue_code,
    issue_guardian_code,
    issue_student_code,
    normalize_code,
)
from tests.node.services.access.accounts_support import GOOD, SYSTEM, counts

# --- codes -------------------------------------------------------------------------------------


def test_a_code_is_random_grouped_without_look_alikes_and_stored_only_as_apassword_hash(school):
    issued = issue_code(school.actor(school.sysadmin), school.other_teacher.id)
    groups = issued.code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4]
    assert set("".join(groups)) <= set(CODE_ALPHABET)
    assert not set("0O1IL2Z5S8B") & set(CODE_ALPHABET)
    assert 12 * math.log2(len(CODE_ALPHABET)) >= 50
    row = AccessCode.get(AccessCode.user == school.other_teacher.id)
    assert normalize_code(issued.code) not in row.code_hash and issued.code not in row.code_hash
    assert row.issued_by == "admin"
    assert row.expires_at - row.issued_at == dt.timedelta(days=14)
    # nothing in any table holds the code in clear
    for history in History.select():
        assert normalize_code(issued.code) not in normalize_code(history.changes)


def test_a_new_code_makes_older_ones_useless(school):
    first = issue_code(SYSTEM, school.other_teacher.id)
    second = issue_code(SYSTEM, school.other_teacher.id)
    with pytest.raises(ValidationError, match="replaced by a newer one"):
        activate("petrov", first.code, GOOD)
    activate("petrov", second.code, GOOD)


def test_staff_codes_come_from_the_sysadmin_only(school):
    for user in (school.director, school.teacher, school.deputy):
        with pytest.raises(Forbidden):
            issue_code(school.actor(user), school.other_teacher.id)
    # a parent's account is the class teacher's to give, through the child
    with pytest.raises(Forbidden):
        issue_code(school.actor(school.sysadmin), school.parent.id)


def test_a_class_teacher_gives_codes_to_their_own_students_and_parents(school):
    actor = school.actor(school.teacher)  # leads 7А
    pupil = school.students[1]  # no account yet
    issued = issue_student_code(actor, pupil.id)
    pupil = Student.get_by_id(pupil.id)
    account = User.get_by_id(pupil.user_id)
    assert (account.login, account.roles, account.status) == ("alekseeva.d", "student", "pending")
    assert issued.login == "alekseeva.d"
    # the existing parent of students[0]
    guardian = Guardian.get(Guardian.user == school.parent.id)
    issued = issue_guardian_code(actor, school.students[0].id, guardian.id)
    assert issued.login == "parent1"
    # a new parent without an account gets one
    mother = Guardian.create(last_name="Белова", first_name="Ольга")
    StudentGuardian.create(student=school.students[2], guardian=mother, relation="mother")
    issued = issue_guardian_code(actor, school.students[2].id, mother.id)
    assert issued.login == "belova.o"
    assert Guardian.get_by_id(mother.id).user_id == issued.user_id


def test_a_class_teacher_cannot_give_a_code_to_another_class_parent(school):
    """[R 3.2] Иванова leads 7А; the father of an 8Б student is not hers to give a code."""
    actor = school.actor(school.teacher)
    guardian = Guardian.get(Guardian.user == school.other_parent.id)
    before = counts()
    with pytest.raises(Forbidden):
        issue_guardian_code(actor, school.other_students[0].id, guardian.id)
    with pytest.raises(Forbidden):
        issue_student_code(actor, school.other_students[0].id)
    # nor by naming her own student with the other class's parent
    with pytest.raises(NotFound):
        issue_guardian_code(actor, school.students[0].id, guardian.id)
    assert counts() == before


def test_a_class_teacher_cannot_reset_a_colleague_through_their_child(school):
    """A teacher who is also a parent in 7А keeps a staff account only the sysadmin codes."""
    User.update(roles="teacher parent").where(User.id == school.pe_teacher.id).execute()
    dad = Guardian.create(last_name="Соколов", first_name="Денис", user=school.pe_teacher)
    StudentGuardian.create(student=school.students[3], guardian=dad, relation="father")
    before = counts()
    with pytest.raises(ValidationError, match="staff account"):
        issue_guardian_code(school.actor(school.teacher), school.students[3].id, dad.id)
    assert counts() == before
