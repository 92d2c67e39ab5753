"""Sync conflicts in words a teacher reads: which journal cell, what was kept, what was lost.

``sync_conflicts.conflicts_for`` lists the losing writes with the ids and columns sync
stores; a teacher needs the class, the subject, the student and the lesson date, the two
values, who typed each and on which computer. This module names them, so no screen shows
an id or a table name; the screen only lays the lines out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from node.i18n import N_, _, gettext
from node.models import (
    Lesson,
    Period,
    SchoolClass,
    Student,
    Subject,
    SyncModel,
    SyncPeer,
    TeachingAssignment,
    User,
)
from node.models.changes import database_epoch
from node.services.base.actor import Actor
from node.services.base.permissions import Action, allowed, ensure_allowed
from node.services.messaging.mail_summary import ABSENCE_LABELS
from node.services.replication.sync_conflicts import ConflictEntry, conflicts_for, count_conflicts
from node.services.replication.table_names import table_name

#: Why a write lost, as a person reads it (``rejected`` adds the server's reason).
KIND_TEXTS = {
    "concurrent": N_("edited on two computers at once"),
    "deleted": N_("edited on one computer, deleted on another"),
    "unique": N_("entered twice for one cell"),
    "orphan": N_("what it belongs to was deleted on another computer"),
    "rejected": N_("refused by the school server"),
}

#: The tables whose conflicts are a journal's cell (their ``what`` names the row).
CELL_TABLES = ("mark", "attendance", "final_mark", "lesson")

#: Columns whose values a person reads as they are; others (hashes, roles, ids, times)
#: are never shown, so a conflict on an account shows no secret.
_READABLE = (
    "value",
    "topic",
    "homework",
    "status",
    "date",
    "number",
    "last_name",
    "first_name",
    "middle_name",
    "name",
    "reason",
    "until",
)


@dataclass(frozen=True)
class ConflictView:
    """One losing write, named. The ids say where the journal opens (None: not a cell)."""

    id: int
    detected_at: dt.datetime
    kind: str
    kind_text: str
    what: str
    place: str
    kept: str
    lost: str
    kept_by: str
    lost_by: str
    kept_on: str
    lost_on: str
    assignment_id: str | None
    lesson_id: str | None
    student_id: str | None
    period_id: str | None


class _Names:
    """Looks rows up once per listing (a list of 200 conflicts names few people)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[type, str], Any] = {}
        self.epoch = database_epoch()
        self.peers = {p.epoch: p for p in SyncPeer.select() if p.epoch}

    def get(self, model: type[SyncModel], row_id: Any) -> Any:
        if not row_id:
            return None
        key = (model, str(row_id))
        if key not in self.cache:
            self.cache[key] = model.get_or_none(model.id == row_id)
        return self.cache[key]

    def person(self, values: dict[str, Any]) -> str:
        user = self.get(User, values.get("updated_by_id") or values.get("set_by_id"))
        return user.display_name if user is not None else ""

    def device(self, origin: str) -> str:
        if not origin:
            return ""
        if origin == self.epoch:
            return _("this computer")
        peer = self.peers.get(origin)
        if peer is None:
            return ""
        if peer.role == "hub":
            return _("the school server")
        return _("laptop of {login}").format(login=peer.login) if peer.login else _("a laptop")

    def journal(self, assignment_id: Any) -> str:
        assignment = self.get(TeachingAssignment, assignment_id)
        if assignment is None:
            return ""
        school_class = self.get(SchoolClass, assignment.school_class_id)
        subject = self.get(Subject, assignment.subject_id)
        parts = [school_class.label if school_class else "", subject.name if subject else ""]
        return " · ".join(part for part in parts if part)


def _value(table: str, values: dict[str, Any]) -> str:
    """A group's values as the journal shows them; an empty side is a deletion."""
    if not values or "deleted" in values:
        if table == "attendance":
            return _("no absence")
        return _("deleted")
    if table == "attendance" and "code" in values:
        label = ABSENCE_LABELS.get(values["code"])
        text = gettext(label) if label else str(values["code"])
        return f"{text} ({values['reason']})" if values.get("reason") else text
    if table in ("mark", "final_mark") and "value" in values:
        text = str(values["value"])
        return f"{text} ({values['comment']})" if values.get("comment") else text
    shown = [str(values[c]) for c in _READABLE if values.get(c) not in (None, "")]
    return ", ".join(shown) or "—"


def _describe(entry: ConflictEntry, names: _Names) -> ConflictView:
    row = {**entry.stored, **entry.lost}
    lesson = names.get(Lesson, row.get("lesson_id")) if "lesson_id" in row else None
    if entry.table == "lesson":
        lesson = names.get(Lesson, entry.row_id)
    assignment_id = lesson.assignment_id if lesson is not None else row.get("assignment_id")
    student = names.get(Student, row.get("student_id"))
    period = names.get(Period, row.get("period_id"))
    day = lesson.date if lesson is not None else None
    if entry.table == "lesson" and isinstance(row.get("date"), str):
        day = dt.date.fromisoformat(row["date"])
    parts = [
        names.journal(assignment_id),
        student.display_name if student is not None else "",
        day.strftime("%d.%m.%Y") if day is not None else "",
        period.name if period is not None else "",
    ]
    if entry.table in ("user", "student", "guardian") and row.get("last_name"):
        parts.append(" ".join(str(row.get(c) or "") for c in ("last_name", "first_name")))
    place = ", ".join(part for part in parts if part)
    if not place and "lesson_id" in row:
        place = _("a lesson deleted since")
    if entry.kind == "rejected":
        group = [c for c in entry.lost if c in entry.stored]
        kept = _value(entry.table, {c: entry.stored[c] for c in group})
        kind_text = _("refused by the school server: {reason}").format(
            reason=entry.won.get("reason", "")
        )
        kept_by = names.person(entry.stored)
    else:
        kept = _value(entry.table, entry.won)
        kind_text = gettext(KIND_TEXTS.get(entry.kind, entry.kind))
        kept_by = names.person(entry.won)
    cell = entry.table in CELL_TABLES
    return ConflictView(
        id=entry.id,
        detected_at=entry.detected_at,
        kind=entry.kind,
        kind_text=kind_text,
        what=table_name(entry.table) if cell else _("school data"),
        place=place or _("school data"),
        kept=kept,
        lost=_value(entry.table, entry.lost),
        kept_by=kept_by,
        lost_by=names.person(entry.lost),
        kept_on=names.device(entry.won_origin),
        lost_on=names.device(entry.lost_origin),
        assignment_id=assignment_id if cell and assignment_id else None,
        lesson_id=lesson.id if cell and lesson is not None else None,
        student_id=student.id if student is not None else None,
        period_id=period.id if period is not None else None,
    )


def conflict_views(actor: Actor, *, limit: int = 200) -> list[ConflictView]:
    """The conflicts ``actor`` is concerned by (``conflicts_for``), named, newest first."""
    ensure_allowed(actor, Action.CONFLICTS_VIEW)
    entries = conflicts_for(actor, limit=limit)
    names = _Names()
    return [_describe(entry, names) for entry in entries]


def conflict_count(actor: Actor) -> int:
    """How many conflicts ``actor`` is concerned by (home's "needs attention"), counted in
    SQL; 0 for a user who may see none, so home never fails over it."""
    if not allowed(actor, Action.CONFLICTS_VIEW):
        return 0
    return count_conflicts(actor)
