"""Activation and passwords: a code becomes the owner's own password; a password changes.

Both are throttled and logged for the activity report [R 8.1]; either ends the account's
other sessions.
"""

from __future__ import annotations

from node.errors import EdiaryError, ValidationError
from node.i18n import _
from node.models import AccessCode, User, db
from node.models.accounts import main_role
from node.services.access import throttle
from node.services.access.auth import end_sessions
from node.services.access.codes import code_matches
from node.services.access.password_policy import check_password
from node.services.access.passwords import hash_password, verify_password
from node.services.base import clock, history
from node.services.base.activity import record_activity
from node.services.base.actor import Actor
from node.services.base.lookup import get_user


def _code_refused(user: User | None, code: str) -> EdiaryError | None:
    """Why ``code`` cannot activate ``user`` now, or ``None`` if it can (in a transaction)."""
    wrong = ValidationError(
        _(
            "The login or the code is wrong. Check both on your slip (dashes and case do not "
            "matter) or ask for a new code."
        )
    )
    if user is None:
        return wrong
    codes = AccessCode.select().where(AccessCode.user == user.id).order_by(AccessCode.id.desc())
    match = next((row for row in codes.limit(20) if code_matches(code, row.code_hash)), None)
    if match is None:
        return wrong
    if match.used_at is not None:
        return ValidationError(
            _("This code has already been used. Sign in with your password, or ask for a new code.")
        )
    if match.revoked_at is not None:
        return ValidationError(
            _("This code was replaced by a newer one; use the newest slip you were given.")
        )
    if match.expires_at <= clock.now():
        return ValidationError(
            _("This code expired on {date}; ask for a new one.").format(
                date=match.expires_at.date().isoformat()
            )
        )
    if user.status == "disabled":
        return ValidationError(
            _("The account {login} is disabled; ask the system administrator.").format(
                login=user.login
            )
        )
    return None


def activate(
    login: str, code: str, new_password: str, *, client: str = "", address: str | None = None
) -> User:
    """Redeem an access code: set the user's own password, end their sessions.

    Exactly one of two simultaneous activations of one code succeeds: the code is taken in
    a write transaction (``BEGIN IMMEDIATE``) with ``used_at IS NULL`` as its condition.
    """
    name = (login or "").strip().lower()
    check_password(new_password, name)
    keys = throttle.Keys.of("activate", name, address)
    where = address or client
    try:
        throttle.reserve(keys)
    except throttle.Throttled:
        record_activity(
            "activation_failed", user_id=None, login=name, detail="throttled", client=where
        )
        raise
    new_hash = hash_password(new_password)
    user = User.get_or_none(User.login == name) if name else None
    try:
        with db.atomic():
            refusal = _code_refused(user, code)
            if refusal is not None:
                raise refusal
            assert user is not None
            _redeem(user, code, new_hash)
            throttle.succeeded(keys)
            record_activity(
                "activation", user_id=user.id, login=name, role=main_role(user.roles), client=where
            )
    except EdiaryError as exc:
        record_activity(
            "activation_failed",
            user_id=user.id if user else None,
            login=name,
            role=main_role(user.roles) if user else "",
            detail=str(exc)[:80],
            client=where,
        )
        raise
    return User.get_by_id(user.id)


def _redeem(user: User, code: str, new_hash: str) -> None:
    now = clock.now()
    open_codes = [row for row in AccessCode.open_for(user.id) if code_matches(code, row.code_hash)]
    taken = (
        AccessCode.update(used_at=now)
        .where(AccessCode.id == open_codes[0].id, AccessCode.used_at.is_null())
        .execute()
        if open_codes
        else 0
    )
    if taken != 1:
        raise ValidationError(
            _("This code has already been used. Sign in with your password, or ask for a new code.")
        )
    actor = Actor(user_id=user.id, login=user.login, roles=user.role_set)
    before = {"status": user.status, "password": "set" if user.password_hash else ""}
    User.update(password_hash=new_hash, status="active").where(User.id == user.id).execute()
    history.record(
        actor,
        "user",
        user.id,
        "update",
        history.diff(before, {"status": "active", "password": "new"}),
    )
    end_sessions(user.id)


def change_password(
    actor: Actor,
    current_password: str,
    new_password: str,
    *,
    keep_token: str | None = None,
    address: str | None = None,
) -> None:
    """The actor changes their own password; their other sessions end [R 7.2]."""
    if actor.user_id is None:
        raise ValidationError(_("Only a person signed in to their own account has a password."))
    user = get_user(actor.user_id)
    check_password(new_password, user.login)
    keys = throttle.Keys.of("password", user.login, address)
    throttle.reserve(keys)
    if not verify_password(current_password or "", user.password_hash):
        record_activity(
            "signin_failed",
            user_id=user.id,
            login=user.login,
            role=main_role(user.roles),
            detail="wrong current password",
            client=address or "",
        )
        raise ValidationError(_("The current password is wrong; nothing was changed."))
    if verify_password(new_password, user.password_hash):
        raise ValidationError(_("The new password is the same as the old one; choose another."))
    new_hash = hash_password(new_password)
    with db.atomic():
        User.update(password_hash=new_hash).where(User.id == user.id).execute()
        history.record(actor, "user", user.id, "update", {"password": ["old", "new"]})
        end_sessions(user.id, keep_token=keep_token)
        throttle.succeeded(keys)
        record_activity(
            "password_change",
            user_id=user.id,
            login=user.login,
            role=main_role(user.roles),
            client=address or "",
        )
