"""User activity for a month [R 8.1] on the administration screen: roles, then each person.

The table fits 80 columns in both languages: short role names and headers (the table's
tooltip says what each column counts), a role's number of people in its «all» cell; the
exports keep the full names and every column."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from node.i18n import _, pgettext
from node.services.reports.activity_report import (
    ActivityReport,
    activity_report,
    activity_table,
    role_name,
)
from node.services.reports.table import Table
from tui.backend import Outcome
from tui.screens.admin_pane import AdminPane, cell


class ActivityPane(AdminPane):
    ACTIONS = frozenset({"shift", "export", "refresh"})

    @dataclass
    class Loaded(Message):
        outcome: Outcome[ActivityReport]

    def __init__(self) -> None:
        super().__init__("activity")
        self.month: tuple[int, int] | None = None
        self.report: ActivityReport | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="activity-info", classes="admin-info", markup=False)
        yield DataTable(id="activity-table", cursor_type="row", zebra_stripes=True)

    def load(self) -> None:
        self.loaded = True
        if self.month is None:
            today = self.app.backend.today()
            self.month = (today.year, today.month)
        self.say(_("Counting the month's activity…"))
        self._load(*self.month)

    @work(thread=True, exclusive=True, group="admin-activity")
    def _load(self, year: int, month: int) -> None:
        backend = self.app.backend
        self.post_message(self.Loaded(backend.attempt(activity_report, backend.actor, year, month)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        report = self.unwrap(message.outcome)
        if report is None:
            return
        self.report = report
        self.say("")
        shares = "; ".join(
            _("{role}: {opened} of {accounts} opened their page").format(
                role=role_name(p.role), opened=p.opened, accounts=p.accounts
            )
            for p in report.pages
        )
        self.query_one("#activity-info", Static).update(
            f"{report.month:02d}.{report.year} · {shares}"
        )
        rows: list[tuple[str | None, tuple]] = []
        for i, r in enumerate(report.roles + report.users):
            rows.append(
                (
                    f"row-{i}",
                    (
                        short_role(r.role),
                        r.login or _("all: {people}").format(people=r.users),
                        cell(r.sign_ins),
                        cell(r.entries),
                        cell(r.substituted),
                        cell(r.views),
                        r.last_active.strftime("%d.%m %H:%M") if r.last_active else "",
                    ),
                )
            )
        self.fill(
            (
                _("Role"),
                _("Login"),
                _("Sign-ins"),
                _("Entries"),
                _("Subst."),
                _("Views"),
                _("Last seen"),
            ),
            rows,
        )
        self.table().tooltip = _(
            "All: how many people of the role were active. Entries: marks, attendance, "
            "topics, homework and messages. Subst.: lessons taught for another teacher. "
            "Views: pages opened on the web. Last seen: the day and time of the last action."
        )

    def shift(self, step: int) -> None:
        if self.month is None:
            return
        year, month = self.month
        index = year * 12 + (month - 1) + step
        if index > month_index(self.app.backend.today()):
            self.say(_("That month has not come yet."))
            return
        self.month = (index // 12, index % 12 + 1)
        self.load()

    def export_table(self) -> tuple[str, Table] | None:
        if self.report is None:
            return None
        return f"activity-{self.report.year}-{self.report.month:02d}", activity_table(self.report)


def short_role(role: str) -> str:
    """A role as the Activity table shows it, short enough for 80 columns: the word a
    school types for a staff role («завуч», «классный»; not «заместитель директора»).
    The exports keep the full names."""
    short = {
        "sysadmin": pgettext("staff role", "sysadmin"),
        "director": pgettext("staff role", "director"),
        "deputy": pgettext("staff role", "deputy"),
        "teacher": pgettext("staff role", "teacher"),
        "class_teacher": pgettext("short role", "form tutor"),
        "system": pgettext("role", "system"),
    }
    return short.get(role) or role_name(role)


def month_index(day: dt.date) -> int:
    """Months counted from year 0, so that a step back or forth is ± 1."""
    return day.year * 12 + day.month - 1
