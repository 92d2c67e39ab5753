"""The year's journals as the archive prints them: every lesson, mark, absence and final
mark of a class in a handful of queries, and the class's summary sheet of final marks
(сводная ведомость) as report ``Table``s.

One class at a time, so even the largest school never holds more than one class's marks
in memory. Values are read as sqlite3 returns them (no per-value conversion): a year of
a large school is over a million marks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from node.errors import NotFound, ValidationError
from node.i18n import _
from node.models import AcademicYear, Period, School, SchoolClass, db
from node.models.people import short_name
from node.services.base.actor import Actor
from node.services.base.lookup import get_class, get_year
from node.services.base.permissions import Action, ensure_allowed
from node.services.reports.table import Cell, Table

#: How the paper journal writes an absence in a cell.
ATTENDANCE_SIGNS = {"absent": "н", "sick": "б", "excused": "у", "late": "оп"}


@dataclass(frozen=True)
class SheetStudent:
    id: str
    name: str  # "Иванова М. А."
    full_name: str
    enrolled_on: dt.date
    left_on: dt.date | None


@dataclass(frozen=True)
class SheetLesson:
    id: str
    date: dt.date
    number: int
    topic: str
    homework: str
    cancelled: bool


@dataclass(frozen=True)
class SheetPeriod:
    id: str
    name: str
    start: dt.date
    end: dt.date
    is_year: bool


@dataclass(frozen=True)
class JournalSheet:
    """One journal (class × subject, or a subgroup) for the whole year."""

    assignment_id: str
    subject: str
    subgroup: str
    teacher: str
    hours_per_week: float
    students: tuple[SheetStudent, ...]
    lessons: tuple[SheetLesson, ...]
    marks: Mapping[tuple[str, str], str]  # (student, lesson) → "5/4"
    attendance: Mapping[tuple[str, str], str]  # (student, lesson) → code
    finals: Mapping[tuple[str, str], str]  # (student, period) → value

    @property
    def title(self) -> str:
        return f"{self.subject} ({self.subgroup})" if self.subgroup else self.subject

    def cell(self, student_id: str, lesson_id: str) -> str:
        """The cell as the paper journal has it: marks, or the absence sign."""
        parts = [ATTENDANCE_SIGNS.get(self.attendance.get((student_id, lesson_id), ""), "")]
        parts.append(self.marks.get((student_id, lesson_id), ""))
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class ClassJournals:
    class_id: str
    label: str
    grade: int
    letter: str
    class_teacher: str
    periods: tuple[SheetPeriod, ...]  # the class's scheme, then the year
    students: tuple[SheetStudent, ...]  # everyone ever in the class this year
    sheets: tuple[JournalSheet, ...]


@dataclass(frozen=True)
class YearContents:
    """What the archive of a year holds, before reading any journal."""

    year_id: str
    name: str
    start: dt.date
    end: dt.date
    school: str
    classes: tuple[tuple[str, str], ...]  # (class id, label), in grade and letter order
    journals: int


def year_contents(actor: Actor, year_id: str) -> YearContents:
    year = get_year(year_id)
    ensure_allowed(actor, Action.YEAR_CLOSE)
    classes = (
        SchoolClass.select(SchoolClass.id, SchoolClass.grade, SchoolClass.letter)
        .where(SchoolClass.year == year.id)
        .order_by(SchoolClass.grade, SchoolClass.letter)
    )
    (journals,) = db.execute_sql(
        "SELECT COUNT(*) FROM teaching_assignment a JOIN school_class c "
        "ON c.id = a.school_class_id WHERE c.year_id = ?",
        (year.id,),
    ).fetchone()
    school = School.current()
    return YearContents(
        year_id=year.id,
        name=year.name,
        start=year.start,
        end=year.end,
        school=school.name if school else "",
        classes=tuple((c.id, c.label) for c in classes),
        journals=journals,
    )


def _periods(school_class: SchoolClass) -> tuple[SheetPeriod, ...]:
    query = (
        Period.select()
        .where(
            Period.year == school_class.year_id,
            (Period.scheme == school_class.period_scheme) | (Period.scheme == "year"),
        )
        .order_by(Period.scheme == "year", Period.number)
    )
    return tuple(SheetPeriod(p.id, p.name, p.start, p.end, p.is_year) for p in query)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


_ASSIGNMENTS_SQL = """
SELECT a.id, sub.name, COALESCE(g.name, ''), a.subgroup_id, u.last_name, u.first_name,
       u.middle_name, a.hours_per_week
FROM teaching_assignment a
JOIN subject sub ON sub.id = a.subject_id
JOIN user u ON u.id = a.teacher_id
LEFT JOIN subgroup g ON g.id = a.subgroup_id
WHERE a.school_class_id = ?
ORDER BY sub.name, COALESCE(g.name, ''), u.last_name
"""

_LESSONS_SQL = """
SELECT l.assignment_id, l.id, l.date, l.number, l.topic, l.homework, l.status
FROM lesson l JOIN teaching_assignment a ON a.id = l.assignment_id
WHERE a.school_class_id = ? ORDER BY l.date, l.number
"""

_MARKS_SQL = """
SELECT l.assignment_id, m.student_id, m.lesson_id, m.value
FROM mark m JOIN lesson l ON l.id = m.lesson_id
JOIN teaching_assignment a ON a.id = l.assignment_id
WHERE a.school_class_id = ? ORDER BY m.lesson_id, m.student_id, m.position
"""

_ATTENDANCE_SQL = """
SELECT l.assignment_id, x.student_id, x.lesson_id, x.code
FROM attendance x JOIN lesson l ON l.id = x.lesson_id
JOIN teaching_assignment a ON a.id = l.assignment_id
WHERE a.school_class_id = ?
"""

_FINALS_SQL = """
SELECT f.assignment_id, f.student_id, f.period_id, f.value
FROM final_mark f JOIN teaching_assignment a ON a.id = f.assignment_id
WHERE a.school_class_id = ?
"""

_MEMBERS_SQL = """
SELECT m.subgroup_id, m.student_id FROM subgroup_member m
JOIN subgroup g ON g.id = m.subgroup_id WHERE g.school_class_id = ?
"""


def _students(class_id: str) -> tuple[SheetStudent, ...]:
    rows = db.execute_sql(
        "SELECT id, last_name, first_name, middle_name, enrolled_on, left_on FROM student "
        "WHERE school_class_id = ? ORDER BY last_name, first_name, middle_name, id",
        (class_id,),
    )
    return tuple(
        SheetStudent(
            id=sid,
            name=short_name(last, first, middle),
            full_name=" ".join(p for p in (last, first, middle) if p),
            enrolled_on=dt.date.fromisoformat(enrolled),
            left_on=_date(left),
        )
        for sid, last, first, middle, enrolled, left in rows
    )


def class_journals(actor: Actor, class_id: str) -> ClassJournals:
    """Every journal of the class over the whole year, read in six queries."""
    school_class = get_class(class_id)
    ensure_allowed(actor, Action.YEAR_CLOSE)
    students = _students(school_class.id)
    lessons: dict[str, list[SheetLesson]] = defaultdict(list)
    for aid, lid, day, number, topic, homework, status in db.execute_sql(
        _LESSONS_SQL, (school_class.id,)
    ):
        lessons[aid].append(
            SheetLesson(
                lid, dt.date.fromisoformat(day), number, topic, homework, status == "cancelled"
            )
        )
    marks: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    for aid, sid, lid, value in db.execute_sql(_MARKS_SQL, (school_class.id,)):
        cells = marks[aid]
        key = (sid, lid)
        cells[key] = f"{cells[key]}/{value}" if key in cells else value
    attendance: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    for aid, sid, lid, code in db.execute_sql(_ATTENDANCE_SQL, (school_class.id,)):
        attendance[aid][(sid, lid)] = code
    finals: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    for aid, sid, pid, value in db.execute_sql(_FINALS_SQL, (school_class.id,)):
        finals[aid][(sid, pid)] = value
    members: dict[str, set[str]] = defaultdict(set)
    for gid, sid in db.execute_sql(_MEMBERS_SQL, (school_class.id,)):
        members[gid].add(sid)
    sheets = []
    for aid, subject, group, gid, last, first, middle, hours in db.execute_sql(
        _ASSIGNMENTS_SQL, (school_class.id,)
    ):
        roster = students if gid is None else tuple(s for s in students if s.id in members[gid])
        sheets.append(
            JournalSheet(
                assignment_id=aid,
                subject=subject,
                subgroup=group,
                teacher=short_name(last, first, middle),
                hours_per_week=hours,
                students=roster,
                lessons=tuple(lessons[aid]),
                marks=marks[aid],
                attendance=attendance[aid],
                finals=finals[aid],
            )
        )
    teacher = school_class.class_teacher
    return ClassJournals(
        class_id=school_class.id,
        label=school_class.label,
        grade=school_class.grade,
        letter=school_class.letter,
        class_teacher=teacher.display_name if teacher else "",
        periods=_periods(school_class),
        students=students,
        sheets=tuple(sheets),
    )


# --- the summary sheet of final marks (сводная ведомость) ----------------------------------


def _subjects(journals: ClassJournals) -> list[str]:
    return list(dict.fromkeys(sheet.subject for sheet in journals.sheets))


def _final_of(journals: ClassJournals, student_id: str, subject: str, period_id: str) -> str:
    """A student's final in a subject: from whichever journal (subgroup) holds it."""
    for sheet in journals.sheets:
        if sheet.subject == subject:
            value = sheet.finals.get((student_id, period_id))
            if value:
                return value
    return ""


def summary_tables(journals: ClassJournals) -> list[Table]:
    """One table per period (and the year): students × subjects, as the paper sheet."""
    subjects = _subjects(journals)
    tables = []
    for period in journals.periods:
        rows: list[tuple[Cell, ...]] = []
        for number, student in enumerate(journals.students, start=1):
            cells = [_final_of(journals, student.id, s, period.id) for s in subjects]
            rows.append((number, student.name, *cells))
        tables.append(
            Table(
                title=_("Summary sheet of final marks, class {label}: {period}").format(
                    label=journals.label, period=period.name
                ),
                subtitle=_("{start} – {end}").format(
                    start=period.start.strftime("%d.%m.%Y"), end=period.end.strftime("%d.%m.%Y")
                ),
                columns=("№", _("Student"), *subjects),
                rows=tuple(rows),
            )
        )
    return tables


def summary_long_table(journals: ClassJournals) -> Table:
    """The same final marks, one line per student and subject (for a spreadsheet)."""
    subjects = _subjects(journals)
    rows = [
        (
            student.full_name,
            subject,
            *(_final_of(journals, student.id, subject, p.id) for p in journals.periods),
        )
        for student in journals.students
        for subject in subjects
    ]
    return Table(
        title=_("Summary sheet of final marks, class {label}").format(label=journals.label),
        subtitle=journals.class_teacher,
        columns=(_("Student"), _("Subject"), *(p.name for p in journals.periods)),
        rows=tuple(rows),
    )


def lessons_table(journals: ClassJournals, sheet: JournalSheet) -> Table:
    """The journal's lesson pages: date, topic, homework."""
    return Table(
        title=_("Class {label}, {subject}: lessons").format(
            label=journals.label, subject=sheet.title
        ),
        subtitle=sheet.teacher,
        columns=(_("Date"), _("Lesson no."), _("Topic"), _("Homework"), _("Cancelled")),
        rows=tuple(
            (
                lesson.date.isoformat(),
                lesson.number,
                lesson.topic,
                lesson.homework,
                _("yes") if lesson.cancelled else "",
            )
            for lesson in sheet.lessons
        ),
    )


def marks_table(journals: ClassJournals, sheet: JournalSheet) -> Table:
    """Every filled cell of the journal: marks and absences, one line per cell."""
    rows = []
    for lesson in sheet.lessons:
        for student in sheet.students:
            key = (student.id, lesson.id)
            mark, code = sheet.marks.get(key, ""), sheet.attendance.get(key, "")
            if mark or code:
                rows.append(
                    (
                        lesson.date.isoformat(),
                        lesson.number,
                        student.full_name,
                        mark,
                        ATTENDANCE_SIGNS.get(code, code),
                    )
                )
    return Table(
        title=_("Class {label}, {subject}: marks and attendance").format(
            label=journals.label, subject=sheet.title
        ),
        subtitle=sheet.teacher,
        columns=(_("Date"), _("Lesson no."), _("Student"), _("Marks"), _("Attendance")),
        rows=tuple(rows),
    )


def year_of(name: str | None) -> AcademicYear:
    """The year called ``name``, or the active one; ``NotFound``/``ValidationError`` else."""
    if name:
        year = AcademicYear.get_or_none(AcademicYear.name == name.strip())
        if year is None:
            raise NotFound(
                _(
                    "There is no academic year «{name}»; give its name as in the school setup, "
                    "e.g. 2026/2027."
                ).format(name=name)
            )
        return year
    year = AcademicYear.active()
    if year is None:
        raise ValidationError(_("There is no active academic year; name one with --year."))
    return year
