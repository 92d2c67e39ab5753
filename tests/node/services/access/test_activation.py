"""Activation and passwords [R 7.2]: a code becomes the owner's own password, the password
policy, and changing a password."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from node.errors import Forbidden, ValidationError
from node.models import (
    AccessCode,
    ActivityLog,
    History,
    User,
)
from node.services.access import auth
from node.services.access.activation import activate, change_password
from node.services.access.codes import (
    issue_code,
)
from node.services.access.password_policy import check_password
from node.services.access.passwords import verify_password
from node.services.access.staff import (
    create_staff_user,
)
from node.services.base import clock
from tests.node.services.access.accounts_support import (
    GOOD,
    SYSTEM,
    counts,
    hashed_password,
    user_row,
)

# --- activation --------------------------------------------------------------------------------


def test_activation_sets_the_own_password_and_ends_sessions(school):
    User.update(password_hash=hashed_password("Old-password-1")).where(
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
    User.update(password_hash=hashed_password(GOOD)).where(User.id == school.teacher.id).execute()
    here = auth.sign_in("ivanova", GOOD, client="tui")
    phone = auth.sign_in("ivanova", GOOD, client="web", address="10.0.0.5")
    change_password(here.actor, GOOD, "Novyi-parol-2026", keep_token=here.token)
    assert auth.resolve_session(here.token).login == "ivanova"
    with pytest.raises(Forbidden):
        auth.resolve_session(phone.token)
    auth.sign_in("ivanova", "Novyi-parol-2026", client="tui")


def test_a_wrong_current_password_changes_nothing(school):
    User.update(password_hash=hashed_password(GOOD)).where(User.id == school.teacher.id).execute()
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
