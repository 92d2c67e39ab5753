"""The teacher's writes to a journal: topics, homework, marks and attendance [R 3.4, 7.2].

Every write checks ``JOURNAL_WRITE`` on the lesson (its journal's teacher, or the lesson's
substitute; the class teacher's weekly correction checks ``ATTENDANCE_CORRECT`` on the
student [R 4.2]), refuses a closed year,
and records history in the same transaction. Marks and attendance carry the journal cell
(``cell_key(lesson, student)``) in their history, so one cell's story can be read back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from node.errors import ValidationError
from node.i18n import _
from node.models import (
    Attendance,
    History,
    Lesson,
    LessonPlanItem,
    Mark,
    PlanItem,
    SchoolClass,
    Student,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    WorkType,
    db,
)
from node.models.history import cell_key
from node.models.journal import ATTENDANCE_CODES
from node.services.base import clock
from node.services.base.activity import log_activity
from node.services.base.actor import Actor
from node.services.base.history import record_create, record_delete, update_row
from node.services.base.lookup import (
    ensure_journal_open,
    get_attendance,
    get_class,
    get_lesson,
    get_plan_items,
    get_student,
    get_work_type,
)
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.policy import load_policy, parse_mark
from node.services.base.text import plain_line, plain_text

#: A cell holds at most this many marks ("5/4/5").
MAX_MARKS_PER_CELL = 3
#: The work kind of the school's default work type, used when neither the teacher nor the
#: lesson column names one.
DEFAULT_WORK_KIND = "oral"

_MARK_FIELDS = ("position", "value", "points", "work_type", "comment")
_CELL_SEPARATORS = re.compile(r"[/\s]+")
#: Typed forms of "not certified" that contain the cell separator and must stay whole.
_SLASHED_WORDS = ("н/а", "n/a")


# --- look-ups and checks shared by the writes -------------------------------------------


def day_label(day: dt.date) -> str:
    """A date the way a Russian school writes it (25.11.2026)."""
    return day.strftime("%d.%m.%Y")


def _lesson_and_journal(lesson_id: str) -> tuple[Lesson, TeachingAssignment]:
    lesson = get_lesson(lesson_id)
    return lesson, lesson.assignment


def _ensure_held(lesson: Lesson) -> None:
    """Marks and attendance belong to lessons that took place."""
    if lesson.is_cancelled:
        raise ValidationError(
            _(
                "The lesson of {date} was cancelled: marks and attendance cannot be entered "
                "for it. Restore the lesson first if it did take place."
            ).format(date=day_label(lesson.date))
        )
    if lesson.date > clock.today():
        raise ValidationError(
            _(
                "This lesson has not taken place yet ({date}): enter marks and attendance "
                "on or after the lesson's day."
            ).format(date=day_label(lesson.date))
        )


def _ensure_in_lesson(student: Student, lesson: Lesson, assignment: TeachingAssignment) -> None:
    """The student belongs to this journal (class, subgroup) on the lesson's date."""
    if student.school_class_id != assignment.school_class_id:
        school_class = SchoolClass.get_by_id(assignment.school_class_id)
        raise ValidationError(
            _("{student} is not in class {label}: choose a student of this journal.").format(
                student=student.display_name, label=school_class.label
            )
        )
    if assignment.subgroup_id is not None:
        member = (
            SubgroupMember.select()
            .where(
                SubgroupMember.subgroup == assignment.subgroup_id,
                SubgroupMember.student == student.id,
            )
            .exists()
        )
        if not member:
            raise ValidationError(
                _(
                    "{student} is not in the subgroup this journal is kept for: "
                    "add them to the subgroup first."
                ).format(student=student.display_name)
            )
    if lesson.date < student.enrolled_on:
        raise ValidationError(
            _("{student} was not yet enrolled on {date} (enrolled on {enrolled}).").format(
                student=student.display_name,
                date=day_label(lesson.date),
                enrolled=day_label(student.enrolled_on),
            )
        )
    if student.left_on is not None and lesson.date > student.left_on:
        raise ValidationError(
            _("{student} had left on {left}, before the lesson of {date}.").format(
                student=student.display_name,
                left=day_label(student.left_on),
                date=day_label(lesson.date),
            )
        )


def default_work_type() -> WorkType | None:
    """The school's default work type: the first oral one by name."""
    return (
        WorkType.select()
        .where(WorkType.kind == DEFAULT_WORK_KIND)
        .order_by(WorkType.name, WorkType.id)
        .first()
    )


def _require_default_work_type() -> WorkType:
    work_type = default_work_type()
    if work_type is None:
        raise ValidationError(
            _(
                "The school has no oral work type to use by default: create one "
                "(e.g. «Ответ на уроке», weight 1) or choose a work type for the mark."
            )
        )
    return work_type


# --- topic, homework, the column's work type --------------------------------------------


def set_topic(
    actor: Actor, lesson_id: str, topic: str, *, plan_item_ids: list[str] | None = None
) -> Lesson:
    """Record what the lesson covered, optionally linked to thematic plan items [R 3.4].

    ``plan_item_ids`` replaces the lesson's links (``[]`` removes them; ``None`` keeps
    them). A blank topic with plan items takes the items' topics.
    """
    lesson, assignment = _lesson_and_journal(lesson_id)
    items: list[PlanItem] = []
    if plan_item_ids is not None:
        items = get_plan_items(plan_item_ids)
    ensure_allowed(actor, Action.JOURNAL_WRITE, lesson)
    ensure_journal_open(assignment)
    for item in items:
        if item.assignment_id != assignment.id:
            raise ValidationError(
                _(
                    "The plan item «{topic}» belongs to another journal's plan: "
                    "choose an item of this journal's plan."
                ).format(topic=item.topic)
            )
    text = plain_line(topic).strip()
    if not text and items:
        text = "; ".join(item.topic for item in items)

    with db.atomic():
        update_row(actor, lesson, {"topic": text})
        if plan_item_ids is not None:
            _replace_plan_links(actor, lesson, [item.id for item in items])
        log_activity(actor, "topic", detail=lesson.id)
    return lesson


def _replace_plan_links(actor: Actor, lesson: Lesson, item_ids: list[str]) -> None:
    links = list(LessonPlanItem.select().where(LessonPlanItem.lesson == lesson.id))
    current = {link.plan_item_id for link in links}
    for link in links:
        if link.plan_item_id not in item_ids:
            record_delete(actor, link)
            link.delete_instance()
    for item_id in item_ids:
        if item_id not in current:
            link = LessonPlanItem.create(lesson=lesson.id, plan_item=item_id)
            record_create(actor, link)


def set_homework(actor: Actor, lesson_id: str, text: str) -> Lesson:
    """Set the homework given at the lesson (may be entered ahead of the lesson)."""
    lesson, assignment = _lesson_and_journal(lesson_id)
    ensure_allowed(actor, Action.JOURNAL_WRITE, lesson)
    ensure_journal_open(assignment)
    with db.atomic():
        update_row(actor, lesson, {"homework": plain_text(text).strip()})
        log_activity(actor, "homework", detail=lesson.id)
    return lesson


def set_lesson_work_type(actor: Actor, lesson_id: str, work_type_id: str | None) -> Lesson:
    """Set the column's default work type (e.g. a test). ``None`` returns to the school's.

    Marks already in the column that carried the column's previous default follow the new
    one, so a column turned into «контрольная» weighs all its marks as a test; marks whose
    work type was chosen on its own keep it.
    """
    lesson, assignment = _lesson_and_journal(lesson_id)
    work_type = get_work_type(work_type_id) if work_type_id is not None else None
    ensure_allowed(actor, Action.JOURNAL_WRITE, lesson)
    ensure_journal_open(assignment)
    school_default = default_work_type()
    old_default = lesson.work_type_id or (school_default.id if school_default else None)
    new_default = work_type.id if work_type else (school_default.id if school_default else None)

    with db.atomic():
        update_row(actor, lesson, {"work_type": work_type.id if work_type else None})
        if old_default and new_default and old_default != new_default:
            followers = Mark.select().where(Mark.lesson == lesson.id, Mark.work_type == old_default)
            now = clock.now()
            stamp = {"updated_by": actor.user_id, "updated_at": now}
            for mark in followers:
                update_row(
                    actor,
                    mark,
                    {"work_type": new_default},
                    tracked=_MARK_FIELDS,
                    stamp=stamp,
                    cell=cell_key(lesson.id, mark.student_id),
                )
    return lesson


# --- marks ------------------------------------------------------------------------------


def parse_cell(text: str) -> list[str]:
    """A journal cell as typed → its marks: "5/4" → ["5", "4"], "" → [].

    Marks are separated by "/" (or spaces); "н/а" stays one word so that the error about it
    names what the teacher typed.
    """
    stripped = text.strip()
    if stripped.lower() in _SLASHED_WORDS:
        return [stripped]
    return [part for part in _CELL_SEPARATORS.split(stripped) if part]


def set_marks(
    actor: Actor,
    lesson_id: str,
    student_id: str,
    values: list[str],
    *,
    work_type_id: str | None = None,
    comment: str | None = None,
) -> list[Mark]:
    """Replace the marks in one journal cell with ``values``, in order ("5/4").

    An empty list clears the cell. Marks that did not change keep their rows. The work type
    of a new mark is ``work_type_id``, else the lesson column's, else the school's default;
    given ``work_type_id`` applies to every mark of the cell. ``comment`` (when not
    ``None``) is set on every mark of the cell; ``None`` keeps the comments there are.
    """
    lesson, assignment = _lesson_and_journal(lesson_id)
    student = get_student(student_id)
    chosen_type = get_work_type(work_type_id) if work_type_id is not None else None
    ensure_allowed(actor, Action.JOURNAL_WRITE, lesson)
    ensure_journal_open(assignment)
    _ensure_held(lesson)
    _ensure_in_lesson(student, lesson, assignment)

    texts = [v.strip() for v in values if v.strip()]
    if len(texts) > MAX_MARKS_PER_CELL:
        raise ValidationError(
            _("A lesson can hold at most {count} marks per student; you entered {given}.").format(
                count=MAX_MARKS_PER_CELL, given=len(texts)
            )
        )
    subject = Subject.get_by_id(assignment.subject_id)
    policy = load_policy()
    parsed = [parse_mark(t, pass_fail=subject.pass_fail, policy=policy) for t in texts]
    cell = cell_key(lesson.id, student.id)
    now = clock.now()
    result: list[Mark] = []
    with db.atomic():
        # read the cell under the write lock: two sessions typing into one cell at once
        # must not both create position 0
        existing = list(
            Mark.select()
            .where(Mark.lesson == lesson.id, Mark.student == student.id)
            .order_by(Mark.position)
        )
        new_type_id: str | None = None
        if len(parsed) > len(existing):
            if chosen_type is not None:
                new_type_id = chosen_type.id
            elif lesson.work_type_id is not None:
                new_type_id = lesson.work_type_id
            else:
                new_type_id = _require_default_work_type().id
        for mark in existing[len(parsed) :]:
            record_delete(actor, mark, cell=cell)
            mark.delete_instance()
        for position, (value, points) in enumerate(parsed):
            if position < len(existing):
                mark = existing[position]
                edit: dict[str, object] = {"position": position, "value": value, "points": points}
                if chosen_type is not None:
                    edit["work_type"] = chosen_type.id
                if comment is not None:
                    edit["comment"] = plain_line(comment).strip()
                update_row(
                    actor,
                    mark,
                    edit,
                    tracked=_MARK_FIELDS,
                    stamp={"updated_by": actor.user_id, "updated_at": now},
                    cell=cell,
                )
            else:
                mark = Mark.create(
                    lesson=lesson.id,
                    student=student.id,
                    position=position,
                    value=value,
                    points=points,
                    work_type=new_type_id,
                    comment=plain_line(comment).strip(),
                    updated_by=actor.user_id,
                    updated_at=now,
                )
                record_create(actor, mark, cell=cell)
            result.append(mark)
        log_activity(actor, "mark", detail=cell)
    return result


# --- attendance -------------------------------------------------------------------------


def _check_code(code: str | None) -> str | None:
    if code is None:
        return None
    value = code.strip().lower()
    if value not in ATTENDANCE_CODES:
        raise ValidationError(
            _("«{code}» is not an attendance code: use one of {codes}.").format(
                code=code, codes=", ".join(ATTENDANCE_CODES)
            )
        )
    return value


def _write_attendance(
    actor: Actor,
    lesson_id: str,
    student_id: str,
    existing: Attendance | None,
    code: str | None,
    reason: str,
) -> Attendance | None:
    """Create, update or delete one attendance row with its history (inside a transaction)."""
    cell = cell_key(lesson_id, student_id)
    if code is None:
        if existing is not None:
            record_delete(actor, existing, cell=cell)
            existing.delete_instance()
        return None
    if existing is None:
        row = Attendance.create(
            lesson=lesson_id,
            student=student_id,
            code=code,
            reason=reason,
            updated_by=actor.user_id,
            updated_at=clock.now(),
        )
        record_create(actor, row, cell=cell)
        return row
    update_row(
        actor,
        existing,
        {"code": code, "reason": reason},
        stamp={"updated_by": actor.user_id, "updated_at": clock.now()},
        cell=cell,
    )
    return existing


def set_attendance(
    actor: Actor, lesson_id: str, student_id: str, code: str | None, *, reason: str = ""
) -> Attendance | None:
    """Mark a student absent/sick/excused/late at a lesson; ``None`` clears the mark."""
    lesson, assignment = _lesson_and_journal(lesson_id)
    student = get_student(student_id)
    ensure_allowed(actor, Action.JOURNAL_WRITE, lesson)
    ensure_journal_open(assignment)
    _ensure_held(lesson)
    _ensure_in_lesson(student, lesson, assignment)
    value = _check_code(code)
    with db.atomic():
        existing = Attendance.get_or_none(
            Attendance.lesson == lesson.id, Attendance.student == student.id
        )
        log_activity(actor, "attendance", detail=cell_key(lesson.id, student.id))
        return _write_attendance(
            actor, lesson.id, student.id, existing, value, plain_line(reason).strip()
        )


def correct_attendance(
    actor: Actor, attendance_id: str, code: str | None, reason: str
) -> Attendance | None:
    """The class teacher's weekly correction of an absence [R 4.2].

    ``code`` may change (e.g. absent → sick with a note from the doctor); ``None`` removes
    the record when the student was present after all.
    """
    row = get_attendance(attendance_id)
    student = Student.get_by_id(row.student_id)
    lesson, assignment = _lesson_and_journal(row.lesson_id)
    ensure_allowed(actor, Action.ATTENDANCE_CORRECT, student)
    ensure_journal_open(assignment)
    value = _check_code(code)
    with db.atomic():
        log_activity(actor, "attendance", detail=cell_key(lesson.id, student.id))
        return _write_attendance(
            actor, lesson.id, student.id, row, value, plain_line(reason).strip()
        )


@dataclass(frozen=True)
class WeekAbsence:
    """One missed (or late) lesson of a class in a week, for the class teacher's screen."""

    attendance_id: str
    lesson_id: str
    date: dt.date
    lesson_number: int
    subject: str
    student_id: str
    student_name: str
    code: str
    reason: str


def week_attendance(actor: Actor, class_id: str, week_start: dt.date) -> list[WeekAbsence]:
    """Absences of a class in the week containing ``week_start``, across all subjects.

    Needs ``ATTENDANCE_CORRECT`` on every student of the class (the class teacher and the
    administration have it). Cancelled lessons are left out.
    """
    school_class = get_class(class_id)
    for student in Student.in_class(school_class.id):
        ensure_allowed(actor, Action.ATTENDANCE_CORRECT, student)
    monday = week_start - dt.timedelta(days=week_start.weekday())
    sunday = monday + dt.timedelta(days=6)
    rows = (
        Attendance.select(
            Attendance.id,
            Attendance.lesson,
            Lesson.date,
            Lesson.number,
            Subject.name,
            Attendance.student,
            Student.last_name,
            Student.first_name,
            Student.middle_name,
            Attendance.code,
            Attendance.reason,
        )
        .join(Lesson, on=Attendance.lesson == Lesson.id)
        .join(TeachingAssignment, on=Lesson.assignment == TeachingAssignment.id)
        .join(Subject, on=TeachingAssignment.subject == Subject.id)
        .switch(Attendance)
        .join(Student, on=Attendance.student == Student.id)
        .where(
            TeachingAssignment.school_class == school_class.id,
            Lesson.date.between(monday, sunday),
            Lesson.status != "cancelled",
        )
        .order_by(Lesson.date, Lesson.number, Student.last_name, Student.first_name)
        .tuples()
    )
    out: list[WeekAbsence] = []
    for att_id, lesson_id, day, number, subject, sid, last, first, middle, code, reason in rows:
        initials = "".join(f" {part[0]}." for part in (first, middle) if part)
        out.append(
            WeekAbsence(
                attendance_id=att_id,
                lesson_id=lesson_id,
                date=day,
                lesson_number=number,
                subject=subject,
                student_id=sid,
                student_name=f"{last}{initials}",
                code=code,
                reason=reason,
            )
        )
    return out


# --- a cell's history -------------------------------------------------------------------


@dataclass(frozen=True)
class CellChange:
    """One field of one change in a journal cell: who changed what from what to what."""

    at: dt.datetime
    actor_login: str
    action: str
    entity: str
    entity_id: str | None
    field: str
    old: Any
    new: Any


_CELL_FIELDS = ("position", "value", "work_type", "comment", "code", "reason")


def cell_history(actor: Actor, lesson_id: str, student_id: str) -> list[CellChange]:
    """Every change to the marks and attendance of one cell, oldest first.

    Work types are shown by name; fields that stayed empty are left out.
    """
    lesson, assignment = _lesson_and_journal(lesson_id)
    student = get_student(student_id)
    ensure_allowed(actor, Action.HISTORY_VIEW, lesson)
    type_names = {
        wt_id: name for wt_id, name in WorkType.select(WorkType.id, WorkType.name).tuples()
    }
    return changes_of(History.of_cell(lesson.id, student.id), _CELL_FIELDS, type_names)


def changes_of(
    rows: Iterable[History], fields: tuple[str, ...], type_names: dict[str, str] | None = None
) -> list[CellChange]:
    """One ``CellChange`` per listed field that changed in ``rows`` (work types by name)."""
    names = type_names or {}
    out: list[CellChange] = []
    for row in rows:
        changes = row.change_map()
        for name in fields:
            if name not in changes:
                continue
            old, new = changes[name]
            if old in (None, "") and new in (None, ""):
                continue
            if name == "work_type":
                old = names.get(old, old)
                new = names.get(new, new)
            out.append(
                CellChange(
                    at=row.at,
                    actor_login=row.actor_login,
                    action=row.action,
                    entity=row.entity,
                    entity_id=row.entity_id,
                    field=name,
                    old=old,
                    new=new,
                )
            )
    return out


__all__ = [
    "MAX_MARKS_PER_CELL",
    "CellChange",
    "WeekAbsence",
    "cell_history",
    "changes_of",
    "correct_attendance",
    "default_work_type",
    "parse_cell",
    "set_attendance",
    "set_homework",
    "set_lesson_work_type",
    "set_marks",
    "set_topic",
    "week_attendance",
]
