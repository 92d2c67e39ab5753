"""Access codes for a class's students and parents, in one batch with printable slips [R 3.2].

Built on ``issue_student_code`` / ``issue_guardian_code`` (which check
``CODES_ISSUE``: only the class's own class teacher gives these codes). A batch is all or
nothing: it runs in one transaction, and when slips are asked for (``write_slips``, given by
the caller that lays them out) they are written before the transaction commits, so a file
that cannot be written issues no codes.

Who gets a code: students still in the class and their guardians who have no account yet,
or whose code was given but never used (a new code replaces it). Active accounts are left
alone (their owners know their password), and so are disabled and staff accounts, which
only the system administrator handles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from node.errors import ValidationError
from node.i18n import _
from node.models import Guardian, Student, StudentGuardian, User, db
from node.models.people import STAFF_ROLES
from node.services.access.codes import (
    CODE_VALID_DAYS,
    IssuedCode,
    issue_guardian_code,
    issue_student_code,
)
from node.services.access.slips import SlipsWriter
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.base.lookup import get_class, get_students
from node.services.base.permissions import Action, ensure_allowed

#: Account states that a new code is given to ("none": no account yet).
NEEDS_CODE = frozenset({"none", "pending"})


@dataclass(frozen=True)
class CodeHolder:
    """Someone of the class who would get a code: a student, or a guardian through a student."""

    student_id: str
    guardian_id: str | None
    name: str


def _needs_code(user_id: str | None, users: dict[str, User]) -> bool:
    if user_id is None:
        return True
    user = users.get(user_id)
    return user is not None and user.status == "pending" and not (user.role_set & set(STAFF_ROLES))


def _holders(
    students: list[Student], *, with_students: bool, with_parents: bool
) -> list[CodeHolder]:
    links = list(
        StudentGuardian.select(StudentGuardian, Guardian)
        .join(Guardian)
        .where(StudentGuardian.student.in_([s.id for s in students]))
        .order_by(Guardian.last_name, Guardian.first_name)
    )
    user_ids = [s.user_id for s in students if s.user_id]
    user_ids += [link.guardian.user_id for link in links if link.guardian.user_id]
    users = {u.id: u for u in User.select().where(User.id.in_(user_ids))} if user_ids else {}
    holders: list[CodeHolder] = []
    seen: set[str] = set()
    for student in students:
        if with_students and _needs_code(student.user_id, users):
            holders.append(CodeHolder(student.id, None, student.full_name))
        if not with_parents:
            continue
        for link in links:
            guardian = link.guardian
            if link.student_id != student.id or guardian.id in seen:
                continue
            if _needs_code(guardian.user_id, users):
                seen.add(guardian.id)
                name = " ".join(
                    p for p in (guardian.last_name, guardian.first_name, guardian.middle_name) if p
                )
                holders.append(CodeHolder(student.id, guardian.id, name))
    return holders


def issue_class_codes(
    actor: Actor,
    class_id: str,
    *,
    student_ids: Iterable[str] | None = None,
    with_students: bool = True,
    with_parents: bool = True,
    write_slips: SlipsWriter | None = None,
    valid_days: int = CODE_VALID_DAYS,
) -> list[IssuedCode]:
    """Codes for everyone of the class (or of ``student_ids``) who has no account in use.

    Returns the codes, which exist only here and in the slips. Raises
    ``ValidationError`` when nobody needs a code.
    """
    school_class = get_class(class_id)
    ensure_allowed(actor, Action.CLASS_VIEW, school_class)
    today = clock.today()
    if student_ids is None:
        students = list(Student.active_in(school_class.id, today))
    else:
        students = get_students(student_ids)
        for student in students:
            if student.school_class_id != school_class.id:
                raise ValidationError(
                    _("{name} is not in {label}; codes are given class by class.").format(
                        name=student.full_name, label=school_class.label
                    )
                )
    students = [s for s in students if s.left_on is None or s.left_on >= today]
    for student in students:
        ensure_allowed(actor, Action.CODES_ISSUE, student)
    holders = _holders(students, with_students=with_students, with_parents=with_parents)
    if not holders:
        raise ValidationError(
            _("Everyone chosen already has an account in use; nobody needs a new code.")
        )
    issued: list[IssuedCode] = []
    with db.atomic():
        for holder in holders:
            if holder.guardian_id is None:
                code = issue_student_code(actor, holder.student_id, valid_days=valid_days)
            else:
                code = issue_guardian_code(
                    actor, holder.student_id, holder.guardian_id, valid_days=valid_days
                )
            issued.append(code)
        if write_slips is not None:
            write_slips(issued)
    return issued


def slips_file_name(label: str, at: dt.datetime) -> str:
    """«slips-7А-20261125-1430.html»: one file per batch, sorted by time."""
    return f"slips-{label}-{at.strftime('%Y%m%d-%H%M%S')}.html"
