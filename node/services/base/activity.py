"""The activity log: who signed in, who failed to, who made entries, who viewed pages.

It feeds the monthly activity report [R 8.1] (built in the administration issue). Writes
are cheap single inserts; a service that logs an entry calls ``log_activity`` inside its own
write transaction, so an entry and its log line are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from node.errors import ValidationError
from node.i18n import _
from node.models import ActivityLog, User
from node.models.accounts import ACTIVITY_KINDS, main_role
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.school_time import school_zone

#: Longest detail kept: a log line names what happened, it does not copy the data.
MAX_DETAIL = 200


def record_activity(
    kind: str,
    *,
    user_id: str | None,
    login: str,
    role: str = "",
    detail: str = "",
    client: str = "",
) -> ActivityLog:
    """Write one log line; for events without a signed-in actor (sign-in, activation)."""
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    return ActivityLog.create(
        at=clock.now(),
        user_id=user_id,
        login=login[:100],
        role=role,
        kind=kind,
        detail=detail[:MAX_DETAIL],
        client=client[:100],
    )


def log_activity(actor: Actor, kind: str, *, detail: str = "", client: str = "") -> ActivityLog:
    """Log what ``actor`` just did; called by a service after its own permission check.

    The role is read from the account (not from the actor), so the report counts a person
    under the role they hold when the log line is written.
    """
    role = ""
    if actor.user_id is not None:
        row = User.select(User.roles).where(User.id == actor.user_id).first()
        role = main_role(row.roles) if row else ""
    elif actor.system:
        role = "system"
    return record_activity(
        kind, user_id=actor.user_id, login=actor.login, role=role, detail=detail, client=client
    )


# --- what the monthly report needs ---------------------------------------------------------


@dataclass(frozen=True)
class UserActivity:
    user_id: str | None
    login: str
    role: str
    kind: str
    count: int


@dataclass(frozen=True)
class RoleActivity:
    role: str
    kind: str
    events: int
    users: int


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The month in the school's time zone, as naive UTC times [start, end)."""
    if not (1 <= month <= 12 and 2000 <= year <= 2200):
        raise ValidationError(
            _("«{year}-{month}» is not a month: give a year and a month from 1 to 12.").format(
                year=year, month=month
            )
        )
    zone = school_zone()
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return (
        start.astimezone(dt.UTC).replace(tzinfo=None),
        end.astimezone(dt.UTC).replace(tzinfo=None),
    )


def _in_month(year: int, month: int) -> pw.Expression:
    start, end = month_bounds(year, month)
    return (ActivityLog.at >= start) & (ActivityLog.at < end)


def activity_by_user(actor: Actor, year: int, month: int) -> list[UserActivity]:
    """Per user and kind of activity: how many times in the month (uses the ``at`` index)."""
    ensure_allowed(actor, Action.REPORTS_VIEW)
    count = pw.fn.COUNT(ActivityLog.id)
    query = (
        ActivityLog.select(
            ActivityLog.user_id, ActivityLog.login, ActivityLog.role, ActivityLog.kind, count
        )
        .where(_in_month(year, month))
        .group_by(ActivityLog.user_id, ActivityLog.login, ActivityLog.role, ActivityLog.kind)
        .order_by(ActivityLog.role, ActivityLog.login, ActivityLog.kind)
        .tuples()
    )
    return [UserActivity(*row) for row in query]


def activity_by_role(actor: Actor, year: int, month: int) -> list[RoleActivity]:
    """Per role and kind: events in the month and how many different users made them."""
    ensure_allowed(actor, Action.REPORTS_VIEW)
    query = (
        ActivityLog.select(
            ActivityLog.role,
            ActivityLog.kind,
            pw.fn.COUNT(ActivityLog.id),
            pw.fn.COUNT(ActivityLog.user_id.distinct()),
        )
        .where(_in_month(year, month))
        .group_by(ActivityLog.role, ActivityLog.kind)
        .order_by(ActivityLog.role, ActivityLog.kind)
        .tuples()
    )
    return [RoleActivity(*row) for row in query]
