"""The class teacher's class: who is in it, and whose data is due for its monthly check.

[R 4.1] asks the class teacher to check every student's personal data at least once a
month. A profile counts as checked when someone pressed "mark verified" on it
(``Student.verified_at``); after ``VERIFY_EVERY_DAYS`` it is due again. Students who left
are listed (their marks stay) but are never due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from node.models import (
    AcademicYear,
    Guardian,
    SchoolClass,
    Student,
    StudentGuardian,
    User,
)
from node.services.base.actor import Actor
from node.services.base.lookup import get_class
from node.services.base.permissions import Action, allowed, ensure_allowed

#: A profile not checked for this many days is due again [R 4.1: "at least once a month"].
VERIFY_EVERY_DAYS = 30

#: The state of a person's account as the class list shows it.
ACCOUNT_NONE = "none"


@dataclass(frozen=True)
class ClassChoice:
    """A class the actor may open, for the picker of deputies and the director."""

    class_id: str
    label: str
    teacher: str


@dataclass(frozen=True)
class RosterRow:
    """One student of the class list."""

    student_id: str
    name: str
    enrolled_on: dt.date
    left_on: dt.date | None
    verified_at: dt.datetime | None
    due: bool
    account: str  # "none", or the user's status: "pending", "active", "disabled"
    guardians: int
    guardian_accounts: int  # guardians whose account is active


@dataclass(frozen=True)
class ClassRoster:
    class_id: str
    label: str
    teacher: str
    today: dt.date
    rows: list[RosterRow]

    @property
    def due(self) -> list[RosterRow]:
        return [row for row in self.rows if row.due]


@dataclass(frozen=True)
class ProfilesDue:
    """A class of the actor with profiles due for their monthly check (home screen)."""

    class_id: str
    label: str
    names: list[str]


def is_due(verified_at: dt.datetime | None, left_on: dt.date | None, today: dt.date) -> bool:
    """Not checked within ``VERIFY_EVERY_DAYS`` days before ``today`` (and still in class)."""
    if left_on is not None and left_on < today:
        return False
    return verified_at is None or verified_at.date() <= today - dt.timedelta(days=VERIFY_EVERY_DAYS)


def classes_for(actor: Actor) -> list[ClassChoice]:
    """The classes of the active year the actor may open: a class teacher's own, or all of
    them for the administration."""
    year = AcademicYear.active()
    if year is None:
        return []
    query = (
        SchoolClass.select(SchoolClass, User)
        .join(User, pw.JOIN.LEFT_OUTER, on=SchoolClass.class_teacher == User.id)
        .where(SchoolClass.year == year.id)
        .order_by(SchoolClass.grade, SchoolClass.letter)
    )
    return [
        ClassChoice(
            class_id=c.id,
            label=c.label,
            teacher=c.class_teacher.display_name if c.class_teacher_id else "",
        )
        for c in query
        if allowed(actor, Action.CLASS_VIEW, c)
    ]


def _account_states(user_ids: list[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    return dict(User.select(User.id, User.status).where(User.id.in_(user_ids)).tuples())


def class_roster(actor: Actor, class_id: str, today: dt.date) -> ClassRoster:
    """Every student ever in the class (journal order) with status and account state."""
    school_class = get_class(class_id)
    ensure_allowed(actor, Action.CLASS_VIEW, school_class)
    students = list(Student.in_class(school_class.id))
    links = list(
        StudentGuardian.select(StudentGuardian.student, Guardian.user)
        .join(Guardian)
        .where(StudentGuardian.student.in_([s.id for s in students]))
        .tuples()
    )
    user_ids = [s.user_id for s in students if s.user_id] + [u for _s, u in links if u]
    states = _account_states(user_ids)
    guardians: dict[str, int] = {}
    with_account: dict[str, int] = {}
    for student_id, user_id in links:
        guardians[student_id] = guardians.get(student_id, 0) + 1
        if user_id and states.get(user_id) == "active":
            with_account[student_id] = with_account.get(student_id, 0) + 1
    rows = [
        RosterRow(
            student_id=s.id,
            name=s.full_name,
            enrolled_on=s.enrolled_on,
            left_on=s.left_on,
            verified_at=s.verified_at,
            due=is_due(s.verified_at, s.left_on, today),
            account=states.get(s.user_id, ACCOUNT_NONE) if s.user_id else ACCOUNT_NONE,
            guardians=guardians.get(s.id, 0),
            guardian_accounts=with_account.get(s.id, 0),
        )
        for s in students
    ]
    teacher = User.get_or_none(User.id == school_class.class_teacher_id)
    return ClassRoster(
        class_id=school_class.id,
        label=school_class.label,
        teacher=teacher.display_name if teacher else "",
        today=today,
        rows=rows,
    )


def profiles_due(actor: Actor, today: dt.date) -> list[ProfilesDue]:
    """The monthly reminder for the home screen: the actor's own classes (as their class
    teacher) with profiles not checked for ``VERIFY_EVERY_DAYS`` days [R 4.1]."""
    if actor.user_id is None:
        return []
    year = AcademicYear.active()
    if year is None:
        return []
    out = []
    own = SchoolClass.select().where(
        SchoolClass.year == year.id, SchoolClass.class_teacher == actor.user_id
    )
    for school_class in own.order_by(SchoolClass.grade, SchoolClass.letter):
        ensure_allowed(actor, Action.CLASS_VIEW, school_class)
        names = [
            s.display_name
            for s in Student.in_class(school_class.id)
            if is_due(s.verified_at, s.left_on, today) and s.enrolled_on <= today
        ]
        if names:
            out.append(ProfilesDue(school_class.id, school_class.label, names))
    return out
