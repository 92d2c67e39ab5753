"""The thematic plan as a journal's plan screen shows it: lines, their lessons, coverage.

One call gives the screen everything it draws, so it reads the database once per refresh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from node.models import LessonPlanItem, PlanItem
from node.services.base.actor import Actor
from node.services.base.lookup import get_assignment
from node.services.base.permissions import Action, ensure_allowed
from node.services.gradebook.plan import Coverage, plan_coverage, plan_items
from node.services.gradebook.teacher_home import journal_label


@dataclass(frozen=True)
class PlanLine:
    """A plan item and how many lessons cover it."""

    item: PlanItem
    lessons: int


@dataclass(frozen=True)
class PlanView:
    assignment_id: str
    journal: str
    lines: list[PlanLine]
    coverage: Coverage
    today: dt.date

    @property
    def total_hours(self) -> float:
        return sum(line.item.hours for line in self.lines)


def plan_view(actor: Actor, assignment_id: str, today: dt.date) -> PlanView:
    """The journal's plan lines with their linked lesson counts, and coverage by ``today``."""
    assignment = get_assignment(assignment_id)
    ensure_allowed(actor, Action.JOURNAL_VIEW, assignment)
    items = plan_items(actor, assignment_id)
    counts = dict(
        LessonPlanItem.select(LessonPlanItem.plan_item, fn.COUNT(LessonPlanItem.lesson))
        .join(PlanItem)
        .where(PlanItem.assignment == assignment.id)
        .group_by(LessonPlanItem.plan_item)
        .tuples()
    )
    subgroup = assignment.subgroup.name if assignment.subgroup_id else None
    return PlanView(
        assignment_id=assignment.id,
        journal=journal_label(assignment.school_class.label, assignment.subject.name, subgroup),
        lines=[PlanLine(item, counts.get(item.id, 0)) for item in items],
        coverage=plan_coverage(actor, assignment_id, today),
        today=today,
    )
