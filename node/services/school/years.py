"""The academic year as the School section keeps it: a new year with its whole-year period,
and the current year's name and dates changed.

The rules are school_setup's, the same the set-up import applies (a named year that ends
after it starts, a unique name, no overlap with another year; periods and holidays inside
the year), and one more that guards the marks already given: no change of a year or of a
period may leave a lesson with marks outside every period its class follows (its marks
would fall out of every quarter's average). Each change is one transaction with history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from node.errors import Conflict, ValidationError
from node.i18n import _
from node.models import AcademicYear, Holiday, Lesson, Mark, Period, SchoolClass, Subject, db
from node.models import TeachingAssignment as Journal
from node.services.base import history
from node.services.base.actor import Actor
from node.services.base.lookup import ensure_year_open, get_year
from node.services.base.permissions import Action, ensure_allowed
from node.services.school import school_setup

Ranges = Sequence[tuple[dt.date, dt.date]]


def _day(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def ensure_marks_covered(year: AcademicYear, scheme: str, ranges: Ranges) -> None:
    """Refuse when a lesson with marks of a class following ``scheme`` ('year': every class)
    would lie outside every one of ``ranges`` (the scheme's periods after the change).

    A scheme left without periods is not checked here: its classes then follow the
    whole-year period, which the year's own dates keep."""
    if scheme != "year" and not ranges:
        return
    lessons = (
        Lesson.select(Lesson.date, SchoolClass.grade, SchoolClass.letter, Subject.name)
        .join(Journal)
        .join(SchoolClass)
        .switch(Journal)
        .join(Subject)
        .where(
            SchoolClass.year == year,
            Lesson.id.in_(Mark.select(Mark.lesson)),
        )
        .order_by(Lesson.date)
    )
    if scheme != "year":
        lessons = lessons.where(SchoolClass.period_scheme == scheme)
    outside = [
        row for row in lessons.tuples() if not any(start <= row[0] <= end for start, end in ranges)
    ]
    if outside:
        day, grade, letter, subject = outside[0]
        raise Conflict(
            _(
                "{count} lessons with marks would be outside every period (the first: "
                "{label}, {subject}, {day}); keep the dates around them or move those lessons."
            ).format(count=len(outside), label=f"{grade}{letter}", subject=subject, day=_day(day))
        )


def create_year(actor: Actor, name: str, start: dt.date, end: dt.date) -> AcademicYear:
    """A new academic year with its whole-year period, as the set-up import makes it; its
    quarters and halves are added as periods afterwards."""
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    with db.atomic():
        year = school_setup.create_year(actor, name, start, end)
        school_setup.add_period(
            actor, year.id, "year", 1, school_setup.standard_period_name("year", 1), start, end
        )
    return year


def _ensure_inside(
    year: AcademicYear, rows: list[Period] | list[Holiday], start: dt.date, end: dt.date
) -> None:
    """Every period and holiday of the year inside the new dates, named when one is not."""
    proposed = AcademicYear(name=year.name, start=start, end=end)
    for row in rows:
        try:
            school_setup.check_inside_year(proposed, row.start, row.end)
        except ValidationError as exc:
            raise ValidationError(
                _(
                    "«{name}» ({start}–{end}) would be outside the year's new dates "
                    "({year_start}–{year_end}); change those dates first."
                ).format(
                    name=row.name,
                    start=_day(row.start),
                    end=_day(row.end),
                    year_start=_day(start),
                    year_end=_day(end),
                )
            ) from exc


def change_year(
    actor: Actor, year_id: str, name: str, start: dt.date, end: dt.date
) -> AcademicYear:
    """A year's name and dates; its whole-year period follows the dates. Its quarters,
    halves and holidays must stay inside (change them first), and no lesson with marks may
    fall outside the year."""
    year = get_year(year_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(year)
    clean = school_setup.check_year(name, start, end, other_than=year)
    periods = list(
        Period.select().where(Period.year == year).order_by(Period.scheme.desc(), Period.number)
    )  # the year, then quarters, then halves
    terms = [p for p in periods if p.scheme != "year"]
    _ensure_inside(year, terms, start, end)
    _ensure_inside(year, list(Holiday.select().where(Holiday.year == year)), start, end)
    ensure_marks_covered(year, "year", [(start, end)])
    with db.atomic():
        history.update_row(actor, year, {"name": clean, "start": start, "end": end})
        for period in periods:
            if period.scheme == "year":
                history.update_row(actor, period, {"start": start, "end": end})
    return year
