"""``ediary report``: the administration's reports as CSV or printable HTML [R 3.5, 6.2, 8.1,
8.2], for the monthly routine. Runs as the node operator, like ``ediary users``: whoever can
run it can already read the database file.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from node.cli.app import Context, parse_date
from node.cli.translated import TranslatedPath, argument, command, option
from node.cli.users import opened, operator
from node.errors import StorageError, ValidationError
from node.i18n import N_, _, current_language
from node.models import School
from node.render.report import to_html
from node.services.reports import export
from node.services.reports.activity_report import activity_report, activity_table
from node.services.reports.control import DEFAULT_DAYS, control_report, control_table
from node.services.reports.export import write_atomically
from node.services.reports.performance import find_period, performance_report, performance_table
from node.services.reports.table import Table

KINDS = ("control", "activity", "performance")


def parse_month(value: str) -> tuple[int, int]:
    """``YYYY-MM`` → (year, month)."""
    try:
        day = dt.date.fromisoformat(value.strip() + "-01")
    except ValueError:
        raise ValidationError(
            _("«{value}» is not a month: write it as YYYY-MM, e.g. 2026-11.").format(value=value)
        ) from None
    return day.year, day.month


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def check_choice(
    kind: str, start: str | None, end: str | None, period: str | None, month: str | None
) -> None:
    """Exactly one way of giving the time span, and the one this report understands."""
    given = [
        name
        for name, value in (("--from/--to", start or end), ("--period", period), ("--month", month))
        if value
    ]
    if len(given) > 1:
        raise ValidationError(
            _("Give only one of {options}: they say the same thing in different ways.").format(
                options=", ".join(given)
            )
        )
    if bool(start) != bool(end):
        raise ValidationError(_("Give both --from and --to, or use --period or --month."))
    wanted = {"control": None, "activity": "--month", "performance": "--period"}[kind]
    if not given:
        hint = wanted or "--from/--to, --period, --month"
        raise ValidationError(_("Say which time the report covers: {hint}.").format(hint=hint))
    if wanted and given[0] != wanted:
        raise ValidationError(
            _("The {kind} report takes {wanted}, not {given}.").format(
                kind=kind, wanted=wanted, given=given[0]
            )
        )


def build_table(
    kind: str, start: str | None, end: str | None, period: str | None, month: str | None, days: int
) -> Table:
    actor = operator()
    if kind == "activity":
        assert month is not None
        return activity_table(activity_report(actor, *parse_month(month)))
    if kind == "performance":
        assert period is not None
        return performance_table(performance_report(actor, find_period(period).id))
    if period:
        found = find_period(period)
        first, last = found.start, found.end
    elif month:
        first, last = month_range(*parse_month(month))
    else:
        first, last = parse_date(start), parse_date(end)
        assert first is not None and last is not None
    return control_table(control_report(actor, first, last, days))


def check_out(path: Path) -> None:
    """Refuse an --out we could not write before computing anything."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ValidationError(
            _("{path} is a folder: give a file name for --out.").format(path=path)
        )
    if not folder.is_dir():
        raise ValidationError(
            _("The folder {folder} does not exist; choose where to write the report.").format(
                folder=folder
            )
        )
    if not os.access(folder, os.W_OK):
        raise StorageError(
            _("Cannot write to the folder {folder}: choose another place for --out.").format(
                folder=folder
            )
        )


@command(
    help=N_(
        "Write a report as CSV (for Excel) or printable HTML: journal control, user activity "
        "for a month, or performance and quality for a period."
    )
)
@argument("kind", type=click.Choice(KINDS))
@option("--from", "start", metavar="DATE", help=N_("First day (YYYY-MM-DD), with --to."))
@option("--to", "end", metavar="DATE", help=N_("Last day (YYYY-MM-DD), with --from."))
@option("--period", metavar="NAME", help=N_('A period: "2 четверть", "Год", q1–q4, h1–h2, year.'))
@option("--month", metavar="YYYY-MM", help=N_("A calendar month, e.g. 2026-11."))
@option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "html"]),
    default="csv",
    show_default=True,
    help=N_("CSV for a spreadsheet, or HTML to print."),
)
@option(
    "--out",
    required=True,
    type=TranslatedPath(path_type=Path),
    help=N_("The file to write."),
)
@option(
    "--days",
    type=int,
    default=DEFAULT_DAYS,
    show_default=True,
    help=N_("Control report: a lesson counts as filled in time within this many days."),
)
@click.pass_obj
def report(
    obj: Context,
    kind: str,
    start: str | None,
    end: str | None,
    period: str | None,
    month: str | None,
    fmt: str,
    out: Path,
    days: int,
) -> None:
    check_choice(kind, start, end, period, month)
    check_out(out)
    with opened(obj):
        table = build_table(kind, start, end, period, month, days)
        school = School.current()
        if fmt == "csv":
            data = export.to_csv(table)
        else:
            page = to_html(table, school=school.name if school else "", lang=current_language())
            data = page.encode("utf-8")
    write_atomically(out, data)
    click.echo(
        _("{title}: {rows} rows written to {path}.").format(
            title=table.title, rows=len(table.rows), path=out
        )
    )
