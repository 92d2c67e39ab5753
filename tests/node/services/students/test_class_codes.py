"""Access codes and slips for a class's students and parents, in one batch [R 3.2]."""

from __future__ import annotations

import datetime as dt
import stat

import pytest

from node.errors import Forbidden, NotFound, ValidationError
from node.models import AccessCode, Guardian, Student, StudentGuardian, User
from node.render.slips import slips_writer
from node.services.students import class_codes
from node.services.students.class_codes import slips_file_name
from tests.helpers import nothing_written


def test_the_whole_class_gets_codes_except_accounts_in_use(school, tmp_path):
    s = school
    Guardian.update(user=None).where(Guardian.user == s.parent.id).execute()  # mother: no account
    slips = tmp_path / "slips.html"
    codes = class_codes.issue_class_codes(
        s.actor(s.teacher), s.class_7a.id, write_slips=slips_writer(slips)
    )
    # four students without accounts (Смирнов has an active one) and the mother
    assert sorted(c.name for c in codes) == [
        "Алексеева Дарья",
        "Белов Кирилл",
        "Волкова Софья",
        "Григорьев Максим",
        "Смирнова Елена Викторовна",
    ]
    assert AccessCode.select().count() == 5
    page = slips.read_text(encoding="utf-8")
    assert all(c.code in page for c in codes)
    assert stat.S_IMODE(slips.stat().st_mode) == 0o600
    new_users = User.select().where(User.roles.in_(["student", "parent"]), User.status == "pending")
    assert new_users.count() == 5


def test_a_pending_account_gets_a_new_code_replacing_the_old(school):
    s = school
    first = class_codes.issue_class_codes(
        s.actor(s.teacher), s.class_7a.id, student_ids=[s.students[1].id], with_parents=False
    )
    again = class_codes.issue_class_codes(
        s.actor(s.teacher), s.class_7a.id, student_ids=[s.students[1].id]
    )
    assert [c.login for c in again] == [c.login for c in first]
    open_codes = AccessCode.select().where(AccessCode.revoked_at.is_null())
    assert open_codes.count() == 1


def test_a_shared_parent_gets_one_code(school):
    s = school
    mother = Guardian.create(last_name="Белова", first_name="Ольга")
    for student in s.students[1:3]:
        StudentGuardian.create(student=student, guardian=mother, relation="mother")
    codes = class_codes.issue_class_codes(
        s.actor(s.teacher),
        s.class_7a.id,
        student_ids=[s.students[1].id, s.students[2].id],
        with_students=False,
    )
    assert [c.name for c in codes] == ["Белова Ольга"]


def test_students_who_left_get_no_code(school):
    s = school
    for student in s.students[1:]:
        student.left_on = dt.date(2026, 11, 1)
        student.save()
    with nothing_written(), pytest.raises(ValidationError, match="nobody needs a new code"):
        class_codes.issue_class_codes(s.actor(s.teacher), s.class_7a.id)


def test_staff_and_disabled_accounts_are_left_to_the_sysadmin(school):
    s = school
    User.update(status="pending", roles="teacher parent").where(User.id == s.parent.id).execute()
    User.update(status="disabled").where(User.id == s.student_user.id).execute()
    with nothing_written(), pytest.raises(ValidationError, match="nobody needs a new code"):
        class_codes.issue_class_codes(
            s.actor(s.teacher), s.class_7a.id, student_ids=[s.students[0].id]
        )


def test_refusals_write_nothing(school, tmp_path):
    s = school
    # the administration sees the class but codes are the class teacher's [R 3.2]
    with nothing_written(), pytest.raises(Forbidden):
        class_codes.issue_class_codes(s.actor(s.deputy), s.class_7a.id)
    with nothing_written(), pytest.raises(Forbidden):
        class_codes.issue_class_codes(s.actor(s.teacher), s.class_8b.id)
    with nothing_written(), pytest.raises(Forbidden):
        class_codes.issue_class_codes(s.actor(s.pe_teacher), s.class_7a.id)
    with nothing_written(), pytest.raises(NotFound):
        class_codes.issue_class_codes(s.actor(s.teacher), "0" * 32)
    with nothing_written(), pytest.raises(ValidationError, match="is not in 7А"):
        class_codes.issue_class_codes(
            s.actor(s.teacher), s.class_7a.id, student_ids=[s.other_students[0].id]
        )
    with nothing_written(), pytest.raises(ValidationError, match="does not exist"):
        class_codes.issue_class_codes(
            s.actor(s.teacher),
            s.class_7a.id,
            write_slips=slips_writer(tmp_path / "no" / "slips.html"),
        )
    with nothing_written(), pytest.raises(ValidationError, match="1 to 90 days"):
        class_codes.issue_class_codes(s.actor(s.teacher), s.class_7a.id, valid_days=0)


def test_a_slips_file_that_cannot_be_written_issues_no_codes(school, tmp_path):
    s = school
    (tmp_path / "slips.html").mkdir()  # a folder where the file should go
    with nothing_written(), pytest.raises(OSError):
        class_codes.issue_class_codes(
            s.actor(s.teacher), s.class_7a.id, write_slips=slips_writer(tmp_path / "slips.html")
        )
    assert Student.get_by_id(s.students[1].id).user_id is None


def test_the_slips_file_is_named_after_the_class_and_time():
    at = dt.datetime(2026, 11, 25, 14, 30, 5)
    assert slips_file_name("7А", at) == "slips-7А-20261125-143005.html"
