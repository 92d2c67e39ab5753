"""A journal handed on: another teacher (one leaves in the middle of the year), another
subgroup (the class was split after the journal was made), new hours per week.

The journal stays the same row, so its lessons, marks, attendance, plan, final marks and
their history stay where they are; from now on the journal is the new teacher's, and so
are its lessons to come (the timetable's places go with it). Refused, writing nothing:
a new teacher who is busy at one of the journal's timetable places or lessons to come, a
subgroup of another class or subject, a journal that already exists, and a subgroup
that would hide marks or absences of students outside it. The new teacher's substitutions
of this journal's lessons to come end (they are now their own lessons). One transaction
with history; laptops follow at their next sync (the old teacher's loses the journal).
"""

from __future__ import annotations

from node.errors import Conflict
from node.i18n import _
from node.models import (
    Attendance,
    Lesson,
    Mark,
    Student,
    Subgroup,
    SubgroupMember,
    Substitution,
    TeachingAssignment,
    TimetableSlot,
    User,
    db,
)
from node.services.base import clock, history
from node.services.base.actor import Actor
from node.services.base.lookup import ensure_journal_open, get_assignment, get_subgroup, get_user
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.text import one_final_period
from node.services.school import substitutions, timetable
from node.services.students.classes import (
    check_hours_per_week,
    check_journal_subgroup,
    check_journal_teacher,
    ensure_no_other_journal,
)


def _ensure_free(journal: TeachingAssignment, teacher: User, subgroup: Subgroup | None) -> None:
    """The journal as it would be is free at each of its timetable places, and the teacher
    at each of its lessons to come."""
    candidate = TeachingAssignment(
        id=journal.id,
        teacher=teacher.id,
        school_class=journal.school_class_id,
        subject=journal.subject_id,
        subgroup=subgroup.id if subgroup else None,
    )
    for slot in TimetableSlot.select().where(TimetableSlot.assignment == journal.id):
        other = timetable.slot_clash(candidate, slot.weekday, slot.number)
        if other is not None:
            raise Conflict(
                one_final_period(
                    _(
                        "At this journal's place in the timetable (day {weekday}, lesson "
                        "{number}) there is already {lesson} of {teacher}."
                    ).format(
                        weekday=slot.weekday,
                        number=slot.number,
                        lesson=timetable.describe(other),
                        teacher=other.teacher.display_name,
                    )
                )
            )
    if teacher.id == journal.teacher_id:
        return
    coming = list(
        Lesson.select().where(
            Lesson.assignment == journal.id,
            Lesson.date >= clock.today(),
            Lesson.status != "cancelled",
        )
    )
    own = {lesson.id for lesson in coming}
    for lesson in coming:
        busy = substitutions.busy_with(teacher, lesson, ignoring=own)
        if busy is not None:
            raise Conflict(
                one_final_period(
                    _("{name} already teaches at {lesson}: {other}.").format(
                        name=teacher.display_name,
                        lesson=substitutions.lesson_label(lesson),
                        other=substitutions.lesson_label(busy),
                    )
                )
            )


def _ensure_nothing_hidden(journal: TeachingAssignment, subgroup: Subgroup | None) -> None:
    """A subgroup keeps every student who has a mark or an absence in the journal."""
    if subgroup is None:
        return
    members = SubgroupMember.select(SubgroupMember.student).where(
        SubgroupMember.subgroup == subgroup.id
    )
    lessons = Lesson.select(Lesson.id).where(Lesson.assignment == journal.id)
    outside: set[str] = set()
    for table in (Mark, Attendance):
        rows = table.select(table.student).where(
            table.lesson.in_(lessons), table.student.not_in(members)
        )
        outside |= {student for (student,) in rows.tuples()}
    if outside:
        first = (
            Student.select()
            .where(Student.id.in_(sorted(outside)))
            .order_by(Student.last_name, Student.first_name)
            .first()
        )
        raise Conflict(
            _(
                "{count} students outside «{group}» have marks or absences in this journal "
                "(e.g. {student}); put them in the subgroup first or keep the journal as it is."
            ).format(count=len(outside), group=subgroup.name, student=first.display_name)
        )


def change_journal(
    actor: Actor,
    assignment_id: str,
    *,
    teacher_id: str,
    subgroup_id: str | None,
    hours_per_week: float | str | None = None,
) -> TeachingAssignment:
    """Hand the journal to ``teacher_id`` and/or ``subgroup_id`` (None: the whole class),
    and set its hours per week (None: as they are), all checked before anything is
    written. A new teacher or group is the administration's or the system administrator's
    [R 6.1]; hours are the teaching load, the administration's."""
    journal = get_assignment(assignment_id)
    teacher = get_user(teacher_id)
    subgroup = get_subgroup(subgroup_id) if subgroup_id else None
    ensure_allowed(actor, Action.JOURNAL_HANDOVER)
    hours = journal.hours_per_week
    if hours_per_week is not None:
        hours = check_hours_per_week(str(hours_per_week).replace(",", "."))
        if hours != journal.hours_per_week:
            ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_journal_open(journal)
    if teacher.id != journal.teacher_id:
        check_journal_teacher(teacher)
    if (subgroup.id if subgroup else None) != journal.subgroup_id:
        check_journal_subgroup(journal.school_class, journal.subject, subgroup)
        ensure_no_other_journal(journal.school_class, journal.subject, subgroup, other_than=journal)
        _ensure_nothing_hidden(journal, subgroup)
    _ensure_free(journal, teacher, subgroup)
    now_own = list(
        Substitution.select()
        .join(Lesson)
        .where(
            Lesson.assignment == journal.id,
            Lesson.date >= clock.today(),
            Substitution.teacher == teacher.id,
        )
    )
    with db.atomic():
        history.update_row(
            actor,
            journal,
            {"teacher": teacher.id, "subgroup": subgroup.id if subgroup else None}
            | {"hours_per_week": hours},
        )
        for row in now_own:
            history.record_delete(actor, row)
            row.delete_instance()
    return journal
