"""The year, its periods, holidays and bells, written through ``school_setup``.

None of these can be changed in place by a service, so a record already in ediary with
other values is left as it was, and a note says which one.
"""

from __future__ import annotations

from node.i18n import _
from node.models import AcademicYear, Bell, Holiday, Period
from node.services.school import school_setup
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
        run.report.count("year", "left")
        run.note(
            _(
                "The year {name} keeps its dates {start} – {end}; the file's other dates were "
                "not applied."
            ).format(
                name=existing.name, start=existing.start.isoformat(), end=existing.end.isoformat()
            )
        )


def import_periods(run: Run) -> None:
    """Quarters and halves from the sheet, and the whole-year period every year needs."""
    assert run.year is not None
    existing = {(p.scheme, p.number): p for p in Period.select().where(Period.year == run.year)}
    for row in run.rows.of("periods"):
        if row.broken:
            continue
        key = (row["scheme"], row["number"])
        period = existing.get(key)
        if period is not None:
            same = (period.start, period.end) == (row["start"], row["end"]) and (
                not row["name"] or row["name"] == period.name
            )
            run.report.count("periods", "unchanged" if same else "left")
            if not same:
                run.note(
                    _("The period «{name}» keeps its dates {start} – {end}.").format(
                        name=period.name,
                        start=period.start.isoformat(),
                        end=period.end.isoformat(),
                    )
                )
            continue
        if not _inside_year(run, row):
            continue
        name = row["name"] or school_setup.standard_period_name(row["scheme"], row["number"])
        period = run.attempt(
            row, "start", school_setup.add_period, run.actor, run.year.id, row["scheme"],
            row["number"], name, row["start"], row["end"],
        )  # fmt: skip
        if period is not None:
            existing[key] = period
            run.report.count("periods", "created")
    if ("year", 1) not in existing and not any(s == "year" for s, _n in existing):
        school_setup.add_period(
            run.actor,
            run.year.id,
            "year",
            1,
            school_setup.standard_period_name("year", 1),
            run.year.start,
            run.year.end,
        )


def import_holidays(run: Run) -> None:
    assert run.year is not None
    existing = {
        (name_key(h.name), h.start): h for h in Holiday.select().where(Holiday.year == run.year)
    }
    for row in run.rows.of("holidays"):
        if row.broken:
            continue
        key = (name_key(row["name"]), row["start"])
        holiday = existing.get(key)
        if holiday is not None:
            same = holiday.end == row["end"]
            run.report.count("holidays", "unchanged" if same else "left")
            if not same:
                run.note(
                    _("The holiday «{name}» keeps its dates {start} – {end}.").format(
                        name=holiday.name,
                        start=holiday.start.isoformat(),
                        end=holiday.end.isoformat(),
                    )
                )
            continue
        if not _inside_year(run, row):
            continue
        holiday = run.attempt(
            row, "start", school_setup.add_holiday, run.actor, run.year.id, row["name"],
            row["start"], row["end"],
        )  # fmt: skip
        if holiday is not None:
            existing[key] = holiday
            run.report.count("holidays", "created")


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
