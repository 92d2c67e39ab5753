"""The journal grid read model: one journal (class × subject) over one period, in one go.

The teacher's main screen opens this for every journal switch, so it is built from a
handful of queries (no query per student or per lesson) that fetch plain tuples, never
model instances, for marks and attendance. Averages use exact fractions (``grading``); to
keep that cheap, each student's marks are first counted per (points, work type), so the
fraction arithmetic runs over a dozen pairs instead of every mark.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NamedTuple

import peewee as pw

from node.errors import ValidationError
from node.i18n import _
from node.models import (
    Attendance,
    FinalMark,
    Lesson,
    Mark,
    Period,
    Student,
    SubgroupMember,
    TeachingAssignment,
    WorkType,
    db,
)
from node.models.people import short_name
from node.services.base.actor import Actor
from node.services.base.lookup import ensure_period_of_class, get_assignment, get_lesson, get_period
from node.services.base.permissions import Action, allowed, ensure_allowed
from node.services.base.policy import Policy, load_policy
from node.services.gradebook import grading
from node.services.gradebook.finals import FinalWindow, final_window


class CellMark(NamedTuple):
    """One mark in a cell: its text, its points (None for зач/незач), its work type weight."""

    value: str
    points: int | None
    weight: float


@dataclass(frozen=True)
class GridStudent:
    """A row of the journal. ``has_left`` marks a student who left during the period."""

    id: str
    name: str
    full_name: str
    enrolled_on: dt.date
    left_on: dt.date | None
    has_left: bool

    def enrolled_on_day(self, day: dt.date) -> bool:
        return self.enrolled_on <= day and (self.left_on is None or day <= self.left_on)


@dataclass(frozen=True)
class GridLesson:
    """A column of the journal. The work type is the column's own (None: the school's)."""

    id: str
    date: dt.date
    number: int
    topic: str
    homework: str
    status: str
    work_type_id: str | None
    work_type_name: str
    work_type_weight: float | None

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"


@dataclass(frozen=True)
class GridFinal:
    """A final mark already set for the period."""

    id: str
    value: str
    points: int | None
    suggested: str | None
    justification: str
    set_at: dt.datetime


@dataclass(frozen=True)
class JournalGrid:
    """Everything the journal screen shows for one assignment and period.

    ``marks`` and ``attendance`` are keyed by (student id, lesson id); ``averages``,
    ``suggested``, ``mark_counts`` and ``finals`` by student id. Averages leave out
    cancelled lessons. For a year period of a class with quarters or halves the suggestion
    comes from the period finals, as ``finals.suggested_final`` makes it.
    """

    assignment_id: str
    period_id: str
    period_name: str
    period_start: dt.date
    period_end: dt.date
    class_label: str
    subject_name: str
    pass_fail: bool
    students: tuple[GridStudent, ...]
    lessons: tuple[GridLesson, ...]
    marks: Mapping[tuple[str, str], tuple[CellMark, ...]]
    attendance: Mapping[tuple[str, str], str]
    averages: Mapping[str, Fraction | None]
    suggested: Mapping[str, int | None]
    mark_counts: Mapping[str, int]
    finals: Mapping[str, GridFinal]
    window: FinalWindow
    #: a substitute's view: the one lesson they take, no averages, no final marks
    one_lesson: bool = False

    def cell_text(self, student_id: str, lesson_id: str) -> str:
        """The cell as the journal prints it: "5/4", or "" when empty."""
        return "/".join(m.value for m in self.marks.get((student_id, lesson_id), ()))


def _plain_rows(query: pw.SelectQuery) -> list[tuple[Any, ...]]:
    """The query's rows as sqlite3 returns them, skipping peewee's per-value conversion.

    Only for columns that need none (ids and text, integers): marks and attendance are
    the bulk of a grid, and converting each value costs more than fetching it.
    """
    sql, params = query.sql()
    return db.execute_sql(sql, params).fetchall()


def _students(assignment: TeachingAssignment, period: Period) -> tuple[GridStudent, ...]:
    query = Student.select(
        Student.id,
        Student.last_name,
        Student.first_name,
        Student.middle_name,
        Student.enrolled_on,
        Student.left_on,
    ).where(
        Student.school_class == assignment.school_class_id,
        Student.enrolled_on <= period.end,
        Student.left_on.is_null() | (Student.left_on >= period.start),
    )
    if assignment.subgroup_id is not None:
        members = SubgroupMember.select(SubgroupMember.student).where(
            SubgroupMember.subgroup == assignment.subgroup_id
        )
        query = query.where(Student.id.in_(members))
    query = query.order_by(Student.last_name, Student.first_name, Student.middle_name, Student.id)
    return tuple(
        GridStudent(
            id=sid,
            name=short_name(last, first, middle),
            full_name=" ".join(p for p in (last, first, middle) if p),
            enrolled_on=enrolled,
            left_on=left,
            has_left=left is not None and left <= period.end,
        )
        for sid, last, first, middle, enrolled, left in query.tuples()
    )


def _lessons(
    assignment: TeachingAssignment, period: Period, work_types: dict[str, tuple[str, float]]
) -> tuple[GridLesson, ...]:
    query = (
        Lesson.select(
            Lesson.id,
            Lesson.date,
            Lesson.number,
            Lesson.topic,
            Lesson.homework,
            Lesson.status,
            Lesson.work_type,
        )
        .where(
            Lesson.assignment == assignment.id,
            Lesson.date >= period.start,
            Lesson.date <= period.end,
        )
        .order_by(Lesson.date, Lesson.number)
        .tuples()
    )
    lessons = []
    for lid, day, number, topic, homework, status, wt_id in query:
        name, weight = work_types[wt_id] if wt_id else ("", None)
        lessons.append(
            GridLesson(
                id=lid,
                date=day,
                number=number,
                topic=topic,
                homework=homework,
                status=status,
                work_type_id=wt_id,
                work_type_name=name,
                work_type_weight=weight,
            )
        )
    return tuple(lessons)


def _year_suggestions(
    assignment: TeachingAssignment, period: Period, student_ids: set[str], policy: Policy
) -> dict[str, int | None]:
    """Year suggestions from the class's period finals (quarters or halves)."""
    scheme_periods = Period.select(Period.id).where(
        Period.year == period.year_id,
        Period.scheme == assignment.school_class.period_scheme,
    )
    points: dict[str, list[int | None]] = defaultdict(list)
    for sid, value in (
        FinalMark.select(FinalMark.student, FinalMark.points)
        .where(FinalMark.assignment == assignment.id, FinalMark.period.in_(scheme_periods))
        .tuples()
    ):
        points[sid].append(value)
    return {sid: grading.suggest_year_final(points.get(sid, ()), policy) for sid in student_ids}


def _one_lesson(actor: Actor, assignment: TeachingAssignment, lesson_id: str | None) -> str | None:
    """None when ``actor`` may view the whole journal; else the one lesson they may (its
    substitute's page), or ``Forbidden``."""
    if lesson_id is None or allowed(actor, Action.JOURNAL_VIEW, assignment):
        ensure_allowed(actor, Action.JOURNAL_VIEW, assignment)
        return None
    lesson = get_lesson(lesson_id)
    ensure_allowed(actor, Action.JOURNAL_VIEW, lesson)
    if lesson.assignment_id != assignment.id:
        raise ValidationError(_("This lesson belongs to another journal; reload and try again."))
    return lesson.id


def load_grid(
    actor: Actor, assignment_id: str, period_id: str, *, lesson_id: str | None = None
) -> JournalGrid:
    """The journal of one assignment over one period (see ``JournalGrid``).

    ``lesson_id``: the lesson the screen was opened on. Someone who may view only that
    lesson (its substitute) gets a grid of that one lesson; others get the whole journal.
    """
    assignment = get_assignment(assignment_id)
    period = get_period(period_id)
    only = _one_lesson(actor, assignment, lesson_id)
    school_class = assignment.school_class
    subject = assignment.subject
    ensure_period_of_class(school_class, period)
    policy = load_policy()

    work_types = {
        wt_id: (name, weight)
        for wt_id, name, weight in WorkType.select(
            WorkType.id, WorkType.name, WorkType.weight
        ).tuples()
    }
    exact_weights = {wt_id: Fraction(str(weight)) for wt_id, (_n, weight) in work_types.items()}
    students = _students(assignment, period)
    student_ids = {s.id for s in students}
    lessons = _lessons(assignment, period, work_types)
    in_period: tuple[Any, ...] = (
        Lesson.assignment == assignment.id,
        Lesson.date >= period.start,
        Lesson.date <= period.end,
    )
    if only is not None:
        lessons = tuple(lesson for lesson in lessons if lesson.id == only)
        in_period = (*in_period, Lesson.id == only)
    cancelled = {lesson.id for lesson in lessons if lesson.is_cancelled}

    cells: dict[tuple[str, str], list[CellMark]] = defaultdict(list)
    counted: dict[str, Counter[tuple[int, str]]] = defaultdict(Counter)
    mark_counts: Counter[str] = Counter()
    mark_rows = _plain_rows(
        Mark.select(Mark.student, Mark.lesson, Mark.value, Mark.points, Mark.work_type)
        .join(Lesson, on=Mark.lesson == Lesson.id)
        .where(*in_period)
        .order_by(Mark.lesson, Mark.student, Mark.position)
    )
    for sid, lid, value, points, wt_id in mark_rows:
        if sid not in student_ids:
            continue
        cells[(sid, lid)].append(CellMark(value, points, work_types[wt_id][1]))
        if lid in cancelled:
            continue
        mark_counts[sid] += 1
        if points is not None:
            counted[sid][(points, wt_id)] += 1

    attendance = {
        (sid, lid): code
        for sid, lid, code in _plain_rows(
            Attendance.select(Attendance.student, Attendance.lesson, Attendance.code)
            .join(Lesson, on=Attendance.lesson == Lesson.id)
            .where(*in_period)
        )
        if sid in student_ids
    }

    averages: dict[str, Fraction | None] = {}
    suggested: dict[str, int | None] = {}
    for sid in student_ids:
        pairs = [(p, exact_weights[wt] * n) for (p, wt), n in counted[sid].items()]
        averages[sid] = grading.weighted_average(pairs)
        suggested[sid] = grading.suggest_final(pairs, policy)
    if period.is_year and school_class.period_scheme != "year":
        suggested = _year_suggestions(assignment, period, student_ids, policy)

    if only is not None:  # one lesson's page: nothing of the journal's other lessons
        averages = {sid: None for sid in student_ids}
        suggested = {sid: None for sid in student_ids}
    finals: dict[str, GridFinal] = {}
    if only is None:
        finals = {
            sid: GridFinal(
                id=fid, value=value, points=points, suggested=sugg, justification=just, set_at=at
            )
            for fid, sid, value, points, sugg, just, at in FinalMark.select(
                FinalMark.id,
                FinalMark.student,
                FinalMark.value,
                FinalMark.points,
                FinalMark.suggested,
                FinalMark.justification,
                FinalMark.set_at,
            )
            .where(FinalMark.assignment == assignment.id, FinalMark.period == period.id)
            .tuples()
        }

    return JournalGrid(
        assignment_id=assignment.id,
        period_id=period.id,
        period_name=period.name,
        period_start=period.start,
        period_end=period.end,
        class_label=school_class.label,
        subject_name=subject.name,
        pass_fail=subject.pass_fail,
        students=students,
        lessons=lessons,
        marks=MappingProxyType({key: tuple(value) for key, value in cells.items()}),
        attendance=MappingProxyType(attendance),
        averages=MappingProxyType(averages),
        suggested=MappingProxyType(suggested),
        mark_counts=MappingProxyType({sid: mark_counts[sid] for sid in student_ids}),
        finals=MappingProxyType(finals),
        window=final_window(assignment, period),
        one_lesson=only is not None,
    )
