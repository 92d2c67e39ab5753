"""One journal's gaps behind its line of the control report [R 3.5, 6.2].

The same rules as ``control``: held (not cancelled) lessons of the range up to its end or
today, whichever is earlier; the journal's students enrolled at some point of the range;
their marks in those lessons, once the journal has a lesson due (held on a day that is
over). So the lessons listed here are the ones the control report counts as without a topic
or homework, and the students those with no or one mark.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from node.errors import ValidationError
from node.i18n import _
from node.models import Lesson, Mark, Student
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.base.lookup import get_assignment
from node.services.base.permissions import Action, ensure_allowed


@dataclass(frozen=True)
class LessonGap:
    lesson_id: str
    date: dt.date
    number: int
    no_topic: bool
    no_homework: bool


@dataclass(frozen=True)
class StudentGap:
    student_id: str
    name: str
    marks: int  # 0 or 1


@dataclass(frozen=True)
class JournalProblems:
    assignment_id: str
    start: dt.date
    end: dt.date  # the range's end, or today if earlier
    lessons: list[LessonGap]
    students: list[StudentGap]


def journal_problems(
    actor: Actor, assignment_id: str, start: dt.date, end: dt.date
) -> JournalProblems:
    """Lessons without a topic or homework, and students with no or one mark, in the range."""
    assignment = get_assignment(assignment_id)
    ensure_allowed(actor, Action.JOURNAL_VIEW, assignment)
    if end < start:
        raise ValidationError(_("The range ends before it starts: swap the dates."))
    today = clock.today()
    upto = min(end, today)
    held = (
        (Lesson.assignment == assignment.id)
        & (Lesson.date >= start)
        & (Lesson.date <= upto)
        & (Lesson.status != "cancelled")
    )
    lessons = [
        LessonGap(lid, day, number, not topic, not homework)
        for lid, day, number, topic, homework in Lesson.select(
            Lesson.id, Lesson.date, Lesson.number, Lesson.topic, Lesson.homework
        )
        .where(held, (Lesson.topic == "") | (Lesson.homework == ""))
        .order_by(Lesson.date, Lesson.number)
        .tuples()
    ]
    counts = dict(
        Mark.select(Mark.student, pw.fn.COUNT(Mark.id))
        .join(Lesson, on=Mark.lesson == Lesson.id)
        .where(held)
        .group_by(Mark.student)
        .tuples()
    )
    roster = (
        assignment.students()
        .where(
            Student.enrolled_on <= upto,
            Student.left_on.is_null() | (Student.left_on >= start),
        )
        .order_by(Student.last_name, Student.first_name)
    )
    due = Lesson.select().where(held, Lesson.date < today).exists()
    students = [
        StudentGap(s.id, s.display_name, counts.get(s.id, 0))
        for s in roster
        if due and counts.get(s.id, 0) <= 1
    ]
    return JournalProblems(assignment.id, start, upto, lessons, students)
