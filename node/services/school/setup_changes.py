"""Changing and removing what the school set up: a period's dates, a holiday, a bell, a
subject's name and flags, a work type's weight.

The checks are school_setup's own (one rule, one place). A row is removed only when nothing
depends on it; the refusal says what does. Each change is one transaction with history, and
a closed academic year stays read-only [R 6.3].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from node.errors import Conflict, EdiaryError, NotFound, ValidationError
from node.i18n import _
from node.models import (
    Bell,
    FinalMark,
    Holiday,
    Lesson,
    Mark,
    Period,
    Subgroup,
    Subject,
    TeachingAssignment,
    TimetableSlot,
    WorkType,
    db,
)
from node.models.base import SyncModel
from node.services.base import history
from node.services.base.actor import Actor
from node.services.base.lookup import (
    ensure_year_open,
    get_period,
    get_subject,
    get_work_type,
    required_text,
)
from node.services.base.permissions import Action, ensure_allowed
from node.services.school.school_setup import (
    check_inside_year,
    check_period,
    check_range,
    check_weight,
    existing_periods,
)
from node.services.school.years import ensure_marks_covered


def _remove(actor: Actor, row: SyncModel) -> None:
    with db.atomic():
        history.record_delete(actor, row)
        row.delete_instance()


# --- periods and holidays -------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodChange:
    """A period's new name and dates."""

    period_id: str
    name: str
    start: dt.date
    end: dt.date


def change_period(actor: Actor, period_id: str, name: str, start: dt.date, end: dt.date) -> Period:
    """New name or dates for a period, checked against the other periods of its scheme."""
    (period,) = change_periods(actor, [PeriodChange(period_id, name, start, end)])
    return period


def change_periods(actor: Actor, changes: Sequence[PeriodChange]) -> list[Period]:
    """New names or dates for periods of one scheme, checked as the scheme will be after all
    of them: moving the boundary between two quarters is one change, not an overlap on the
    way. Dates that would leave marks outside every period of their class's scheme are
    refused (lessons without marks may lie between periods, as the timetable makes lessons
    for the whole year). A refusal's ``period_id`` names the period it is about (a caller
    showing a whole file shows it on that period's row)."""
    periods = [get_period(change.period_id) for change in changes]
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    if not periods:
        return []
    year, scheme = periods[0].year, periods[0].scheme
    if any((p.year_id, p.scheme) != (year.id, scheme) for p in periods):
        raise ValidationError(_("Change the periods of one scheme of one year at a time."))
    ensure_year_open(year)
    final = {p[0]: p for p in existing_periods(year, scheme)}
    for period, change in zip(periods, changes, strict=True):
        final[period.number] = (period.number, change.name, change.start, change.end)
    names = {}
    for period, change in zip(periods, changes, strict=True):
        others = [p for number, p in final.items() if number != period.number]
        try:
            names[period.id] = check_period(
                year, scheme, period.number, change.name, change.start, change.end, others
            )
        except EdiaryError as exc:
            exc.period_id = period.id  # type: ignore[attr-defined]  # which one, for a file
            raise
    ranges = [(start, end) for _n, _name, start, end in final.values()]
    try:
        ensure_marks_covered(year, scheme, ranges)
    except Conflict as exc:
        exc.period_id = periods[0].id  # type: ignore[attr-defined]
        raise
    with db.atomic():
        for period, change in zip(periods, changes, strict=True):
            history.update_row(
                actor, period, {"name": names[period.id], "start": change.start, "end": change.end}
            )
    return periods


def remove_period(actor: Actor, period_id: str) -> None:
    """Remove a period that holds no final marks and leaves no lesson with marks outside
    every period of its scheme."""
    period = get_period(period_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(period.year)
    others = [o for o in existing_periods(period.year, period.scheme) if o[0] != period.number]
    if period.scheme == "year":
        raise Conflict(_("The whole-year period is not removed: it follows the year's own dates."))
    ensure_marks_covered(period.year, period.scheme, [(o[2], o[3]) for o in others])
    finals = FinalMark.select().where(FinalMark.period == period).count()
    if finals:
        raise Conflict(
            _("{name} holds {count} final marks; a period with marks is not removed.").format(
                name=period.name, count=finals
            )
        )
    _remove(actor, period)


def change_holiday(
    actor: Actor, holiday_id: str, name: str, start: dt.date, end: dt.date
) -> Holiday:
    """New name or dates for a holiday (lessons generated later follow them)."""
    holiday = _holiday(holiday_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(holiday.year)
    clean = required_text(name, _("Enter the holiday's name, e.g. «Autumn break»."))
    check_range(start, end)
    check_inside_year(holiday.year, start, end)
    history.update_row(actor, holiday, {"name": clean, "start": start, "end": end})
    return holiday


def _holiday(holiday_id: str) -> Holiday:
    holiday = Holiday.get_or_none(Holiday.id == holiday_id)
    if holiday is None:
        raise NotFound(_("This holiday no longer exists; refresh the list."))
    return holiday


def remove_holiday(actor: Actor, holiday_id: str) -> None:
    """Remove a holiday (its days become school days for lessons generated later)."""
    holiday = _holiday(holiday_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(holiday.year)
    _remove(actor, holiday)


# --- bells ----------------------------------------------------------------------------------


def remove_bell(actor: Actor, number: int) -> None:
    """Remove lesson ``number`` from the bells, unless the timetable or lessons use it."""
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    bell = Bell.get_or_none(Bell.number == number)
    if bell is None:
        raise NotFound(_("There is no lesson {number} in the bell schedule.").format(number=number))
    slots = TimetableSlot.select().where(TimetableSlot.number == number).count()
    lessons = Lesson.select().where(Lesson.number == number).count()
    if slots or lessons:
        raise Conflict(
            _(
                "Lesson {number} is in the timetable ({slots} places) and has {lessons} lessons; "
                "a bell in use is not removed — change its times instead."
            ).format(number=number, slots=slots, lessons=lessons)
        )
    _remove(actor, bell)


# --- subjects and work types ----------------------------------------------------------------


def change_subject(
    actor: Actor,
    subject_id: str,
    name: str,
    *,
    short_name: str,
    pass_fail: bool,
    needs_written_work: bool,
) -> Subject:
    """A subject's name, short name and flags (pass/fail, needs written work [R 5.2])."""
    subject = get_subject(subject_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    clean = required_text(name, _("Enter the subject's name."))
    folded = clean.casefold()
    if any(
        s.name.casefold() == folded
        for s in Subject.select(Subject.name).where(Subject.id != subject.id)
    ):
        raise Conflict(_("The subject «{name}» already exists.").format(name=clean))
    values = {
        "name": clean,
        "short_name": (short_name or "").strip(),
        "pass_fail": bool(pass_fail),
        "needs_written_work": bool(needs_written_work),
    }
    history.update_row(actor, subject, values)
    return subject


def remove_subject(actor: Actor, subject_id: str) -> None:
    """Remove a subject no journal and no subgroup uses."""
    subject = get_subject(subject_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    journals = TeachingAssignment.select().where(TeachingAssignment.subject == subject).count()
    groups = Subgroup.select().where(Subgroup.subject == subject).count()
    if journals or groups:
        raise Conflict(
            _(
                "«{name}» is taught in {journals} journals and has {groups} subgroups; "
                "a subject in use is not removed."
            ).format(name=subject.name, journals=journals, groups=groups)
        )
    _remove(actor, subject)


def set_work_type_weight(actor: Actor, work_type_id: str, weight: float | str) -> WorkType:
    """A kind of work's weight in the weighted average (marks already given follow it)."""
    work_type = get_work_type(work_type_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    value = check_weight(weight)
    history.update_row(actor, work_type, {"weight": value})
    return work_type


def remove_work_type(actor: Actor, work_type_id: str) -> None:
    """Remove a kind of work no mark and no lesson uses."""
    work_type = get_work_type(work_type_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    marks = Mark.select().where(Mark.work_type == work_type).count()
    lessons = Lesson.select().where(Lesson.work_type == work_type).count()
    if marks or lessons:
        raise Conflict(
            _(
                "«{name}» is used by {marks} marks and {lessons} lessons; "
                "a kind of work in use is not removed."
            ).format(name=work_type.name, marks=marks, lessons=lessons)
        )
    _remove(actor, work_type)
