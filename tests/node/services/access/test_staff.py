"""Staff accounts [R 3.2]: made by the sysadmin one by one or from the staff CSV, listed,
disabled."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Conflict, Forbidden, ValidationError
from node.models import (
    AccessCode,
    History,
    User,
)
from node.services.access import auth
from node.services.access.activation import activate
from node.services.access.codes import (
    issue_code,
)
from node.services.access.staff import (
    change_staff,
    create_staff_user,
    disable_user,
    enable_user,
    import_staff,
    list_users,
)
from node.services.base import clock
from tests.node.services.access.accounts_support import GOOD, SYSTEM, counts, hashed_password

# --- staff accounts ----------------------------------------------------------------------------


def test_the_sysadmin_adds_a_staff_account_waiting_for_its_code(school):
    actor = school.actor(school.sysadmin)
    user = create_staff_user(
        actor, " Orlov ", "Орлов Павел Сергеевич", "teacher class-teacher", language="en"
    )
    assert (user.login, user.status, user.password_hash) == ("orlov", "pending", None)
    assert user.role_set == {"teacher", "class_teacher"}
    assert (user.last_name, user.first_name, user.middle_name) == ("Орлов", "Павел", "Сергеевич")
    assert History.select().where(History.entity_id == user.id).count() == 1


@pytest.mark.parametrize(
    ("login", "name", "roles", "error", "text"),
    [
        ("x y", "Орлов Павел", "teacher", ValidationError, "cannot be a login"),
        ("орлов", "Орлов Павел", "teacher", ValidationError, "cannot be a login"),
        ("orlov", "Орлов", "teacher", ValidationError, "full name"),
        ("orlov", "Орлов Павел", "wizard", ValidationError, "Unknown role «wizard»"),
        ("orlov", "Орлов Павел", "", ValidationError, "at least one role"),
        ("orlov", "Орлов Павел", "parent", ValidationError, "Unknown role «parent»"),
        ("Ivanova", "Иванова Мария", "teacher", Conflict, "already taken"),
    ],
)
def test_bad_staff_accounts_are_refused_and_nothing_is_written(
    school, login, name, roles, error, text
):
    before = counts()
    with pytest.raises(error, match=text):
        create_staff_user(school.actor(school.sysadmin), login, name, roles)
    assert counts() == before


def test_only_the_sysadmin_manages_accounts(school):
    for user in (school.director, school.teacher, school.parent):
        with pytest.raises(Forbidden):
            create_staff_user(school.actor(user), "orlov", "Орлов Павел", "teacher")
        with pytest.raises(Forbidden):
            list_users(school.actor(user))
        with pytest.raises(Forbidden):
            disable_user(school.actor(user), school.other_teacher.id)


def test_list_users_by_role(school):
    logins = [u.login for u in list_users(SYSTEM, role="class-teacher")]
    assert logins == ["ivanova"]
    assert len(list_users(SYSTEM)) == User.select().count()


def test_disabling_ends_sessions_and_codes_and_enabling_restores(school):
    with clock.frozen_time(dt.datetime(2026, 11, 25, 9, 0)):
        User.update(password_hash=hashed_password(GOOD)).where(
            User.id == school.teacher.id
        ).execute()
        session = auth.sign_in("ivanova", GOOD, client="tui")
        code = issue_code(SYSTEM, school.teacher.id)
        disable_user(school.actor(school.sysadmin), school.teacher.id)
        assert User.get_by_id(school.teacher.id).status == "disabled"
        with pytest.raises(Forbidden, match="session has ended"):
            auth.resolve_session(session.token)
        with pytest.raises(ValidationError, match="replaced by a newer one"):
            activate("ivanova", code.code, "Another-password-9")
        with pytest.raises(Forbidden, match="disabled"):
            auth.sign_in("ivanova", GOOD, client="tui")
        enable_user(school.actor(school.sysadmin), school.teacher.id)
        assert User.get_by_id(school.teacher.id).status == "active"
        auth.sign_in("ivanova", GOOD, client="tui")


def test_the_sysadmin_cannot_disable_themselves(school):
    before = counts()
    with pytest.raises(ValidationError, match="your own account"):
        disable_user(school.actor(school.sysadmin), school.sysadmin.id)
    assert counts() == before


def test_a_staff_name_and_roles_change_but_a_role_in_use_stays(school):
    admin = school.actor(school.sysadmin)
    change_staff(admin, school.deputy.id, "Орлова Анна Павловна", "завуч, учитель")
    deputy = User.get_by_id(school.deputy.id)
    assert (deputy.last_name, deputy.role_set) == ("Орлова", {"deputy", "teacher"})
    before = counts()
    with pytest.raises(ValidationError, match="from yourself"):
        change_staff(admin, school.sysadmin.id, school.sysadmin.full_name, "director")
    with pytest.raises(Conflict, match="only sysadmin"):
        change_staff(SYSTEM, school.sysadmin.id, school.sysadmin.full_name, "director")
    with pytest.raises(Conflict, match="journals"):
        change_staff(admin, school.teacher.id, school.teacher.full_name, "deputy")
    with pytest.raises(ValidationError, match="not a staff account"):
        change_staff(admin, school.parent.id, "Смирнова Елена", "teacher")
    with pytest.raises(Forbidden):
        change_staff(school.actor(school.teacher), school.deputy.id, "Орлова Анна", "deputy")
    assert counts() == before


# --- the staff CSV -----------------------------------------------------------------------------

STAFF_CSV = (
    "login;name;roles\norlov;Орлов Павел Сергеевич;teacher class-teacher\nzueva;Зуева Анна;завуч\n"
)


@pytest.mark.parametrize(
    "data",
    [
        STAFF_CSV.encode("utf-8"),
        b"\xef\xbb\xbf" + STAFF_CSV.encode("utf-8"),
        STAFF_CSV.replace(";", ",").encode("utf-8"),
        ("логин;ФИО;роли\r\n" + STAFF_CSV.split("\n", 1)[1].replace("\n", "\r\n")).encode(),
    ],
    ids=["utf8", "bom", "comma", "russian-header-crlf"],
)
def test_a_staff_csv_is_imported_with_codes(school, data):
    issued = import_staff(SYSTEM, data)
    assert [c.login for c in issued] == ["orlov", "zueva"]
    assert User.get(User.login == "zueva").role_set == {"deputy"}
    assert User.get(User.login == "orlov").role_set == {"teacher", "class_teacher"}
    assert AccessCode.select().count() == 2


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (STAFF_CSV + "bad;Плохой;teacher\n", "Line 4: Write the full name"),
        (STAFF_CSV + "ivanova;Иванова Мария;teacher\n", "Line 4: The login «ivanova» is already"),
        (STAFF_CSV + "orlov;Орлов Пётр;teacher\n", "Line 4: The login «orlov» is also on line 2"),
        (STAFF_CSV + "kim;Ким Олег;teacher;extra\n", "Line 4: 4 fields"),
        (STAFF_CSV + "kim;Ким Олег;dancer\n", "Line 4: Unknown role «dancer»"),
        ("login;name\norlov;Орлов Павел\n", "missing: roles"),
        ("", "empty"),
        ("login;name;roles\n", "no people"),
    ],
)
def test_a_bad_staff_csv_imports_nothing_and_names_the_line(school, data, text):
    before = counts()
    with pytest.raises((ValidationError, Conflict), match=text) as caught:
        import_staff(SYSTEM, data.encode("utf-8"))
    if "Line" in text:
        assert "Nothing was imported" in str(caught.value)
    assert counts() == before


def test_a_csv_that_is_not_utf8_says_how_to_save_it(school):
    before = counts()
    with pytest.raises(ValidationError, match="CSV UTF-8"):
        import_staff(SYSTEM, STAFF_CSV.encode("cp1251"))
    assert counts() == before
