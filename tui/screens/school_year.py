"""The School section's forms for the academic year: a new year, and the current year's name
and dates. The services check them by the set-up import's rules and say why not."""

from __future__ import annotations

import datetime as dt

from node.errors import ValidationError
from node.i18n import _
from node.models import AcademicYear
from node.services.school import years
from node.services.school.setup_view import Structure
from node.services.students import classes
from node.services.year_end.rollover import next_year_defaults
from tui.screens.school_dialogs import Call, Field, Form, day_field, read_day
from tui.screens.school_sections import SCHEME_NAMES


def _read(a: dict[str, str]) -> tuple[str, dt.date, dt.date]:
    return a["name"], read_day(a["start"], _("First day")), read_day(a["end"], _("Last day"))


def _after(s: Structure) -> tuple[str, dt.date | None, dt.date | None]:
    """The name and dates of the year after the shown one, to start from (none for a
    first year, or a name ediary cannot count on from)."""
    if s.year is None:
        return "", None, None
    try:
        return next_year_defaults(
            AcademicYear(name=s.year.name, start=s.year.start, end=s.year.end)
        )
    except ValidationError:
        return "", None, None


def new_year_form(s: Structure) -> Form:
    """Name and dates of a new year; it gets its whole-year period, its quarters and halves
    are added on the Periods tab."""

    def read(a: dict[str, str]) -> Call:
        name, start, end = _read(a)
        return lambda actor: years.create_year(actor, name, start, end)

    hint = _("Its quarters and halves are added on the Periods tab (n).")
    if s.year is not None and not s.year.closed:
        hint = (
            _(
                "The next year is usually made when {name} is closed: the classes go over to it."
            ).format(name=s.year.name)
            + " "
            + hint
        )
    name, start, end = _after(s)
    return Form(
        _("A new academic year"),
        [
            Field("name", _("Name"), name),
            day_field("start", _("First day"), start),
            day_field("end", _("Last day"), end),
        ],
        read,
        _("The year is created; add its quarters and halves on the Periods tab (n)."),
        hint=hint,
    )


def year_form(s: Structure) -> Form | str:
    """The shown year's name and dates (its whole-year period follows them)."""
    if s.year is None:
        return new_year_form(s)
    year = s.year
    if year.closed:
        return _("The year {name} is closed: its data can no longer be changed.").format(
            name=year.name
        )

    def read(a: dict[str, str]) -> Call:
        name, start, end = _read(a)
        return lambda actor: years.change_year(actor, year.id, name, start, end)

    return Form(
        _("Academic year {name}").format(name=year.name),
        [
            Field("name", _("Name"), year.name),
            day_field("start", _("First day"), year.start),
            day_field("end", _("Last day"), year.end),
        ],
        read,
        _("The year is changed; its whole-year period follows its dates."),
        hint=_("Quarters, halves and holidays must stay inside the year: change them first."),
    )


def grade_scheme_form(s: Structure) -> Form | str:
    """Quarters or halves for every class of one grade at once."""
    if s.year is None or not s.classes:
        return _("There are no classes yet: add them on the Classes tab (6, n).")
    year_id = s.year.id
    grades = sorted({c.grade for c in s.classes})
    schemes = tuple((_(SCHEME_NAMES[k]), k) for k in classes.CLASS_SCHEMES)

    def read(a: dict[str, str]) -> Call:
        grade = int(a["grade"])
        return lambda actor: classes.set_grade_scheme(actor, year_id, grade, a["scheme"])

    return Form(
        _("Quarters or halves for a grade"),
        [
            Field("grade", _("Grade"), str(grades[0]), tuple((str(g), str(g)) for g in grades)),
            Field("scheme", _("Scheme"), "quarters", schemes),
        ],
        read,
        _("The grade's classes follow the scheme chosen."),
        hint=_("Every class of the grade; refused while one of them has final marks."),
    )
