"""Sync conflicts for the people concerned: the writes that lost, and what won.

Sync keeps every losing write in ``sync_conflict`` (docs/ARCHITECTURE.md §4: nothing is lost). A
teacher sees the conflicts of rows they may write (their journals; their class as a class
teacher); the director and deputies see every conflict of the school. Screens show the
list; a person re-enters a losing value by hand if it was the right one.

Who sees which conflict is the permission module's rule, ``may_see_conflict``; for the
journal's tables it also states it in SQL (``conflict_condition_sql``), so the list and
home's count decide thousands of conflicts in one statement instead of row by row.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from node.models import SYNC_MODELS, SyncConflict, User, db
from node.models.identifiers import ident
from node.services.base.actor import Actor
from node.services.base.permissions import (
    CONFLICT_SQL_TABLES,
    Action,
    conflict_condition_sql,
    ensure_allowed,
    may_see_conflict,
)

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
    cursor = db.execute_sql(f"SELECT * FROM {ident(table)} WHERE id = ?", (row_id,))
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


#: The columns ``permissions.conflict_condition_sql`` reads of a conflict's row.
_RULE_COLUMNS = ("lesson_id", "student_id", "assignment_id")


@cache
def _rule_rows_sql() -> str:
    """A ``WITH`` naming ``r``: per conflict of ``CONFLICT_SQL_TABLES``, its id, table and
    the rule columns of its row as ``conflicts_for`` builds it: the losing values over the
    row as stored, or over its last full image in the change log when it is gone."""
    columns = {m._meta.table_name: set(m._meta.columns) for m in SYNC_MODELS}
    tables = sorted(CONFLICT_SQL_TABLES & columns.keys())
    live = " ".join(
        f"WHEN '{t}' THEN EXISTS (SELECT 1 FROM {ident(t)} WHERE id = k.row_id)" for t in tables
    )

    def stored(column: str) -> str:
        whens = " ".join(
            f"WHEN '{t}' THEN (SELECT {ident(column)} FROM {ident(t)} WHERE id = c.row_id)"
            for t in tables
            if column in columns[t]
        )
        return f"CASE c.tbl {whens} END"

    values = ", ".join(
        f"CASE WHEN json_type(c.lost, '$.{column}') IS NOT NULL "
        f"THEN json_extract(c.lost, '$.{column}') WHEN c.live THEN {stored(column)} "
        f"ELSE json_extract(c.image, '$.{column}') END AS {column}"
        for column in _RULE_COLUMNS
    )
    listed = ", ".join(f"'{t}'" for t in sorted(CONFLICT_SQL_TABLES))
    return (
        "WITH base AS (SELECT k.id, k.tbl, k.row_id, "
        "coalesce(nullif(k.loser_values, ''), '{}') AS lost, "
        f"CASE k.tbl {live} ELSE 0 END AS live FROM sync_conflict k WHERE k.tbl IN ({listed})), "
        "c AS (SELECT base.*, CASE WHEN live THEN NULL ELSE (SELECT fields FROM sync_change s "
        "WHERE s.row_id = base.row_id AND s.tbl = base.tbl AND s.op != 'update' "
        "ORDER BY s.hlc DESC LIMIT 1) END AS image FROM base), "
        f"r AS (SELECT c.id, c.tbl, {values} FROM c) "
    )


def _visible_ids(actor: Actor) -> set[int] | None:
    """Ids of the conflicts ``actor`` is concerned by; None: every one (the administration).

    The journal's conflicts are decided in one SQL statement (home counts them on every
    visit); the few others row by row, as ``may_see_conflict`` says."""
    condition = conflict_condition_sql(actor)
    if condition is None:
        return None
    sql, params = condition
    cursor = db.execute_sql(f"{_rule_rows_sql()} SELECT r.id FROM r WHERE {sql}", params)
    visible = {row[0] for row in cursor}
    others = SyncConflict.select().where(SyncConflict.tbl.not_in(sorted(CONFLICT_SQL_TABLES)))
    for row in others.iterator():
        lost = json.loads(row.loser_values or "{}")
        stored = _stored_row(row.tbl, row.row_id) or {}
        if may_see_conflict(actor, row.tbl, {**stored, **lost}):
            visible.add(row.id)
    return visible


def count_conflicts(actor: Actor) -> int:
    """How many conflicts ``actor`` is concerned by: as many as ``conflicts_for`` lists
    without a limit, without reading them."""
    ensure_allowed(actor, Action.CONFLICTS_VIEW)
    visible = _visible_ids(actor)
    return SyncConflict.select().count() if visible is None else len(visible)


def conflicts_for(actor: Actor, *, limit: int = 200) -> list[ConflictEntry]:
    """The newest conflicts ``actor`` is concerned by, newest first."""
    ensure_allowed(actor, Action.CONFLICTS_VIEW)
    visible = _visible_ids(actor)
    out: list[ConflictEntry] = []
    query = SyncConflict.select().order_by(SyncConflict.detected_at.desc(), SyncConflict.id.desc())
    for row in query.iterator():
        if visible is not None and row.id not in visible:
            continue
        lost = json.loads(row.loser_values or "{}")
        stored = _stored_row(row.tbl, row.row_id) or {}
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
