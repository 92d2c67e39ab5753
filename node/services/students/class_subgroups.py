"""The class split into subgroups for one subject, as the subgroup screen shows it [R 4.3].

Reading needs ``CLASS_VIEW`` (the class teacher, the administration) or, for one subject,
``SUBGROUP_MANAGE`` on one of its subgroups (the teacher of a subgroup splits the class
"together with" the class teacher); every change goes through ``node.services.school.subgroups``
(``SUBGROUP_MANAGE``: the class teacher, the subject's teacher in the class, the
administration). ``place_in_subgroup`` picks the right one of its writes, so that moving
a student keeps their marks and attendance (they belong to the student and the lesson).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from node.errors import ValidationError
from node.i18n import _
from node.models import (
    AcademicYear,
    SchoolClass,
    Student,
    Subgroup,
    SubgroupMember,
    Subject,
    TeachingAssignment,
)
from node.services.base.actor import Actor
from node.services.base.lookup import get_class, get_student, get_subgroup, get_subject
from node.services.base.permissions import Action, allowed, ensure_allowed
from node.services.school import subgroups


@dataclass(frozen=True)
class SplitRow:
    student_id: str
    name: str
    subgroup_id: str | None


@dataclass(frozen=True)
class SubgroupInfo:
    subgroup_id: str
    name: str
    members: int
    teacher: str  # who teaches the subgroup's journal, if anyone yet


@dataclass(frozen=True)
class SubgroupSplit:
    """One subject of a class: its subgroups and where each current student is."""

    class_id: str
    label: str
    subjects: list[tuple[str, str]]  # (id, name) of the subjects taught in the class
    subject_id: str | None
    subgroups: list[SubgroupInfo]
    rows: list[SplitRow]


@dataclass(frozen=True)
class SplitChoice:
    """A class and subject whose split the actor may keep without leading the class."""

    class_id: str
    subject_id: str
    label: str  # «7А · Английский язык»


def split_choices(actor: Actor) -> list[SplitChoice]:
    """A subject teacher's way in: the classes and subjects of their subgroup journals in
    the active year."""
    year = AcademicYear.active()
    if actor.user_id is None or year is None:
        return []
    query = (
        TeachingAssignment.select(TeachingAssignment, SchoolClass, Subject, Subgroup)
        .join(SchoolClass)
        .switch(TeachingAssignment)
        .join(Subject)
        .switch(TeachingAssignment)
        .join(Subgroup, on=TeachingAssignment.subgroup == Subgroup.id)
        .where(TeachingAssignment.teacher == actor.user_id, SchoolClass.year == year.id)
        .order_by(SchoolClass.grade, SchoolClass.letter, Subject.name)
    )
    out: dict[tuple[str, str], SplitChoice] = {}
    for assignment in query:
        key = (assignment.school_class_id, assignment.subject_id)
        if key not in out and allowed(actor, Action.SUBGROUP_MANAGE, assignment.subgroup):
            label = f"{assignment.school_class.label} · {assignment.subject.name}"
            out[key] = SplitChoice(key[0], key[1], label)
    return list(out.values())


def _subjects_of(class_id: str) -> list[tuple[str, str]]:
    query = (
        Subject.select(Subject.id, Subject.name)
        .join(TeachingAssignment)
        .where(TeachingAssignment.school_class == class_id)
        .distinct()
        .order_by(Subject.name)
        .tuples()
    )
    return list(query)


def subgroup_split(
    actor: Actor, class_id: str, subject_id: str | None, today: dt.date
) -> SubgroupSplit:
    """The split for ``subject_id`` (or the class's first subject that has subgroups)."""
    school_class = get_class(class_id)
    subject = get_subject(subject_id) if subject_id is not None else None
    if allowed(actor, Action.CLASS_VIEW, school_class):
        subjects = _subjects_of(school_class.id)
    else:  # a subject teacher: only the subject of their subgroups
        some_group = (
            Subgroup.get_or_none(
                Subgroup.school_class == school_class.id, Subgroup.subject == subject.id
            )
            if subject is not None
            else None
        )
        ensure_allowed(actor, Action.SUBGROUP_MANAGE, some_group or school_class)
        assert subject is not None
        subjects = [(subject.id, subject.name)]
    if subject is None:
        split = (
            Subgroup.select(Subgroup.subject)
            .where(Subgroup.school_class == school_class.id)
            .order_by(Subgroup.name)
            .first()
        )
        subject_id = split.subject_id if split else (subjects[0][0] if subjects else None)
    groups = list(
        Subgroup.select()
        .where(Subgroup.school_class == school_class.id, Subgroup.subject == subject_id)
        .order_by(Subgroup.name)
    )
    members = {
        m.student_id: m.subgroup_id
        for m in SubgroupMember.select().where(SubgroupMember.subgroup.in_([g.id for g in groups]))
    }
    teachers = {
        a.subgroup_id: a.teacher.display_name
        for a in TeachingAssignment.select().where(
            TeachingAssignment.subgroup.in_([g.id for g in groups])
        )
    }
    infos = [
        SubgroupInfo(
            g.id, g.name, sum(1 for v in members.values() if v == g.id), teachers.get(g.id, "")
        )
        for g in groups
    ]
    rows = [
        SplitRow(s.id, s.full_name, members.get(s.id))
        for s in Student.active_in(school_class.id, today)
    ]
    return SubgroupSplit(school_class.id, school_class.label, subjects, subject_id, infos, rows)


def place_in_subgroup(
    actor: Actor, student_id: str, subject_id: str, subgroup_id: str | None
) -> None:
    """Put the student in ``subgroup_id`` (None: in none) of the subject's split of their
    class: join, move (marks kept) or leave, whichever it takes."""
    student = get_student(student_id)
    subject = get_subject(subject_id)
    target = get_subgroup(subgroup_id) if subgroup_id is not None else None
    if target is not None and (
        target.school_class_id != student.school_class_id or target.subject_id != subject.id
    ):
        raise ValidationError(
            _("The subgroup «{name}» is not a subgroup of {student}'s class for {subject}.").format(
                name=target.name, student=student.display_name, subject=subject.name
            )
        )
    current = (
        SubgroupMember.select(SubgroupMember, Subgroup)
        .join(Subgroup)
        .where(
            SubgroupMember.student == student.id,
            Subgroup.school_class == student.school_class_id,
            Subgroup.subject == subject.id,
        )
        .first()
    )
    source = current.subgroup if current else None
    for group in (source, target):
        if group is not None:
            ensure_allowed(actor, Action.SUBGROUP_MANAGE, group)
    if source is None and target is None:
        ensure_allowed(actor, Action.SUBGROUP_MANAGE, student.school_class)
        return
    if source is not None and target is not None:
        if source.id != target.id:
            subgroups.move_student_to_subgroup(actor, student.id, source.id, target.id)
        return
    group = target or source
    assert group is not None
    members = [
        m.student_id for m in SubgroupMember.select().where(SubgroupMember.subgroup == group.id)
    ]
    wanted = (
        members + [student.id]
        if target is not None
        else [sid for sid in members if sid != student.id]
    )
    subgroups.set_subgroup_members(actor, group.id, wanted)
