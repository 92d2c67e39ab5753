"""Substitutions (замены): another teacher takes a lesson while its own teacher is away.

The administration sets a substitute for one lesson, or for every lesson of an absent
teacher over a day or a period. The lesson stays in its journal; the substitute may keep
that lesson's page (``permissions``) for as long as the substitution exists. Each change
is one transaction with its history, like a mark: a period whose lessons cannot all be
covered (the substitute is busy at one of them) is refused whole, naming the clash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from node.errors import Conflict, ValidationError
from node.i18n import _
from node.models import (
    Lesson,
    SchoolClass,
    Subject,
    Substitution,
    TeachingAssignment,
    User,
    db,
)
from node.services.base import history
from node.services.base.actor import Actor
from node.services.base.lookup import ensure_journal_open, get_lesson, get_user
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.text import plain_line

#: Roles whose holder may teach a lesson in another's place (the sysadmin never marks).
TEACHING_ROLES = frozenset({"teacher", "class_teacher", "deputy", "director"})
#: The longest absence covered at once: a school term.
MAX_ABSENCE_DAYS = 92
_FIELDS = ("teacher", "reason")


@dataclass(frozen=True)
class Covered:
    """What an absence change did: lessons given a substitute (or taken back), and the
    cancelled lessons of the range left alone."""

    lessons: int
    skipped_cancelled: int


def lesson_label(lesson: Lesson) -> str:
    """«7А, Алгебра, 01.12, урок 3» — how a message names a lesson; a group's lesson names
    its group («7А (2 группа), …»), or two groups' lessons at one time read as one."""
    assignment = lesson.assignment
    label = assignment.school_class.label
    if assignment.subgroup_id is not None:
        label = f"{label} ({assignment.subgroup.name})"
    return _("{class_label}, {subject}, {day}, lesson {number}").format(
        class_label=label,
        subject=assignment.subject.name,
        day=lesson.date.strftime("%d.%m"),
        number=lesson.number,
    )


def _substitute(teacher_id: str) -> User:
    user = get_user(teacher_id)
    if user.status != "active" or not user.role_set & TEACHING_ROLES:
        raise ValidationError(
            _("{name} cannot take lessons: choose an active teacher.").format(
                name=user.display_name
            )
        )
    return user


def busy_with(
    user: User,
    lesson: Lesson,
    *,
    ignoring: set[str],
    at: tuple[dt.date, int] | None = None,
) -> Lesson | None:
    """A lesson ``user`` already teaches at the lesson's date and number (or ``at``): one
    of their own not handed to a substitute, or one they substitute. ``ignoring``: lessons
    being re-assigned in the same change."""
    day, number = at or (lesson.date, lesson.number)
    same_time = (
        Lesson.select(Lesson)
        .join(TeachingAssignment)
        .where(
            Lesson.date == day,
            Lesson.number == number,
            Lesson.status != "cancelled",
            Lesson.id.not_in([lesson.id, *ignoring]),
        )
    )
    handed_over = Substitution.select(Substitution.lesson)
    own = same_time.where(TeachingAssignment.teacher == user.id, Lesson.id.not_in(handed_over))
    found = own.first()
    if found is not None:
        return found
    covering = Substitution.select(Substitution.lesson).where(Substitution.teacher == user.id)
    return same_time.where(Lesson.id.in_(covering)).first()


def _check(lesson: Lesson, user: User, *, ignoring: frozenset[str] = frozenset()) -> None:
    assignment = lesson.assignment
    ensure_journal_open(assignment)
    if lesson.is_cancelled:
        raise ValidationError(
            _("The lesson {lesson} is cancelled; restore it before giving it a substitute.").format(
                lesson=lesson_label(lesson)
            )
        )
    if assignment.teacher_id == user.id:
        raise ValidationError(
            _("{name} is this lesson's own teacher; choose someone else to substitute.").format(
                name=user.display_name
            )
        )
    busy = busy_with(user, lesson, ignoring=set(ignoring))
    if busy is not None:
        raise Conflict(
            _("{name} already teaches then: {lesson}.").format(
                name=user.display_name, lesson=lesson_label(busy)
            )
        )


def ensure_substitute_free(lesson: Lesson, day: dt.date, number: int) -> None:
    """A substituted lesson moved to ``day``/``number`` keeps its substitute: they must be
    free then (``timetable.move_lesson`` asks before it moves the lesson)."""
    row = Substitution.get_or_none(Substitution.lesson == lesson.id)
    if row is None:
        return
    busy = busy_with(row.teacher, lesson, ignoring=set(), at=(day, number))
    if busy is not None:
        raise Conflict(
            _(
                "The lesson's substitute {name} already teaches then: {lesson}. Remove the "
                "substitute or choose another time."
            ).format(name=row.teacher.display_name, lesson=lesson_label(busy))
        )


def _write(actor: Actor, lesson: Lesson, user: User, reason: str) -> Substitution:
    """Create or change the lesson's substitution with its history (inside a transaction)."""
    row = Substitution.get_or_none(Substitution.lesson == lesson.id)
    if row is not None and row.teacher_id != user.id:
        # another substitute: the row goes and a new one comes, so that the first
        # substitute's laptop receives the removal (it never sees the new teacher's row)
        history.record_delete(actor, row)
        row.delete_instance()
        row = None
    if row is None:
        row = Substitution.create(lesson=lesson.id, teacher=user.id, reason=reason)
        history.record_create(actor, row)
        return row
    history.update_row(actor, row, {"reason": reason}, tracked=_FIELDS)
    return row


def set_substitute(actor: Actor, lesson_id: str, teacher_id: str, reason: str = "") -> Substitution:
    """``teacher_id`` takes this lesson instead of its own teacher (replaces a substitute)."""
    ensure_allowed(actor, Action.SUBSTITUTION_MANAGE)
    lesson = get_lesson(lesson_id)
    user = _substitute(teacher_id)
    _check(lesson, user)
    with db.atomic():
        return _write(actor, lesson, user, plain_line(reason).strip())


def remove_substitute(actor: Actor, lesson_id: str) -> None:
    """The lesson goes back to its own teacher; the substitute's right to it ends."""
    ensure_allowed(actor, Action.SUBSTITUTION_MANAGE)
    lesson = get_lesson(lesson_id)
    ensure_journal_open(lesson.assignment)
    row = Substitution.get_or_none(Substitution.lesson == lesson.id)
    if row is None:
        raise ValidationError(
            _("The lesson {lesson} has no substitute.").format(lesson=lesson_label(lesson))
        )
    with db.atomic():
        history.record_delete(actor, row)
        row.delete_instance()


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError(_("The absence ends before it starts: swap the dates."))
    if (end - start).days >= MAX_ABSENCE_DAYS:
        raise ValidationError(
            _("An absence is covered at most {days} days at a time; split it.").format(
                days=MAX_ABSENCE_DAYS
            )
        )


def lessons_of_teacher(teacher_id: str, start: dt.date, end: dt.date) -> list[Lesson]:
    """Every lesson of ``teacher_id``'s journals from ``start`` to ``end``, in time order."""
    return list(
        Lesson.select(Lesson, TeachingAssignment, SchoolClass, Subject)
        .join(TeachingAssignment)
        .join(SchoolClass)
        .switch(TeachingAssignment)
        .join(Subject)
        .where(TeachingAssignment.teacher == teacher_id, Lesson.date.between(start, end))
        .order_by(Lesson.date, Lesson.number)
    )


def substitute_absence(
    actor: Actor,
    teacher_id: str,
    start: dt.date,
    end: dt.date,
    substitute_id: str,
    reason: str = "",
) -> Covered:
    """``substitute_id`` takes every held lesson of the absent ``teacher_id`` from ``start``
    to ``end``; all of them or, if the substitute is busy at one, none."""
    ensure_allowed(actor, Action.SUBSTITUTION_MANAGE)
    absent = get_user(teacher_id)
    user = _substitute(substitute_id)
    _check_range(start, end)
    lessons = lessons_of_teacher(absent.id, start, end)
    held = [lesson for lesson in lessons if not lesson.is_cancelled]
    if not held:
        raise ValidationError(
            _("{name} has no lessons from {start} to {end}.").format(
                name=absent.display_name, start=start.strftime("%d.%m"), end=end.strftime("%d.%m")
            )
        )
    ids: frozenset[str] = frozenset(lesson.id for lesson in held)
    for lesson in held:
        _check(lesson, user, ignoring=ids)
    with db.atomic():
        for lesson in held:
            _write(actor, lesson, user, plain_line(reason).strip())
    return Covered(lessons=len(held), skipped_cancelled=len(lessons) - len(held))


def end_absence(actor: Actor, teacher_id: str, start: dt.date, end: dt.date) -> Covered:
    """Every lesson of ``teacher_id`` from ``start`` to ``end`` goes back to them."""
    ensure_allowed(actor, Action.SUBSTITUTION_MANAGE)
    absent = get_user(teacher_id)
    _check_range(start, end)
    lesson_ids = [lesson.id for lesson in lessons_of_teacher(absent.id, start, end)]
    rows = list(Substitution.select().where(Substitution.lesson.in_(lesson_ids)))
    if not rows:
        raise ValidationError(
            _("No lesson of {name} from {start} to {end} has a substitute.").format(
                name=absent.display_name, start=start.strftime("%d.%m"), end=end.strftime("%d.%m")
            )
        )
    with db.atomic():
        for row in rows:
            ensure_journal_open(row.lesson.assignment)
            history.record_delete(actor, row)
            row.delete_instance()
    return Covered(lessons=len(rows), skipped_cancelled=0)


def substitutes_of(lesson_ids: list[str]) -> dict[str, User]:
    """The substitute of each of these lessons that has one (for the pages that show it)."""
    out: dict[str, User] = {}
    for start in range(0, len(lesson_ids), 500):
        part = lesson_ids[start : start + 500]
        query = (
            Substitution.select(Substitution, User).join(User).where(Substitution.lesson.in_(part))
        )
        for row in query:
            out[row.lesson_id] = row.teacher
    return out
