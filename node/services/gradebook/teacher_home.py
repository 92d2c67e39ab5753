"""What a teacher sees first: today's lessons, their journals, and what needs attention.

Built for the TUI's home screen, so it stays cheap: one query for the journals, one for the
recent lessons without a topic or homework, and a final-mark window per journal (a few
small queries each). Only the actor's own assignments are read; each is still checked
with ``JOURNAL_VIEW``, as every screen that opens a journal does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import peewee as pw

from node.models import (
    FinalMark,
    Lesson,
    Mark,
    Period,
    SchoolClass,
    Student,
    Subgroup,
    Subject,
    TeachingAssignment,
)
from node.services.base.actor import Actor
from node.services.base.lookup import get_assignment, get_lesson
from node.services.base.permissions import Action, allowed, ensure_allowed
from node.services.base.policy import load_policy
from node.services.gradebook.finals import final_window
from node.services.school.timetable import DayLesson, lessons_on
from node.services.students.class_roster import ProfilesDue, profiles_due

#: How far back the home screen looks for lessons without a topic or homework.
RECENT_DAYS = 14
#: Final marks are announced this many days before their window opens.
FINALS_NOTICE_DAYS = 7


@dataclass(frozen=True)
class Journal:
    """One of the teacher's journals, with the period it opens on."""

    assignment_id: str
    label: str
    class_id: str
    period_id: str | None


@dataclass(frozen=True)
class MissingEntry:
    """A held lesson in the last weeks without a topic and/or homework."""

    assignment_id: str
    lesson_id: str
    journal: str
    date: dt.date
    no_topic: bool
    no_homework: bool


@dataclass(frozen=True)
class FinalsDue:
    """Final marks of a journal and period whose window is open or about to open."""

    assignment_id: str
    period_id: str
    journal: str
    period_name: str
    opens: dt.date
    closes: dt.date
    days_left: int
    is_open: bool
    students: int
    set_count: int


@dataclass(frozen=True)
class FewMarks:
    """Students of a journal with no or one mark so far in a period half gone [R 5.2]."""

    assignment_id: str
    period_id: str
    journal: str
    names: list[str]


@dataclass(frozen=True)
class Home:
    today: dt.date
    lessons: list[DayLesson]
    journals: list[Journal]
    missing: list[MissingEntry]
    finals: list[FinalsDue]
    few_marks: list[FewMarks]
    #: the class teacher's classes with profiles due for their monthly check [R 4.1]
    profiles: list[ProfilesDue] = field(default_factory=list)


def journal_label(class_label: str, subject: str, subgroup: str | None) -> str:
    """«7А · Алгебра» or «7А · Английский язык (группа 1)»."""
    text = f"{class_label} · {subject}"
    return f"{text} ({subgroup})" if subgroup else text


def _assignments(actor: Actor) -> list[tuple[TeachingAssignment, str]]:
    query = (
        TeachingAssignment.select(TeachingAssignment, SchoolClass, Subject, Subgroup)
        .join(SchoolClass)
        .switch(TeachingAssignment)
        .join(Subject)
        .switch(TeachingAssignment)
        .join(Subgroup, pw.JOIN.LEFT_OUTER)
        .where(TeachingAssignment.teacher == actor.user_id)
        .order_by(SchoolClass.grade, SchoolClass.letter, Subject.name)
    )
    out = []
    for assignment in query:
        subgroup = assignment.subgroup.name if assignment.subgroup_id else None
        label = journal_label(assignment.school_class.label, assignment.subject.name, subgroup)
        out.append((assignment, label))
    return out


def current_period(school_class: SchoolClass, day: dt.date) -> Period | None:
    """The class's period containing ``day``, else the last one that has started, else the first."""
    periods = list(Period.of_scheme(school_class.year_id, school_class.period_scheme))
    if not periods:
        return None
    started = [p for p in periods if p.start <= day]
    return next((p for p in periods if p.start <= day <= p.end), None) or (
        started[-1] if started else periods[0]
    )


def _missing(labels: dict[str, str], today: dt.date) -> list[MissingEntry]:
    if not labels:
        return []
    since = today - dt.timedelta(days=RECENT_DAYS)
    rows = (
        Lesson.select(Lesson.id, Lesson.assignment, Lesson.date, Lesson.topic, Lesson.homework)
        .where(
            Lesson.assignment.in_(list(labels)),
            Lesson.date >= since,
            Lesson.date <= today,
            Lesson.status != "cancelled",
            (Lesson.topic == "") | (Lesson.homework == ""),
        )
        .order_by(Lesson.date, Lesson.number)
        .tuples()
    )
    return [
        MissingEntry(
            assignment_id=aid,
            lesson_id=lid,
            journal=labels[aid],
            date=day,
            no_topic=not topic,
            no_homework=not homework,
        )
        for lid, aid, day, topic, homework in rows
    ]


def _finals_due(
    assignment: TeachingAssignment, label: str, period: Period, today: dt.date
) -> FinalsDue | None:
    window = final_window(assignment, period, today=today)
    notice = window.opens - dt.timedelta(days=FINALS_NOTICE_DAYS)
    if window.is_locked or today < notice:
        return None
    students = assignment.students().count()
    set_count = (
        FinalMark.select()
        .where(FinalMark.assignment == assignment.id, FinalMark.period == period.id)
        .count()
    )
    if window.is_open and set_count >= students:
        return None
    closes = window.unlocked_until or window.closes
    return FinalsDue(
        assignment_id=assignment.id,
        period_id=period.id,
        journal=label,
        period_name=period.name,
        opens=window.opens,
        closes=closes,
        days_left=(closes - today).days,
        is_open=window.is_open,
        students=students,
        set_count=set_count,
    )


def _few_marks(
    assignment: TeachingAssignment, label: str, period: Period, today: dt.date
) -> FewMarks | None:
    """Only once half the period is gone, counted from the journal's first lesson when it
    started later (a journal set up mid-period): before that one mark is no warning sign,
    and a journal with no lesson on a day that is over flags nobody."""
    first = (
        Lesson.select(pw.fn.MIN(Lesson.date))
        .where(Lesson.assignment == assignment.id, Lesson.status != "cancelled")
        .scalar()
    )
    if first is None or first >= today:
        return None
    begun = max(period.start, first)
    if today < begun + (period.end - begun) / 2 or today > period.end:
        return None
    counts = dict(
        Mark.select(Mark.student, pw.fn.COUNT(Mark.id))
        .join(Lesson, on=Mark.lesson == Lesson.id)
        .where(
            Lesson.assignment == assignment.id,
            Lesson.date >= period.start,
            Lesson.date <= period.end,
            Lesson.status != "cancelled",
        )
        .group_by(Mark.student)
        .tuples()
    )
    names = [
        student.display_name
        for student in assignment.students().order_by(Student.last_name, Student.first_name)
        if counts.get(student.id, 0) <= 1
        and student.enrolled_on <= today
        and (student.left_on is None or student.left_on >= today)
    ]
    if not names:
        return None
    return FewMarks(assignment.id, period.id, label, names)


def teacher_home(actor: Actor, today: dt.date) -> Home:
    """The home screen of ``actor`` on ``today`` (see ``Home``)."""
    if actor.user_id is None:
        return Home(today=today, lessons=[], journals=[], missing=[], finals=[], few_marks=[])
    assignments = _assignments(actor)
    journals: list[Journal] = []
    finals: list[FinalsDue] = []
    few_marks: list[FewMarks] = []
    policy = load_policy()
    for assignment, label in assignments:
        ensure_allowed(actor, Action.JOURNAL_VIEW, assignment)
        period = current_period(assignment.school_class, today)
        journals.append(
            Journal(
                assignment_id=assignment.id,
                label=label,
                class_id=assignment.school_class_id,
                period_id=period.id if period else None,
            )
        )
        if period is not None and policy.marks_expected(assignment.school_class.grade):
            due = _finals_due(assignment, label, period, today)
            if due is not None:
                finals.append(due)
            few = _few_marks(assignment, label, period, today)
            if few is not None:
                few_marks.append(few)
    labels: dict[str, str] = {a.id: label for a, label in assignments}
    return Home(
        today=today,
        lessons=lessons_on(actor, today),
        journals=journals,
        missing=_missing(labels, today),
        finals=finals,
        few_marks=few_marks,
        profiles=profiles_due(actor, today),
    )


def journal_periods(
    actor: Actor, assignment_id: str, *, lesson_id: str | None = None
) -> list[Period]:
    """The periods a journal can be opened on: the class's scheme, then the year.

    Someone who may view only the lesson ``lesson_id`` (its substitute) gets the one
    period of the class that holds it."""
    assignment = get_assignment(assignment_id)
    school_class = assignment.school_class
    periods = list(Period.of_scheme(school_class.year_id, school_class.period_scheme))
    if lesson_id is not None and not allowed(actor, Action.JOURNAL_VIEW, assignment):
        lesson = get_lesson(lesson_id)
        ensure_allowed(actor, Action.JOURNAL_VIEW, lesson)
        holding = [p for p in periods if p.start <= lesson.date <= p.end][:1]
        return holding or list(Period.of_scheme(school_class.year_id, "year"))
    ensure_allowed(actor, Action.JOURNAL_VIEW, assignment)
    if school_class.period_scheme != "year":
        periods += list(Period.of_scheme(school_class.year_id, "year"))
    return periods
