"""The journal as a teacher types into it: one cell's text, one lesson's form.

The TUI (and later the web page) share this reading of what was typed into a cell, so
"н" means absent and an empty cell clears the marks and the absence alike everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from node.models import Attendance, LessonPlanItem, Mark, PlanItem, WorkType
from node.services.base.actor import Actor
from node.services.base.lookup import get_lesson
from node.services.base.permissions import Action, ensure_allowed
from node.services.gradebook import journal

#: What can be typed into a cell for an attendance code (Russian journal letters, and
#: Latin look-alikes for a keyboard left in English).
ATTENDANCE_INPUTS = {
    "н": "absent",
    "n": "absent",
    "б": "sick",
    "у": "excused",
    "оп": "late",
}
#: How the grid prints each attendance code.
ATTENDANCE_LETTERS = {"absent": "н", "sick": "б", "excused": "у", "late": "оп"}


def enter_cell(actor: Actor, lesson_id: str, student_id: str, text: str) -> None:
    """Apply what was typed into one cell: marks ("5", "5/4"), an attendance letter
    ("н"), or nothing (clears the cell's marks and attendance). Each write is checked and
    recorded by ``node.services.gradebook.journal``; a refusal writes nothing."""
    lesson = get_lesson(lesson_id)
    ensure_allowed(actor, Action.JOURNAL_WRITE, lesson)
    typed = text.strip()
    code = ATTENDANCE_INPUTS.get(typed.lower())
    if code is not None:
        journal.set_attendance(actor, lesson_id, student_id, code)
        return
    if typed:
        journal.set_marks(actor, lesson_id, student_id, journal.parse_cell(typed))
        return
    has_marks = Mark.select().where(Mark.lesson == lesson_id, Mark.student == student_id).exists()
    absent = (
        Attendance.select()
        .where(Attendance.lesson == lesson_id, Attendance.student == student_id)
        .exists()
    )
    if has_marks:
        journal.set_marks(actor, lesson_id, student_id, [])
    if absent:
        journal.set_attendance(actor, lesson_id, student_id, None)


@dataclass(frozen=True)
class LessonForm:
    """What the lesson dialog offers: the plan's items (those linked to the lesson among
    them) and the work types a column can be given."""

    lesson_id: str
    topic: str
    homework: str
    work_type_id: str | None
    plan_items: list[PlanItem]
    linked_ids: frozenset[str]
    work_types: list[WorkType]


def lesson_form(actor: Actor, lesson_id: str) -> LessonForm:
    lesson = get_lesson(lesson_id)
    ensure_allowed(actor, Action.JOURNAL_VIEW, lesson)
    linked = frozenset(
        item_id
        for (item_id,) in LessonPlanItem.select(LessonPlanItem.plan_item)
        .where(LessonPlanItem.lesson == lesson.id)
        .tuples()
    )
    return LessonForm(
        lesson_id=lesson.id,
        topic=lesson.topic,
        homework=lesson.homework,
        work_type_id=lesson.work_type_id,
        # the journal's plan lines are the lesson page's choices of topic (a substitute's too)
        plan_items=list(
            PlanItem.select()
            .where(PlanItem.assignment == lesson.assignment_id)
            .order_by(PlanItem.position, PlanItem.id)
        ),
        linked_ids=linked,
        work_types=list(WorkType.select().order_by(WorkType.weight, WorkType.name)),
    )


def save_lesson_form(
    actor: Actor,
    lesson_id: str,
    *,
    topic: str,
    plan_item_ids: list[str],
    homework: str,
    work_type_id: str | None,
) -> None:
    """Write the fields of the lesson dialog that changed (each with its own history)."""
    form = lesson_form(actor, lesson_id)
    if topic.strip() != form.topic or frozenset(plan_item_ids) != form.linked_ids:
        journal.set_topic(actor, lesson_id, topic, plan_item_ids=plan_item_ids)
    if homework.strip() != form.homework:
        journal.set_homework(actor, lesson_id, homework)
    if work_type_id != form.work_type_id:
        journal.set_lesson_work_type(actor, lesson_id, work_type_id)
