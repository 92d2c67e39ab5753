"""Signing in, throttling and sessions: one service for the TUI and the web page."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden
from node.models import ActivityLog, Session, SignInThrottle, User
from node.services.access import auth, throttle
from node.services.access.auth import SignInFailed, resolve_session, sign_in, sign_out
from node.services.access.passwords import Argon2Params, hash_password
from node.services.access.staff import disable_user
from node.services.base import clock
from node.services.base.actor import Actor

PASSWORD = "Kapusta-na-okne-7"
T0 = dt.datetime(2026, 11, 25, 8, 0)


@pytest.fixture
def teacher(school):
    """Иванова with a password, at 08:00 on the school's test day."""
    User.update(password_hash=hash_password(PASSWORD)).where(User.id == school.teacher.id).execute()
    with clock.frozen_time(T0):
        yield school.teacher


def later(**delta) -> clock.frozen_time:
    return clock.frozen_time(T0 + dt.timedelta(**delta))


def test_signing_in_opens_a_session_whose_token_is_not_stored(teacher):
    signed = sign_in(" Ivanova ", PASSWORD, client="tui")
    assert signed.actor.user_id == teacher.id
    assert resolve_session(signed.token).login == "ivanova"
    stored = Session.get()
    assert stored.token_hash == auth.token_hash(signed.token) != signed.token
    assert (stored.client, stored.expires_at) == ("tui", T0 + auth.ABSOLUTE)
    log = ActivityLog.get(ActivityLog.kind == "signin")
    assert (log.user_id, log.role, log.client) == (teacher.id, "class_teacher", "tui")


def test_unknown_login_and_wrong_password_get_the_same_answer(teacher):
    with pytest.raises(SignInFailed) as unknown:
        sign_in("nobody", PASSWORD, client="web", address="10.0.0.2")
    with pytest.raises(SignInFailed) as wrong:
        sign_in("ivanova", "not-the-password", client="web", address="10.0.0.3")
    with pytest.raises(SignInFailed) as pending:
        sign_in("petrov", "whatever-it-is", client="web", address="10.0.0.4")  # no password
    assert str(unknown.value) == str(wrong.value) == str(pending.value)
    failed = ActivityLog.select().where(ActivityLog.kind == "signin_failed")
    assert failed.count() == 3
    assert Session.select().count() == 0


def test_guessing_passwords_is_throttled_with_a_growing_delay_and_logged(teacher):
    for _attempt in range(throttle.ACCOUNT_LIMIT.free):
        with pytest.raises(SignInFailed):
            sign_in("ivanova", "guess", client="tui")
    # locked: even the right password is not checked now, and the wait is given
    with pytest.raises(throttle.Throttled) as first:
        sign_in("ivanova", PASSWORD, client="tui")
    assert first.value.wait_seconds == 1
    with later(seconds=1), pytest.raises(SignInFailed):
        sign_in("ivanova", "guess", client="tui")
    with later(seconds=1), pytest.raises(throttle.Throttled) as second:
        sign_in("ivanova", "guess", client="tui")
    assert second.value.wait_seconds == 2
    assert SignInThrottle.get(SignInThrottle.key == "signin:login:ivanova").failures == 6
    logged = ActivityLog.select().where(ActivityLog.kind == "signin_failed")
    assert logged.count() == 8
    assert logged.where(ActivityLog.detail == "throttled").count() == 2
    # after the wait the right password works and the count is forgotten
    with later(seconds=3):
        sign_in("ivanova", PASSWORD, client="tui")
        assert throttle.failures("signin:login:ivanova") == 0


def test_the_delay_is_capped_and_forgotten_after_a_quiet_hour(teacher):
    assert throttle.ACCOUNT_LIMIT.delay(100) == dt.timedelta(minutes=15)
    SignInThrottle.create(
        key="signin:login:ivanova", failures=40, last_failure_at=T0, locked_until=T0
    )
    with later(hours=1, seconds=1):
        sign_in("ivanova", PASSWORD, client="tui")


def test_one_address_guessing_many_logins_is_throttled(teacher):
    for number in range(throttle.ADDRESS_LIMIT.free):
        with pytest.raises(SignInFailed):
            sign_in(f"user{number}", "guess", client="web", address="192.168.1.50")
    with pytest.raises(throttle.Throttled):
        sign_in("ivanova", PASSWORD, client="web", address="192.168.1.50")
    # another address is not affected
    sign_in("ivanova", PASSWORD, client="web", address="192.168.1.51")


def test_a_disabled_user_cannot_sign_in_and_their_sessions_end(school, teacher):
    signed = sign_in("ivanova", PASSWORD, client="web", address="10.0.0.7")
    disable_user(Actor.for_system(), teacher.id)
    with pytest.raises(Forbidden, match="session has ended"):
        resolve_session(signed.token)
    with pytest.raises(Forbidden, match="disabled"):
        sign_in("ivanova", PASSWORD, client="web", address="10.0.0.7")
    assert auth.live_sessions(teacher.id) == 0


def test_a_session_ends_when_idle_and_at_its_absolute_limit(teacher):
    signed = sign_in("ivanova", PASSWORD, client="web")
    with later(hours=11):
        resolve_session(signed.token)  # used: the idle clock restarts
    with later(hours=22):
        resolve_session(signed.token)
    with later(hours=22 + 12), pytest.raises(Forbidden, match="session has ended"):
        resolve_session(signed.token)
    kept = sign_in("ivanova", PASSWORD, client="web")
    for hours in range(10, 30 * 24, 10):  # used every ten hours for a month
        with later(hours=hours):
            resolve_session(kept.token)
    with later(days=30), pytest.raises(Forbidden):
        resolve_session(kept.token)


def test_signing_out_and_revoking_everywhere(school, teacher):
    one = sign_in("ivanova", PASSWORD, client="tui")
    two = sign_in("ivanova", PASSWORD, client="web")
    sign_out(one.token)
    sign_out(one.token)  # twice is harmless
    with pytest.raises(Forbidden):
        resolve_session(one.token)
    assert resolve_session(two.token).login == "ivanova"
    with pytest.raises(Forbidden):
        auth.revoke_all_for_user(school.actor(school.director), teacher.id)
    assert auth.revoke_all_for_user(school.actor(school.sysadmin), teacher.id) == 1
    with pytest.raises(Forbidden):
        resolve_session(two.token)
    with pytest.raises(Forbidden):
        resolve_session("")


def test_an_old_hash_is_upgraded_at_sign_in(teacher, production_password_cost):
    weak = Argon2Params(memory_kib=1024, iterations=1, lanes=1)
    User.update(password_hash=hash_password(PASSWORD, params=weak)).where(
        User.id == teacher.id
    ).execute()
    sign_in("ivanova", PASSWORD, client="tui")
    stored = User.get_by_id(teacher.id).password_hash
    assert "m=19456" in stored
    sign_in("ivanova", PASSWORD, client="tui")
