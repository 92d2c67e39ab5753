"""The history of one final mark, for the journal's history dialog (``h`` on a final cell).

Final marks record their changes under ``finals.final_cell(...)``, so the history holds
together when a mark is cleared and set again (a new row).
"""

from __future__ import annotations

from node.models import History
from node.services.base.actor import Actor
from node.services.base.lookup import get_assignment, get_period, get_student
from node.services.base.permissions import Action, ensure_allowed
from node.services.gradebook.finals import final_cell
from node.services.gradebook.journal import CellChange, changes_of

_FIELDS = ("value", "justification")


def final_mark_history(
    actor: Actor, assignment_id: str, period_id: str, student_id: str
) -> list[CellChange]:
    """Every change to a student's final mark of a period, oldest first."""
    assignment = get_assignment(assignment_id)
    period = get_period(period_id)
    student = get_student(student_id)
    ensure_allowed(actor, Action.HISTORY_VIEW, assignment)
    cell = final_cell(assignment.id, period.id, student.id)
    rows = History.select().where(History.cell == cell).order_by(History.at, History.id)
    return changes_of(rows, _FIELDS)
