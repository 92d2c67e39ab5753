"""Final marks for quarters, half-years and the year [R 5.1–5.4]: window, rules, writing.

A final mark is set once the period's lessons are over and until a few days after its end;
then it locks, and only a deputy or the director can reopen it (recorded). A mark that the
journal does not support (too few marks, no written work, far from the weighted average,
or н/а) needs a written justification, so a parent's question always has an answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from node.errors import Locked, ValidationError
from node.i18n import _
from node.models import (
    FinalMark,
    FinalMarkUnlock,
    Lesson,
    Mark,
    Period,
    Student,
    TeachingAssignment,
    WorkType,
    db,
)
from node.models.history import cell_key
from node.models.journal import WRITTEN_KINDS
from node.services.base import clock, history
from node.services.base.actor import Actor
from node.services.base.lookup import (
    ensure_journal_open,
    ensure_period_of_class,
    get_assignment,
    get_period,
    get_student,
)
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.policy import NOT_CERTIFIED, Policy, load_policy, parse_final_mark
from node.services.base.text import plain_line, plain_text
from node.services.gradebook import grading


@dataclass(frozen=True)
class FinalWindow:
    """When final marks of one journal and period may be set [R 5.4]."""

    opens: dt.date
    closes: dt.date
    unlocked_until: dt.date | None
    is_open: bool
    is_locked: bool


def _show_date(day: dt.date) -> str:
    """Dates in messages the way a Russian school writes them: 24.10.2026."""
    return day.strftime("%d.%m.%Y")


def final_cell(assignment_id: str, period_id: str, student_id: str) -> str:
    """The History ``cell`` of one final mark: its changes stay together even when the row
    is cleared and set again (a new row id)."""
    return cell_key(f"final:{assignment_id}:{period_id}", student_id)


# --- the window ---------------------------------------------------------------------------


def _last_lesson_date(assignment: TeachingAssignment, period: Period) -> dt.date | None:
    raw = (
        Lesson.select(pw.fn.MAX(Lesson.date))
        .where(
            Lesson.assignment == assignment.id,
            Lesson.date >= period.start,
            Lesson.date <= period.end,
            Lesson.status != "cancelled",
        )
        .scalar()
    )
    return Lesson.date.python_value(raw) if raw else None


def final_window(
    assignment: TeachingAssignment, period: Period, *, today: dt.date | None = None
) -> FinalWindow:
    """Open from the period's last lesson until its end plus the grace days [R 5.3, 5.4].

    An unlock that has not expired opens the window until its date, whatever the calendar
    says (also before the last lesson: a student leaving early may need a mark).
    """
    day = today or clock.today()
    policy = load_policy()
    raw = (
        FinalMarkUnlock.select(pw.fn.MAX(FinalMarkUnlock.until))
        .where(
            FinalMarkUnlock.assignment == assignment.id,
            FinalMarkUnlock.period == period.id,
            FinalMarkUnlock.until >= day,
        )
        .scalar()
    )
    unlocked_until = FinalMarkUnlock.until.python_value(raw) if raw else None
    return window_of(_last_lesson_date(assignment, period), period, unlocked_until, day, policy)


def window_of(
    last_lesson: dt.date | None,
    period: Period,
    unlocked_until: dt.date | None,
    day: dt.date,
    policy: Policy,
) -> FinalWindow:
    """``final_window``'s rule, for a caller that looked up the period's last held lesson
    and the latest unexpired unlock itself (for many journals at once)."""
    opens = last_lesson or period.end
    closes = period.end + dt.timedelta(days=policy.final_mark_grace_days)
    return FinalWindow(
        opens=opens,
        closes=closes,
        unlocked_until=unlocked_until,
        is_open=opens <= day <= closes or unlocked_until is not None,
        is_locked=day > closes and unlocked_until is None,
    )


def _ensure_window_open(assignment: TeachingAssignment, period: Period) -> None:
    window = final_window(assignment, period)
    if window.is_open:
        return
    if window.is_locked:
        raise Locked(
            _(
                "Final marks for {period} had to be set by {date} and are now locked. "
                "Ask a deputy director or the director to unlock them."
            ).format(period=period.name, date=_show_date(window.closes))
        )
    raise ValidationError(
        _(
            "Final marks for {period} can be set from {date}, the day of the last lesson "
            "of the period."
        ).format(period=period.name, date=_show_date(window.opens))
    )


# --- what the journal says ----------------------------------------------------------------


def _uses_period_finals(assignment: TeachingAssignment, period: Period) -> bool:
    """A year mark of a class with quarters or halves comes from those periods' finals."""
    return period.is_year and assignment.school_class.period_scheme != "year"


def _period_marks(
    assignment: TeachingAssignment, period: Period, student_id: str
) -> list[tuple[int | None, float, str]]:
    """(points, weight, work kind) of the student's marks in the period's held lessons."""
    query = (
        Mark.select(Mark.points, WorkType.weight, WorkType.kind)
        .join(Lesson, on=Mark.lesson == Lesson.id)
        .switch(Mark)
        .join(WorkType, on=Mark.work_type == WorkType.id)
        .where(
            Mark.student == student_id,
            Lesson.assignment == assignment.id,
            Lesson.date >= period.start,
            Lesson.date <= period.end,
            Lesson.status != "cancelled",
        )
        .tuples()
    )
    return list(query)


def _period_final_points(
    assignment: TeachingAssignment, period: Period, student_id: str
) -> list[int | None]:
    """Points of the student's finals in the class's scheme periods of the year."""
    scheme_periods = Period.select(Period.id).where(
        Period.year == period.year_id,
        Period.scheme == assignment.school_class.period_scheme,
    )
    query = FinalMark.select(FinalMark.points).where(
        FinalMark.assignment == assignment.id,
        FinalMark.student == student_id,
        FinalMark.period.in_(scheme_periods),
    )
    return [points for (points,) in query.tuples()]


def _suggest(
    assignment: TeachingAssignment, period: Period, student_id: str, policy: Policy
) -> str | None:
    if _uses_period_finals(assignment, period):
        points = grading.suggest_year_final(
            _period_final_points(assignment, period, student_id), policy
        )
    else:
        marks = _period_marks(assignment, period, student_id)
        points = grading.suggest_final(((p, w) for p, w, _kind in marks), policy)
    return None if points is None else str(points)


def suggested_final(assignment: TeachingAssignment, period: Period, student_id: str) -> str | None:
    """The final mark the journal suggests (weighted average rounded by the school's
    threshold; for the year, the average of the period finals); None without numbers."""
    return _suggest(assignment, period, student_id, load_policy())


def justification_reasons(
    assignment: TeachingAssignment,
    period: Period,
    student_id: str,
    value: str,
    points: int | None,
    suggested: str | None,
) -> list[str]:
    """Why this final mark needs a written justification [R 5.1, 5.2]; empty if it does not.

    ``value``/``points`` are parsed (``parse_final_mark``); ``suggested`` is what
    ``suggested_final`` returned. The count and written-work rules judge the period's
    marks, so they do not apply to a year mark made from period finals.
    """
    policy = load_policy()
    subject = assignment.subject
    reasons: list[str] = []
    if not _uses_period_finals(assignment, period):
        marks = _period_marks(assignment, period, student_id)
        required = policy.min_marks(assignment.hours_per_week)
        if len(marks) < required:
            reasons.append(
                _(
                    "The student has {count} mark(s) in the period; at least {required} are "
                    "needed at {hours} lesson(s) a week."
                ).format(
                    count=len(marks), required=required, hours=f"{assignment.hours_per_week:g}"
                )
            )
        if (
            not subject.pass_fail
            and subject.needs_written_work
            and not any(kind in WRITTEN_KINDS for _p, _w, kind in marks)
        ):
            reasons.append(
                _(
                    "{subject} needs a written, laboratory or practical work, and the student "
                    "has no mark for one in the period."
                ).format(subject=subject.name)
            )
    if (
        not subject.pass_fail
        and points is not None
        and suggested is not None
        and suggested.isdigit()
        and abs(points - int(suggested)) >= 1
    ):
        reasons.append(
            _("The final mark {value} differs from the suggested {suggested}.").format(
                value=value, suggested=suggested
            )
        )
    if value == NOT_CERTIFIED:
        reasons.append(_("«н/а» (not certified) always needs a reason."))
    return reasons


def justification_needed(
    actor: Actor, assignment_id: str, period_id: str, student_id: str, value: str
) -> list[str]:
    """Why setting ``value`` would need a written justification (empty: it would not), so
    a UI can ask for one before ``set_final_mark`` refuses; raises for an invalid mark."""
    assignment = get_assignment(assignment_id)
    period = get_period(period_id)
    student = get_student(student_id)
    ensure_allowed(actor, Action.FINAL_WRITE, assignment)
    policy = load_policy()
    canonical, points = parse_final_mark(
        value, pass_fail=assignment.subject.pass_fail, policy=policy
    )
    suggested = _suggest(assignment, period, student.id, policy)
    return justification_reasons(assignment, period, student.id, canonical, points, suggested)


# --- checking the period, the student and the window ------------------------------------------


def _ensure_student_fits(assignment: TeachingAssignment, period: Period, student: Student) -> None:
    in_journal = assignment.students().where(Student.id == student.id).exists()
    if not in_journal:
        raise ValidationError(
            _(
                "{name} is not in this journal ({label}). Choose a student of the class or "
                "group the journal is for."
            ).format(name=student.display_name, label=assignment.school_class.label)
        )
    if student.enrolled_on > period.end or (
        student.left_on is not None and student.left_on < period.start
    ):
        raise ValidationError(
            _("{name} was not enrolled during {period}, so has no final mark for it.").format(
                name=student.display_name, period=period.name
            )
        )


# --- writing ------------------------------------------------------------------------------


def set_final_mark(
    actor: Actor,
    assignment_id: str,
    period_id: str,
    student_id: str,
    value: str,
    *,
    justification: str = "",
) -> FinalMark:
    """Set (or change) a student's final mark for a period [R 5.1–5.4], with history."""
    assignment = get_assignment(assignment_id)
    period = get_period(period_id)
    student = get_student(student_id)
    ensure_allowed(actor, Action.FINAL_WRITE, assignment)
    ensure_journal_open(assignment)
    policy = load_policy()
    ensure_period_of_class(assignment.school_class, period)
    _ensure_student_fits(assignment, period, student)
    _ensure_window_open(assignment, period)
    canonical, points = parse_final_mark(
        value, pass_fail=assignment.subject.pass_fail, policy=policy
    )
    suggested = _suggest(assignment, period, student.id, policy)
    justification = plain_text(justification).strip()
    reasons = justification_reasons(assignment, period, student.id, canonical, points, suggested)
    if reasons and len(justification) < policy.justification_min_length:
        raise ValidationError(
            _(
                "The final mark {value} needs a written justification of at least {length} "
                "characters, because: {reasons}"
            ).format(
                value=canonical, length=policy.justification_min_length, reasons=" ".join(reasons)
            )
        )
    cell = final_cell(assignment.id, period.id, student.id)
    with db.atomic():
        # read under the write lock, so two people saving one cell cannot both "create" it
        existing = FinalMark.of_cell(assignment.id, period.id, student.id)
        if existing is None:
            row = FinalMark.create(
                student=student.id,
                assignment=assignment.id,
                period=period.id,
                value=canonical,
                points=points,
                suggested=suggested,
                justification=justification,
                set_by=actor.user_id,
                set_at=clock.now(),
            )
            history.record_create(actor, row, cell=cell)
            return row
        unchanged = (existing.value, existing.points, existing.suggested, existing.justification)
        if unchanged == (canonical, points, suggested, justification):
            return existing
        history.update_row(
            actor,
            existing,
            {
                "value": canonical,
                "points": points,
                "suggested": suggested,
                "justification": justification,
                "set_by": actor.user_id,
                "set_at": clock.now(),
            },
            cell=cell,
        )
        return existing


def clear_final_mark(
    actor: Actor, assignment_id: str, period_id: str, student_id: str
) -> FinalMark | None:
    """Remove a final mark while its window is open; returns what was removed (None if
    there was none, and then nothing is written)."""
    assignment = get_assignment(assignment_id)
    period = get_period(period_id)
    student = get_student(student_id)
    ensure_allowed(actor, Action.FINAL_WRITE, assignment)
    ensure_journal_open(assignment)
    _ensure_window_open(assignment, period)
    with db.atomic():
        existing = FinalMark.of_cell(assignment.id, period.id, student.id)
        if existing is None:
            return None
        history.record_delete(
            actor, existing, cell=final_cell(assignment.id, period.id, student.id)
        )
        existing.delete_instance()
    return existing


def unlock_finals(
    actor: Actor,
    assignment_id: str,
    period_id: str,
    *,
    reason: str,
    until: dt.date | None = None,
) -> FinalMarkUnlock:
    """Reopen a journal's final marks for a period until ``until`` [R 5.4]; the director
    or a deputy does it, says why, and it is recorded."""
    assignment = get_assignment(assignment_id)
    period = get_period(period_id)
    ensure_allowed(actor, Action.FINAL_UNLOCK, assignment)
    ensure_journal_open(assignment)
    policy = load_policy()
    ensure_period_of_class(assignment.school_class, period)
    reason = plain_line(reason).strip()
    if not reason:
        raise ValidationError(
            _("Say why the final marks are unlocked: the reason is kept in the history.")
        )
    today = clock.today()
    until = until or today + dt.timedelta(days=policy.unlock_days)
    if until < today:
        raise ValidationError(
            _("The unlock cannot end in the past ({date}); choose today or a later day.").format(
                date=_show_date(until)
            )
        )
    with db.atomic():
        row = FinalMarkUnlock.create(
            assignment=assignment.id,
            period=period.id,
            unlocked_by=actor.user_id,
            unlocked_at=clock.now(),
            until=until,
            reason=reason,
        )
        after = history.snapshot(row)
        history.record(
            actor,
            FinalMarkUnlock._meta.table_name,
            row.id,
            "unlock",
            {key: [None, value] for key, value in after.items()},
        )
    return row
