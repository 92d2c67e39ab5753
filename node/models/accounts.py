"""Access: one-time access codes, sign-in sessions, sign-in throttles and the activity log.

Codes, sessions and throttle counters are node-local secrets (plain ``BaseModel`` rows with
integer keys, never synced): a code is redeemed and a session lives on the node that issued
it, and copying them to a laptop would only widen where a stolen token works. The password
itself travels with the synced ``User`` row, so an activated teacher can sign in offline on
a replica. The activity log *is* synced (UUID keys): entries made on a teacher's laptop must
reach the hub's monthly activity report [R 8.1], and its rows are append-only, so merging
them is trivial.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from node.models.base import BaseModel, Reach, SyncModel
from node.models.people import User

#: What the activity log records; the monthly report [R 8.1] counts them per user and role.
ACTIVITY_KINDS = (
    "signin",
    "signin_failed",
    "signout",
    "activation",
    "activation_failed",
    "password_change",
    "mark",
    "attendance",
    "topic",
    "homework",
    "message",
    "view",
)

#: The one role a person is counted under in reports, highest first: a director who also
#: teaches is counted as administration, a teacher who is also a parent as a teacher.
ROLE_PRECEDENCE = (
    "sysadmin",
    "director",
    "deputy",
    "class_teacher",
    "teacher",
    "parent",
    "student",
)


def main_role(roles: str | frozenset[str] | set[str]) -> str:
    """The role a person with ``roles`` (a set or the space-separated text) is counted as."""
    given = set(roles.split()) if isinstance(roles, str) else set(roles)
    return next((role for role in ROLE_PRECEDENCE if role in given), "")


class AccessCode(BaseModel):
    """A one-time code that lets a user set their own password [R 3.2, 7.2].

    Only a keyed hash of the code is stored (``salt$hmac``); a code is usable while
    ``used_at`` and ``revoked_at`` are empty and ``expires_at`` has not passed.
    """

    user = pw.ForeignKeyField(User, backref="access_codes", on_delete="CASCADE")
    code_hash = pw.TextField()
    issued_by = pw.TextField(default="")  # the issuer's login (text: outlives the account)
    issued_at = pw.DateTimeField()
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)
    revoked_at = pw.DateTimeField(null=True)

    @classmethod
    def open_for(cls, user_id: str) -> pw.ModelSelect:
        """The user's codes not yet used nor revoked (expired ones included)."""
        return cls.select().where(
            cls.user == user_id, cls.used_at.is_null(), cls.revoked_at.is_null()
        )


class Session(BaseModel):
    """A signed-in user on one client; the token itself is never stored, only its hash."""

    token_hash = pw.TextField(unique=True)
    user = pw.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = pw.DateTimeField()
    last_seen_at = pw.DateTimeField()
    expires_at = pw.DateTimeField()
    revoked_at = pw.DateTimeField(null=True)
    client = pw.TextField(default="")

    @classmethod
    def live_for(cls, user_id: str, moment: dt.datetime) -> pw.ModelSelect:
        return cls.select().where(
            cls.user == user_id, cls.revoked_at.is_null(), cls.expires_at > moment
        )


class SignInThrottle(BaseModel):
    """Failure counts of one key (``signin:login:ivanova``, ``activate:addr:10.0.0.7``).

    Kept in the database, not in memory, so that ``serve``, the TUI and the CLI running at
    once share them; ``locked_until`` is when the next attempt may be checked.
    """

    key = pw.TextField(primary_key=True)
    failures = pw.IntegerField(default=0)
    last_failure_at = pw.DateTimeField(index=True)
    locked_until = pw.DateTimeField(null=True)


class ActivityLog(SyncModel):
    """One thing a user did: signed in, failed to, made an entry, viewed a page [R 8.1].

    ``user_id`` is text (not a foreign key) so the log outlives accounts and can hold
    failed sign-ins for logins that do not exist; ``role`` is the user's ``main_role``.
    """

    reach = Reach.OWN_RULE

    at = pw.DateTimeField()
    user_id = pw.TextField(null=True)
    login = pw.TextField(default="")
    role = pw.TextField(default="")
    kind = pw.TextField()
    detail = pw.TextField(default="")
    client = pw.TextField(default="")

    class Meta:
        indexes = (
            (("at",), False),
            (("user_id", "at"), False),
            (("kind", "at"), False),
        )
