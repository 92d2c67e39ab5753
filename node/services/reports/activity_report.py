"""User activity for a month [R 8.1]: per role and per user, from the activity log.

Sign-ins are ``signin`` lines; entries are marks, attendance, topics, homework and messages;
"opened their page" is a ``view`` line (the web page writes them). The per-kind counts come
from ``node.services.base.activity``; this module adds the last-active time and the shares.

Substitutions (замены) are the lessons a teacher taught for another in the month: held
(not cancelled) lessons dated in the month up to today, with that teacher as substitute —
the lessons journal control counts for them [R 3.4, 3.5]. A substitute who wrote nothing
still has a line.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from peewee import fn

from node.i18n import _
from node.models import ActivityLog, User, db
from node.models.accounts import main_role
from node.services.base import clock
from node.services.base.activity import activity_by_role, activity_by_user, month_bounds
from node.services.base.actor import Actor
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.school_time import local_time, school_zone
from node.services.reports.table import Cell, Table, percent

ENTRY_KINDS = frozenset({"mark", "attendance", "topic", "homework", "message"})
#: Roles whose share of people who opened their page is reported.
PAGE_ROLES = ("parent", "student")

#: Per substitute: held lessons of the days [?, ?] they taught for another teacher.
_SUBSTITUTED_SQL = """
SELECT u.id, u.login, u.roles, COUNT(*) FROM substitution sb
JOIN lesson l ON l.id = sb.lesson_id
JOIN user u ON u.id = sb.teacher_id
WHERE l.date BETWEEN ? AND ? AND l.status != 'cancelled'
GROUP BY u.id, u.login, u.roles
"""

_ACCOUNTS_SQL = """
SELECT COUNT(*) FROM user WHERE status = 'active' AND (' ' || roles || ' ') LIKE ?
"""


@dataclass(frozen=True)
class ActivityRow:
    role: str
    login: str  # empty on a role's line
    sign_ins: int
    entries: int
    views: int
    users: int  # on a role's line: different people; on a user's line: 1
    last_active: dt.datetime | None  # on the school's clock (naive)
    substituted: int = 0  # lessons taught as a substitute (замены)


@dataclass(frozen=True)
class PageShare:
    role: str
    accounts: int  # active accounts with the role
    opened: int  # of them, opened their page in the month

    @property
    def share(self) -> float | None:
        return percent(self.opened, self.accounts)


@dataclass(frozen=True)
class ActivityReport:
    year: int
    month: int
    roles: list[ActivityRow]
    users: list[ActivityRow]
    pages: list[PageShare]


def activity_report(actor: Actor, year: int, month: int) -> ActivityReport:
    """The month's activity; works (with zeros) before any page views exist."""
    ensure_allowed(actor, Action.REPORTS_VIEW)
    start, end = month_bounds(year, month)
    zone = school_zone()
    last: dict[tuple[str | None, str], dt.datetime] = {}
    for user_id, login, at in (
        ActivityLog.select(ActivityLog.user_id, ActivityLog.login, fn.MAX(ActivityLog.at))
        .where(ActivityLog.at >= start, ActivityLog.at < end)
        .group_by(ActivityLog.user_id, ActivityLog.login)
        .tuples()
    ):
        last[user_id, login] = local_time(_as_datetime(at), zone)
    users: dict[tuple[str | None, str], dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for used in activity_by_user(actor, year, month):
        entry = users[used.user_id, used.login]
        entry["role"] = used.role
        entry[_bucket(used.kind)] += used.count
    substituted = _substituted(year, month)
    for user_id, login, their_roles, _count in substituted:
        if not any(key[0] == user_id for key in users):
            users[user_id, login]["role"] = main_role(their_roles)
    substitutions = {user_id: count for user_id, _login, _roles, count in substituted}
    user_rows = []
    for (user_id, login), entry in users.items():
        user_rows.append(
            ActivityRow(
                role=entry["role"],
                login=login,
                sign_ins=entry["signin"],
                entries=entry["entry"],
                views=entry["view"],
                users=1,
                last_active=last.get((user_id, login)),
                substituted=substitutions.pop(user_id, 0) if user_id else 0,  # once a person
            )
        )
    user_rows.sort(key=lambda r: (r.role, r.login))
    roles: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for counted in activity_by_role(actor, year, month):
        roles[counted.role][_bucket(counted.kind)] += counted.events
    people: dict[str, int] = defaultdict(int)
    last_by_role: dict[str, dt.datetime] = {}
    for person in user_rows:
        people[person.role] += 1
        roles[person.role]["substituted"] += person.substituted
        if person.last_active and (
            person.role not in last_by_role or person.last_active > last_by_role[person.role]
        ):
            last_by_role[person.role] = person.last_active
    role_rows = [
        ActivityRow(
            role=role,
            login="",
            sign_ins=counts["signin"],
            entries=counts["entry"],
            views=counts["view"],
            users=people[role],
            last_active=last_by_role.get(role),
            substituted=counts["substituted"],
        )
        for role, counts in sorted(roles.items())
    ]
    pages = []
    for role in PAGE_ROLES:
        accounts = db.execute_sql(_ACCOUNTS_SQL, (f"% {role} %",)).fetchone()[0]
        opened = (
            ActivityLog.select(ActivityLog.user_id)
            .join(User, on=(User.id == ActivityLog.user_id))
            .where(
                ActivityLog.kind == "view",
                ActivityLog.at >= start,
                ActivityLog.at < end,
                User.status == "active",
                (" " + User.roles + " ").contains(f" {role} "),
            )
            .distinct()
            .count()
        )
        pages.append(PageShare(role=role, accounts=accounts, opened=opened))
    return ActivityReport(year=year, month=month, roles=role_rows, users=user_rows, pages=pages)


def _substituted(year: int, month: int) -> list[tuple[str, str, str, int]]:
    """(user id, login, roles, lessons) of the month's substitutes, up to today."""
    first = dt.date(year, month, 1)
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    upto = min(last, clock.today())
    if upto < first:
        return []
    return list(db.execute_sql(_SUBSTITUTED_SQL, (first, upto)).fetchall())


def _bucket(kind: str) -> str:
    if kind == "signin" or kind == "view":
        return kind
    return "entry" if kind in ENTRY_KINDS else "other"


def _as_datetime(value: object) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def role_name(role: str) -> str:
    names = {
        "sysadmin": _("system administrator"),
        "director": _("director"),
        "deputy": _("deputy director"),
        "teacher": _("teacher"),
        "class_teacher": _("class teacher"),
        "parent": _("parent"),
        "student": _("student"),
        "system": _("the node itself"),
    }
    return names.get(role, role or "—")


def activity_table(report: ActivityReport) -> Table:
    """Roles first, then each person; the page shares go in the subtitle."""
    shares = "; ".join(
        _("{role}: {opened} of {accounts} opened their page ({share})").format(
            role=role_name(p.role),
            opened=p.opened,
            accounts=p.accounts,
            share="—" if p.share is None else f"{p.share:g} %".replace(".", ","),
        )
        for p in report.pages
    )
    rows: list[tuple[Cell, ...]] = []
    for r in report.roles + report.users:
        rows.append(
            (
                role_name(r.role),
                r.login or _("all"),
                r.users,
                r.sign_ins,
                r.entries,
                r.substituted,
                r.views,
                r.last_active.strftime("%d.%m.%Y %H:%M") if r.last_active else "",
            )
        )
    return Table(
        title=_("User activity"),
        subtitle=_("{month:02d}.{year}; {shares}").format(
            month=report.month, year=report.year, shares=shares
        ),
        columns=(
            _("Role"),
            _("User"),
            _("People"),
            _("Sign-ins"),
            _("Entries"),
            _("Substitutions"),
            _("Page views"),
            _("Last active"),
        ),
        rows=tuple(rows),
    )
