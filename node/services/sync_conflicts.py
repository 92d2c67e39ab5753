"""Sync conflicts for the people concerned: the writes that lost, and what won.

Sync keeps every losing write in ``sync_conflict`` (DESIGN.md §4: nothing is lost). A
teacher sees the conflicts of rows they may write (their journals; their class as a class
teacher); the director and deputies see every conflict of the school. Screens show the
list; a person re-enters a losing value by hand if it was the right one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from node.models import SyncConflict, User, db
from node.services.actor import Actor
from node.services.permissions import Action, ensure_allowed, may_see_conflict

#: Why a write lost, for people (translated where shown).
KINDS = ("concurrent", "deleted", "unique", "orphan", "rejected")


@dataclass(frozen=True)
class ConflictEntry:
    """One losing write. ``who`` is the login the losing values name, when they name one."""

    id: int
    detected_at: dt.datetime
    kind: str
    table: str
    row_id: str
    group: str
    lost: dict[str, Any]
    won: dict[str, Any]
    lost_hlc: int
    won_hlc: int
    lost_origin: str
    won_origin: str
    who: str
    #: The row as stored, or its last full image if it is gone (names the cell).
    stored: dict[str, Any] = field(default_factory=dict)


def _stored_row(table: str, row_id: str) -> dict[str, Any] | None:
    """The row as stored, or its last full image in the change log if it is gone."""
    cursor = db.execute_sql(f'SELECT * FROM "{table}" WHERE id = ?', (row_id,))
    values = cursor.fetchone()
    if values is not None:
        return dict(zip([d[0] for d in cursor.description], values, strict=True))
    row = db.execute_sql(
        "SELECT fields FROM sync_change WHERE row_id = ? AND tbl = ? AND op != 'update' "
        "ORDER BY hlc DESC LIMIT 1",
        (row_id, table),
    ).fetchone()
    return {"id": row_id, **json.loads(row[0])} if row else None


def _who(values: dict[str, Any]) -> str:
    user_id = values.get("updated_by_id") or values.get("set_by_id")
    if not user_id:
        return ""
    user = User.get_or_none(User.id == user_id)
    return user.login if user else ""


def conflicts_for(actor: Actor, *, limit: int = 200) -> list[ConflictEntry]:
    """The newest conflicts ``actor`` is concerned by, newest first."""
    ensure_allowed(actor, Action.CONFLICTS_VIEW)
    out: list[ConflictEntry] = []
    query = SyncConflict.select().order_by(SyncConflict.detected_at.desc(), SyncConflict.id.desc())
    for row in query.iterator():
        lost = json.loads(row.loser_values or "{}")
        stored = _stored_row(row.tbl, row.row_id) or {}
        if not may_see_conflict(actor, row.tbl, {**stored, **lost}):
            continue
        out.append(
            ConflictEntry(
                id=row.id,
                detected_at=row.detected_at,
                kind=row.kind,
                table=row.tbl,
                row_id=row.row_id,
                group=row.grp,
                lost=lost,
                won=json.loads(row.winner_values or "{}"),
                lost_hlc=row.loser_hlc,
                won_hlc=row.winner_hlc,
                lost_origin=row.loser_origin,
                won_origin=row.winner_origin,
                who=_who(lost),
                stored=stored,
            )
        )
        if len(out) >= limit:
            break
    return out
