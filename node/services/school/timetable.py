"""The weekly timetable and the lessons it generates; moving, cancelling and adding lessons.

A lesson is a column of the journal: it may not fall on a holiday or outside its academic
year, and one assignment has at most one lesson per date and lesson number. Marks and
attendance hang on the lesson, so moving a lesson carries them along, and a lesson that
holds any cannot be cancelled until the teacher clears them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Container, Sequence
from dataclasses import dataclass
from typing import Any

import peewee as pw

from node.errors import Conflict, EdiaryError, ValidationError
from node.i18n import N_, _
from node.models import (
    AcademicYear,
    Attendance,
    Bell,
    History,
    Holiday,
    Lesson,
    Mark,
    Period,
    SchoolClass,
    Subgroup,
    Subject,
    Substitution,
    TeachingAssignment,
    TimetableSlot,
    User,
    bulk_insert,
    db,
    new_id,
)
from node.services.base import history
from node.services.base.actor import Actor
from node.services.base.lookup import (
    ensure_journal_open,
    ensure_year_open,
    get_assignment,
    get_class,
    get_lesson,
    get_period,
    get_slot,
)
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.text import plain_line
from node.services.school.substitutions import ensure_substitute_free

#: The mark in a lesson's delete record that a timetable change removed it (so a later
#: generation may put a lesson there again, unlike a place a lesson was deleted from by hand).
REGENERATED = "regenerated_from"

LESSON_COLUMNS = ("id", "assignment", "date", "number", "status", "topic", "homework")


@dataclass(frozen=True)
class GenerationResult:
    """What a generation run did, counted in lessons (assignment × date × number)."""

    created: int
    skipped_existing: int
    skipped_holidays: int


@dataclass(frozen=True)
class DayLesson:
    """One line of a teacher's day: the lesson and what the screen shows beside it."""

    lesson: Lesson
    class_label: str
    subject_name: str
    subgroup_name: str
    starts: str
    ends: str
    room: str
    substitute: str = ""  # who takes this lesson of the teacher's (замена)
    covering_for: str = ""  # whose lesson the teacher takes as a substitute

    @property
    def is_cancelled(self) -> bool:
        return self.lesson.is_cancelled


def _check_bell(number: int, bells: Container[int] | None = None) -> None:
    """A lesson number the bell schedule has (``bells``: its numbers, when already read)."""
    if not isinstance(number, int) or not (
        number in bells
        if bells is not None
        else Bell.select().where(Bell.number == number).exists()
    ):
        raise ValidationError(
            _("There is no lesson {number} in the bell schedule; add it there first.").format(
                number=number
            )
        )


# --- the weekly timetable -------------------------------------------------------------------


def describe(assignment: TeachingAssignment) -> str:
    label = assignment.school_class.label
    if assignment.subgroup_id:
        label = f"{label} ({assignment.subgroup.name})"
    return f"{assignment.subject.name}, {label}"


def clashes_with(assignment: TeachingAssignment, other: TeachingAssignment) -> bool:
    """Whether two assignments cannot share a weekday and lesson number.

    Two lessons of one class at once are fine only when both are for different subgroups
    (the class splits up); a teacher is never in two places at once.
    """
    if other.id == assignment.id:
        return False
    if other.teacher_id == assignment.teacher_id:
        return True
    if other.school_class_id != assignment.school_class_id:
        return False
    both_subgroups = other.subgroup_id is not None and assignment.subgroup_id is not None
    return not (both_subgroups and other.subgroup_id != assignment.subgroup_id)


def slot_clash(
    assignment: TeachingAssignment, weekday: int, number: int
) -> TeachingAssignment | None:
    """Another assignment that already holds this class or this teacher at weekday/number
    (see ``clashes_with``)."""
    same_time = (
        TeachingAssignment.select(TeachingAssignment)
        .join(TimetableSlot)
        .switch(TeachingAssignment)
        .join(SchoolClass)
        .where(
            TimetableSlot.weekday == weekday,
            TimetableSlot.number == number,
            TeachingAssignment.id != assignment.id,
            SchoolClass.year == assignment.school_class.year_id,
            (TeachingAssignment.school_class == assignment.school_class_id)
            | (TeachingAssignment.teacher == assignment.teacher_id),
        )
    )
    for other in same_time:
        if clashes_with(assignment, other):
            return other
    return None


def _room_clash(
    assignment: TeachingAssignment, weekday: int, number: int, room: str
) -> TeachingAssignment | None:
    """Another assignment of the year whose lesson is in ``room`` at weekday/number."""
    if not room:
        return None
    same_time = (
        TimetableSlot.select(TimetableSlot, TeachingAssignment)
        .join(TeachingAssignment)
        .join(SchoolClass)
        .where(
            TimetableSlot.weekday == weekday,
            TimetableSlot.number == number,
            TeachingAssignment.id != assignment.id,
            SchoolClass.year == assignment.school_class.year_id,
            TimetableSlot.room != "",
        )
    )
    for slot in same_time:
        if slot.room.casefold() == room.casefold():
            return slot.assignment
    return None


def _check_weekday(weekday: int) -> None:
    if not isinstance(weekday, int) or not 1 <= weekday <= 7:
        raise ValidationError(_("A weekday must be a number from 1 (Monday) to 7 (Sunday)."))


#: Weekdays as the timetable's columns name them (1 = Monday).
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def when(weekday: int, number: int) -> str:
    """«Пн, 3-й урок» — a cell of the week as the timetable editor names it."""
    return _("{weekday}, lesson {number}").format(weekday=_(WEEKDAYS[weekday - 1]), number=number)


def _room_taken(in_room: TeachingAssignment, room: str, weekday: int, number: int) -> Conflict:
    return Conflict(
        _("Room {room} is taken then ({lesson}, {teacher}, {when}); choose another room.").format(
            room=room,
            lesson=describe(in_room),
            teacher=in_room.teacher.display_name,
            when=when(weekday, number),
        )
    )


def _busy(
    assignment: TeachingAssignment, other: TeachingAssignment, weekday: int, number: int
) -> Conflict:
    who = (
        other.teacher.display_name
        if other.teacher_id == assignment.teacher_id
        else other.school_class.label
    )
    return Conflict(
        _("{who} already has a lesson then ({lesson}, {when}); choose another time.").format(
            who=who, lesson=describe(other), when=when(weekday, number)
        )
    )


def set_slot(
    actor: Actor, assignment_id: str, weekday: int, number: int, room: str = ""
) -> TimetableSlot:
    """Put the assignment's lesson on ``weekday`` (1 = Monday … 7 = Sunday), lesson ``number``.

    Setting a slot the assignment already has just changes its room.
    """
    assignment = get_assignment(assignment_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_journal_open(assignment)
    _check_weekday(weekday)
    _check_bell(number)
    clean_room = (room or "").strip()
    in_room = _room_clash(assignment, weekday, number, clean_room)
    if in_room is not None:
        raise _room_taken(in_room, clean_room, weekday, number)
    existing = TimetableSlot.get_or_none(
        TimetableSlot.assignment == assignment,
        TimetableSlot.weekday == weekday,
        TimetableSlot.number == number,
    )
    if existing is not None:
        history.update_row(actor, existing, {"room": clean_room})
        return existing
    other = slot_clash(assignment, weekday, number)
    if other is not None:
        raise _busy(assignment, other, weekday, number)
    with db.atomic():
        slot = TimetableSlot.create(
            assignment=assignment, weekday=weekday, number=number, room=clean_room
        )
        history.record_create(actor, slot)
    return slot


@dataclass(frozen=True)
class SlotRequest:
    """One ``set_slot`` of a batch."""

    assignment_id: str
    weekday: int
    number: int
    room: str = ""


class _Week:
    """The weekly timetables of some years, read once: what is at each time, by year, with
    the rooms, classes and teachers taken then."""

    def __init__(self, year_ids: set[str]) -> None:
        self.slots: dict[tuple[str, int, int], TimetableSlot] = {}
        #: (year, weekday, number) → room (casefolded) → assignments whose lesson is there
        self.rooms: dict[tuple[str, int, int], dict[str, list[TeachingAssignment]]] = defaultdict(
            lambda: defaultdict(list)
        )
        #: (year, weekday, number, class or teacher id) → assignments holding it then
        self.holders: dict[tuple[str, int, int, str], list[TeachingAssignment]] = defaultdict(list)
        query = (
            TimetableSlot.select(TimetableSlot, TeachingAssignment, SchoolClass)
            .join(TeachingAssignment)
            .join(SchoolClass)
            .where(SchoolClass.year.in_(list(year_ids)))
        )
        for slot in query:
            self.add(slot, slot.assignment)

    def add(self, slot: TimetableSlot, assignment: TeachingAssignment) -> None:
        at = (assignment.school_class.year_id, slot.weekday, slot.number)
        self.slots[(assignment.id, slot.weekday, slot.number)] = slot
        if slot.room:
            self.rooms[at][slot.room.casefold()].append(assignment)
        self.holders[(*at, assignment.school_class_id)].append(assignment)
        self.holders[(*at, assignment.teacher_id)].append(assignment)

    def move(self, slot: TimetableSlot, assignment: TeachingAssignment, room: str) -> None:
        """The slot's room changes to ``room``."""
        at = (assignment.school_class.year_id, slot.weekday, slot.number)
        if slot.room:
            self.rooms[at][slot.room.casefold()].remove(assignment)
        if room:
            self.rooms[at][room.casefold()].append(assignment)

    def room_clash(
        self, assignment: TeachingAssignment, weekday: int, number: int, room: str
    ) -> TeachingAssignment | None:
        """``_room_clash`` answered from what was read."""
        if not room:
            return None
        at = (assignment.school_class.year_id, weekday, number)
        there = self.rooms.get(at, {}).get(room.casefold(), ())
        return next((other for other in there if other.id != assignment.id), None)

    def slot_clash(
        self, assignment: TeachingAssignment, weekday: int, number: int
    ) -> TeachingAssignment | None:
        """``_slot_clash`` answered from what was read."""
        at = (assignment.school_class.year_id, weekday, number)
        for holder in (assignment.school_class_id, assignment.teacher_id):
            for other in self.holders.get((*at, holder), ()):
                if clashes_with(assignment, other):
                    return other
        return None


def _assignments_by_id(ids: Sequence[str]) -> dict[str, TeachingAssignment]:
    """The assignments with their classes and subjects (as ``get_assignment``), read at once."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, TeachingAssignment] = {}
    for start in range(0, len(wanted), 500):
        query = (
            TeachingAssignment.select(TeachingAssignment, SchoolClass, Subject, AcademicYear)
            .join(SchoolClass, on=TeachingAssignment.school_class == SchoolClass.id)
            .join(AcademicYear, on=SchoolClass.year == AcademicYear.id)
            .switch(TeachingAssignment)
            .join(Subject, on=TeachingAssignment.subject == Subject.id)
            .where(TeachingAssignment.id.in_(wanted[start : start + 500]))
        )
        found.update({a.id: a for a in query})
    return found


def set_slots(actor: Actor, requests: Sequence[SlotRequest]) -> list[TimetableSlot | EdiaryError]:
    """``set_slot`` for each request, in order, as if called one after the other: each gets
    its slot or the refusal ``set_slot`` would raise, and sees the slots set before it.

    The timetable is read once and the new slots written many per statement, in one
    transaction. The slots accepted are written even when others are refused; a caller that
    wants all or nothing (the set-up import) rolls back its own transaction.
    """
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    assignments = _assignments_by_id([r.assignment_id for r in requests])
    week = _Week({a.school_class.year_id for a in assignments.values()})
    bells = {number for (number,) in Bell.select(Bell.number).tuples()}
    results: list[TimetableSlot | EdiaryError] = []
    new: dict[str, TimetableSlot] = {}  # id → a slot set in this batch, not yet written
    with history.one_transaction():
        for request in requests:
            try:
                results.append(_set_one_slot(actor, request, assignments, week, bells, new))
            except EdiaryError as exc:
                results.append(exc)
        history.create_rows(actor, list(new.values()))
    return results


def _set_one_slot(
    actor: Actor,
    request: SlotRequest,
    assignments: dict[str, TeachingAssignment],
    week: _Week,
    bells: set[int],
    new: dict[str, TimetableSlot],
) -> TimetableSlot:
    """The checks of ``set_slot``, in its order, answered from what ``set_slots`` read."""
    assignment = assignments.get(request.assignment_id) or get_assignment(request.assignment_id)
    ensure_year_open(assignment.school_class.year)
    weekday, number = request.weekday, request.number
    _check_weekday(weekday)
    _check_bell(number, bells)
    clean_room = (request.room or "").strip()
    in_room = week.room_clash(assignment, weekday, number, clean_room)
    if in_room is not None:
        raise _room_taken(in_room, clean_room, weekday, number)
    existing = week.slots.get((assignment.id, weekday, number))
    if existing is not None:
        week.move(existing, assignment, clean_room)
        if existing.id in new:  # set earlier in this batch: its creation records the room
            existing.room = clean_room
        else:
            history.update_row(actor, existing, {"room": clean_room})
        return existing
    other = week.slot_clash(assignment, weekday, number)
    if other is not None:
        raise _busy(assignment, other, weekday, number)
    slot = TimetableSlot(assignment=assignment, weekday=weekday, number=number, room=clean_room)
    week.add(slot, assignment)
    new[slot.id] = slot
    return slot


def remove_slot(actor: Actor, slot_id: str) -> None:
    """Take a slot out of the timetable; lessons already generated stay."""
    slot = get_slot(slot_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_journal_open(slot.assignment)
    with db.atomic():
        history.record_delete(actor, slot)
        slot.delete_instance()


# --- generating lessons ---------------------------------------------------------------------


def _classes_for(period: Period, class_id: str | None) -> pw.ModelSelect:
    """The classes a period applies to: one named class, or every class of its scheme."""
    query = SchoolClass.select(SchoolClass.id).where(SchoolClass.year == period.year_id)
    if class_id is not None:
        school_class = get_class(class_id)
        if school_class.year_id != period.year_id:
            raise ValidationError(
                _("The class {label} is not of the academic year of «{period}».").format(
                    label=school_class.label, period=period.name
                )
            )
        if not period.is_year and school_class.period_scheme != period.scheme:
            raise ValidationError(
                _("The class {label} follows {scheme}, so «{period}» does not apply to it.").format(
                    label=school_class.label, scheme=school_class.period_scheme, period=period.name
                )
            )
        return query.where(SchoolClass.id == school_class.id)
    if not period.is_year:
        query = query.where(SchoolClass.period_scheme == period.scheme)
    return query


def _holiday_days(year_id: str, start: dt.date, end: dt.date) -> set[dt.date]:
    days: set[dt.date] = set()
    for holiday in Holiday.select().where(
        Holiday.year == year_id, Holiday.start <= end, Holiday.end >= start
    ):
        day = max(holiday.start, start)
        while day <= min(holiday.end, end):
            days.add(day)
            day += dt.timedelta(days=1)
    return days


def _vacated(
    assignment_ids: set[str], start: dt.date, end: dt.date
) -> set[tuple[str, dt.date, int]]:
    """Places a lesson was moved away from or deleted from, so generation leaves them empty.

    Without this, regenerating after a teacher moved a lesson would put a second, phantom
    lesson back on the old date. History is the record of those moves: each lesson's
    changes are replayed backwards from its present place to every place it held before.
    """
    rows = (
        History.select(History.entity_id, History.action, History.changes)
        .where(
            History.entity == "lesson",
            History.entity_id.is_null(False),
            (
                (History.action == "update")
                & (History.changes.contains('"date"') | History.changes.contains('"number"'))
            )
            | (History.action == "delete"),
        )
        .order_by(History.at.desc(), History.id.desc())
    )
    by_lesson: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for row in rows:
        by_lesson[row.entity_id].append((row.action, json.loads(row.changes)))
    if not by_lesson:
        return set()
    present: dict[str, tuple[str, dt.date, int]] = {}
    lesson_ids = list(by_lesson)
    for offset in range(0, len(lesson_ids), 500):
        chunk = lesson_ids[offset : offset + 500]
        query = Lesson.select(Lesson.id, Lesson.assignment, Lesson.date, Lesson.number)
        for lesson_id, assignment_id, day, number in query.where(Lesson.id.in_(chunk)).tuples():
            present[lesson_id] = (assignment_id, day, number)
    vacated: set[tuple[str, dt.date, int]] = set()
    for lesson_id, records in by_lesson.items():
        place = present.get(lesson_id)
        for action, changes in records:  # newest first
            if action == "delete":
                if REGENERATED in changes:  # the timetable no longer had it: not a choice
                    place = None
                    continue
                try:
                    place = (
                        str(changes["assignment"][0]),
                        dt.date.fromisoformat(str(changes["date"][0])),
                        int(changes["number"][0]),
                    )
                except (KeyError, TypeError, ValueError):
                    place = None
                    continue
            elif place is not None:
                assignment_id, day, number = place
                if "date" in changes:
                    day = dt.date.fromisoformat(str(changes["date"][0]))
                if "number" in changes:
                    number = int(changes["number"][0])
                place = (assignment_id, day, number)
            else:
                continue
            if place[0] in assignment_ids and start <= place[1] <= end:
                vacated.add(place)
    return vacated


def generate_lessons(
    actor: Actor, period_id: str, *, class_id: str | None = None
) -> GenerationResult:
    """Create the period's lessons from the weekly timetable, skipping holidays.

    Idempotent: a lesson that exists (in any status), or that was moved away or deleted,
    is not made again. All of it is one transaction and one history row.
    """
    period = get_period(period_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(period.year)
    if period.year.status == "draft":  # the roll-over's copy waits for the director's review
        raise Conflict(
            _(
                "The year {name} is a draft made by the roll-over: review its classes and "
                "timetable, then confirm it (ediary year confirm) to generate its lessons."
            ).format(name=period.year.name)
        )
    classes = _classes_for(period, class_id)
    slots = list(
        TimetableSlot.select(TimetableSlot.assignment, TimetableSlot.weekday, TimetableSlot.number)
        .join(TeachingAssignment)
        .where(TeachingAssignment.school_class.in_(classes))
        .tuples()
    )
    assignment_ids = {assignment_id for assignment_id, _w, _n in slots}
    dates_by_weekday: dict[int, list[dt.date]] = defaultdict(list)
    day = period.start
    while day <= period.end:
        dates_by_weekday[day.isoweekday()].append(day)
        day += dt.timedelta(days=1)
    holidays = _holiday_days(period.year_id, period.start, period.end)
    taken: set[tuple[str, dt.date, int]] = set(
        Lesson.select(Lesson.assignment, Lesson.date, Lesson.number)
        .join(TeachingAssignment)
        .where(
            TeachingAssignment.school_class.in_(classes),
            Lesson.date >= period.start,
            Lesson.date <= period.end,
        )
        .tuples()
    )
    taken |= _vacated(assignment_ids, period.start, period.end)
    rows: list[tuple[str, str, str, int, str, str, str]] = []
    skipped_existing = skipped_holidays = 0
    for assignment_id, weekday, number in slots:
        for day in dates_by_weekday.get(weekday, ()):
            key = (assignment_id, day, number)
            if day in holidays:
                skipped_holidays += 1
            elif key in taken:
                skipped_existing += 1
            else:
                taken.add(key)
                rows.append((new_id(), assignment_id, day.isoformat(), number, "scheduled", "", ""))
    result = GenerationResult(
        created=len(rows), skipped_existing=skipped_existing, skipped_holidays=skipped_holidays
    )
    with history.one_transaction():
        if rows:
            bulk_insert(Lesson, LESSON_COLUMNS, rows)
        history.record(
            actor,
            "lesson",
            None,
            "import",
            {
                "period": [None, period.id],
                "class": [None, class_id],
                "created": [None, result.created],
                "skipped_existing": [None, result.skipped_existing],
                "skipped_holidays": [None, result.skipped_holidays],
            },
        )
    return result


# --- single lessons -------------------------------------------------------------------------


def school_day_text(day: dt.date) -> str:
    """A date in a message as a Russian school writes it (25.11.2026)."""
    return day.strftime("%d.%m.%Y")


def _check_place(
    assignment: TeachingAssignment,
    year: AcademicYear,
    day: dt.date,
    number: int,
    *,
    moving: Lesson | None = None,
) -> None:
    """A lesson may be on ``day``/``number``: inside the year, not a holiday, not taken."""
    if not year.contains(day):
        raise ValidationError(
            _("{day} is outside the academic year {name} ({start} – {end}).").format(
                day=school_day_text(day),
                name=year.name,
                start=school_day_text(year.start),
                end=school_day_text(year.end),
            )
        )
    holiday = (
        Holiday.select()
        .where(Holiday.year == year, Holiday.start <= day, Holiday.end >= day)
        .first()
    )
    if holiday is not None:
        raise ValidationError(
            _("{day} falls in the holiday «{holiday}»; choose a school day.").format(
                day=school_day_text(day), holiday=holiday.name
            )
        )
    _check_bell(number)
    taken = Lesson.select().where(
        Lesson.assignment == assignment, Lesson.date == day, Lesson.number == number
    )
    if moving is not None:
        taken = taken.where(Lesson.id != moving.id)
    if taken.exists():
        raise Conflict(
            _("{lesson} already has lesson {number} on {day}.").format(
                lesson=describe(assignment), number=number, day=school_day_text(day)
            )
        )


def add_lesson(actor: Actor, assignment_id: str, date: dt.date, number: int) -> Lesson:
    """An extra lesson outside the timetable (a replacement, a make-up lesson)."""
    assignment = get_assignment(assignment_id)
    ensure_allowed(actor, Action.LESSON_SCHEDULE, assignment)
    year = assignment.school_class.year
    ensure_year_open(year)
    _check_place(assignment, year, date, number)
    with db.atomic():
        lesson = Lesson.create(assignment=assignment, date=date, number=number)
        history.record_create(actor, lesson)
    return lesson


def move_lesson(actor: Actor, lesson_id: str, new_date: dt.date, new_number: int) -> Lesson:
    """Move a lesson; its marks, attendance, topic, homework and substitute go with it."""
    lesson = get_lesson(lesson_id)
    assignment = lesson.assignment
    ensure_allowed(actor, Action.LESSON_SCHEDULE, assignment)
    year = assignment.school_class.year
    ensure_year_open(year)
    if (lesson.date, lesson.number) == (new_date, new_number):
        return lesson
    _check_place(assignment, year, new_date, new_number, moving=lesson)
    ensure_substitute_free(lesson, new_date, new_number)
    history.update_row(actor, lesson, {"date": new_date, "number": new_number})
    return lesson


def _holds_entries(lesson: Lesson) -> bool:
    return (
        Mark.select().where(Mark.lesson == lesson).exists()
        or Attendance.select().where(Attendance.lesson == lesson).exists()
    )


def cancel_lesson(actor: Actor, lesson_id: str, reason: str) -> Lesson:
    """Mark a lesson as not held; the reason is kept in its history."""
    lesson = get_lesson(lesson_id)
    ensure_allowed(actor, Action.LESSON_SCHEDULE, lesson.assignment)
    ensure_journal_open(lesson.assignment)
    clean_reason = plain_line(reason).strip()
    if not clean_reason:
        raise ValidationError(_("Say why the lesson is cancelled."))
    if lesson.is_cancelled:
        raise ValidationError(_("This lesson is already cancelled."))
    if _holds_entries(lesson):
        raise ValidationError(
            _(
                "The lesson of {day} has marks or attendance; clear them first, "
                "or move the lesson instead of cancelling it."
            ).format(day=school_day_text(lesson.date))
        )
    before = history.snapshot(lesson, ("status",))
    with db.atomic():
        lesson.status = "cancelled"
        lesson.save()
        changes = history.diff(before, history.snapshot(lesson, ("status",)))
        changes["reason"] = [None, clean_reason]
        history.record(actor, "lesson", lesson.id, "update", changes)
        # a lesson not held has no one to take it: its substitute's right ends with it
        for substitution in Substitution.select().where(Substitution.lesson == lesson.id):
            history.record_delete(actor, substitution)
            substitution.delete_instance()
    return lesson


def cancellation_reasons(lesson_ids: list[str]) -> dict[str, str]:
    """Why each of these cancelled lessons was cancelled, as ``cancel_lesson`` recorded it
    in History (its latest cancellation), for the pages that show it."""
    out: dict[str, tuple[object, str]] = {}
    for start in range(0, len(lesson_ids), 500):
        part = lesson_ids[start : start + 500]
        query = History.select(History.entity_id, History.at, History.changes).where(
            History.entity == "lesson",
            History.entity_id.in_(part),
            History.action == "update",
            History.changes.contains('"reason"'),
        )
        for lesson_id, at, text in query.tuples():
            reason = json.loads(text).get("reason", [None, ""])[1]
            if lesson_id not in out or str(at) > str(out[lesson_id][0]):
                out[lesson_id] = (at, str(reason or ""))
    return {lesson_id: reason for lesson_id, (_at, reason) in out.items()}


def restore_lesson(actor: Actor, lesson_id: str) -> Lesson:
    """Undo a cancellation (refused if the date has since become a holiday)."""
    lesson = get_lesson(lesson_id)
    assignment = lesson.assignment
    ensure_allowed(actor, Action.LESSON_SCHEDULE, assignment)
    year = assignment.school_class.year
    ensure_year_open(year)
    if not lesson.is_cancelled:
        raise ValidationError(_("This lesson is not cancelled."))
    _check_place(assignment, year, lesson.date, lesson.number, moving=lesson)
    history.update_row(actor, lesson, {"status": "scheduled"})
    return lesson


# --- a teacher's day ------------------------------------------------------------------------


def lessons_on(actor: Actor, day: dt.date) -> list[DayLesson]:
    """The acting teacher's lessons on ``day`` (cancelled ones too), by lesson number: their
    own, with who substitutes in any, and those they take as a substitute.

    Only the actor's own assignments and substitutions are read, which every teacher may
    see, so no other permission check is needed; an actor without an account has none.
    """
    if actor.user_id is None:
        return []
    taken = Substitution.select(Substitution.lesson).where(Substitution.teacher == actor.user_id)
    lessons = list(
        Lesson.select(Lesson, TeachingAssignment, SchoolClass, Subject, Subgroup)
        .join(TeachingAssignment)
        .join(SchoolClass)
        .switch(TeachingAssignment)
        .join(Subject)
        .switch(TeachingAssignment)
        .join(Subgroup, pw.JOIN.LEFT_OUTER)
        .where(
            (TeachingAssignment.teacher == actor.user_id) | Lesson.id.in_(taken),
            Lesson.date == day,
        )
        .order_by(Lesson.number, SchoolClass.grade, SchoolClass.letter, Subject.name)
    )
    if not lessons:
        return []
    substitutes = {
        row.lesson_id: row.teacher.display_name
        for row in Substitution.select(Substitution, User)
        .join(User)
        .where(Substitution.lesson.in_([lesson.id for lesson in lessons]))
    }
    owners = {
        user.id: user.display_name
        for user in User.select().where(
            User.id.in_({lesson.assignment.teacher_id for lesson in lessons})
        )
    }
    bells = {bell.number: bell for bell in Bell.select()}
    rooms = {
        (slot.assignment_id, slot.number): slot.room
        for slot in TimetableSlot.select().where(
            TimetableSlot.assignment.in_({lesson.assignment_id for lesson in lessons}),
            TimetableSlot.weekday == day.isoweekday(),
        )
    }
    out: list[DayLesson] = []
    for lesson in lessons:
        assignment = lesson.assignment
        mine = assignment.teacher_id == actor.user_id
        bell = bells.get(lesson.number)
        out.append(
            DayLesson(
                lesson=lesson,
                class_label=assignment.school_class.label,
                subject_name=assignment.subject.name,
                subgroup_name=assignment.subgroup.name if assignment.subgroup_id else "",
                starts=bell.starts if bell else "",
                ends=bell.ends if bell else "",
                room=rooms.get((lesson.assignment_id, lesson.number), ""),
                substitute=(substitutes.get(lesson.id, "") if mine else ""),
                covering_for="" if mine else owners.get(assignment.teacher_id, ""),
            )
        )
    return out
