"""A class's or a teacher's week as the timetable editor shows it, and its cell edits.

A cell is a weekday and a lesson number. Putting a lesson of the load into a cell takes the
place of what the cell's owner (the class, or the teacher) had there and clashes with it, in
one transaction; any other clash — another class's teacher, a room — is refused by
``timetable.set_slot`` with what it clashes with, and then nothing changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import peewee as pw

from node.errors import NotFound
from node.i18n import _
from node.models import (
    AcademicYear,
    Bell,
    SchoolClass,
    Subgroup,
    Subject,
    TeachingAssignment,
    TimetableSlot,
    User,
    db,
)
from node.services.base import history
from node.services.base.actor import Actor
from node.services.base.lookup import ensure_journal_open, get_assignment, get_class, get_slot
from node.services.base.permissions import Action, ensure_allowed
from node.services.school import timetable

Owner = Literal["class", "teacher"]


@dataclass(frozen=True)
class LoadLine:
    """One assignment of the teaching load, as the cell picker lists it."""

    assignment_id: str
    class_id: str
    class_label: str
    subject: str
    subject_short: str  # the subject's short name, for a narrow cell
    subgroup: str
    teacher_id: str
    teacher: str
    teacher_surname: str


@dataclass(frozen=True)
class WeekCell:
    """One lesson of the weekly timetable."""

    slot_id: str
    weekday: int
    number: int
    room: str
    load: LoadLine


@dataclass(frozen=True)
class Week:
    """Whose week it is, its lesson numbers, its lessons and the load that may fill it."""

    owner: Owner
    owner_id: str
    title: str
    numbers: list[int]
    cells: list[WeekCell]
    load: list[LoadLine]

    def at(self, weekday: int, number: int) -> list[WeekCell]:
        return [c for c in self.cells if (c.weekday, c.number) == (weekday, number)]


@dataclass(frozen=True)
class Choice:
    """A class or a teacher whose week may be opened."""

    id: str
    name: str


def _load_query() -> pw.ModelSelect:
    return (
        TeachingAssignment.select(TeachingAssignment, SchoolClass, Subject, Subgroup, User)
        .join(SchoolClass)
        .switch(TeachingAssignment)
        .join(Subject)
        .switch(TeachingAssignment)
        .join(Subgroup, on=TeachingAssignment.subgroup == Subgroup.id, join_type=pw.JOIN.LEFT_OUTER)
        .switch(TeachingAssignment)
        .join(User, on=TeachingAssignment.teacher == User.id)
    )


def _line(assignment: TeachingAssignment) -> LoadLine:
    return LoadLine(
        assignment_id=assignment.id,
        class_id=assignment.school_class_id,
        class_label=assignment.school_class.label,
        subject=assignment.subject.name,
        subject_short=assignment.subject.short_name or assignment.subject.name,
        subgroup=assignment.subgroup.name if assignment.subgroup_id else "",
        teacher_id=assignment.teacher_id,
        teacher=assignment.teacher.display_name,
        teacher_surname=assignment.teacher.last_name,
    )


def current_year(day: dt.date) -> AcademicYear | None:
    """The year the editor works on: the one holding ``day``, else the latest open one."""
    holding = AcademicYear.select().where(
        AcademicYear.start <= day, AcademicYear.end >= day, AcademicYear.status != "closed"
    )
    return (
        holding.first()
        or AcademicYear.select()
        .where(AcademicYear.status != "closed")
        .order_by(AcademicYear.start.desc())
        .first()
    )


def classes_and_teachers(actor: Actor, day: dt.date) -> tuple[list[Choice], list[Choice]]:
    """The year's classes, and the teachers who hold any of its load, for the week to open."""
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    year = current_year(day)
    if year is None:
        return [], []
    classes = list(
        SchoolClass.select()
        .where(SchoolClass.year == year)
        .order_by(SchoolClass.grade, SchoolClass.letter)
    )
    teachers = {
        line.teacher_id: line.teacher
        for line in map(_line, _load_query().where(SchoolClass.year == year))
    }
    return (
        [Choice(c.id, c.label) for c in classes],
        [Choice(i, n) for i, n in sorted(teachers.items(), key=lambda item: item[1])],
    )


def week(actor: Actor, owner: Owner, owner_id: str, day: dt.date) -> Week:
    """The week of a class (``owner`` "class") or of a teacher in the year holding ``day``."""
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    if owner == "class":
        school_class = get_class(owner_id)
        query = _load_query().where(TeachingAssignment.school_class == school_class.id)
        title = school_class.label
    else:
        teacher = User.get_or_none(User.id == owner_id)
        year = current_year(day)
        if teacher is None or year is None:
            raise NotFound(_("There is no such teacher."))
        query = _load_query().where(
            TeachingAssignment.teacher == teacher.id, SchoolClass.year == year.id
        )
        title = teacher.display_name
    lines = sorted(
        map(_line, query), key=lambda x: (x.class_label, x.subject, x.subgroup, x.teacher)
    )
    by_id = {line.assignment_id: line for line in lines}
    slots = TimetableSlot.select().where(TimetableSlot.assignment.in_(list(by_id)))
    cells = [
        WeekCell(s.id, s.weekday, s.number, s.room, by_id[s.assignment_id])
        for s in slots.order_by(TimetableSlot.weekday, TimetableSlot.number)
    ]
    numbers = sorted({b.number for b in Bell.select(Bell.number)} | {c.number for c in cells})
    return Week(owner, owner_id, title, numbers, cells, lines)


def _displaced(
    assignment: TeachingAssignment, weekday: int, number: int, owner: Owner
) -> list[TimetableSlot]:
    """The owner's slots in the cell that the new lesson takes the place of."""
    mine = TeachingAssignment.school_class == assignment.school_class_id
    if owner == "teacher":
        mine = TeachingAssignment.teacher == assignment.teacher_id
    in_cell = (
        TimetableSlot.select(TimetableSlot, TeachingAssignment)
        .join(TeachingAssignment)
        .where(TimetableSlot.weekday == weekday, TimetableSlot.number == number, mine)
    )
    return [s for s in in_cell if timetable.clashes_with(assignment, s.assignment)]


def place(
    actor: Actor,
    assignment_id: str,
    weekday: int,
    number: int,
    room: str = "",
    *,
    owner: Owner = "class",
) -> TimetableSlot:
    """Put the assignment's lesson in the cell, instead of what ``owner`` had there."""
    assignment = get_assignment(assignment_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_journal_open(assignment)
    with db.atomic():
        for slot in _displaced(assignment, weekday, number, owner):
            history.record_delete(actor, slot)
            slot.delete_instance()
        return timetable.set_slot(actor, assignment.id, weekday, number, room)


def clear(actor: Actor, slot_ids: list[str]) -> int:
    """Take these lessons out of the weekly timetable (one cell's, all or none)."""
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    slots = [get_slot(slot_id) for slot_id in slot_ids]
    with db.atomic():
        for slot in slots:
            timetable.remove_slot(actor, slot.id)
    return len(slots)
