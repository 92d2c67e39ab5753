"""The year, its periods, holidays and bells, written through ``school_setup`` and
``setup_changes``.

Periods, holidays and bells the file changes are updated through the services, which check
them as the screens do; the year's own dates are left as they were (a note says so): they
bound every period, holiday and lesson of the year.
"""

from __future__ import annotations

from collections import defaultdict

from node.errors import Conflict, EdiaryError
from node.i18n import _
from node.models import AcademicYear, Bell, Holiday, Period
from node.services.school import school_setup, setup_changes, years
from node.services.school.setup_changes import PeriodChange
from node.services.setup.context import Run, name_key
from node.services.setup.rows import Row

#: The sheets whose rows belong to an academic year (staff, bells, subjects do not).
YEAR_KINDS = (
    "periods",
    "holidays",
    "classes",
    "students",
    "parents",
    "subgroups",
    "load",
    "timetable",
)


def _sheet_problem(run: Run, kind: str, message: str) -> None:
    run.rows.problems.add(run.label_of(kind), None, None, message)


def _inside_year(run: Run, row: Row) -> bool:
    """Each of the row's dates inside the year, so the problem names the right column."""
    assert run.year is not None
    for key in ("start", "end"):
        run.attempt(row, key, school_setup.check_inside_year, run.year, row[key], row[key])
    return not row.broken


def import_year(run: Run) -> None:
    """Find or create the year; every later sheet belongs to it."""
    rows = run.rows.of("year")
    if not rows:
        run.year = AcademicYear.active()
        if run.year is None and any(run.rows.of(kind) for kind in YEAR_KINDS):
            _sheet_problem(
                run,
                "year",
                _(
                    "ediary has no academic year yet; add the Year sheet with the year's name, "
                    "first and last day."
                ),
            )
        return
    first, *extra = rows
    for row in extra:
        run.rows.problem(
            row, None, _("a file holds one academic year; leave only one row on this sheet.")
        )
    if first.broken:
        return
    existing = AcademicYear.get_or_none(AcademicYear.name == first["name"])
    if existing is None:
        run.year = run.attempt(
            first, "start", school_setup.create_year, run.actor, first["name"], first["start"],
            first["end"],
        )  # fmt: skip
        if run.year is not None:
            run.report.count("year", "created")
        return
    run.year = existing
    if existing.status == "closed":
        run.rows.problem(
            first,
            "name",
            _("the year {name} is closed and archived; write the name of the new year.").format(
                name=existing.name
            ),
        )
        run.year = None
    elif (existing.start, existing.end) == (first["start"], first["end"]):
        run.report.count("year", "unchanged")
    else:
        _widen_year(run, first)


def _year_column(year: AcademicYear, row: Row) -> str:
    return "start" if year.start != row["start"] else "end"


def _widen_year(run: Run, row: Row) -> None:
    """New dates of the year, in two steps: first as wide as both, so the periods and
    holidays of either dates fit while they are imported; ``narrow_year`` ends it."""
    assert run.year is not None
    wide = (min(run.year.start, row["start"]), max(run.year.end, row["end"]))
    if wide != (run.year.start, run.year.end):
        changed = run.attempt(
            row, _year_column(run.year, row), years.change_year, run.actor, run.year.id,
            run.year.name, *wide,
        )  # fmt: skip
        run.year = changed
        if changed is None:
            return
    run.report.count("year", "updated")


def narrow_year(run: Run) -> None:
    """The year's dates as the file has them, once its periods and holidays are in: the
    service refuses dates that would leave one of them (or a lesson with marks) outside."""
    rows = run.rows.of("year")
    if run.year is None or not rows or rows[0].broken:
        return
    row = rows[0]
    if (run.year.start, run.year.end) != (row["start"], row["end"]):
        changed = run.attempt(
            row, _year_column(run.year, row), years.change_year, run.actor, run.year.id,
            run.year.name, row["start"], row["end"],
        )  # fmt: skip
        run.year = changed or run.year  # refused: the later sheets still check against it


def import_periods(run: Run) -> None:
    """Quarters and halves from the sheet, and the whole-year period every year needs.

    Changed names and dates of a scheme are written together, checked as the scheme will
    be (a boundary between two quarters moves in one go); new periods come after them.
    """
    assert run.year is not None
    existing = {(p.scheme, p.number): p for p in Period.select().where(Period.year == run.year)}
    changes: dict[str, list[tuple[Row, PeriodChange]]] = defaultdict(list)
    new_rows: list[Row] = []
    for row in run.rows.of("periods"):
        if row.broken:
            continue
        period = existing.get((row["scheme"], row["number"]))
        if period is None:
            new_rows.append(row)
            continue
        name = row["name"] or period.name
        if (period.name, period.start, period.end) == (name, row["start"], row["end"]):
            run.report.count("periods", "unchanged")
        elif _inside_year(run, row):
            change = PeriodChange(period.id, name, row["start"], row["end"])
            changes[row["scheme"]].append((row, change))
    for pairs in changes.values():
        _change_periods(run, pairs, {p.id: p for p in existing.values()})
    for row in new_rows:
        if not _inside_year(run, row):
            continue
        name = row["name"] or school_setup.standard_period_name(row["scheme"], row["number"])
        period = run.attempt(
            row, "start", school_setup.add_period, run.actor, run.year.id, row["scheme"],
            row["number"], name, row["start"], row["end"],
        )  # fmt: skip
        if period is not None:
            existing[(period.scheme, period.number)] = period
            run.report.count("periods", "created")
    if not any(s == "year" for s, _n in existing):
        school_setup.add_period(
            run.actor,
            run.year.id,
            "year",
            1,
            school_setup.standard_period_name("year", 1),
            run.year.start,
            run.year.end,
        )


def _change_periods(
    run: Run, pairs: list[tuple[Row, PeriodChange]], periods: dict[str, Period]
) -> None:
    """One scheme's changes through the service; a refusal is shown on the row of the
    period it is about, in the column whose date causes it."""
    try:
        setup_changes.change_periods(run.actor, [change for _row, change in pairs])
    except EdiaryError as exc:
        about = getattr(exc, "period_id", None)
        row, change = next(((r, c) for r, c in pairs if c.period_id == about), pairs[0])
        key = "start"
        if isinstance(exc, Conflict) and change.start <= periods[change.period_id].start:
            key = "end"  # lessons outside: the end moved earlier
        run.rows.check(row, key, exc)
        return
    run.report.count("periods", "updated", len(pairs))


def import_holidays(run: Run) -> None:
    """Matched by name and first day, or else by name alone when the year has one holiday of
    that name: a holiday moved in the file moves in ediary instead of becoming a second one.
    """
    assert run.year is not None
    holidays = list(Holiday.select().where(Holiday.year == run.year))
    existing = {(name_key(h.name), h.start): h for h in holidays}
    by_name: dict[str, list[Holiday]] = defaultdict(list)
    for holiday in holidays:
        by_name[name_key(holiday.name)].append(holiday)
    listed = {
        (name_key(row["name"]), row["start"]) for row in run.rows.of("holidays") if not row.broken
    }
    for row in run.rows.of("holidays"):
        if row.broken:
            continue
        key = (name_key(row["name"]), row["start"])
        holiday = existing.get(key)
        if holiday is None:
            moved = [h for h in by_name[key[0]] if (key[0], h.start) not in listed]
            holiday = moved[0] if len(by_name[key[0]]) == 1 and moved else None
        if holiday is not None and (holiday.start, holiday.end) == (row["start"], row["end"]):
            run.report.count("holidays", "unchanged")
            continue
        if not _inside_year(run, row):
            continue
        if holiday is not None:
            changed = run.attempt(
                row, "start", setup_changes.change_holiday, run.actor, holiday.id, holiday.name,
                row["start"], row["end"],
            )  # fmt: skip
            if changed is not None:
                existing[key] = changed
                run.report.count("holidays", "updated")
            continue
        holiday = run.attempt(
            row, "start", school_setup.add_holiday, run.actor, run.year.id, row["name"],
            row["start"], row["end"],
        )  # fmt: skip
        if holiday is not None:
            existing[key] = holiday
            run.report.count("holidays", "created")
    narrow_year(run)  # the last sheet inside the year's dates is in


def import_bells(run: Run) -> None:
    existing = {bell.number: bell for bell in Bell.select()}
    for row in run.rows.of("bells"):
        if row.broken:
            continue
        bell = existing.get(row["number"])
        if bell is not None:
            if (bell.starts, bell.ends) == (row["starts"], row["ends"]):
                run.report.count("bells", "unchanged")
            elif run.attempt(
                row, "ends", school_setup.change_bell, run.actor, bell.number, row["starts"],
                row["ends"],
            ) is not None:  # fmt: skip
                run.report.count("bells", "updated")
            continue
        bell = run.attempt(
            row, "ends", school_setup.add_bell, run.actor, row["number"], row["starts"],
            row["ends"],
        )  # fmt: skip
        if bell is not None:
            existing[bell.number] = bell
            run.report.count("bells", "created")
