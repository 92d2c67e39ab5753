"""Accounts and access codes [R 3.2, 7.2]: staff accounts, the staff CSV, codes issued by the
sysadmin and by class teachers, activation, the password policy and password changes."""

from __future__ import annotations

import datetime as dt
import math
import threading

import pytest

from node.errors import Conflict, Forbidden, NotFound, ValidationError
from node.models import (
    AccessCode,
    ActivityLog,
    Guardian,
    History,
    Session,
    Student,
    StudentGuardian,
    User,
)
from node.services.access import auth
from node.services.access.activation import activate, change_password
from node.services.access.codes import (
    CODE_ALPHABET,
    issue_code,
    issue_guardian_code,
    issue_student_code,
    normalize_code,
)
from node.services.access.logins import find_user
from node.services.access.password_policy import check_password
from node.services.access.passwords import verify_password
from node.services.access.staff import (
    create_staff_user,
    disable_user,
    enable_user,
    import_staff,
    list_users,
)
from node.services.base import clock
from node.services.base.actor import Actor

SYSTEM = Actor.for_system()
GOOD = "Kapusta-na-okne-7"


def counts() -> dict[str, int]:
    models = (User, AccessCode, History, Session, Student, Guardian, StudentGuardian)
    return {m.__name__: m.select().count() for m in models}


def user_row(login: str) -> tuple:
    user = User.get(User.login == login)
    return (user.status, user.password_hash, user.roles)


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
        User.update(password_hash=_hash(GOOD)).where(User.id == school.teacher.id).execute()
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


# --- codes -------------------------------------------------------------------------------------


def test_a_code_is_random_grouped_without_look_alikes_and_stored_only_as_a_hash(school):
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


# --- activation --------------------------------------------------------------------------------


def _hash(password: str) -> str:
    from node.services.access.passwords import hash_password

    return hash_password(password)


def test_activation_sets_the_own_password_and_ends_sessions(school):
    User.update(password_hash=_hash("Old-password-1")).where(
        User.id == school.other_teacher.id
    ).execute()
    old_session = auth.sign_in("petrov", "Old-password-1", client="web")
    issued = issue_code(SYSTEM, school.other_teacher.id)
    # a code typed in lower case, with spaces and Cyrillic look-alikes still works
    typed = issued.code.lower().replace("-", " ").replace("a", "а").replace("c", "с")
    user = activate("Petrov", typed, GOOD, client="tui")
    assert user.status == "active" and verify_password(GOOD, user.password_hash)
    assert not verify_password("Old-password-1", user.password_hash)
    with pytest.raises(Forbidden, match="session has ended"):
        auth.resolve_session(old_session.token)
    assert AccessCode.get(AccessCode.user == user.id).used_at is not None
    assert ActivityLog.select().where(ActivityLog.kind == "activation").count() == 1
    # the password never reaches history
    for history in History.select().where(History.entity_id == user.id):
        assert "argon2" not in history.changes
    auth.sign_in("petrov", GOOD, client="tui")


def _refused(login: str, code: str, text: str) -> None:
    before = counts()
    rows = {u.login: user_row(u.login) for u in User.select()}
    with pytest.raises(ValidationError, match=text):
        activate(login, code, GOOD)
    assert counts() == before
    assert {u.login: user_row(u.login) for u in User.select()} == rows


def test_an_expired_code_is_refused_and_nothing_changes(school):
    issued = issue_code(SYSTEM, school.other_teacher.id)
    with clock.frozen_time(clock.now() + dt.timedelta(days=14, seconds=1)):
        _refused("petrov", issued.code, "expired on 2026-12-09; ask for a new one")


def test_a_used_code_is_refused_and_nothing_changes(school):
    issued = issue_code(SYSTEM, school.other_teacher.id)
    activate("petrov", issued.code, GOOD)
    _refused("petrov", issued.code, "already been used")


def test_a_mistyped_code_or_login_is_refused_and_nothing_changes(school):
    issued = issue_code(SYSTEM, school.other_teacher.id)
    wrong = issued.code[:-1] + ("A" if issued.code[-1] != "A" else "C")
    _refused("petrov", wrong, "The login or the code is wrong")
    _refused("ivanova", issued.code, "The login or the code is wrong")
    _refused("nobody", issued.code, "The login or the code is wrong")
    assert ActivityLog.select().where(ActivityLog.kind == "activation_failed").count() == 3


@pytest.mark.parametrize(
    ("password", "text"),
    [
        ("short", "too short"),
        ("petrov", "too short"),
        ("PETROV.O", "not be your login"),
        ("зуекщмющ", "not be your login"),  # "petrov.o" typed on the Russian layout
        ("password1", "too common"),
        ("qwertyuiop", "too common"),
        ("йцукенгшщз", "too common"),
        ("ЙЦУКЕНГШЩЗ", "too common"),
        ("qwertyuiop".translate(str.maketrans("qwertyuiop", "йцукенгшщз")), "too common"),
        ("x" * 300, "too long"),
    ],
)
def test_the_password_policy(school, password, text):
    with pytest.raises(ValidationError, match=text):
        check_password(password, "petrov.o")


def test_a_weak_new_password_does_not_use_up_the_code(school):
    issued = issue_code(SYSTEM, school.other_teacher.id)
    before = counts()
    with pytest.raises(ValidationError, match="too common"):
        activate("petrov", issued.code, "qwerty123")
    assert counts() == before
    activate("petrov", issued.code, GOOD)


def test_guessing_codes_is_throttled_and_logged(school):
    issued = issue_code(SYSTEM, school.other_teacher.id)
    for _attempt in range(5):
        with pytest.raises(ValidationError):
            activate("petrov", "AAAA-AAAA-AAAA", GOOD, address="10.0.0.9")
    with pytest.raises(Forbidden, match="Too many failed attempts") as caught:
        activate("petrov", issued.code, GOOD, address="10.0.0.9")
    assert caught.value.wait_seconds >= 1
    assert AccessCode.get(AccessCode.user == school.other_teacher.id).used_at is None
    failed = ActivityLog.select().where(ActivityLog.kind == "activation_failed")
    assert failed.count() == 6
    with clock.frozen_time(clock.now() + dt.timedelta(seconds=caught.value.wait_seconds)):
        activate("petrov", issued.code, GOOD, address="10.0.0.9")


def test_two_activations_of_one_code_at_once_exactly_one_succeeds(database):
    """Real threads, each with its own SQLite connection, released together by a barrier."""

    def attempt(
        barrier: threading.Barrier, results: list[str], name: str, code: str, number: int
    ) -> None:
        barrier.wait()
        try:
            activate(name, code, f"Parol-dlya-{number}-xyz")
            results.append("ok")
        except ValidationError:
            results.append("refused")

    for round_number in range(3):
        login = f"teacher{round_number}"
        user = create_staff_user(SYSTEM, login, "Тестова Анна Петровна", "teacher")
        issued = issue_code(SYSTEM, user.id)
        results: list[str] = []
        barrier = threading.Barrier(4)
        threads = [
            threading.Thread(target=attempt, args=(barrier, results, login, issued.code, n))
            for n in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == ["ok", "refused", "refused", "refused"]
        winner = User.get_by_id(user.id)
        matches = [
            n for n in range(4) if verify_password(f"Parol-dlya-{n}-xyz", winner.password_hash)
        ]
        assert len(matches) == 1


# --- changing the password ---------------------------------------------------------------------


def test_changing_the_password_ends_the_other_sessions(school):
    User.update(password_hash=_hash(GOOD)).where(User.id == school.teacher.id).execute()
    here = auth.sign_in("ivanova", GOOD, client="tui")
    phone = auth.sign_in("ivanova", GOOD, client="web", address="10.0.0.5")
    change_password(here.actor, GOOD, "Novyi-parol-2026", keep_token=here.token)
    assert auth.resolve_session(here.token).login == "ivanova"
    with pytest.raises(Forbidden):
        auth.resolve_session(phone.token)
    auth.sign_in("ivanova", "Novyi-parol-2026", client="tui")


def test_a_wrong_current_password_changes_nothing(school):
    User.update(password_hash=_hash(GOOD)).where(User.id == school.teacher.id).execute()
    here = auth.sign_in("ivanova", GOOD, client="tui")
    stored = User.get_by_id(school.teacher.id).password_hash
    with pytest.raises(ValidationError, match="current password is wrong"):
        change_password(here.actor, "not-it-at-all", "Novyi-parol-2026")
    with pytest.raises(ValidationError, match="too common"):
        change_password(here.actor, GOOD, "password123")
    assert User.get_by_id(school.teacher.id).password_hash == stored
    assert auth.resolve_session(here.token).login == "ivanova"


def test_the_system_has_no_password_to_change(school):
    with pytest.raises(ValidationError):
        change_password(SYSTEM, "a", GOOD)


def test_accounts_module_exposes_a_find_by_login(school):
    assert find_user(" IVANOVA ").id == school.teacher.id
    with pytest.raises(NotFound, match="«ghost»"):
        find_user("ghost")
