"""Subgroups of a class for one subject [R 4.3] and who is in them.

Every function follows the service order (look up → permission → validate → one
transaction with history), so bad input writes nothing. A closed academic year is
read-only [R 6.3]: anything that would change it raises ``Locked``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from node.errors import Conflict, EdiaryError, ValidationError
from node.i18n import _
from node.models import (
    AcademicYear,
    SchoolClass,
    Student,
    Subgroup,
    SubgroupMember,
    Subject,
    db,
)
from node.services.base import history
from node.services.base.actor import Actor
from node.services.base.lookup import (
    by_ids,
    ensure_year_open,
    get_class,
    get_student,
    get_students,
    get_subgroup,
    get_subject,
    required_text,
)
from node.services.base.permissions import Action, ensure_allowed


def _check_new_subgroup(
    actor: Actor, school_class: SchoolClass, subject: Subject, name: str
) -> str:
    """What ``create_subgroup`` checks before looking for a namesake; the clean name."""
    ensure_allowed(actor, Action.SUBGROUP_MANAGE, school_class)
    ensure_year_open(school_class.year)
    return required_text(name, _("Enter the subgroup's name, e.g. «Group 1»."))


def _namesake(school_class: SchoolClass, subject: Subject, name: str) -> Conflict:
    return Conflict(
        _("{label} already has a subgroup «{name}» for {subject}.").format(
            label=school_class.label, name=name, subject=subject.name
        )
    )


def create_subgroup(actor: Actor, class_id: str, subject_id: str, name: str) -> Subgroup:
    """Split a class for a subject [R 4.3]."""
    school_class = get_class(class_id)
    subject = get_subject(subject_id)
    clean_name = _check_new_subgroup(actor, school_class, subject, name)
    duplicate = Subgroup.select().where(
        Subgroup.school_class == school_class,
        Subgroup.subject == subject,
        Subgroup.name == clean_name,
    )
    if duplicate.exists():
        raise _namesake(school_class, subject, clean_name)
    with db.atomic():
        subgroup = Subgroup.create(school_class=school_class, subject=subject, name=clean_name)
        history.record_create(actor, subgroup)
    return subgroup


@dataclass(frozen=True)
class SubgroupRequest:
    """One ``create_subgroup`` of a batch."""

    class_id: str
    subject_id: str
    name: str


def create_subgroups(
    actor: Actor, requests: Sequence[SubgroupRequest]
) -> list[Subgroup | EdiaryError]:
    """``create_subgroup`` for each request, in order, as if called one after the other:
    each gets its subgroup or the refusal ``create_subgroup`` would raise.

    What the checks need is read once and the subgroups written many per statement, in one
    transaction. Those accepted are written even when others are refused; a caller that
    wants all or nothing (the set-up import) rolls back its own transaction.
    """
    school_classes = by_ids(SchoolClass, [r.class_id for r in requests])
    years = by_ids(AcademicYear, [c.year_id for c in school_classes.values()])
    for school_class in school_classes.values():
        school_class.year = years[school_class.year_id]
    subjects = by_ids(Subject, [r.subject_id for r in requests])
    names = {
        (g.school_class_id, g.subject_id, g.name)
        for g in Subgroup.select().where(Subgroup.school_class.in_(list(school_classes)))
    }
    results: list[Subgroup | EdiaryError] = []
    new: list[Subgroup] = []
    for request in requests:
        try:
            school_class = school_classes.get(request.class_id) or get_class(request.class_id)
            subject = subjects.get(request.subject_id) or get_subject(request.subject_id)
            clean_name = _check_new_subgroup(actor, school_class, subject, request.name)
            key = (school_class.id, subject.id, clean_name)
            if key in names:
                raise _namesake(school_class, subject, clean_name)
        except EdiaryError as exc:
            results.append(exc)
            continue
        subgroup = Subgroup(school_class=school_class, subject=subject, name=clean_name)
        names.add(key)
        new.append(subgroup)
        results.append(subgroup)
    with history.one_transaction():
        history.create_rows(actor, new)
    return results


def _not_in_class(student: Student, subgroup: Subgroup) -> ValidationError:
    return ValidationError(
        _("{name} is not in {label}; only its students can join its subgroups.").format(
            name=student.full_name, label=subgroup.school_class.label
        )
    )


def _in_another(student: Student, other: Subgroup) -> Conflict:
    return Conflict(
        _(
            "{name} is already in the subgroup «{other}»; a student can be in only one "
            "subgroup of a subject. Move them instead."
        ).format(name=student.full_name, other=other.name)
    )


def _students_of(subgroup: Subgroup, student_ids: Iterable[str]) -> list[Student]:
    """The students, each of whom must be in the subgroup's class."""
    students = get_students(student_ids)
    for student in students:
        if student.school_class_id != subgroup.school_class_id:
            raise _not_in_class(student, subgroup)
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
            raise _in_another(student, elsewhere[student.id])
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


@dataclass(frozen=True)
class MembersRequest:
    """One ``set_subgroup_members`` of a batch."""

    subgroup_id: str
    student_ids: tuple[str, ...]


class _Memberships:
    """The members of the subgroups of some classes, read once and kept as a batch changes
    them; new members wait to be written together."""

    def __init__(self, class_ids: list[str]) -> None:
        self.siblings: dict[tuple[str, str], list[Subgroup]] = defaultdict(list)
        self.members: dict[str, dict[str, SubgroupMember]] = defaultdict(dict)
        self.new: dict[str, SubgroupMember] = {}  # id → a member not written yet
        for start in range(0, len(class_ids), 500):
            chunk = class_ids[start : start + 500]
            for group in Subgroup.select().where(Subgroup.school_class.in_(chunk)):
                self.siblings[(group.school_class_id, group.subject_id)].append(group)
            query = SubgroupMember.select().join(Subgroup).where(Subgroup.school_class.in_(chunk))
            for member in query:
                self.members[member.subgroup_id][member.student_id] = member

    def elsewhere(self, subgroup: Subgroup, student_id: str) -> Subgroup | None:
        """The sibling subgroup (same class and subject) the student is in, as
        ``_other_memberships`` answers it."""
        for group in self.siblings.get((subgroup.school_class_id, subgroup.subject_id), ()):
            if group.id != subgroup.id and student_id in self.members[group.id]:
                return group
        return None

    def flush(self, actor: Actor) -> None:
        history.create_rows(actor, list(self.new.values()))
        self.new = {}


def set_members_of_subgroups(
    actor: Actor, requests: Sequence[MembersRequest]
) -> list[list[SubgroupMember] | EdiaryError]:
    """``set_subgroup_members`` for each request, in order, as if called one after the
    other: each gets the subgroup's members or the refusal the one call would raise, and
    sees the members set before it.

    What the checks need is read once and new members written many per statement, in one
    transaction. The requests accepted are written even when others are refused; a caller
    that wants all or nothing (the set-up import) rolls back its own transaction.
    """
    subgroups = by_ids(Subgroup, [r.subgroup_id for r in requests])
    school_classes = by_ids(SchoolClass, [g.school_class_id for g in subgroups.values()])
    years = by_ids(AcademicYear, [c.year_id for c in school_classes.values()])
    for school_class in school_classes.values():
        school_class.year = years[school_class.year_id]
    for group in subgroups.values():
        group.school_class = school_classes[group.school_class_id]
    students = by_ids(Student, [sid for r in requests for sid in r.student_ids])
    state = _Memberships(list(school_classes))
    checked: dict[tuple[str, str], EdiaryError | None] = {}  # (class, subject) → refusal
    results: list[list[SubgroupMember] | EdiaryError] = []
    with history.one_transaction():
        for request in requests:
            try:
                subgroup = subgroups.get(request.subgroup_id) or get_subgroup(request.subgroup_id)
                pair = (subgroup.school_class_id, subgroup.subject_id)
                if pair not in checked:
                    try:
                        ensure_allowed(actor, Action.SUBGROUP_MANAGE, subgroup)
                        checked[pair] = None
                    except EdiaryError as exc:
                        checked[pair] = exc
                refused = checked[pair]
                if refused is not None:
                    raise refused
                ensure_year_open(subgroup.school_class.year)
                results.append(_set_members(actor, subgroup, request, students, state))
            except EdiaryError as exc:
                results.append(exc)
        state.flush(actor)
    return results


def _set_members(
    actor: Actor,
    subgroup: Subgroup,
    request: MembersRequest,
    students: dict[str, Student],
    state: _Memberships,
) -> list[SubgroupMember]:
    """The checks and changes of ``set_subgroup_members``, answered from ``state``."""
    wanted_ids = list(dict.fromkeys(request.student_ids))
    missing = [sid for sid in wanted_ids if sid not in students]
    if missing:
        get_students(missing)  # raises NotFound, as ``set_subgroup_members`` does
    chosen = [students[sid] for sid in wanted_ids]
    for student in chosen:
        if student.school_class_id != subgroup.school_class_id:
            raise _not_in_class(student, subgroup)
    for student in chosen:
        other = state.elsewhere(subgroup, student.id)
        if other is not None:
            raise _in_another(student, other)
    current = state.members[subgroup.id]
    wanted = set(wanted_ids)
    for student_id, member in list(current.items()):
        if student_id not in wanted:
            if member.id in state.new:  # added earlier in this batch: written first
                state.flush(actor)
            history.record_delete(actor, member)
            member.delete_instance()
            del current[student_id]
    for student in chosen:
        if student.id not in current:
            member = SubgroupMember(subgroup=subgroup, student=student)
            current[student.id] = member
            state.new[member.id] = member
    return sorted(current.values(), key=lambda m: m.id)


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
