"""A timetable change applied from a date: the future lessons follow the new week.

From ``start`` to the end of its year, a lesson the weekly timetable no longer has is
removed — unless it holds anything (marks, attendance, a topic or homework, a substitute) or
was placed there by hand (moved or added): those are kept and reported, and the deputy moves
or cancels them with the usual services. The lessons the new week has and the journal lacks
are made, skipping holidays, days outside the class's periods and places a lesson was moved
away from. Lessons before ``start`` are never touched. One transaction; every removed lesson
and the run itself are in History.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from node.errors import Conflict, ValidationError
from node.i18n import _
from node.models import (
    AcademicYear,
    Attendance,
    History,
    Lesson,
    Mark,
    Period,
    SchoolClass,
    Substitution,
    TeachingAssignment,
    TimetableSlot,
    bulk_insert,
    db,
    new_id,
)
from node.services.base import history
from node.services.base.actor import Actor
from node.services.base.lookup import ensure_year_open, get_class
from node.services.base.permissions import Action, ensure_allowed
from node.services.school import timetable


@dataclass(frozen=True)
class KeptLesson:
    """A lesson the new timetable does not have, kept because of what it holds."""

    lesson_id: str
    date: dt.date
    number: int
    class_label: str
    subject: str
    teacher: str
    holds: tuple[str, ...]  # in the user's language: «оценки», «тема», …


@dataclass(frozen=True)
class Regeneration:
    """What applying the timetable from ``start`` did."""

    start: dt.date
    created: int
    removed: int
    kept: list[KeptLesson]


def _year_of(day: dt.date) -> AcademicYear:
    year = AcademicYear.get_or_none(AcademicYear.start <= day, AcademicYear.end >= day)
    if year is None:
        raise ValidationError(
            _("{day} is in no academic year; choose a school day.").format(
                day=day.strftime("%d.%m.%Y")
            )
        )
    ensure_year_open(year)
    if year.status == "draft":
        raise Conflict(
            _(
                "The year {name} is a draft made by the roll-over: confirm it "
                "(ediary year confirm) before its lessons are made."
            ).format(name=year.name)
        )
    return year


def _school_days(
    year: AcademicYear, scheme: str, start: dt.date, holidays: set[dt.date]
) -> list[dt.date]:
    """Days from ``start`` inside a term of the class's scheme (quarters or halves: the
    breaks between them are not school days), holidays left out."""
    days: set[dt.date] = set()
    periods = list(Period.select().where(Period.year == year, Period.scheme == scheme))
    if not periods:  # no terms of its own: the year's period holds its lessons
        periods = list(Period.select().where(Period.year == year, Period.scheme == "year"))
    for period in periods:
        day = max(period.start, start)
        while day <= period.end:
            if day not in holidays:
                days.add(day)
            day += dt.timedelta(days=1)
    return sorted(days)


def _what_it_holds(lessons: list[Lesson]) -> dict[str, list[str]]:
    """For each lesson that holds anything, what (in the user's language)."""
    ids = [lesson.id for lesson in lessons]
    holds: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        with_marks = {m for (m,) in Mark.select(Mark.lesson).where(Mark.lesson.in_(part)).tuples()}
        with_attendance = {
            a
            for (a,) in Attendance.select(Attendance.lesson)
            .where(Attendance.lesson.in_(part))
            .tuples()
        }
        substituted = {
            s
            for (s,) in Substitution.select(Substitution.lesson)
            .where(Substitution.lesson.in_(part))
            .tuples()
        }
        by_hand = {
            h
            for (h,) in History.select(History.entity_id)
            .where(
                History.entity == "lesson",
                History.entity_id.in_(part),
                (History.action == "create")
                | (
                    (History.action == "update")
                    & (History.changes.contains('"date"') | History.changes.contains('"number"'))
                ),
            )
            .tuples()
        }
        for lesson in lessons[start : start + 500]:
            found = [
                (lesson.id in with_marks, _("marks")),
                (lesson.id in with_attendance, _("attendance")),
                (bool(lesson.topic.strip()), _("a topic")),
                (bool(lesson.homework.strip()), _("homework")),
                (lesson.id in substituted, _("a substitute")),
                (lesson.id in by_hand, _("placed by hand")),
            ]
            words = [word for present, word in found if present]
            if words:
                holds[lesson.id] = words
    return holds


def regenerate_from(actor: Actor, start: dt.date, *, class_id: str | None = None) -> Regeneration:
    """Make the lessons from ``start`` follow the weekly timetable (one class, or all)."""
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    year = _year_of(start)
    classes = list(SchoolClass.select().where(SchoolClass.year == year))
    if class_id is not None:
        school_class = get_class(class_id)
        if school_class.year_id != year.id:
            raise ValidationError(
                _("The class {label} is not of the academic year of {day}.").format(
                    label=school_class.label, day=start.strftime("%d.%m.%Y")
                )
            )
        classes = [school_class]
    holidays = timetable._holiday_days(year.id, start, year.end)
    days_of: dict[str, list[dt.date]] = {}
    wanted: set[tuple[str, dt.date, int]] = set()
    assignments = list(
        TeachingAssignment.select(TeachingAssignment, SchoolClass)
        .join(SchoolClass)
        .where(SchoolClass.id.in_([c.id for c in classes]))
    )
    by_id = {a.id: a for a in assignments}
    for assignment_id, weekday, number in (
        TimetableSlot.select(TimetableSlot.assignment, TimetableSlot.weekday, TimetableSlot.number)
        .where(TimetableSlot.assignment.in_(list(by_id)))
        .tuples()
    ):
        scheme = by_id[assignment_id].school_class.period_scheme
        if scheme not in days_of:
            days_of[scheme] = _school_days(year, scheme, start, holidays)
        for day in days_of[scheme]:
            if day.isoweekday() == weekday:
                wanted.add((assignment_id, day, number))
    future = list(
        Lesson.select()
        .where(Lesson.assignment.in_(list(by_id)), Lesson.date >= start, Lesson.date <= year.end)
        .order_by(Lesson.date, Lesson.number)
    )
    stray = [x for x in future if (x.assignment_id, x.date, x.number) not in wanted]
    holds = _what_it_holds(stray)
    taken = {(x.assignment_id, x.date, x.number) for x in future}
    taken |= timetable._vacated(set(by_id), start, year.end)
    rows = [
        (new_id(), a, day.isoformat(), n, "scheduled", "", "")
        for a, day, n in sorted(wanted - taken, key=lambda k: (k[1], k[2], k[0]))
    ]
    kept = [
        _kept(lesson, by_id[lesson.assignment_id], holds[lesson.id])
        for lesson in stray
        if lesson.id in holds
    ]
    removed = [lesson for lesson in stray if lesson.id not in holds]
    with db.atomic():
        for lesson in removed:
            changes = {k: [v, None] for k, v in history.snapshot(lesson).items()}
            changes[timetable.REGENERATED] = [None, start.isoformat()]
            history.record(actor, "lesson", lesson.id, "delete", changes)
            lesson.delete_instance()
        if rows:
            bulk_insert(Lesson, timetable.LESSON_COLUMNS, rows)
        history.record(
            actor,
            "lesson",
            None,
            "import",
            {
                timetable.REGENERATED: [None, start.isoformat()],
                "class": [None, class_id],
                "created": [None, len(rows)],
                "removed": [None, len(removed)],
                "kept": [None, [k.lesson_id for k in kept]],
            },
        )
    return Regeneration(start=start, created=len(rows), removed=len(removed), kept=kept)


def _kept(lesson: Lesson, assignment: TeachingAssignment, holds: list[str]) -> KeptLesson:
    subject = assignment.subject.name
    if assignment.subgroup_id:
        subject = f"{subject} ({assignment.subgroup.name})"
    return KeptLesson(
        lesson_id=lesson.id,
        date=lesson.date,
        number=lesson.number,
        class_label=assignment.school_class.label,
        subject=subject,
        teacher=assignment.teacher.display_name,
        holds=tuple(holds),
    )
