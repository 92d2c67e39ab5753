"""History: every change to the school's data — who, when, on which node, old → new."""

from __future__ import annotations

import json
from typing import Any

import peewee as pw

from node.models.base import Reach, SyncModel

HISTORY_ACTIONS = ("create", "update", "delete", "import", "unlock")


class History(SyncModel):
    """One recorded change. ``changes`` is JSON ``{field: [old, new]}``; ``actor_id`` is
    the acting user's id (text, not a foreign key, so history outlives any row)."""

    reach = Reach.OWN_RULE

    at = pw.DateTimeField()
    actor_id = pw.TextField(null=True)
    actor_login = pw.TextField(default="")
    node_id = pw.TextField(default="")
    entity = pw.TextField()
    entity_id = pw.TextField(null=True)
    #: groups changes of different rows shown together, e.g. a journal cell "lesson/student"
    cell = pw.TextField(null=True)
    action = pw.TextField()
    changes = pw.TextField(default="{}")

    class Meta:
        indexes = (
            (("entity", "entity_id", "at"), False),
            (("cell",), False),
            (("at",), False),
        )

    def change_map(self) -> dict[str, Any]:
        return json.loads(self.changes or "{}")

    @classmethod
    def of(cls, entity: str, entity_id: str) -> pw.ModelSelect:
        return (
            cls.select()
            .where(cls.entity == entity, cls.entity_id == entity_id)
            .order_by(cls.at, cls.id)
        )

    @classmethod
    def of_cell(cls, lesson_id: str, student_id: str) -> pw.ModelSelect:
        """Every change to the marks and attendance of one journal cell, oldest first."""
        return (
            cls.select().where(cls.cell == cell_key(lesson_id, student_id)).order_by(cls.at, cls.id)
        )


def cell_key(lesson_id: str, student_id: str) -> str:
    return f"{lesson_id}/{student_id}"
