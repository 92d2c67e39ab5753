"""Journal control [R 3.5, 6.2]: how fully and how promptly journals are kept, per journal.

For a date range, counted up to the range's end or today, whichever is earlier:

* lessons — held lessons (not cancelled); shares of them with a topic and with homework;
* students of the journal (the class, or the subgroup's members) enrolled at some point of
  the range; shares with no mark and with exactly one mark in the range, counted only in a
  journal with a lesson due: held on a day of the range that is over. A journal with none
  yet (it starts later, or today's lesson is its first) flags nobody; its shares are "—";
* plan coverage — hours planned up to that day's school week vs lessons taught by then
  (a held lesson with a topic or a plan item counts one hour), as ``plan.plan_coverage``;
* filled in time — held lessons whose first recorded entry (topic/homework change, mark or
  attendance, from History) came within ``days`` days of the lesson date (UTC days);
* participation — teachers who recorded anything (History) in the range.

Rows are per journal; ``by_teacher`` and ``by_class`` add the same counts up. A lesson a
substitute took (замена) counts for the teacher who taught it [R 3.4, 3.5]: the journal
has a second row, «(substitute)», for each substitute, with those lessons' counts (topic,
homework, filled in time); the students and the plan stay on the journal's own row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from node.errors import ValidationError
from node.i18n import _
from node.models import AcademicYear, db
from node.models.people import short_name
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.base.permissions import Action, ensure_allowed
from node.services.gradebook.plan import week_number
from node.services.reports.table import Cell, Table, percent

DEFAULT_DAYS = 3

_JOURNALS_SQL = """
SELECT a.id, a.teacher_id, a.school_class_id, u.last_name, u.first_name, u.middle_name,
       c.grade || c.letter, sub.name, COALESCE(g.name, '')
FROM teaching_assignment a
JOIN school_class c ON c.id = a.school_class_id
JOIN user u ON u.id = a.teacher_id
JOIN subject sub ON sub.id = a.subject_id
LEFT JOIN subgroup g ON g.id = a.subgroup_id
WHERE c.year_id = ?
"""

#: Per journal and substitute (NULL: the journal's own teacher): the held lessons.
_LESSONS_SQL = """
SELECT l.assignment_id, sb.teacher_id, COUNT(*), SUM(l.topic != ''), SUM(l.homework != '')
FROM lesson l JOIN teaching_assignment a ON a.id = l.assignment_id
JOIN school_class c ON c.id = a.school_class_id
LEFT JOIN substitution sb ON sb.lesson_id = l.id
WHERE c.year_id = ? AND l.date BETWEEN ? AND ? AND l.status != 'cancelled'
GROUP BY l.assignment_id, sb.teacher_id
"""

_STUDENTS_SQL = """
WITH roster AS (
  SELECT a.id AS assignment_id, s.id AS student_id
  FROM teaching_assignment a
  JOIN school_class c ON c.id = a.school_class_id
  JOIN student s ON s.school_class_id = a.school_class_id
  WHERE c.year_id = ? AND s.enrolled_on <= ? AND (s.left_on IS NULL OR s.left_on >= ?)
    AND (a.subgroup_id IS NULL OR EXISTS (SELECT 1 FROM subgroup_member m
         WHERE m.subgroup_id = a.subgroup_id AND m.student_id = s.id))
), counts AS (
  SELECT l.assignment_id, m.student_id, COUNT(*) AS n
  FROM mark m JOIN lesson l ON l.id = m.lesson_id
  WHERE l.date BETWEEN ? AND ? AND l.status != 'cancelled'
  GROUP BY l.assignment_id, m.student_id
)
SELECT r.assignment_id, COUNT(*), SUM(k.n IS NULL), SUM(k.n = 1)
FROM roster r LEFT JOIN counts k
  ON k.assignment_id = r.assignment_id AND k.student_id = r.student_id
GROUP BY r.assignment_id
"""

_PLANNED_SQL = """
SELECT p.assignment_id, SUM(p.hours) FROM plan_item p
JOIN teaching_assignment a ON a.id = p.assignment_id
JOIN school_class c ON c.id = a.school_class_id
WHERE c.year_id = ? AND p.planned_week IS NOT NULL AND p.planned_week <= ?
GROUP BY p.assignment_id
"""

_TAUGHT_SQL = """
SELECT l.assignment_id, COUNT(*) FROM lesson l
JOIN teaching_assignment a ON a.id = l.assignment_id
JOIN school_class c ON c.id = a.school_class_id
WHERE c.year_id = ? AND l.date <= ? AND l.status != 'cancelled'
  AND (l.topic != '' OR EXISTS (SELECT 1 FROM lesson_plan_item x WHERE x.lesson_id = l.id))
GROUP BY l.assignment_id
"""

#: Held lessons of the range whose first entry (History) was within :days of the date.
_IN_TIME_SQL = """
WITH first AS (
  SELECT entity_id AS lesson_id, MIN(at) AS at FROM history
  WHERE entity = 'lesson' AND action = 'update' AND at >= ? GROUP BY entity_id
  UNION ALL
  SELECT substr(cell, 1, instr(cell, '/') - 1), MIN(at) FROM history
  WHERE entity IN ('mark', 'attendance') AND cell IS NOT NULL AND at >= ?
  GROUP BY substr(cell, 1, instr(cell, '/') - 1)
)
SELECT l.assignment_id, sb.teacher_id, COUNT(DISTINCT l.id) FROM lesson l
JOIN first f ON f.lesson_id = l.id
JOIN teaching_assignment a ON a.id = l.assignment_id
JOIN school_class c ON c.id = a.school_class_id
LEFT JOIN substitution sb ON sb.lesson_id = l.id
WHERE c.year_id = ? AND l.date BETWEEN ? AND ? AND l.status != 'cancelled'
  AND f.at < datetime(l.date, ?)
GROUP BY l.assignment_id, sb.teacher_id
"""

#: Journals with a held lesson on a day of the range that is over.
_DUE_SQL = """
SELECT DISTINCT l.assignment_id FROM lesson l
JOIN teaching_assignment a ON a.id = l.assignment_id
JOIN school_class c ON c.id = a.school_class_id
WHERE c.year_id = ? AND l.date BETWEEN ? AND ? AND l.status != 'cancelled'
"""

_SUBSTITUTES_SQL = """
SELECT id, last_name, first_name, middle_name FROM user
WHERE id IN (SELECT teacher_id FROM substitution)
"""

_ACTIVE_SQL = """
SELECT DISTINCT actor_id FROM history WHERE at >= ? AND at < ? AND actor_id IS NOT NULL
"""


@dataclass(frozen=True)
class ControlRow:
    """Counts for one journal (or a sum of journals); shares are derived."""

    assignment_id: str
    teacher_id: str
    teacher: str
    class_label: str
    subject: str
    lessons: int = 0
    with_topic: int = 0
    with_homework: int = 0
    students: int = 0
    #: students of the journal if it has held a lesson in the range (the shares' base)
    students_due: int = 0
    no_marks: int = 0
    one_mark: int = 0
    planned_hours: float = 0.0
    taught_hours: float = 0.0
    in_time: int = 0
    teacher_active: bool = False

    def share(self, attribute: str) -> float | None:
        whole = self.students_due if attribute in ("no_marks", "one_mark") else self.lessons
        return percent(getattr(self, attribute), whole)

    @property
    def coverage(self) -> float | None:
        return percent(self.taught_hours, self.planned_hours)


@dataclass(frozen=True)
class ControlReport:
    start: dt.date
    end: dt.date  # the range's end, or today if earlier
    days: int
    rows: list[ControlRow]
    teachers: int
    active_teachers: int

    @property
    def participation(self) -> float | None:
        return percent(self.active_teachers, self.teachers)


def _year_of(day: dt.date) -> AcademicYear:
    year = (
        AcademicYear.select()
        .where(AcademicYear.start <= day, AcademicYear.end >= day)
        .order_by(AcademicYear.start.desc())
        .first()
    )
    if year is None:
        raise ValidationError(
            _("{day} is outside every school year: choose dates within the school year.").format(
                day=day.strftime("%d.%m.%Y")
            )
        )
    return year


def lessons_due(year_id: str, start: dt.date, last: dt.date) -> set[str]:
    """The journals of the year with a held lesson from ``start`` to ``last`` (a day over):
    only they can have students short of marks [R 3.5]."""
    if last < start:
        return set()
    rows = db.execute_sql(_DUE_SQL, (year_id, start.isoformat(), last.isoformat()))
    return {row[0] for row in rows}


def control_report(
    actor: Actor, start: dt.date, end: dt.date, days: int = DEFAULT_DAYS
) -> ControlReport:
    """Journal control for ``start``–``end`` for every journal of that school year."""
    ensure_allowed(actor, Action.REPORTS_VIEW)
    if end < start:
        raise ValidationError(_("The range ends before it starts: swap the dates."))
    if days < 0:
        raise ValidationError(_("The number of days must be 0 or more."))
    year = _year_of(start)
    today = clock.today()
    if start > today:
        raise ValidationError(
            _("The range starts on {day}, after today: there is nothing to control yet.").format(
                day=start.strftime("%d.%m.%Y")
            )
        )
    upto = min(end, today)
    s, u = start.isoformat(), upto.isoformat()

    def by_assignment(sql: str, params: tuple[object, ...]) -> dict[str, tuple[int, ...]]:
        return {row[0]: row[1:] for row in db.execute_sql(sql, params)}

    def by_teacher_of(
        sql: str, params: tuple[object, ...]
    ) -> dict[tuple[str, str | None], tuple[int, ...]]:
        return {(row[0], row[1]): row[2:] for row in db.execute_sql(sql, params)}

    lessons = by_teacher_of(_LESSONS_SQL, (year.id, s, u))
    held = lessons_due(year.id, start, min(end, today - dt.timedelta(days=1)))
    students = by_assignment(_STUDENTS_SQL, (year.id, u, s, s, u))
    week = week_number(year.start, upto)
    planned = by_assignment(_PLANNED_SQL, (year.id, week))
    taught = by_assignment(_TAUGHT_SQL, (year.id, u))
    in_time = by_teacher_of(_IN_TIME_SQL, (s, s, year.id, s, u, f"+{days + 1} days"))
    range_end = (upto + dt.timedelta(days=1)).isoformat()
    active = {row[0] for row in db.execute_sql(_ACTIVE_SQL, (s, range_end))}
    substitutes = {
        uid: short_name(last, first, middle)
        for uid, last, first, middle in db.execute_sql(_SUBSTITUTES_SQL)
    }
    rows = []
    for aid, tid, _class, last, first, middle, label, subject, group in db.execute_sql(
        _JOURNALS_SQL, (year.id,)
    ):
        n, topic, homework = lessons.get((aid, None), (0, 0, 0))
        roster, none, one = students.get(aid, (0, 0, 0))
        if aid not in held:  # no lesson due yet: nobody is flagged for having no marks
            none = one = 0
        name = f"{subject} ({group})" if group else subject
        rows.append(
            ControlRow(
                assignment_id=aid,
                teacher_id=tid,
                teacher=short_name(last, first, middle),
                class_label=label,
                subject=name,
                lessons=n,
                with_topic=topic or 0,
                with_homework=homework or 0,
                students=roster,
                students_due=roster if aid in held else 0,
                no_marks=none or 0,
                one_mark=one or 0,
                planned_hours=float(planned.get(aid, (0.0,))[0] or 0.0),
                taught_hours=float(taught.get(aid, (0,))[0]),
                in_time=in_time.get((aid, None), (0,))[0],
                teacher_active=tid in active,
            )
        )
        for (journal, sub_id), (n, topic, homework) in lessons.items():
            if journal != aid or sub_id is None:
                continue
            rows.append(  # the lessons a substitute taught count for them [R 3.4, 3.5]
                ControlRow(
                    assignment_id=aid,
                    teacher_id=sub_id,
                    teacher=substitutes.get(sub_id, ""),
                    class_label=label,
                    subject=_("{subject} (substitute)").format(subject=name),
                    lessons=n,
                    with_topic=topic or 0,
                    with_homework=homework or 0,
                    in_time=in_time.get((aid, sub_id), (0,))[0],
                    teacher_active=sub_id in active,
                )
            )
    rows.sort(key=lambda r: (r.teacher, r.class_label, r.subject))
    teachers = {r.teacher_id for r in rows}
    return ControlReport(
        start=start,
        end=upto,
        days=days,
        rows=rows,
        teachers=len(teachers),
        active_teachers=len(teachers & active),
    )


def _sum(
    rows: list[ControlRow], key: Callable[[ControlRow], tuple[str, str, str]]
) -> list[ControlRow]:
    groups: dict[tuple[str, str, str], list[ControlRow]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return [
        ControlRow(
            assignment_id="",
            teacher_id=k[0],
            teacher=k[1],
            class_label=k[2],
            subject="",
            lessons=sum(r.lessons for r in g),
            with_topic=sum(r.with_topic for r in g),
            with_homework=sum(r.with_homework for r in g),
            students=sum(r.students for r in g),
            students_due=sum(r.students_due for r in g),
            no_marks=sum(r.no_marks for r in g),
            one_mark=sum(r.one_mark for r in g),
            planned_hours=sum(r.planned_hours for r in g),
            taught_hours=sum(r.taught_hours for r in g),
            in_time=sum(r.in_time for r in g),
            teacher_active=any(r.teacher_active for r in g),
        )
        for k, g in sorted(groups.items(), key=lambda item: item[0][1:])
    ]


def by_teacher(report: ControlReport) -> list[ControlRow]:
    """The journals of each teacher added up (students counted once per journal)."""
    return _sum(report.rows, lambda r: (r.teacher_id, r.teacher, ""))


def by_class(report: ControlReport) -> list[ControlRow]:
    """The journals of each class added up."""
    return _sum(report.rows, lambda r: ("", "", r.class_label))


def control_table(report: ControlReport) -> Table:
    """One line per journal, then the whole school; shares in percent."""
    whole = _sum(report.rows, lambda r: ("", _("Whole school"), ""))
    yes, no = _("yes"), _("no")
    return Table(
        title=_("Journal control"),
        subtitle=_(
            "{start} – {end}; filled in time: within {days} days; teachers who made entries: "
            "{active} of {teachers}"
        ).format(
            start=report.start.strftime("%d.%m.%Y"),
            end=report.end.strftime("%d.%m.%Y"),
            days=report.days,
            active=report.active_teachers,
            teachers=report.teachers,
        ),
        columns=(
            _("Teacher"),
            _("Class"),
            _("Subject"),
            _("Lessons"),
            _("With topic, %"),
            _("With homework, %"),
            _("Students"),
            _("No marks, %"),
            _("One mark, %"),
            _("Planned hours"),
            _("Taught hours"),
            _("Plan coverage, %"),
            _("Filled in time, %"),
            _("Made entries"),
        ),
        rows=tuple(_cells(r, yes if r.teacher_active else no) for r in report.rows)
        + tuple(_cells(r, report.participation) for r in whole),
    )


def _cells(r: ControlRow, made_entries: Cell) -> tuple[Cell, ...]:
    return (
        r.teacher,
        r.class_label,
        r.subject,
        r.lessons,
        r.share("with_topic"),
        r.share("with_homework"),
        r.students,
        r.share("no_marks"),
        r.share("one_mark"),
        r.planned_hours,
        r.taught_hours,
        r.coverage,
        r.share("in_time"),
        made_entries,
    )
