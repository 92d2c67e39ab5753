"""Subgroups of a class for one subject [R 4.3] and who is in them.

Every function follows the service order (look up → permission → validate → one
transaction with history), so bad input writes nothing. A closed academic year is
read-only [R 6.3]: anything that would change it raises ``Locked``.
"""

from __future__ import annotations

from collections.abc import Iterable

from node.errors import Conflict, ValidationError
from node.i18n import _
from node.models import Student, Subgroup, SubgroupMember, db
from node.services.base import history
from node.services.base.actor import Actor
from node.services.base.lookup import (
    ensure_year_open,
    get_class,
    get_student,
    get_students,
    get_subgroup,
    get_subject,
    required_text,
)
from node.services.base.permissions import Action, ensure_allowed


def create_subgroup(actor: Actor, class_id: str, subject_id: str, name: str) -> Subgroup:
    """Split a class for a subject [R 4.3]."""
    school_class = get_class(class_id)
    subject = get_subject(subject_id)
    ensure_allowed(actor, Action.SUBGROUP_MANAGE, school_class)
    ensure_year_open(school_class.year)
    clean_name = required_text(name, _("Enter the subgroup's name, e.g. «Group 1»."))
    duplicate = Subgroup.select().where(
        Subgroup.school_class == school_class,
        Subgroup.subject == subject,
        Subgroup.name == clean_name,
    )
    if duplicate.exists():
        raise Conflict(
            _("{label} already has a subgroup «{name}» for {subject}.").format(
                label=school_class.label, name=clean_name, subject=subject.name
            )
        )
    with db.atomic():
        subgroup = Subgroup.create(school_class=school_class, subject=subject, name=clean_name)
        history.record_create(actor, subgroup)
    return subgroup


def _students_of(subgroup: Subgroup, student_ids: Iterable[str]) -> list[Student]:
    """The students, each of whom must be in the subgroup's class."""
    students = get_students(student_ids)
    for student in students:
        if student.school_class_id != subgroup.school_class_id:
            raise ValidationError(
                _("{name} is not in {label}; only its students can join its subgroups.").format(
                    name=student.full_name, label=subgroup.school_class.label
                )
            )
    return students


def _other_memberships(subgroup: Subgroup, student_ids: list[str]) -> dict[str, Subgroup]:
    """Student id → the sibling subgroup (same class and subject) they already belong to."""
    if not student_ids:
        return {}
    rows = (
        SubgroupMember.select(SubgroupMember, Subgroup)
        .join(Subgroup)
        .where(
            Subgroup.school_class == subgroup.school_class_id,
            Subgroup.subject == subgroup.subject_id,
            Subgroup.id != subgroup.id,
            SubgroupMember.student.in_(student_ids),
        )
    )
    return {row.student_id: row.subgroup for row in rows}


def set_subgroup_members(
    actor: Actor, subgroup_id: str, student_ids: Iterable[str]
) -> list[SubgroupMember]:
    """Make exactly these students the subgroup's members."""
    subgroup = get_subgroup(subgroup_id)
    ensure_allowed(actor, Action.SUBGROUP_MANAGE, subgroup)
    ensure_year_open(subgroup.school_class.year)
    students = _students_of(subgroup, student_ids)
    elsewhere = _other_memberships(subgroup, [s.id for s in students])
    for student in students:
        if student.id in elsewhere:
            raise Conflict(
                _(
                    "{name} is already in the subgroup «{other}»; a student can be in only one "
                    "subgroup of a subject. Move them instead."
                ).format(name=student.full_name, other=elsewhere[student.id].name)
            )
    wanted = {s.id for s in students}
    current = {
        m.student_id: m for m in SubgroupMember.select().where(SubgroupMember.subgroup == subgroup)
    }
    with db.atomic():
        for student_id, member in current.items():
            if student_id not in wanted:
                history.record_delete(actor, member)
                member.delete_instance()
        for student in students:
            if student.id not in current:
                member = SubgroupMember.create(subgroup=subgroup, student=student)
                history.record_create(actor, member)
    return list(
        SubgroupMember.select()
        .where(SubgroupMember.subgroup == subgroup)
        .order_by(SubgroupMember.id)
    )


def move_student_to_subgroup(
    actor: Actor, student_id: str, from_subgroup_id: str, to_subgroup_id: str
) -> SubgroupMember:
    """Move a student between subgroups of one subject.

    Marks and attendance belong to the student and the lesson, so they all stay: the old
    group's journal keeps what was entered there, the new one starts from now.
    """
    student = get_student(student_id)
    source = get_subgroup(from_subgroup_id)
    target = get_subgroup(to_subgroup_id)
    ensure_allowed(actor, Action.SUBGROUP_MANAGE, source)
    ensure_allowed(actor, Action.SUBGROUP_MANAGE, target)
    ensure_year_open(source.school_class.year)
    if source.id == target.id:
        raise ValidationError(_("Choose a different subgroup to move the student to."))
    if (source.school_class_id, source.subject_id) != (target.school_class_id, target.subject_id):
        raise ValidationError(
            _(
                "The subgroups «{source}» and «{target}» are not of the same class and subject."
            ).format(source=source.name, target=target.name)
        )
    membership = SubgroupMember.get_or_none(
        SubgroupMember.subgroup == source, SubgroupMember.student == student
    )
    if membership is None:
        raise ValidationError(
            _("{name} is not in the subgroup «{source}».").format(
                name=student.full_name, source=source.name
            )
        )
    if SubgroupMember.get_or_none(
        SubgroupMember.subgroup == target, SubgroupMember.student == student
    ):
        raise Conflict(
            _("{name} is already in the subgroup «{target}».").format(
                name=student.full_name, target=target.name
            )
        )
    with db.atomic():
        history.record_delete(actor, membership)
        membership.delete_instance()
        moved = SubgroupMember.create(subgroup=target, student=student)
        history.record_create(actor, moved)
    return moved
