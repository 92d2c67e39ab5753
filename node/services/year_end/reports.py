"""The year's administration reports for the archive [R 3.5, 6.2, 8.1, 8.2], made by the
report services themselves (same numbers as the monthly routine): journal control over the
whole year, performance and quality for every period, user activity for every month."""

from __future__ import annotations

import datetime as dt

from node.models import Period, SchoolClass
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.base.lookup import get_year
from node.services.base.permissions import Action, ensure_allowed
from node.services.reports.activity_report import activity_report, activity_table
from node.services.reports.control import control_report, control_table
from node.services.reports.performance import performance_report, performance_table
from node.services.reports.table import Table


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append((day.year, day.month))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def year_reports(actor: Actor, year_id: str) -> list[tuple[str, str, Table]]:
    """(file stem, label, table) of every report of the year, in the order of the index."""
    year = get_year(year_id)
    ensure_allowed(actor, Action.YEAR_CLOSE)
    # closing the year includes its reports, whoever closes it (a sysadmin has no
    # REPORTS_VIEW of their own): they are read as the node
    node = Actor.for_system()
    control = control_table(control_report(node, year.start, year.end))
    out = [("control", control.title, control)]
    schemes = {c.period_scheme for c in SchoolClass.select().where(SchoolClass.year == year.id)}
    periods = (
        Period.select()
        .where(Period.year == year.id)
        .order_by(Period.scheme == "year", Period.start, Period.end)
    )
    for period in periods:
        if not (period.is_year or period.scheme in schemes):
            continue  # no class is marked by this scheme: the report would be empty
        stem = (
            "performance-year" if period.is_year else f"performance-{period.scheme}-{period.number}"
        )
        table = performance_table(performance_report(node, period.id))
        out.append((stem, f"{table.title}: {period.name}", table))
    last = min(year.end, clock.today())
    for y, m in _months(year.start, max(last, year.start)):
        table = activity_table(activity_report(node, y, m))
        out.append((f"activity-{y:04d}-{m:02d}", f"{table.title}: {m:02d}.{y}", table))
    return out
