"""A student's personal data as the class teacher keeps it [R 3.3, 4.1, 7.2].

Reading and editing need ``STUDENT_EDIT`` (the class teacher and the administration):
addresses and phones are not for every teacher of the class. Saving the data does not
count as the monthly check; "mark verified" is a separate, explicit action that stamps
``verified_at`` [R 4.1].
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from node.errors import ValidationError
from node.i18n import _
from node.models import Guardian, Student, StudentGuardian, User
from node.services.base import clock, history
from node.services.base.actor import Actor
from node.services.base.lookup import ensure_year_open, get_student, required_text
from node.services.base.names import FIRST, LAST, MIDDLE, person_name
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.text import plain_line
from node.services.students.class_roster import ACCOUNT_NONE, is_due

#: Genders as stored: unknown, male, female.
GENDERS = ("", "m", "f")
#: The oldest birth year accepted (a typo like 1011 is caught, a late adult learner is not).
MIN_BIRTH_YEAR = 1900
#: A phone number has this many digits, whatever else is written around them.
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 5, 15
MAX_TEXT = 200
_PHONE_CHARS = re.compile(r"^[0-9+()\-.\s]*$")

_STUDENT_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "gender",
    "address",
    "phone",
)


@dataclass(frozen=True)
class GuardianLine:
    """One guardian of the student, with the link's relation and their account."""

    guardian_id: str
    name: str
    relation: str
    phone: str
    email: str
    account: str  # "none", or the user's status
    login: str
    other_children: list[str]  # the guardian's other children: «Смирнова Д. (5Б)»


@dataclass(frozen=True)
class StudentProfile:
    student: Student
    class_label: str
    account: str
    login: str
    due: bool
    guardians: list[GuardianLine]


def clean_phone(text: str | None) -> str:
    """A phone as typed, loosely checked: digits with + ( ) - . and spaces, 5–15 digits."""
    value = " ".join((text or "").split())
    if not value:
        return ""
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE_CHARS.match(value) or not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
        raise ValidationError(
            _(
                "«{phone}» does not look like a phone number: write digits, e.g. "
                "+7 912 345-67-89 (5 to 15 digits)."
            ).format(phone=value)
        )
    return value


def short_text(value: str | None, what: str) -> str:
    """Free text cleaned of surrounding spaces, at most ``MAX_TEXT`` characters."""
    cleaned = " ".join(plain_line(value).split())
    if len(cleaned) > MAX_TEXT:
        raise ValidationError(
            _("The {what} is too long: at most {count} characters.").format(
                what=what, count=MAX_TEXT
            )
        )
    return cleaned


def _account(user: User | None) -> tuple[str, str]:
    return (user.status, user.login) if user is not None else (ACCOUNT_NONE, "")


def student_profile(actor: Actor, student_id: str, today: dt.date) -> StudentProfile:
    """The student's data and guardians, for the profile screen."""
    student = get_student(student_id)
    ensure_allowed(actor, Action.STUDENT_EDIT, student)
    links = (
        StudentGuardian.select(StudentGuardian, Guardian)
        .join(Guardian)
        .where(StudentGuardian.student == student.id)
        .order_by(Guardian.last_name, Guardian.first_name)
    )
    lines = []
    for link in links:
        guardian = link.guardian
        siblings = (
            Student.select()
            .join(StudentGuardian)
            .where(StudentGuardian.guardian == guardian.id, Student.id != student.id)
            .order_by(Student.last_name, Student.first_name)
        )
        status, login = _account(User.get_or_none(User.id == guardian.user_id))
        lines.append(
            GuardianLine(
                guardian_id=guardian.id,
                name=" ".join(
                    p for p in (guardian.last_name, guardian.first_name, guardian.middle_name) if p
                ),
                relation=link.relation,
                phone=guardian.phone,
                email=guardian.email,
                account=status,
                login=login,
                other_children=[f"{s.display_name} ({s.school_class.label})" for s in siblings],
            )
        )
    status, login = _account(User.get_or_none(User.id == student.user_id))
    return StudentProfile(
        student=student,
        class_label=student.school_class.label,
        account=status,
        login=login,
        due=is_due(student.verified_at, student.left_on, today),
        guardians=lines,
    )


def check_birth_date(birth_date: dt.date | None, enrolled_on: dt.date) -> None:
    """A birth date, when given, is a real one before the enrolment (also for enrolling)."""
    if birth_date is None:
        return
    if birth_date.year < MIN_BIRTH_YEAR:
        raise ValidationError(
            _("The birth date {birth} is too far back; check the year.").format(
                birth=birth_date.isoformat()
            )
        )
    if birth_date >= enrolled_on:
        raise ValidationError(
            _("The birth date {birth} must be before the enrolment date {day}.").format(
                birth=birth_date.isoformat(), day=enrolled_on.isoformat()
            )
        )


def update_student(
    actor: Actor,
    student_id: str,
    *,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    birth_date: dt.date | None = None,
    gender: str = "",
    address: str = "",
    phone: str = "",
) -> Student:
    """Correct a student's personal data [R 4.1]; every field is given, as the form shows it."""
    student = get_student(student_id)
    ensure_allowed(actor, Action.STUDENT_EDIT, student)
    ensure_year_open(student.school_class.year)
    values = {
        "last_name": person_name(
            required_text(last_name, _("Enter the student's last name.")), LAST
        ),
        "first_name": person_name(
            required_text(first_name, _("Enter the student's first name.")), FIRST
        ),
        "middle_name": person_name(middle_name, MIDDLE),
        "birth_date": birth_date,
        "gender": (gender or "").strip().lower(),
        "address": short_text(address, _("address")),
        "phone": clean_phone(phone),
    }
    if values["gender"] not in GENDERS:
        raise ValidationError(
            _("The gender is «m», «f» or empty, not «{gender}».").format(gender=gender)
        )
    check_birth_date(birth_date, student.enrolled_on)
    history.update_row(actor, student, values, tracked=_STUDENT_FIELDS)
    return student


def mark_verified(actor: Actor, student_id: str) -> Student:
    """The class teacher checked the student's and the parents' data today [R 4.1]."""
    student = get_student(student_id)
    ensure_allowed(actor, Action.STUDENT_EDIT, student)
    ensure_year_open(student.school_class.year)
    if student.left_on is not None and student.left_on < clock.today():
        raise ValidationError(
            _("{name} left on {day}; a former student's data needs no monthly check.").format(
                name=student.full_name, day=student.left_on.isoformat()
            )
        )
    history.update_row(actor, student, {"verified_at": clock.now()})
    return student
