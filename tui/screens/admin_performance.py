"""Performance and quality [R 8.2] on the administration screen, beside the previous period.

Each line is ``performance_report``'s; ± is the change from ``previous_period``; the chart
under the table draws the whole school's succeeding, quality and СОУ for every period of
the scheme so far, because a trend is easier to see than to read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from node.errors import NotFound
from node.i18n import _
from node.models import Period
from node.services.reports.performance import (
    Comparison,
    PerformanceRow,
    performance_comparison,
    performance_table,
    school_trend,
    year_periods,
)
from node.services.reports.table import Table
from tui.backend import Outcome
from tui.screens.admin_pane import AdminPane, bar, cell, delta


@dataclass(frozen=True)
class PerformanceData:
    periods: list[Period]
    comparison: Comparison
    trend: list[tuple[str, PerformanceRow]]


def default_period(periods: list[Period], today: dt.date) -> Period | None:
    """The latest period already over (its final marks are in), else the one under way."""
    over = [p for p in periods if p.end < today and not p.is_year]
    if over:
        return max(over, key=lambda p: p.end)
    return next((p for p in periods if p.start <= today <= p.end), periods[0] if periods else None)


class PerformancePane(AdminPane):
    ACTIONS = frozenset({"shift", "export", "refresh"})

    @dataclass
    class Loaded(Message):
        outcome: Outcome[PerformanceData]

    def __init__(self) -> None:
        super().__init__("performance")
        self.period_id: str | None = None
        self.data: PerformanceData | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="performance-info", classes="admin-info", markup=False)
        yield DataTable(id="performance-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="performance-chart")

    def load(self) -> None:
        self.loaded = True
        self.say(_("Computing performance and quality…"))
        self._load(self.period_id)

    @work(thread=True, exclusive=True, group="admin-performance")
    def _load(self, period_id: str | None) -> None:
        backend = self.app.backend
        actor = backend.actor

        def compute() -> PerformanceData:
            periods = year_periods(actor)
            chosen = period_id
            if chosen is None:
                found = default_period(periods, backend.today())
                if found is None:
                    raise NotFound(_("The school year has no periods yet; set them up first."))
                chosen = found.id
            comparison = performance_comparison(actor, chosen)
            trend = [(p.name, row) for p, row in school_trend(actor, chosen)]
            return PerformanceData(periods, comparison, trend)

        self.post_message(self.Loaded(backend.attempt(compute)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        data = self.unwrap(message.outcome)
        if data is None:
            return
        self.data = data
        self.period_id = data.comparison.current.period.id
        self.say("")
        current, previous = data.comparison.current, data.comparison.previous
        info = _("{period}, {start} – {end}").format(
            period=current.period.name,
            start=current.period.start.strftime("%d.%m.%Y"),
            end=current.period.end.strftime("%d.%m.%Y"),
        )
        info += " · " + (
            _("± against {period}").format(period=previous.period.name)
            if previous
            else _("no earlier period to compare with")
        )
        self.query_one("#performance-info", Static).update(info)
        scopes = {
            "class": _("Class"),
            "subject": _("Subject"),
            "teacher": _("Teacher"),
            "school": _("School"),
        }
        rows: list[tuple[str | None, tuple]] = []
        for i, r in enumerate(current.rows):
            before = data.comparison.before(r)
            rows.append(
                (
                    f"row-{i}",
                    (
                        scopes.get(r.scope, r.scope),
                        r.name,
                        cell(r.students),
                        cell(r.success_share),
                        delta(r.success_share, before.success_share if before else None),
                        cell(r.quality_share),
                        bar(r.quality_share, 100, 8),
                        delta(r.quality_share, before.quality_share if before else None),
                        cell(r.sou),
                        delta(r.sou, before.sou if before else None),
                        cell(r.average),
                        cell(r.all_fives),
                        cell(r.fours_and_fives),
                        cell(r.one_three),
                        cell(r.failing),
                    ),
                )
            )
        self.fill(
            (
                _("Scope"),
                _("Name"),
                _("Pupils"),
                _("Succ. %"),
                "±",
                _("Qual. %"),
                "",
                "±",
                _("Learn. %"),
                "±",
                _("Avg"),
                _("All 5"),
                _("4 and 5"),
                _("One 3"),
                _("Fail"),
            ),
            rows,
        )
        self.query_one("#performance-chart", Static).update(self._chart(data.trend))

    @staticmethod
    def _chart(trend: list[tuple[str, PerformanceRow]]) -> str:
        lines = [_("Whole school by period: succeeding · quality · learning degree")]
        for name, row in trend:
            lines.append(
                f"{name[:12]:<12} {bar(row.success_share, 100, 8)} {cell(row.success_share):>5}"
                f"  {bar(row.quality_share, 100, 8)} {cell(row.quality_share):>5}"
                f"  {bar(row.sou, 100, 8)} {cell(row.sou):>5}"
            )
        return "\n".join(lines)

    def shift(self, step: int) -> None:
        if self.data is None or self.period_id is None:
            return
        ids = [p.id for p in self.data.periods]
        index = ids.index(self.period_id) + step if self.period_id in ids else 0
        if not 0 <= index < len(ids):
            self.say(_("There is no earlier or later period in this school year."))
            return
        period = self.data.periods[index]
        if period.start > self.app.backend.today():
            self.say(
                _("{period} begins on {day}: it has no final marks yet.").format(
                    period=period.name, day=period.start.strftime("%d.%m.%Y")
                )
            )
            return
        self.period_id = ids[index]
        self.load()

    def export_table(self) -> tuple[str, Table] | None:
        if self.data is None:
            return None
        return "performance", performance_table(self.data.comparison.current)
