"""The day's changes (изменения дня): every lesson of the school on one date, for the deputy.

One read for the screen a deputy opens each morning: which lessons there are, who teaches
them, who substitutes, which are cancelled and why. The writes it leads to live in
``timetable`` (move, cancel, restore) and ``substitutions``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from node.models import (
    Bell,
    Lesson,
    SchoolClass,
    Subgroup,
    Subject,
    TeachingAssignment,
    User,
)
from node.services.base.actor import Actor
from node.services.base.permissions import Action, ensure_allowed
from node.services.school.substitutions import TEACHING_ROLES, substitutes_of
from node.services.school.timetable import cancellation_reasons


@dataclass(frozen=True)
class SchoolDayLesson:
    """One lesson of the day as the deputy's screen lists it."""

    lesson_id: str
    assignment_id: str
    date: dt.date
    number: int
    starts: str
    class_label: str
    subject: str
    subgroup: str
    teacher_id: str
    teacher: str
    substitute_id: str | None
    substitute: str
    cancelled: bool
    cancel_reason: str


@dataclass(frozen=True)
class Teacher:
    """Someone who may take a lesson, as a picker lists them."""

    id: str
    name: str


def school_day(actor: Actor, day: dt.date) -> list[SchoolDayLesson]:
    """Every lesson of ``day`` (cancelled ones too), by class, then lesson number."""
    ensure_allowed(actor, Action.SUBSTITUTION_MANAGE)
    lessons = list(
        Lesson.select(Lesson, TeachingAssignment, SchoolClass, Subject, Subgroup, User)
        .join(TeachingAssignment)
        .join(SchoolClass)
        .switch(TeachingAssignment)
        .join(Subject)
        .switch(TeachingAssignment)
        .join(Subgroup, pw.JOIN.LEFT_OUTER)
        .switch(TeachingAssignment)
        .join(User)
        .where(Lesson.date == day)
        .order_by(SchoolClass.grade, SchoolClass.letter, Lesson.number, Subject.name)
    )
    ids = [lesson.id for lesson in lessons]
    substitutes = substitutes_of(ids)
    reasons = cancellation_reasons([lesson.id for lesson in lessons if lesson.is_cancelled])
    bells = {bell.number: bell.starts for bell in Bell.select()}
    out = []
    for lesson in lessons:
        assignment = lesson.assignment
        substitute = substitutes.get(lesson.id)
        out.append(
            SchoolDayLesson(
                lesson_id=lesson.id,
                assignment_id=lesson.assignment_id,
                date=lesson.date,
                number=lesson.number,
                starts=bells.get(lesson.number, ""),
                class_label=assignment.school_class.label,
                subject=assignment.subject.name,
                subgroup=assignment.subgroup.name if assignment.subgroup_id else "",
                teacher_id=assignment.teacher_id,
                teacher=assignment.teacher.display_name,
                substitute_id=substitute.id if substitute else None,
                substitute=substitute.display_name if substitute else "",
                cancelled=lesson.is_cancelled,
                cancel_reason=reasons.get(lesson.id, ""),
            )
        )
    return out


def teachers(actor: Actor) -> list[Teacher]:
    """Everyone who may take a lesson (active teaching staff), by name."""
    ensure_allowed(actor, Action.SUBSTITUTION_MANAGE)
    people = User.select().where(User.status == "active").order_by(User.last_name, User.first_name)
    return [Teacher(u.id, u.display_name) for u in people if u.role_set & TEACHING_ROLES]
