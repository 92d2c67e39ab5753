"""Signing in and server-side sessions: one service for the Textual UI and the web page.

An unknown login and a wrong password get the same answer after the same work (a dummy
hash is checked for unknown logins), so nobody can probe which logins exist. Repeated
failures are throttled per account and per client address (``node.services.access.throttle``).

Sessions: the token is 256 random bits handed to the client once; only its SHA-256 is
stored (a plain hash suffices for a random token, and a stolen database then holds no usable
session). A session ends after ``IDLE`` without use or ``ABSOLUTE`` after sign-in, whichever
comes first: 12 hours idle signs out a forgotten classroom computer by the next morning,
and 30 days bounds how long a stolen token can live even if it is used every day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from node.errors import Forbidden
from node.i18n import _
from node.models import Session, User, db
from node.models.accounts import main_role
from node.services.access import throttle
from node.services.access.passwords import hash_password, needs_rehash, verify_password
from node.services.base import clock, history
from node.services.base.activity import record_activity
from node.services.base.actor import Actor
from node.services.base.lookup import get_user
from node.services.base.permissions import Action, ensure_allowed

IDLE = dt.timedelta(hours=12)
ABSOLUTE = dt.timedelta(days=30)
#: ``last_seen_at`` is written at most this often, so reading pages does not write each time.
TOUCH_EVERY = dt.timedelta(minutes=5)
TOKEN_BYTES = 32


class SignInFailed(Forbidden):
    """Wrong login or password (the same error for both, on purpose)."""


class SessionEnded(Forbidden):
    """The session token is unknown, expired or revoked: sign in again."""


@dataclass(frozen=True)
class SignedIn:
    """A new session: ``token`` goes to the client (cookie, TUI memory) and nowhere else."""

    token: str
    actor: Actor
    expires_at: dt.datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to check unknown logins against, so they cost as much as real ones."""
    return hash_password(secrets.token_hex(16))


def _wrong_credentials() -> SignInFailed:
    return SignInFailed(
        _(
            "Wrong login or password. If you have not activated your account yet, "
            "use the access code from your slip first."
        )
    )


def sign_in(login: str, password: str, *, client: str, address: str | None = None) -> SignedIn:
    """Check the login and password and open a session; raises ``SignInFailed``,
    ``throttle.Throttled`` (with the wait time) or ``Forbidden`` for a disabled account."""
    name = (login or "").strip().lower()
    dummy = _dummy_hash()  # made before any lookup, so the first unknown login costs no more
    keys = throttle.Keys.of("signin", name, address)
    where = address or client
    try:
        throttle.reserve(keys)
    except throttle.Throttled:
        record_activity("signin_failed", user_id=None, login=name, detail="throttled", client=where)
        raise
    user = User.get_or_none(User.login == name) if name else None
    stored = user.password_hash if user is not None and user.password_hash else None
    good = verify_password(password or "", stored or dummy) and stored is not None
    if user is None or not good:
        record_activity(
            "signin_failed",
            user_id=user.id if user else None,
            login=name,
            role=main_role(user.roles) if user else "",
            detail="wrong password" if user else "unknown login",
            client=where,
        )
        raise _wrong_credentials()
    if user.status == "disabled":
        throttle.succeeded(keys)
        record_activity(
            "signin_failed",
            user_id=user.id,
            login=name,
            role=main_role(user.roles),
            detail="disabled",
            client=where,
        )
        raise Forbidden(
            _("The account {login} is disabled; ask the system administrator.").format(login=name)
        )
    new_hash = hash_password(password) if needs_rehash(user.password_hash) else None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = clock.now()
    with db.atomic():
        if new_hash is not None:
            user.password_hash = new_hash
            user.save(only=[User.password_hash])
        Session.create(
            token_hash=token_hash(token),
            user=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + ABSOLUTE,
            client=where[:100],
        )
        throttle.succeeded(keys)
        record_activity(
            "signin", user_id=user.id, login=name, role=main_role(user.roles), client=where
        )
    return SignedIn(token=token, actor=Actor.from_user(user), expires_at=now + ABSOLUTE)


def _session_ended() -> SessionEnded:
    return SessionEnded(_("Your session has ended; sign in again."))


#: The session and its user in one indexed lookup (``session.token_hash`` is unique). Every
#: signed-in request asks it, so it is SQL read as plain tuples: the ORM spent more time
#: building the two queries it replaces, and their rows, than SQLite spent answering them.
_SESSION_SQL = """
SELECT u.id, u.login, u.roles, u.language, u.status,
       s.id, s.last_seen_at, s.expires_at, s.revoked_at
FROM session s JOIN user u ON u.id = s.user_id
WHERE s.token_hash = ?
"""


def resolve_session(token: str) -> Actor:
    """The actor behind a session token; ``SessionEnded`` if it is not valid any more.

    Read on every request, so a revoked session fails on its very next one. Only the idle
    clock is lazy: ``last_seen_at`` is written when it is ``TOUCH_EVERY`` old, not per page.
    """
    if not token:
        raise _session_ended()
    row = db.execute_sql(_SESSION_SQL, (token_hash(token),)).fetchone()
    if row is None:
        raise _session_ended()
    user_id, login, roles, language, status, session_id, seen, expires, revoked = row
    now = clock.now()
    seen = Session.last_seen_at.python_value(seen)
    if revoked is not None or Session.expires_at.python_value(expires) <= now or seen + IDLE <= now:
        raise _session_ended()
    user = User(id=user_id, login=login, roles=roles, language=language, status=status)
    actor = Actor.from_user(user)  # a disabled account raises Forbidden here
    if now - seen >= TOUCH_EVERY:
        Session.update(last_seen_at=now).where(Session.id == session_id).execute()
    return actor


def sign_out(token: str) -> None:
    """End the session of ``token`` (signing out twice is harmless)."""
    session = Session.get_or_none(Session.token_hash == token_hash(token or ""))
    if session is None or session.revoked_at is not None:
        return
    user = User.get_by_id(session.user_id)
    with db.atomic():
        Session.update(revoked_at=clock.now()).where(Session.id == session.id).execute()
        record_activity(
            "signout",
            user_id=user.id,
            login=user.login,
            role=main_role(user.roles),
            client=session.client,
        )


def end_sessions(user_id: str, *, keep_token: str | None = None) -> int:
    """Revoke the user's live sessions (but ``keep_token``'s); returns how many ended.

    For services that already checked permission; runs in the caller's transaction.
    """
    now = clock.now()
    query = Session.update(revoked_at=now).where(
        Session.user == user_id, Session.revoked_at.is_null(), Session.expires_at > now
    )
    if keep_token:
        query = query.where(Session.token_hash != token_hash(keep_token))
    return query.execute()


def revoke_all_for_user(actor: Actor, user_id: str) -> int:
    """The sysadmin signs a user out everywhere (a lost phone, a shared password)."""
    user = get_user(user_id)
    ensure_allowed(actor, Action.USERS_MANAGE)
    with db.atomic():
        ended = end_sessions(user.id)
        history.record(actor, "user", user.id, "update", {"sessions": [ended, 0]})
    return ended


def live_sessions(user_id: str) -> int:
    """How many sessions of the user could still be used now."""
    now = clock.now()
    return Session.live_for(user_id, now).where(Session.last_seen_at > now - IDLE).count()
