"""The school's structure as the School section shows it: the active year, its periods and
holidays, the bells, subjects, kinds of work, classes and every class's teaching load.

One read of plain rows (a school has tens of each), for the administration and the system
administrator; changing any of it is the director's and the deputies' (the services say so).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import peewee as pw

from node.models import (
    AcademicYear,
    Bell,
    Holiday,
    Period,
    SchoolClass,
    Subgroup,
    Subject,
    TeachingAssignment,
    User,
    WorkType,
)
from node.services.base.actor import Actor
from node.services.base.permissions import Action, ensure_allowed

#: Roles that may teach or lead a class (as students.classes checks them).
TEACHING_ROLES = frozenset({"teacher", "class_teacher"})
#: Periods are listed quarters first, then halves, then the whole year.
SCHEME_ORDER = {"quarters": 0, "halves": 1, "year": 2}


@dataclass(frozen=True)
class YearRow:
    id: str
    name: str
    start: dt.date
    end: dt.date
    closed: bool


@dataclass(frozen=True)
class PeriodRow:
    id: str
    scheme: str
    number: int
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class HolidayRow:
    id: str
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class BellRow:
    number: int
    starts: str
    ends: str


@dataclass(frozen=True)
class SubjectRow:
    id: str
    name: str
    short_name: str
    pass_fail: bool
    needs_written_work: bool


@dataclass(frozen=True)
class WorkTypeRow:
    id: str
    name: str
    weight: float
    kind: str


@dataclass(frozen=True)
class ClassRow:
    id: str
    label: str
    grade: int
    scheme: str
    teacher_id: str | None
    teacher: str


@dataclass(frozen=True)
class LoadRow:
    """One journal of a class's teaching load."""

    id: str
    class_id: str
    class_label: str
    subject: str
    subgroup: str
    teacher: str
    hours: float
    subject_id: str = ""
    subgroup_id: str | None = None
    teacher_id: str = ""


@dataclass(frozen=True)
class Choice:
    """Something a form offers to pick: its id and how it is named."""

    id: str
    name: str


@dataclass
class Structure:
    year: YearRow | None
    periods: list[PeriodRow] = field(default_factory=list)
    holidays: list[HolidayRow] = field(default_factory=list)
    bells: list[BellRow] = field(default_factory=list)
    subjects: list[SubjectRow] = field(default_factory=list)
    work_types: list[WorkTypeRow] = field(default_factory=list)
    classes: list[ClassRow] = field(default_factory=list)
    load: list[LoadRow] = field(default_factory=list)
    teachers: list[Choice] = field(default_factory=list)
    #: (class id, subject id) → that class's subgroups for that subject
    subgroups: dict[tuple[str, str], list[Choice]] = field(default_factory=dict)


def _year() -> AcademicYear | None:
    return (
        AcademicYear.active() or AcademicYear.select().order_by(AcademicYear.start.desc()).first()
    )


def school_structure(actor: Actor) -> Structure:
    """Everything the School section lists, for the active (else the latest) year."""
    ensure_allowed(actor, Action.SCHOOL_VIEW)
    year = _year()
    out = Structure(
        year=None,
        bells=[BellRow(b.number, b.starts, b.ends) for b in Bell.select().order_by(Bell.number)],
        subjects=[
            SubjectRow(s.id, s.name, s.short_name, s.pass_fail, s.needs_written_work)
            for s in Subject.select().order_by(Subject.name)
        ],
        work_types=[
            WorkTypeRow(w.id, w.name, w.weight, w.kind)
            for w in WorkType.select().order_by(WorkType.name)
        ],
    )
    people = (
        User.select().where(User.status != "disabled").order_by(User.last_name, User.first_name)
    )
    out.teachers = [Choice(u.id, u.display_name) for u in people if u.role_set & TEACHING_ROLES]
    if year is None:
        return out
    out.year = YearRow(year.id, year.name, year.start, year.end, year.status == "closed")
    periods = Period.select().where(Period.year == year)
    out.periods = sorted(
        (PeriodRow(p.id, p.scheme, p.number, p.name, p.start, p.end) for p in periods),
        key=lambda p: (SCHEME_ORDER.get(p.scheme, len(SCHEME_ORDER)), p.number),
    )
    holidays = Holiday.select().where(Holiday.year == year).order_by(Holiday.start)
    out.holidays = [HolidayRow(h.id, h.name, h.start, h.end) for h in holidays]
    classes = list(
        SchoolClass.select()
        .where(SchoolClass.year == year)
        .order_by(SchoolClass.grade, SchoolClass.letter)
    )
    for c in classes:
        teacher = c.class_teacher
        out.classes.append(
            ClassRow(
                c.id,
                c.label,
                c.grade,
                c.period_scheme,
                teacher.id if teacher else None,
                teacher.display_name if teacher else "",
            )
        )
    order = {c.id: i for i, c in enumerate(classes)}
    journals = (
        TeachingAssignment.select(TeachingAssignment, Subject, User, Subgroup)
        .join(Subject)
        .switch(TeachingAssignment)
        .join(User)
        .switch(TeachingAssignment)
        .join(Subgroup, join_type=pw.JOIN.LEFT_OUTER)
        .where(TeachingAssignment.school_class.in_(list(order)))
    )
    labels = {c.id: c.label for c in classes}
    rows = [
        LoadRow(
            a.id,
            a.school_class_id,
            labels[a.school_class_id],
            a.subject.name,
            a.subgroup.name if a.subgroup_id else "",
            a.teacher.display_name,
            a.hours_per_week,
            a.subject_id,
            a.subgroup_id,
            a.teacher_id,
        )
        for a in journals
    ]
    out.load = sorted(rows, key=lambda r: (order[r.class_id], r.subject, r.subgroup))
    for group in Subgroup.select().where(Subgroup.school_class.in_(list(order))):
        key = (group.school_class_id, group.subject_id)
        out.subgroups.setdefault(key, []).append(Choice(group.id, group.name))
    return out
