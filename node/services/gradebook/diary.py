"""The parent and student read model: a child's week, marks, attendance and homework [R 3.6].

Every function looks the student up, then ``ensure_allowed(STUDENT_VIEW, student)``, so a
parent or student reaches only their own family's data. Pages are built from a handful of
queries (lessons of the week, then their marks and absences in one query each), never one
query per lesson, so a page stays fast on the appliance with many parents reading at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

import peewee as pw

from node.errors import Forbidden, NotFound
from node.i18n import _
from node.models import (
    Attendance,
    Bell,
    FinalMark,
    Lesson,
    Mark,
    Period,
    School,
    SchoolClass,
    Student,
    Subject,
    TeachingAssignment,
    db,
)
from node.models.journal import WorkType
from node.models.people import short_name
from node.models.teaching import SubgroupMember
from node.services.base import clock
from node.services.base.activity import log_activity
from node.services.base.actor import Actor
from node.services.base.lookup import get_student
from node.services.base.permissions import Action, ensure_allowed
from node.services.gradebook.grading import display_average, weighted_average
from node.services.school.timetable import cancellation_reasons

#: How far ahead "upcoming homework" looks.
HOMEWORK_DAYS = 7


@dataclass(frozen=True)
class Child:
    id: str
    name: str
    class_label: str


@dataclass(frozen=True)
class MarkView:
    value: str
    work_type: str
    weight: float
    comment: str


@dataclass(frozen=True)
class LessonView:
    number: int
    starts: str
    ends: str
    subject: str
    topic: str
    homework: str
    cancelled: bool
    marks: tuple[MarkView, ...]
    absence: str  # "" or an attendance code: absent, sick, excused, late
    substitute: str = ""  # who takes the lesson instead of its teacher (замена), or ""
    cancel_reason: str = ""  # why a cancelled lesson is not held


@dataclass(frozen=True)
class DayView:
    date: dt.date
    lessons: tuple[LessonView, ...]


@dataclass(frozen=True)
class Week:
    student: Child
    start: dt.date
    days: tuple[DayView, ...]

    @property
    def previous(self) -> dt.date:
        return self.start - dt.timedelta(days=7)

    @property
    def next(self) -> dt.date:
        return self.start + dt.timedelta(days=7)


@dataclass(frozen=True)
class SubjectMarks:
    subject: str
    marks: tuple[MarkView, ...]
    average: str  # two decimals, "" without numeric marks
    final: str  # the final mark of the period, "" when not set


@dataclass(frozen=True)
class PeriodView:
    id: str
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class MarksReport:
    student: Child
    period: PeriodView
    periods: tuple[PeriodView, ...]
    subjects: tuple[SubjectMarks, ...]


@dataclass(frozen=True)
class AttendanceSummary:
    student: Child
    period: PeriodView
    lessons: int
    counts: dict[str, int] = field(default_factory=dict)  # code → how many lessons


@dataclass(frozen=True)
class Homework:
    date: dt.date
    subject: str
    text: str


def _child(student: Student, school_class: SchoolClass | None = None) -> Child:
    school_class = school_class or SchoolClass.get_by_id(student.school_class_id)
    return Child(id=student.id, name=student.display_name, class_label=school_class.label)


def _allowed_student(actor: Actor, student_id: str) -> Student:
    """The student, if ``actor`` may see them; one refusal for 'missing' and 'not yours'.

    A foreign id answers exactly like an unknown one, so nobody can probe which ids exist.
    """
    try:
        student = get_student(student_id)
        ensure_allowed(actor, Action.STUDENT_VIEW, student)
    except (NotFound, Forbidden) as exc:
        raise NotFound(_("There is no such student among your children.")) from exc
    return student


def student_heading(actor: Actor, student_id: str) -> Child:
    """The student as a page heads it (name and class), for anyone who may see them: a
    child's pages show it for their family, and for staff who may read the student."""
    return _child(_allowed_student(actor, student_id))


#: The actor's own student profile and the students linked to them as a guardian, with the
#: class label. Raw SQL (through ``Student.raw``) because every page asks it: the ORM spent
#: more time writing this query than SQLite spent answering it.
_CHILDREN_SQL = """
SELECT s.*, c.grade AS class_grade, c.letter AS class_letter, y.name AS year_name
FROM student s JOIN school_class c ON c.id = s.school_class_id
JOIN academic_year y ON y.id = c.year_id
WHERE s.user_id = ?1
   OR s.id IN (SELECT sg.student_id FROM student_guardian sg
               JOIN guardian g ON g.id = sg.guardian_id WHERE g.user_id = ?1)
ORDER BY s.last_name, s.first_name, y.start DESC, s.id
"""


def my_children(actor: Actor) -> list[Child]:
    """The students the actor signs in for: themself (a student) and their guardian links.

    After a year's roll-over a child is a student of each year (the old year's journal
    stays readable), so when the list spans years each class label names its year, the
    newest first.
    """
    if actor.user_id is None:
        return []
    students = list(Student.raw(_CHILDREN_SQL, actor.user_id))
    several_years = len({student.year_name for student in students}) > 1
    children = []
    for student in students:
        ensure_allowed(actor, Action.STUDENT_VIEW, student)
        label = SchoolClass(grade=student.class_grade, letter=student.class_letter).label
        if several_years:
            label = _("{label} ({year})").format(label=label, year=student.year_name)
        children.append(Child(id=student.id, name=student.display_name, class_label=label))
    return children


def _assignment_ids(student: Student) -> list[str]:
    """The journals the student sits in: the class's whole-class ones and their subgroups'."""
    groups = SubgroupMember.select(SubgroupMember.subgroup).where(
        SubgroupMember.student == student.id
    )
    query = TeachingAssignment.select(TeachingAssignment.id).where(
        TeachingAssignment.school_class == student.school_class_id,
        (TeachingAssignment.subgroup.is_null()) | (TeachingAssignment.subgroup.in_(groups)),
    )
    return [row.id for row in query]


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _mark_view(mark: Mark) -> MarkView:
    return MarkView(
        value=mark.value,
        work_type=mark.work_type.name,
        weight=mark.work_type.weight,
        comment=mark.comment,
    )


#: The week's lessons of a student's journals, with the subject and the student's absence,
#: in one indexed query. Written as SQL because this is the page every parent opens:
#: building the same query and its rows through the ORM cost ten times the SQLite work.
_WEEK_LESSONS_SQL = """
SELECT l.id, l.date, l.number, l.status, l.topic, l.homework, s.name, a.code,
       su.last_name, su.first_name, su.middle_name
FROM lesson l
JOIN teaching_assignment ta ON ta.id = l.assignment_id
JOIN subject s ON s.id = ta.subject_id
LEFT JOIN attendance a ON a.lesson_id = l.id AND a.student_id = ?1
LEFT JOIN substitution sb ON sb.lesson_id = l.id
LEFT JOIN user su ON su.id = sb.teacher_id
WHERE ta.school_class_id = ?2
  AND (ta.subgroup_id IS NULL
       OR ta.subgroup_id IN (SELECT subgroup_id FROM subgroup_member WHERE student_id = ?1))
  AND l.date >= ?3 AND l.date <= ?4
ORDER BY l.date, l.number
"""
_WEEK_MARKS_SQL = """
SELECT m.lesson_id, m.value, w.name, w.weight, m.comment
FROM mark m JOIN work_type w ON w.id = m.work_type_id
WHERE m.student_id = ? AND m.lesson_id IN ({lessons})
ORDER BY m.position
"""

_CLASS_SQL = "SELECT * FROM school_class WHERE id = ?"
_BELLS_SQL = "SELECT * FROM bell"


def week_diary(actor: Actor, student_id: str, week_start: dt.date | None = None) -> Week:
    """Monday to Saturday of the week holding ``week_start`` (this week by default)."""
    student = _allowed_student(actor, student_id)
    school_class = SchoolClass.raw(_CLASS_SQL, student.school_class_id).get()
    start = week_start_of(week_start or clock.today())
    end = start + dt.timedelta(days=5)
    lessons = db.execute_sql(
        _WEEK_LESSONS_SQL, (student.id, school_class.id, start.isoformat(), end.isoformat())
    ).fetchall()
    marks: dict[str, list[MarkView]] = defaultdict(list)
    if lessons:
        ids = [row[0] for row in lessons]
        sql = _WEEK_MARKS_SQL.format(lessons=", ".join("?" * len(ids)))
        for lesson_id, value, work_type, weight, comment in db.execute_sql(sql, (student.id, *ids)):
            marks[lesson_id].append(
                MarkView(value=value, work_type=work_type, weight=weight, comment=comment)
            )
    bells = {bell.number: bell for bell in Bell.raw(_BELLS_SQL)}
    reasons = cancellation_reasons([row[0] for row in lessons if row[3] == "cancelled"])
    by_day: dict[str, list[LessonView]] = defaultdict(list)
    for row in lessons:
        lesson_id, day, number, status, topic, homework, subject, absence = row[:8]
        last, first, middle = row[8:]
        bell = bells.get(number)
        by_day[day].append(
            LessonView(
                number=number,
                starts=bell.starts if bell else "",
                ends=bell.ends if bell else "",
                subject=subject,
                topic=topic,
                homework=homework,
                cancelled=status == "cancelled",
                marks=tuple(marks.get(lesson_id, ())),
                absence=absence or "",
                substitute=short_name(last, first, middle) if last else "",
                cancel_reason=reasons.get(lesson_id, ""),
            )
        )
    dates = [start + dt.timedelta(days=i) for i in range(6)]
    days = tuple(DayView(date=d, lessons=tuple(by_day.get(d.isoformat(), ()))) for d in dates)
    return Week(student=_child(student, school_class), start=start, days=days)


def _period_view(period: Period) -> PeriodView:
    return PeriodView(id=period.id, name=period.name, start=period.start, end=period.end)


def _periods(student: Student) -> tuple[SchoolClass, list[Period]]:
    school_class = SchoolClass.get_by_id(student.school_class_id)
    periods = list(
        Period.select()
        .where(Period.year == school_class.year_id, Period.scheme == school_class.period_scheme)
        .order_by(Period.number)
    )
    return school_class, periods


def _choose_period(periods: list[Period], period_id: str | None) -> Period:
    if period_id:
        for period in periods:
            if period.id == period_id:
                return period
        raise NotFound(_("There is no such period for this class; choose one from the list."))
    if not periods:
        raise NotFound(_("The school year has no periods yet; ask the school administration."))
    today = clock.today()
    for period in periods:
        if period.start <= today <= period.end:
            return period
    before = [p for p in periods if p.end < today]
    return before[-1] if before else periods[0]


def marks_by_subject(actor: Actor, student_id: str, period_id: str | None = None) -> MarksReport:
    """Each subject's marks in a period with the weighted average and the final mark."""
    student = _allowed_student(actor, student_id)
    school_class, periods = _periods(student)
    period = _choose_period(periods, period_id)
    assignment_ids = _assignment_ids(student)
    rows = (
        Mark.select(Mark, WorkType, Lesson, TeachingAssignment, Subject)
        .join(WorkType)
        .switch(Mark)
        .join(Lesson)
        .join(TeachingAssignment)
        .join(Subject)
        .where(
            Mark.student == student.id,
            Lesson.assignment.in_(assignment_ids),
            Lesson.date >= period.start,
            Lesson.date <= period.end,
        )
        .order_by(Subject.name, Lesson.date, Lesson.number, Mark.position)
    )
    subjects: dict[str, list[Mark]] = defaultdict(list)
    for mark in rows:
        subjects[mark.lesson.assignment.subject.name].append(mark)
    finals: dict[str, str] = {}
    for final in (
        FinalMark.select(FinalMark, TeachingAssignment, Subject)
        .join(TeachingAssignment)
        .join(Subject)
        .where(FinalMark.student == student.id, FinalMark.period == period.id)
    ):
        finals[final.assignment.subject.name] = final.value
    names = sorted(set(subjects) | set(finals))
    if not names:
        names = sorted(
            {
                a.subject.name
                for a in TeachingAssignment.select(TeachingAssignment, Subject)
                .join(Subject)
                .where(TeachingAssignment.id.in_(assignment_ids))
            }
        )
    report = []
    for name in names:
        marks = subjects.get(name, [])
        average = weighted_average((m.points, Fraction(str(m.work_type.weight))) for m in marks)
        report.append(
            SubjectMarks(
                subject=name,
                marks=tuple(_mark_view(m) for m in marks),
                average=display_average(average),
                final=finals.get(name, ""),
            )
        )
    return MarksReport(
        student=_child(student, school_class),
        period=_period_view(period),
        periods=tuple(_period_view(p) for p in periods),
        subjects=tuple(report),
    )


def attendance_summary(
    actor: Actor, student_id: str, period_id: str | None = None
) -> AttendanceSummary:
    """How many lessons of the period the student missed, by reason, out of how many held."""
    student = _allowed_student(actor, student_id)
    school_class, periods = _periods(student)
    period = _choose_period(periods, period_id)
    end = min(period.end, clock.today())
    held = Lesson.select().where(
        Lesson.assignment.in_(_assignment_ids(student)),
        Lesson.date >= period.start,
        Lesson.date <= end,
        Lesson.status != "cancelled",
    )
    counts: dict[str, int] = {}
    for row in (
        Attendance.select(Attendance.code, pw.fn.COUNT(Attendance.id).alias("n"))
        .join(Lesson)
        .where(Attendance.student == student.id, Lesson.id.in_(held.select(Lesson.id)))
        .group_by(Attendance.code)
        .dicts()
    ):
        counts[row["code"]] = row["n"]
    return AttendanceSummary(
        student=_child(student, school_class),
        period=_period_view(period),
        lessons=held.count(),
        counts=counts,
    )


def upcoming_homework(actor: Actor, student_id: str, days: int = HOMEWORK_DAYS) -> list[Homework]:
    """Homework set for lessons from today over the next ``days`` days."""
    student = _allowed_student(actor, student_id)
    today = clock.today()
    rows = (
        Lesson.select(Lesson, TeachingAssignment, Subject)
        .join(TeachingAssignment)
        .join(Subject)
        .where(
            Lesson.assignment.in_(_assignment_ids(student)),
            Lesson.date >= today,
            Lesson.date <= today + dt.timedelta(days=days),
            Lesson.homework != "",
            Lesson.status != "cancelled",
        )
        .order_by(Lesson.date, Lesson.number)
    )
    return [
        Homework(date=lesson.date, subject=lesson.assignment.subject.name, text=lesson.homework)
        for lesson in rows
    ]


#: What the read check looks at in a student's row (see ``check_student``).
_STUDENT_ACCESS_SQL = "SELECT id, user_id, school_class_id FROM student WHERE id = ?"


def check_student(actor: Actor, student_id: str) -> None:
    """``NotFound`` unless the actor may see the student: the read check of a child's pages,
    asked on its own when the page itself comes from the web page's cache. It reads only
    the columns the check looks at, as a plain tuple (every cached page asks it)."""
    row = db.execute_sql(_STUDENT_ACCESS_SQL, (student_id,)).fetchone()
    try:
        if row is None:
            raise NotFound(_("There is no such student among your children."))
        student = Student(id=row[0], user=row[1], school_class=row[2])
        ensure_allowed(actor, Action.STUDENT_VIEW, student)
    except (NotFound, Forbidden) as exc:
        raise NotFound(_("There is no such student among your children.")) from exc


#: Replicated tables that no page of a parent or student shows (the activity log is written
#: by the pages themselves): their changes leave every page as it was.
UNSHOWN_TABLES = ("activity_log",)
#: The newest change in the sync change log (``node.models.changes``) after a known one, and
#: the newest of those a page may show. Every write to a replicated table lands in the log
#: in its own transaction (triggers, and sync's merge); ``seq`` is the table's integer
#: primary key and rows are never deleted, so it only grows and this is a range scan of the
#: few changes since the last call.
_CHANGES_AFTER_SQL = """
SELECT max(seq), max(CASE WHEN tbl NOT IN ({unshown}) THEN seq END)
FROM sync_change WHERE seq > ?
""".format(unshown=", ".join(f"'{name}'" for name in UNSHOWN_TABLES))


def changes_after(seq: int | None) -> tuple[int, int | None]:
    """(newest change, newest change a page may show) after ``seq``: ``seq`` and None when
    nothing changed, the newest and None when only unshown tables changed.

    A page built when the second number was V is current while it stays V: a new mark, a
    read message, a changed guardian link or account all move it (``node.web.pagecache``).
    ``None`` starts counting: the newest change, taken for both (one index look-up, where
    scanning a year's log from the start would not be).
    """
    if seq is None:
        newest = db.execute_sql("SELECT coalesce(max(seq), 0) FROM sync_change").fetchone()[0]
        return (newest, newest)
    newest, shown = db.execute_sql(_CHANGES_AFTER_SQL, (seq,)).fetchone()
    return (newest or seq, shown)


def school_language() -> str | None:
    """The school's locale: the language of pages for people who chose none (public)."""
    school = School.current()
    return school.locale if school else None


def record_views(views: Iterable[tuple[Actor, str, str]]) -> None:
    """Log several (actor, page, client) views in one transaction: the web page writes the
    views of many parents together rather than one write (and one disk sync) each."""
    with db.atomic():
        for actor, page, client in views:
            log_activity(actor, "view", detail=page, client=client)


def record_view(actor: Actor, page: str, *, client: str = "") -> None:
    """Log that a parent or student opened a page (the monthly activity report counts them)."""
    with db.atomic():
        log_activity(actor, "view", detail=page, client=client)
