"""A student's parents and other guardians, kept by the class teacher [R 3.3, 4.1].

A guardian may have several children at the school (siblings share parents), so a
guardian is one row linked to each child; the class teacher of any of the children may
correct the guardian's data. Unlinking removes only the link: the guardian, their account
and their other children's links stay. Every function needs ``STUDENT_EDIT`` on the
student the change is made through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from node.errors import Conflict, EdiaryError, NotFound, ValidationError
from node.i18n import N_, _
from node.models import AcademicYear, Guardian, SchoolClass, Student, StudentGuardian, db
from node.services.base import history
from node.services.base.actor import Actor
from node.services.base.lookup import by_ids, ensure_year_open, get_student, required_text
from node.services.base.names import FIRST, LAST, MIDDLE, person_name
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.text import one_final_period
from node.services.students.profiles import clean_phone, short_text

#: Relations a guardian can have to a student, as stored, with how the screen names them.
RELATIONS: dict[str, str] = {
    "mother": N_("mother"),
    "father": N_("father"),
    "grandmother": N_("grandmother"),
    "grandfather": N_("grandfather"),
    "guardian": N_("legal guardian"),
    "other": N_("other"),
}
#: A name search needs at least this many letters (it lists people of the whole school).
MIN_SEARCH = 2
MAX_FOUND = 20
_EMAIL_SHAPE = "@"


@dataclass(frozen=True)
class GuardianData:
    """A guardian's data as the form gives it."""

    last_name: str
    first_name: str
    middle_name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class FoundGuardian:
    """A guardian found by name, with their children to tell namesakes apart."""

    guardian_id: str
    name: str
    children: list[str]


def _relation(value: str) -> str:
    relation = (value or "").strip().lower()
    if relation not in RELATIONS:
        raise ValidationError(
            _("«{relation}» is not a relation: use one of {choices}.").format(
                relation=value, choices=", ".join(RELATIONS)
            )
        )
    return relation


def clean_email(text: str | None) -> str:
    """An e-mail address as typed, loosely checked (empty is allowed)."""
    email = short_text(text, _("e-mail"))
    if email and (_EMAIL_SHAPE not in email or " " in email or email.startswith("@")):
        raise ValidationError(
            _("«{email}» does not look like an e-mail address (name@example.ru).").format(
                email=email
            )
        )
    return email


def _clean(data: GuardianData) -> dict[str, str]:
    email = clean_email(data.email)
    return {
        "last_name": person_name(
            required_text(data.last_name, _("Enter the guardian's last name.")), LAST
        ),
        "first_name": person_name(
            required_text(data.first_name, _("Enter the guardian's first name.")), FIRST
        ),
        "middle_name": person_name(data.middle_name, MIDDLE),
        "phone": clean_phone(data.phone),
        "email": email,
    }


def _editable_student(actor: Actor, student_id: str) -> Student:
    student = get_student(student_id)
    ensure_allowed(actor, Action.STUDENT_EDIT, student)
    ensure_year_open(student.school_class.year)
    return student


def _link_of(student: Student, guardian_id: str) -> StudentGuardian:
    link = StudentGuardian.get_or_none(
        StudentGuardian.student == student.id, StudentGuardian.guardian == guardian_id
    )
    if link is None:
        raise NotFound(
            _("This parent is not linked to the student; reload the list and try again.")
        )
    return link


def add_guardian(
    actor: Actor, student_id: str, data: GuardianData, relation: str
) -> StudentGuardian:
    """A new guardian, linked to the student."""
    student = _editable_student(actor, student_id)
    values = _clean(data)
    clean_relation = _relation(relation)
    with db.atomic():
        guardian = Guardian.create(**values)
        history.record_create(actor, guardian)
        link = StudentGuardian.create(student=student, guardian=guardian, relation=clean_relation)
        history.record_create(actor, link)
    return link


def update_guardian(
    actor: Actor, student_id: str, guardian_id: str, data: GuardianData, relation: str
) -> StudentGuardian:
    """Correct a guardian's data (seen by all their children) and their relation to this
    student."""
    student = _editable_student(actor, student_id)
    link = _link_of(student, guardian_id)
    values = _clean(data)
    clean_relation = _relation(relation)
    guardian = Guardian.get_by_id(guardian_id)
    with db.atomic():
        history.update_row(actor, guardian, values)
        history.update_row(actor, link, {"relation": clean_relation})
    return link


def unlink_guardian(actor: Actor, student_id: str, guardian_id: str) -> None:
    """The guardian is no longer this student's; they and their account stay."""
    student = _editable_student(actor, student_id)
    link = _link_of(student, guardian_id)
    with db.atomic():
        history.record_delete(actor, link)
        link.delete_instance()


def _linked_already(guardian: Guardian, student: Student) -> Conflict:
    return Conflict(
        one_final_period(
            _("{guardian} is already linked to {student}.").format(
                guardian=guardian.display_name, student=student.display_name
            )
        )
    )


def link_guardian(
    actor: Actor, student_id: str, guardian_id: str, relation: str
) -> StudentGuardian:
    """Link a guardian already at the school (a sibling's parent) to the student."""
    student = _editable_student(actor, student_id)
    guardian = Guardian.get_or_none(Guardian.id == guardian_id)
    if guardian is None:
        raise NotFound(_("This parent does not exist; search again."))
    clean_relation = _relation(relation)
    if StudentGuardian.get_or_none(
        StudentGuardian.student == student.id, StudentGuardian.guardian == guardian.id
    ):
        raise _linked_already(guardian, student)
    with db.atomic():
        link = StudentGuardian.create(student=student, guardian=guardian, relation=clean_relation)
        history.record_create(actor, link)
    return link


@dataclass(frozen=True)
class GuardianRequest:
    """One ``add_guardian`` (``data`` given) or ``link_guardian`` of a batch. The guardian
    linked is ``guardian_id``, or the one an earlier request of the batch added
    (``same_as``: its index), who is not written yet."""

    student_id: str
    relation: str
    data: GuardianData | None = None
    guardian_id: str | None = None
    same_as: int | None = None


def add_guardians(
    actor: Actor, requests: Sequence[GuardianRequest]
) -> list[StudentGuardian | EdiaryError]:
    """``add_guardian`` or ``link_guardian`` for each request, in order, as if called one
    after the other: each gets its link or the refusal the one call would raise (a request
    linking the guardian of a refused request gets that refusal).

    The right to edit is asked once per class, what the checks need is read once, and the
    guardians and links written many per statement, in one transaction. The links accepted
    are written even when others are refused; a caller that wants all or nothing (the
    set-up import) rolls back its own transaction.
    """
    students = by_ids(Student, [r.student_id for r in requests])
    school_classes = by_ids(SchoolClass, [s.school_class_id for s in students.values()])
    years = by_ids(AcademicYear, [c.year_id for c in school_classes.values()])
    for school_class in school_classes.values():
        school_class.year = years[school_class.year_id]
    for student in students.values():
        student.school_class = school_classes[student.school_class_id]
    known = by_ids(Guardian, [r.guardian_id for r in requests if r.guardian_id])
    linked: set[tuple[str, str]] = set()
    ids = list(students)
    for start in range(0, len(ids), 500):
        query = StudentGuardian.select(StudentGuardian.student, StudentGuardian.guardian)
        linked.update(query.where(StudentGuardian.student.in_(ids[start : start + 500])).tuples())
    checked: dict[str, EdiaryError | None] = {}  # class id → the refusal to edit its students
    results: list[StudentGuardian | EdiaryError] = []
    guardians: list[Guardian] = []
    links: list[StudentGuardian] = []
    for request in requests:
        try:
            student = students.get(request.student_id) or get_student(request.student_id)
            if student.school_class_id not in checked:
                try:
                    ensure_allowed(actor, Action.STUDENT_EDIT, student)
                    checked[student.school_class_id] = None
                except EdiaryError as exc:
                    checked[student.school_class_id] = exc
            refused = checked[student.school_class_id]
            if refused is not None:
                raise refused
            ensure_year_open(student.school_class.year)
            if request.data is not None:
                values = _clean(request.data)
                relation = _relation(request.relation)
                guardian = Guardian(**values)
                guardians.append(guardian)
            else:
                guardian = _guardian_to_link(request, known, results)
                relation = _relation(request.relation)
                if (student.id, guardian.id) in linked:
                    raise _linked_already(guardian, student)
        except EdiaryError as exc:
            results.append(exc)
            continue
        link = StudentGuardian(student=student, guardian=guardian, relation=relation)
        linked.add((student.id, guardian.id))
        links.append(link)
        results.append(link)
    with history.one_transaction():
        history.create_rows(actor, [*guardians, *links])
    return results


def _guardian_to_link(
    request: GuardianRequest,
    known: dict[str, Guardian],
    results: list[StudentGuardian | EdiaryError],
) -> Guardian:
    if request.same_as is not None:
        earlier = results[request.same_as]
        if isinstance(earlier, EdiaryError):
            raise earlier
        return earlier.guardian
    guardian = known.get(request.guardian_id or "")
    if guardian is None:
        raise NotFound(_("This parent does not exist; search again."))
    return guardian


def find_guardians(actor: Actor, student_id: str, text: str) -> list[FoundGuardian]:
    """Guardians of the school whose last name starts with ``text``, to link to the student.

    Only names and their children's names and classes are shown, the least that tells
    namesakes apart; contacts stay on the profile of a child one keeps.
    """
    student = get_student(student_id)
    ensure_allowed(actor, Action.STUDENT_EDIT, student)
    prefix = " ".join((text or "").split())
    if len(prefix) < MIN_SEARCH:
        raise ValidationError(
            _("Type at least {count} letters of the parent's last name.").format(count=MIN_SEARCH)
        )
    linked = StudentGuardian.select(StudentGuardian.guardian).where(
        StudentGuardian.student == student.id
    )
    wanted = prefix[:1].upper() + prefix[1:]
    guardians = (
        Guardian.select()
        .where(
            Guardian.last_name.startswith(wanted) | Guardian.last_name.startswith(prefix),
            Guardian.id.not_in(linked),
        )
        .order_by(Guardian.last_name, Guardian.first_name)
        .limit(MAX_FOUND)
    )
    out = []
    for guardian in guardians:
        children = (
            Student.select(Student, SchoolClass)
            .join(StudentGuardian)
            .switch(Student)
            .join(SchoolClass)
            .where(StudentGuardian.guardian == guardian.id)
            .order_by(Student.last_name)
        )
        out.append(
            FoundGuardian(
                guardian_id=guardian.id,
                name=" ".join(
                    p for p in (guardian.last_name, guardian.first_name, guardian.middle_name) if p
                ),
                children=[f"{c.display_name} ({c.school_class.label})" for c in children],
            )
        )
    return out
