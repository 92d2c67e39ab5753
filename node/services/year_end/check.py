"""``check_year``: what still blocks closing a school year, so the director can chase it.

Three kinds of gaps, each counted per journal (teacher, class, subject) or per class:

* missing final marks — a student of the journal, enrolled during a period of the class's
  scheme (or the year) and still there at its end, without a final mark for it. Journals
  with no marks at all in the year (безотметочное обучение, e.g. the 1st grade) are
  not expected to have final marks;
* lessons without a topic — held lessons with no topic, counted by the journal control
  report [R 3.5] over the whole year;
* unverified profiles — students still in the class whose data is due for the class
  teacher's monthly check [R 4.1] on the year's last day (or today, if earlier).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from node.models import AcademicYear, Period, SchoolClass, Student, db
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.base.lookup import get_year
from node.services.base.permissions import Action, ensure_allowed
from node.services.reports.control import control_report
from node.services.students.class_roster import is_due

_MISSING_FINALS_SQL = """
WITH marked AS (
  SELECT DISTINCT l.assignment_id AS aid FROM lesson l
  JOIN teaching_assignment a ON a.id = l.assignment_id
  JOIN school_class c ON c.id = a.school_class_id
  WHERE c.year_id = ? AND EXISTS (SELECT 1 FROM mark m WHERE m.lesson_id = l.id)
), roster AS (
  SELECT a.id AS aid, p.id AS pid, s.id AS sid
  FROM teaching_assignment a
  JOIN marked k ON k.aid = a.id
  JOIN school_class c ON c.id = a.school_class_id
  JOIN period p ON p.year_id = c.year_id AND (p.scheme = c.period_scheme OR p.scheme = 'year')
  JOIN student s ON s.school_class_id = c.id
  WHERE s.enrolled_on <= p.end AND (s.left_on IS NULL OR s.left_on >= p.end)
    AND (a.subgroup_id IS NULL OR EXISTS (SELECT 1 FROM subgroup_member g
         WHERE g.subgroup_id = a.subgroup_id AND g.student_id = s.id))
)
SELECT u.last_name, u.first_name, u.middle_name, c.grade, c.letter, sub.name,
       COALESCE(g.name, ''), p.name, p.start, COUNT(*)
FROM roster r
JOIN teaching_assignment a ON a.id = r.aid
JOIN user u ON u.id = a.teacher_id
JOIN school_class c ON c.id = a.school_class_id
JOIN subject sub ON sub.id = a.subject_id
LEFT JOIN subgroup g ON g.id = a.subgroup_id
JOIN period p ON p.id = r.pid
WHERE NOT EXISTS (SELECT 1 FROM final_mark f
                  WHERE f.assignment_id = r.aid AND f.period_id = r.pid AND f.student_id = r.sid)
GROUP BY r.aid, r.pid
"""


@dataclass(frozen=True)
class MissingFinals:
    """Final marks not set in one journal for one period."""

    teacher: str
    class_label: str
    subject: str
    period: str
    students: int


@dataclass(frozen=True)
class LessonsWithoutTopic:
    teacher: str
    class_label: str
    subject: str
    lessons: int


@dataclass(frozen=True)
class UnverifiedProfiles:
    """Students of a class whose data the class teacher has not checked lately [R 4.1]."""

    class_label: str
    students: tuple[str, ...]


@dataclass(frozen=True)
class YearCheck:
    year_id: str
    year_name: str
    missing_finals: tuple[MissingFinals, ...]
    lessons_without_topic: tuple[LessonsWithoutTopic, ...]
    unverified_profiles: tuple[UnverifiedProfiles, ...]
    #: The last day of the year's last period while it has not passed yet: closing the year
    #: now would close it early (asked for confirmation); None once it is over.
    runs_until: dt.date | None = None

    @property
    def is_clear(self) -> bool:
        """Nothing blocks closing the year."""
        return not (self.missing_finals or self.lessons_without_topic or self.unverified_profiles)


def _teacher(last: str, first: str, middle: str) -> str:
    return last + "".join(f" {part[0]}." for part in (first, middle) if part)


def _missing_finals(year_id: str) -> tuple[MissingFinals, ...]:
    rows = []
    for last, first, middle, grade, letter, subject, group, period, start, count in db.execute_sql(
        _MISSING_FINALS_SQL, (year_id,)
    ):
        rows.append(
            (
                (grade, letter, subject, group, start),
                MissingFinals(
                    teacher=_teacher(last, first, middle),
                    class_label=f"{grade}{letter}",
                    subject=f"{subject} ({group})" if group else subject,
                    period=period,
                    students=count,
                ),
            )
        )
    return tuple(row for _key, row in sorted(rows, key=lambda item: item[0]))


def _unverified(year_id: str, day: dt.date) -> tuple[UnverifiedProfiles, ...]:
    by_class: dict[tuple[int, str], list[str]] = {}
    query = (
        Student.select(Student, SchoolClass)
        .join(SchoolClass)
        .where(SchoolClass.year == year_id, Student.enrolled_on <= day)
        .order_by(SchoolClass.grade, SchoolClass.letter, Student.last_name, Student.first_name)
    )
    for student in query:
        if is_due(student.verified_at, student.left_on, day):
            key = (student.school_class.grade, student.school_class.letter)
            by_class.setdefault(key, []).append(student.display_name)
    return tuple(
        UnverifiedProfiles(f"{grade}{letter}", tuple(names))
        for (grade, letter), names in by_class.items()
    )


def check_year(actor: Actor, year_id: str) -> YearCheck:
    """What blocks closing the year; ``is_clear`` when nothing does."""
    year = get_year(year_id)
    ensure_allowed(actor, Action.YEAR_CLOSE)
    day = min(year.end, clock.today())
    # closing the year includes reading its journal control, whoever closes it (a year not
    # begun has no lessons held to control)
    rows = control_report(Actor.for_system(), year.start, day).rows if day >= year.start else []
    topicless = tuple(
        LessonsWithoutTopic(r.teacher, r.class_label, r.subject, r.lessons - r.with_topic)
        for r in rows
        if r.lessons > r.with_topic
    )
    return YearCheck(
        year_id=year.id,
        year_name=year.name,
        missing_finals=_missing_finals(year.id),
        lessons_without_topic=topicless,
        unverified_profiles=_unverified(year.id, day),
        runs_until=_runs_until(year),
    )


def _runs_until(year: AcademicYear) -> dt.date | None:
    """The last day of the year's last period (the year's end without periods), if today
    is not past it yet."""
    last = Period.select(pw.fn.MAX(Period.end)).where(Period.year == year).scalar()
    last = dt.date.fromisoformat(str(last)) if last else year.end
    return last if clock.today() <= last else None
