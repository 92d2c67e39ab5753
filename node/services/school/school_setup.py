"""Setting the school up: the school and its policy, academic years, periods, holidays,
bells, subjects and work types.

Every function follows the service order (look up → permission → validate → one
transaction with history), so bad input writes nothing. A closed academic year is
read-only [R 6.3]: anything that would change it raises ``Locked``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import zoneinfo
from collections.abc import Sequence
from typing import Any

from node.errors import Conflict, NotFound, ValidationError
from node.i18n import LANGUAGES, _, use_language
from node.models import AcademicYear, Bell, Holiday, Period, School, Subject, WorkType, db
from node.models.journal import WORK_KINDS
from node.models.school import PERIOD_SCHEMES
from node.services.base import history
from node.services.base.actor import Actor
from node.services.base.lookup import ensure_year_open, get_year, required_text
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.policy import load_policy, policy_from_json

_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


# --- date checks ----------------------------------------------------------------------------


def _overlaps(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> bool:
    return a_start <= b_end and b_start <= a_end


def check_range(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ValidationError(
            _("The start date {start} is after the end date {end}; swap them.").format(
                start=start.isoformat(), end=end.isoformat()
            )
        )


def check_inside_year(year: AcademicYear, start: dt.date, end: dt.date) -> None:
    """Both dates inside the academic year (the import checks each date on its own)."""
    if not (year.contains(start) and year.contains(end)):
        raise ValidationError(
            _(
                "The dates {start}–{end} are not inside the academic year {name} "
                "({year_start}–{year_end})."
            ).format(
                start=start.isoformat(),
                end=end.isoformat(),
                name=year.name,
                year_start=year.start.isoformat(),
                year_end=year.end.isoformat(),
            )
        )


# --- the school and its policy --------------------------------------------------------------


def _check_timezone(name: str) -> str:
    name = required_text(name, _("Enter the school's time zone, e.g. Europe/Moscow."))
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        # Without any time zone database on the machine nothing can be checked.
        if zoneinfo.available_timezones():
            raise ValidationError(
                _("Unknown time zone «{name}»: use a name like Europe/Moscow.").format(name=name)
            ) from exc
    return name


def _check_locale(locale: str) -> str:
    code = (locale or "").strip().replace("-", "_").split("_")[0].split(".")[0].lower()
    if code not in LANGUAGES:
        raise ValidationError(
            _("Unsupported language «{locale}»: choose one of {choices}.").format(
                locale=locale, choices=", ".join(LANGUAGES)
            )
        )
    return code


def _policy_json(overrides: dict[str, Any]) -> str:
    """Validate the overrides and store them in canonical form (only the keys given)."""
    canonical = policy_from_json(overrides).to_json()
    return json.dumps(
        {key: canonical[key] for key in overrides}, ensure_ascii=False, sort_keys=True
    )


def create_school(
    actor: Actor,
    name: str,
    *,
    timezone: str = "Europe/Moscow",
    locale: str = "ru",
    policy: dict[str, Any] | None = None,
) -> School:
    """Create the one school this database serves."""
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    clean_name = required_text(name, _("Enter the school's name."))
    tz = _check_timezone(timezone)
    language = _check_locale(locale)
    policy_text = _policy_json(policy or {})
    existing = School.current()
    if existing is not None:
        raise Conflict(
            _(
                "This database already holds the school «{name}»; a database serves one school."
            ).format(name=existing.name)
        )
    with db.atomic():
        school = School.create(name=clean_name, timezone=tz, locale=language, policy=policy_text)
        history.record_create(actor, school)
    return school


def update_policy(actor: Actor, changes: dict[str, Any]) -> School:
    """Change some policy settings; a value of ``None`` returns that setting to its default."""
    school = School.current()
    if school is None:
        raise NotFound(_("There is no school yet; create it first."))
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    overrides = school.policy_values()
    for key, value in changes.items():
        if value is None:
            overrides.pop(key, None)
        else:
            overrides[key] = value
    policy_text = _policy_json(overrides)
    history.update_row(actor, school, {"policy": policy_text})
    return school


# --- years, periods, holidays, bells --------------------------------------------------------


def check_year(
    name: str, start: dt.date, end: dt.date, *, other_than: AcademicYear | None = None
) -> str:
    """A year's name and dates: named, ending after it starts, its name unique and its dates
    clear of every other year (``other_than``: the year being changed)."""
    clean_name = required_text(name, _("Enter the academic year's name, e.g. 2026/2027."))
    if end <= start:
        raise ValidationError(
            _("An academic year must end after it starts ({start} – {end}).").format(
                start=start.isoformat(), end=end.isoformat()
            )
        )
    others = AcademicYear.select()
    if other_than is not None:
        others = others.where(AcademicYear.id != other_than.id)
    for other in others:
        if other.name == clean_name:
            raise Conflict(
                _("An academic year named {name} already exists.").format(name=clean_name)
            )
        if _overlaps(start, end, other.start, other.end):
            raise Conflict(
                _("These dates overlap the academic year {name} ({start} – {end}).").format(
                    name=other.name, start=other.start.isoformat(), end=other.end.isoformat()
                )
            )
    return clean_name


def create_year(actor: Actor, name: str, start: dt.date, end: dt.date) -> AcademicYear:
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    clean_name = check_year(name, start, end)
    with db.atomic():
        year = AcademicYear.create(name=clean_name, start=start, end=end, status="active")
        history.record_create(actor, year)
    return year


def check_period(
    year: AcademicYear,
    scheme: str,
    number: int,
    name: str,
    start: dt.date,
    end: dt.date,
    others: Sequence[tuple[int, str, dt.date, dt.date]],
) -> str:
    """Validate one period against ``others`` (number, name, start, end) of the same scheme."""
    if scheme not in PERIOD_SCHEMES:
        raise ValidationError(
            _("Unknown period scheme «{scheme}»: use one of {choices}.").format(
                scheme=scheme, choices=", ".join(PERIOD_SCHEMES)
            )
        )
    if not isinstance(number, int) or number < 1:
        raise ValidationError(_("A period's number must be a whole number from 1."))
    clean_name = required_text(name, _("Enter the period's name, e.g. «1st quarter»."))
    check_range(start, end)
    check_inside_year(year, start, end)
    for other_number, other_name, other_start, other_end in others:
        if other_number == number:
            raise Conflict(
                _("Period number {number} of this scheme already exists ({name}).").format(
                    number=number, name=other_name
                )
            )
        if _overlaps(start, end, other_start, other_end):
            raise ValidationError(
                _(
                    "The period {start}–{end} overlaps {name} ({other_start}–{other_end}); "
                    "periods of one scheme must not overlap."
                ).format(
                    start=start.isoformat(),
                    end=end.isoformat(),
                    name=other_name,
                    other_start=other_start.isoformat(),
                    other_end=other_end.isoformat(),
                )
            )
    return clean_name


def existing_periods(year: AcademicYear, scheme: str) -> list[tuple[int, str, dt.date, dt.date]]:
    return [(p.number, p.name, p.start, p.end) for p in Period.of_scheme(year, scheme)]


def add_period(
    actor: Actor,
    year_id: str,
    scheme: str,
    number: int,
    name: str,
    start: dt.date,
    end: dt.date,
) -> Period:
    year = get_year(year_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(year)
    others = existing_periods(year, scheme) if scheme in PERIOD_SCHEMES else []
    clean_name = check_period(year, scheme, number, name, start, end, others)
    with db.atomic():
        period = Period.create(
            year=year, scheme=scheme, number=number, name=clean_name, start=start, end=end
        )
        history.record_create(actor, period)
    return period


def standard_period_name(scheme: str, number: int) -> str:
    """«Quarter 1», «Half-year 2», «Year» in the school's language: a period's name is data
    every user sees, whatever language the person creating it speaks."""
    school = School.current()
    with use_language(school.locale if school else None):
        if scheme == "quarters":
            return _("Quarter {number}").format(number=number)
        if scheme == "halves":
            return _("Half-year {number}").format(number=number)
        return _("Year")


def create_standard_periods(
    actor: Actor,
    year_id: str,
    quarters: Sequence[tuple[dt.date, dt.date]],
    halves: Sequence[tuple[dt.date, dt.date]],
) -> list[Period]:
    """Quarters and halves numbered 1, 2, … in the order given, plus the whole-year period.

    Meant for a year without periods: any existing period with the same number conflicts.
    Names are written in the school's language (they are data every user sees), and the
    whole set is checked before anything is written.
    """
    year = get_year(year_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(year)
    names = {
        "quarters": [standard_period_name("quarters", i + 1) for i in range(len(quarters))],
        "halves": [standard_period_name("halves", i + 1) for i in range(len(halves))],
        "year": [standard_period_name("year", 1)],
    }
    planned: list[tuple[str, int, str, dt.date, dt.date]] = []
    for scheme, ranges in (
        ("quarters", list(quarters)),
        ("halves", list(halves)),
        ("year", [(year.start, year.end)]),
    ):
        others = existing_periods(year, scheme)
        for index, (start, end) in enumerate(ranges):
            number = index + 1
            name = check_period(year, scheme, number, names[scheme][index], start, end, others)
            others.append((number, name, start, end))
            planned.append((scheme, number, name, start, end))
    created: list[Period] = []
    with db.atomic():
        for scheme, number, name, start, end in planned:
            period = Period.create(
                year=year, scheme=scheme, number=number, name=name, start=start, end=end
            )
            history.record_create(actor, period)
            created.append(period)
    return created


def add_holiday(actor: Actor, year_id: str, name: str, start: dt.date, end: dt.date) -> Holiday:
    year = get_year(year_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(year)
    clean_name = required_text(name, _("Enter the holiday's name, e.g. «Autumn break»."))
    check_range(start, end)
    check_inside_year(year, start, end)
    with db.atomic():
        holiday = Holiday.create(year=year, name=clean_name, start=start, end=end)
        history.record_create(actor, holiday)
    return holiday


def _parse_time(value: str) -> tuple[str, int]:
    """'8:30' → ('08:30', 510 minutes)."""
    match = _TIME.match(value or "")
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2))
        if hours < 24 and minutes < 60:
            return f"{hours:02d}:{minutes:02d}", hours * 60 + minutes
    raise ValidationError(
        _("«{value}» is not a time: write it as HH:MM, e.g. 08:30.").format(value=value)
    )


def check_bell(number: int, starts: str, ends: str) -> tuple[str, str]:
    """A lesson number and its bells as stored ('08:30', '09:15'), the end after the start."""
    if not isinstance(number, int) or not 0 <= number <= 20:
        raise ValidationError(_("A lesson number must be a whole number from 0 to 20."))
    start_text, start_minutes = _parse_time(starts)
    end_text, end_minutes = _parse_time(ends)
    if end_minutes <= start_minutes:
        raise ValidationError(
            _("Lesson {number} must end after it starts ({starts} – {ends}).").format(
                number=number, starts=start_text, ends=end_text
            )
        )
    return start_text, end_text


def add_bell(actor: Actor, number: int, starts: str, ends: str) -> Bell:
    """Lesson ``number`` runs from ``starts`` to ``ends`` (number 0 is the early 'zero' lesson)."""
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    start_text, end_text = check_bell(number, starts, ends)
    if Bell.select().where(Bell.number == number).exists():
        raise Conflict(_("Lesson {number} is already in the bell schedule.").format(number=number))
    with db.atomic():
        bell = Bell.create(number=number, starts=start_text, ends=end_text)
        history.record_create(actor, bell)
    return bell


def change_bell(actor: Actor, number: int, starts: str, ends: str) -> Bell:
    """New bells for lesson ``number`` (lessons keep their numbers; only the times move)."""
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    start_text, end_text = check_bell(number, starts, ends)
    bell = Bell.get_or_none(Bell.number == number)
    if bell is None:
        raise NotFound(
            _("There is no lesson {number} in the bell schedule; add it there first.").format(
                number=number
            )
        )
    before = history.snapshot(bell, ("starts", "ends"))
    with db.atomic():
        bell.starts, bell.ends = start_text, end_text
        bell.save()
        history.record_update(actor, bell, before)
    return bell


# --- subjects and work types ----------------------------------------------------------------


def create_subject(
    actor: Actor,
    name: str,
    *,
    short_name: str = "",
    pass_fail: bool = False,
    needs_written_work: bool | None = None,
) -> Subject:
    """A subject; by default it needs written work [R 5.2] if the policy lists its name."""
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    clean_name = required_text(name, _("Enter the subject's name."))
    folded = clean_name.casefold()
    if any(s.name.casefold() == folded for s in Subject.select(Subject.name)):
        raise Conflict(_("The subject «{name}» already exists.").format(name=clean_name))
    if needs_written_work is None:
        listed = {s.casefold() for s in load_policy().written_work_subjects}
        needs_written_work = folded in listed
    with db.atomic():
        subject = Subject.create(
            name=clean_name,
            short_name=(short_name or "").strip(),
            pass_fail=bool(pass_fail),
            needs_written_work=bool(needs_written_work),
        )
        history.record_create(actor, subject)
    return subject


def check_weight(weight: float | str) -> float:
    """A work type's weight as a number above 0 (a decimal comma is accepted)."""
    try:
        value = float(str(weight).strip().replace(",", "."))
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValidationError(
            _("A weight must be a number above 0, not «{weight}».").format(weight=weight)
        )
    return value


def create_work_type(actor: Actor, name: str, weight: float, kind: str) -> WorkType:
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    clean_name = required_text(name, _("Enter the name of the kind of work."))
    value = check_weight(weight)
    if kind not in WORK_KINDS:
        raise ValidationError(
            _("Unknown kind of work «{kind}»: use one of {choices}.").format(
                kind=kind, choices=", ".join(WORK_KINDS)
            )
        )
    folded = clean_name.casefold()
    if any(w.name.casefold() == folded for w in WorkType.select(WorkType.name)):
        raise Conflict(_("The kind of work «{name}» already exists.").format(name=clean_name))
    with db.atomic():
        work_type = WorkType.create(name=clean_name, weight=value, kind=kind)
        history.record_create(actor, work_type)
    return work_type
