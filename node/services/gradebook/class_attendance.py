"""The class teacher's weekly attendance correction [R 4.2]: one week, all subjects.

Read with ``journal.week_attendance`` (which checks ``ATTENDANCE_CORRECT`` on every student
of the class); a reason is set with ``journal.correct_attendance`` — this module only
arranges the week for the screen, student by student, and counts what is left to explain.
The codes are the journal's: absent (н, not excused), sick (б), excused (у), late (оп).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from node.errors import ValidationError
from node.i18n import _
from node.services.base.actor import Actor
from node.services.base.lookup import get_class
from node.services.base.permissions import Action, ensure_allowed
from node.services.gradebook import journal
from node.services.gradebook.journal import WeekAbsence


@dataclass(frozen=True)
class StudentWeek:
    """One student's absences of the week, with counts by code."""

    student_id: str
    name: str
    absences: list[WeekAbsence]

    def count(self, code: str) -> int:
        return sum(1 for a in self.absences if a.code == code)


@dataclass(frozen=True)
class WeekAttendance:
    class_id: str
    label: str
    monday: dt.date
    students: list[StudentWeek]

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def absences(self) -> list[WeekAbsence]:
        """Every absence of the week: student by student, then by day and lesson."""
        return [a for s in self.students for a in s.absences]

    @property
    def unexplained(self) -> int:
        """Absences still coded plain "absent" with no reason written."""
        return sum(1 for a in self.absences if a.code == "absent" and not a.reason)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def attendance_week(actor: Actor, class_id: str, monday: dt.date) -> WeekAttendance:
    """The class's absences in the week starting on ``monday`` (any day of it will do)."""
    school_class = get_class(class_id)
    ensure_allowed(actor, Action.CLASS_VIEW, school_class)
    start = monday_of(monday)
    year = school_class.year
    if start > year.end or start + dt.timedelta(days=6) < year.start:
        raise ValidationError(
            _("The week of {day} is outside the academic year {name}.").format(
                day=start.strftime("%d.%m.%Y"), name=year.name
            )
        )
    rows = journal.week_attendance(actor, school_class.id, start)
    by_student: dict[str, list[WeekAbsence]] = {}
    for row in rows:
        by_student.setdefault(row.student_id, []).append(row)
    students = [
        StudentWeek(
            student_id=sid,
            name=absences[0].student_name,
            absences=sorted(absences, key=lambda a: (a.date, a.lesson_number)),
        )
        for sid, absences in by_student.items()
    ]
    students.sort(key=lambda s: s.name)
    return WeekAttendance(school_class.id, school_class.label, start, students)
