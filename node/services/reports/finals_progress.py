"""Final marks not yet set, for the administration [R 5.4]: which journals, how many days left.

A journal and period is listed from a week before its window opens (as on the teacher's
home screen) while some of its students have no final mark — also after the window has
locked, which is when the director or a deputy may unlock it (``finals.unlock_finals``).
The window is ``finals.window_of``, the rule behind ``final_window`` that refuses a late
mark, fed with every journal's last lesson and unlocks from two grouped queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import peewee as pw

from node.i18n import _
from node.models import (
    AcademicYear,
    FinalMark,
    FinalMarkUnlock,
    Lesson,
    Period,
    SchoolClass,
    Subgroup,
    Subject,
    TeachingAssignment,
    User,
)
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.policy import load_policy
from node.services.gradebook.finals import window_of
from node.services.gradebook.teacher_home import FINALS_NOTICE_DAYS, journal_label
from node.services.reports.table import Table


@dataclass(frozen=True)
class FinalsProgress:
    """One journal and period whose final marks are due, overdue or about to be."""

    assignment_id: str
    period_id: str
    teacher: str
    journal: str
    period_name: str
    opens: dt.date
    closes: dt.date  # the deadline, or the end of an unlock
    days_left: int  # negative once locked
    students: int
    set_count: int
    is_open: bool
    is_locked: bool

    @property
    def missing(self) -> int:
        return self.students - self.set_count


def finals_progress(actor: Actor, today: dt.date | None = None) -> list[FinalsProgress]:
    """Journals of the active year with final marks missing, nearest deadline first."""
    ensure_allowed(actor, Action.REPORTS_VIEW)
    day = today or clock.today()
    year = AcademicYear.active()
    if year is None:
        return []
    periods: dict[str, list[Period]] = defaultdict(list)
    for period in Period.select().where(Period.year == year).order_by(Period.start):
        periods[period.scheme].append(period)
    done = {
        (aid, pid): n
        for aid, pid, n in FinalMark.select(
            FinalMark.assignment, FinalMark.period, pw.fn.COUNT(FinalMark.id)
        )
        .group_by(FinalMark.assignment, FinalMark.period)
        .tuples()
    }
    # the window's inputs for every journal at once; the rule itself is finals.window_of
    last_lessons = {
        (aid, pid): Lesson.date.python_value(last)
        for aid, pid, last in Lesson.select(Lesson.assignment, Period.id, pw.fn.MAX(Lesson.date))
        .join(Period, on=Lesson.date.between(Period.start, Period.end))
        .where(Period.year == year, Lesson.status != "cancelled")
        .group_by(Lesson.assignment, Period.id)
        .tuples()
    }
    unlocks = {
        (aid, pid): FinalMarkUnlock.until.python_value(until)
        for aid, pid, until in FinalMarkUnlock.select(
            FinalMarkUnlock.assignment, FinalMarkUnlock.period, pw.fn.MAX(FinalMarkUnlock.until)
        )
        .where(FinalMarkUnlock.until >= day)
        .group_by(FinalMarkUnlock.assignment, FinalMarkUnlock.period)
        .tuples()
    }
    policy = load_policy()
    sizes: dict[tuple[str, str | None], int] = {}  # journal size by (class, subgroup)
    query = (
        TeachingAssignment.select(TeachingAssignment, SchoolClass, Subject, Subgroup, User)
        .join(SchoolClass)
        .switch(TeachingAssignment)
        .join(Subject)
        .switch(TeachingAssignment)
        .join(Subgroup, pw.JOIN.LEFT_OUTER)
        .switch(TeachingAssignment)
        .join(User, on=(TeachingAssignment.teacher == User.id))
        .where(SchoolClass.year == year)
    )
    rows: list[FinalsProgress] = []
    for assignment in query:
        school_class = assignment.school_class
        if not policy.marks_expected(school_class.grade):
            continue
        own = periods[school_class.period_scheme] + (
            periods["year"] if school_class.period_scheme != "year" else []
        )
        for period in own:
            if day < period.start:
                continue
            key = (assignment.id, period.id)
            window = window_of(last_lessons.get(key), period, unlocks.get(key), day, policy)
            if day < window.opens - dt.timedelta(days=FINALS_NOTICE_DAYS):
                continue
            size_key = (school_class.id, assignment.subgroup_id)
            if size_key not in sizes:
                sizes[size_key] = assignment.students().count()
            students = sizes[size_key]
            set_count = done.get(key, 0)
            if set_count >= students:
                continue
            closes = window.unlocked_until or window.closes
            subgroup = assignment.subgroup.name if assignment.subgroup_id else None
            rows.append(
                FinalsProgress(
                    assignment_id=assignment.id,
                    period_id=period.id,
                    teacher=assignment.teacher.display_name,
                    journal=journal_label(school_class.label, assignment.subject.name, subgroup),
                    period_name=period.name,
                    opens=window.opens,
                    closes=closes,
                    days_left=(closes - day).days,
                    students=students,
                    set_count=set_count,
                    is_open=window.is_open,
                    is_locked=window.is_locked,
                )
            )
    rows.sort(key=lambda r: (r.closes, r.teacher, r.journal))
    return rows


def finals_table(rows: list[FinalsProgress], today: dt.date) -> Table:
    """The list as a report table, for the CSV and HTML exports."""
    return Table(
        title=_("Final marks not set"),
        subtitle=_("as of {day}").format(day=today.strftime("%d.%m.%Y")),
        columns=(
            _("Teacher"),
            _("Journal"),
            _("Period"),
            _("Students"),
            _("Set"),
            _("Deadline"),
            _("Days left"),
            _("Locked"),
        ),
        rows=tuple(
            (
                r.teacher,
                r.journal,
                r.period_name,
                r.students,
                r.set_count,
                r.closes.strftime("%d.%m.%Y"),
                r.days_left,
                _("yes") if r.is_locked else _("no"),
            )
            for r in rows
        ),
    )
