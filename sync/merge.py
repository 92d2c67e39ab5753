"""Merging one change into this database: per field group, last writer wins.

The state of a row is a function of the set of changes known for it, whatever order they
came in: every field group (``node.models.changes.FIELD_GROUPS``) takes its values from the
change with the greatest (HLC, origin) that wrote it, and the row exists when the greatest
insert-or-delete is an insert (deletes are tombstones; an insert with a newer clock re-creates
the row). The table rows are that state, materialised; ``sync_change`` holds the changes.

Nothing is lost: a write that loses to a concurrent one (the winner's writer had not seen it:
the loser is not on the chain of versions the winner's group ``base`` leads back through) is
kept in ``sync_conflict``. Three clashes need a rule every
node applies alike, and each leaves a conflict and, where a row must go, a tombstone that
reaches every node:

* two rows for one unique cell (two laptops made "the" mark of a cell): the row with the
  smaller id stays, the other is deleted;
* a row whose parent was deleted elsewhere (a mark in a lesson another node deleted): the
  child goes too; a nullable reference (``updated_by``) is cleared instead;
* an edit of a row deleted elsewhere: the delete stands.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from node.errors import EdiaryError
from node.i18n import _
from node.models import db
from node.models.changes import ALIVE, TICK_SQL
from node.models.identifiers import ident, idents
from node.services.base import clock
from sync.tables import TableInfo, children_of, tables

OPS = ("insert", "update", "delete")
#: The version of rows that came without a change (the demo, rows older than capture).
BASELINE: tuple[int, str] = (0, "")


class SyncError(EdiaryError):
    """A chunk that cannot be applied (damaged, or refers to rows this node never got)."""


@dataclass(frozen=True)
class Change:
    """One change as it travels: which row, what was written, when (HLC) and where."""

    table: str
    row_id: str
    op: str
    fields: dict[str, Any]
    hlc: int
    origin: str
    base: int = 0

    @property
    def key(self) -> tuple[int, str]:
        return (self.hlc, self.origin)

    def to_wire(self) -> list[Any]:
        return [self.table, self.row_id, self.op, self.fields, self.hlc, self.origin, self.base]

    @classmethod
    def from_wire(cls, item: Any) -> Change:
        try:
            table, row_id, op, fields, hlc, origin, base = item
            ok = (
                isinstance(table, str)
                and table in tables()
                and isinstance(row_id, str)
                and op in OPS
                and isinstance(fields, dict)
                and isinstance(hlc, int)
                and isinstance(origin, str)
                and isinstance(base, int)
            )
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise SyncError(_("A sync chunk holds a damaged change; sync again."))
        info = tables()[table]
        unknown = set(fields) - set(info.columns)
        if unknown:
            raise SyncError(
                _("A sync chunk writes unknown columns of {table}: {columns}.").format(
                    table=table, columns=", ".join(sorted(unknown))
                )
            )
        return cls(table, row_id, op, fields, hlc, origin, base)

    def describe(self) -> dict[str, Any]:
        """A plain dict for people and the wire (what a rejection names)."""
        return {
            "table": self.table,
            "row_id": self.row_id,
            "op": self.op,
            "fields": self.fields,
            "hlc": self.hlc,
            "origin": self.origin,
        }


@dataclass
class Version:
    """The change a group's current value came from."""

    hlc: int
    origin: str
    base: int
    op: str
    fields: dict[str, Any]

    @property
    def key(self) -> tuple[int, str]:
        return (self.hlc, self.origin)


@dataclass
class RowState:
    row: dict[str, Any] | None  # the materialised row, None if absent
    versions: dict[str, Version] = field(default_factory=dict)
    last_fields: dict[str, Any] | None = None  # the newest full image (insert or delete)
    #: per group, every version known here by its HLC: an update's ``base`` names its parent
    #: (two nodes may write in the same millisecond: one HLC can name several versions)
    history: dict[str, dict[int, list[Version]]] = field(default_factory=dict)

    def has_seen(
        self,
        group: str,
        later: Change | Version,
        earlier: Change | Version,
        same: Callable[[Version], bool],
    ) -> bool:
        """Whether ``later``'s writer had ``earlier`` (or the same values) in ``group``.

        An update's base is the HLC of the group's version it overwrote, so the versions a
        writer had form a chain of parents; ``earlier`` was seen when it is on ``later``'s
        chain, or when a version on it held the same values (two laptops typed the same,
        then one changed it knowingly). A parent this node does not hold (a base written
        before v8 named the row's newest change, whatever its group) falls back to
        comparing clocks, as v5 did. When one HLC names several versions, the chain goes on
        through the one last-writer-wins shows, and reaching ``earlier``'s HLC proves
        nothing: the conflict is kept rather than risk losing a write.
        """
        versions = self.history.get(group, {})
        step = later
        while step.base > earlier.hlc:
            parents = versions.get(step.base)
            if not parents:
                return True
            parent = max(parents, key=lambda v: v.key)
            if parent.base >= step.base or same(parent):
                return True
            step = parent
        namesakes = versions.get(earlier.hlc, ())
        return step.base == earlier.hlc and all(v.key == earlier.key for v in namesakes)


def _fetch_row(info: TableInfo, row_id: str) -> dict[str, Any] | None:
    cursor = db.execute_sql(f"SELECT * FROM {ident(info.name)} WHERE id = ?", (row_id,))
    values = cursor.fetchone()
    if values is None:
        return None
    names = [d[0] for d in cursor.description]
    return dict(zip(names, values, strict=True))


def is_known(change: Change) -> bool:
    return (
        db.execute_sql(
            "SELECT 1 FROM sync_change WHERE origin = ? AND hlc = ?", (change.origin, change.hlc)
        ).fetchone()
        is not None
    )


def row_state(info: TableInfo, row_id: str) -> RowState:
    """The row as stored and, per group, the change its value came from."""
    state = RowState(_fetch_row(info, row_id))
    newest_full: tuple[int, str] | None = None
    for op, text, hlc, origin, base in db.execute_sql(
        "SELECT op, fields, hlc, origin, base FROM sync_change WHERE row_id = ? AND tbl = ?",
        (row_id, info.name),
    ):
        fields = json.loads(text)
        version = Version(hlc, origin, base, op, fields)
        for group in info.touched_groups(op, fields):
            state.history.setdefault(group, {}).setdefault(hlc, []).append(version)
            current = state.versions.get(group)
            if current is None or version.key > current.key:
                state.versions[group] = version
        if op != "update" and (newest_full is None or version.key > newest_full):
            newest_full, state.last_fields = version.key, fields
    return state


def log_change(change: Change) -> None:
    db.execute_sql(
        "INSERT INTO sync_change (tbl, row_id, op, fields, hlc, origin, base) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            change.table,
            change.row_id,
            change.op,
            json.dumps(change.fields, ensure_ascii=False, separators=(",", ":")),
            change.hlc,
            change.origin,
            change.base,
        ),
    )


def observe(hlc: int) -> None:
    """Move this node's clock past a received HLC (the 'receive' rule of an HLC)."""
    db.execute_sql("UPDATE sync_clock SET hlc = max(hlc, ?) WHERE id = 1", (hlc,))


@dataclass
class Merger:
    """Applies changes inside the caller's transaction, with capture paused."""

    applied: int = 0
    conflicts: int = 0
    generated: list[Change] = field(default_factory=list)

    # --- entry points --------------------------------------------------------------------

    def apply(self, change: Change, *, log: bool = True) -> None:
        """Merge ``change`` (not yet known here) into its row and keep it in the log."""
        info = tables()[change.table]
        observe(change.hlc)
        state = row_state(info, change.row_id)
        if log:
            log_change(change)
        self.applied += 1
        touched = info.touched_groups(change.op, change.fields)
        won: list[str] = []
        for group in touched:
            current = state.versions.get(group)
            current_key = current.key if current else BASELINE
            if change.key > current_key:
                won.append(group)
            if current is not None and current.key != change.key:
                self._concurrent(info, change, group, current, state, group in won)
        alive_now = state.row is not None
        alive_new = (change.op == "insert") if ALIVE in won else alive_now
        if not alive_new:
            if alive_now:
                self._deleted_edits(info, change, state)
                self._remove(info, state.row or {}, change, kind="orphan")
            else:
                self._edit_of_deleted(info, change, state)
            return
        if alive_now:
            updates = {
                c: change.fields[c]
                for g in won
                if g != ALIVE
                for c in info.groups[g]
                if c in change.fields
            }
            if updates:
                row = {**(state.row or {}), **updates}
                if self._may_stand(info, row, change):
                    self._write(info, change.row_id, updates, insert=False)
            return
        row = self._rebuild(info, change, state, won)
        if self._may_stand(info, row, change):
            self._write(info, change.row_id, {c: row.get(c) for c in info.columns}, insert=True)

    def apply_baseline(self, info: TableInfo, columns: list[str], rows: list[list[Any]]) -> None:
        """Rows of a snapshot that carry no change (version 0): insert the ones this node
        has no history of; a clash with another row of the same cell goes through merge."""
        if not rows:
            return
        ids = [r[0] for r in rows]
        known: set[str] = set()
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            known.update(
                r[0]
                for r in db.execute_sql(
                    f"SELECT DISTINCT row_id FROM sync_change WHERE row_id IN ({marks})", part
                )
            )
        fresh = [r for r in rows if r[0] not in known] if known else rows
        names = idents(columns)
        marks = ", ".join("?" * len(columns))
        conn = db.connection()
        before = conn.total_changes
        conn.executemany(
            f"INSERT INTO {ident(info.name)} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING",
            fresh,
        )
        inserted = conn.total_changes - before
        self.applied += inserted
        if inserted == len(fresh):
            return
        for row in fresh:
            if _fetch_row(info, row[0]) is None:
                values = dict(zip(columns, row, strict=True))
                row_id = values.pop("id")
                self.apply(Change(info.name, row_id, "insert", values, 0, ""), log=False)

    # --- conflicts ----------------------------------------------------------------------

    def _record(
        self,
        kind: str,
        info: TableInfo,
        row_id: str,
        group: str,
        loser: tuple[dict[str, Any], int, str],
        winner: tuple[dict[str, Any], int, str],
    ) -> None:
        cursor = db.execute_sql(
            "INSERT OR IGNORE INTO sync_conflict (detected_at, kind, tbl, row_id, grp, "
            "loser_values, loser_hlc, loser_origin, winner_values, winner_hlc, winner_origin) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                clock.now(),
                kind,
                info.name,
                row_id,
                group,
                _json(loser[0]),
                loser[1],
                loser[2],
                _json(winner[0]),
                winner[1],
                winner[2],
            ),
        )
        self.conflicts += cursor.rowcount

    def _values(self, info: TableInfo, group: str, source: dict[str, Any] | None) -> dict:
        if group == ALIVE or source is None:
            return {}
        return {c: source.get(c) for c in info.groups[group] if c in source}

    def _concurrent(
        self,
        info: TableInfo,
        change: Change,
        group: str,
        current: Version,
        state: RowState,
        change_won: bool,
    ) -> None:
        """Two writes of one group that did not see each other: keep the loser."""
        if group == ALIVE or current.origin == change.origin:
            return
        winner, loser = (change, current) if change_won else (current, change)
        loser_values = self._values(info, group, loser.fields)
        winner_values = self._values(info, group, winner.fields)
        if loser_values == winner_values:
            return

        def same(version: Version) -> bool:
            return self._values(info, group, version.fields) == loser_values

        if state.has_seen(group, winner, loser, same):
            return  # the winner's writer had seen the loser: an ordinary later edit
        self._record(
            "concurrent",
            info,
            change.row_id,
            group,
            (loser_values, loser.hlc, loser.origin),
            (winner_values, winner.hlc, winner.origin),
        )

    def _deleted_edits(self, info: TableInfo, change: Change, state: RowState) -> None:
        """A delete won: edits it had not seen are kept as conflicts."""
        for group, version in state.versions.items():
            if group == ALIVE or version.origin == change.origin or change.base >= version.hlc:
                continue
            if version.key == BASELINE:
                continue
            self._record(
                "deleted",
                info,
                change.row_id,
                group,
                (self._values(info, group, version.fields), version.hlc, version.origin),
                ({}, change.hlc, change.origin),
            )

    def _edit_of_deleted(self, info: TableInfo, change: Change, state: RowState) -> None:
        tomb = state.versions.get(ALIVE)
        if change.op != "update" or tomb is None or tomb.op != "delete":
            return
        if tomb.origin == change.origin or tomb.base >= change.hlc:
            return
        for group in info.touched_groups("update", change.fields):
            self._record(
                "deleted",
                info,
                change.row_id,
                group,
                (self._values(info, group, change.fields), change.hlc, change.origin),
                ({}, tomb.hlc, tomb.origin),
            )

    # --- writing ------------------------------------------------------------------------

    def _rebuild(
        self, info: TableInfo, change: Change, state: RowState, won: list[str]
    ) -> dict[str, Any]:
        """A row coming (back) into existence: each group from the change it last came from."""
        row: dict[str, Any] = dict(state.last_fields or {})
        for group, members in info.groups.items():
            source = change.fields if group in won else None
            if source is None:
                version = state.versions.get(group)
                source = version.fields if version is not None else change.fields
            for column in members:
                if column in source:
                    row[column] = source[column]
        return row

    def _write(self, info: TableInfo, row_id: str, values: dict[str, Any], *, insert: bool):
        if insert:
            names = idents(("id", *values))
            marks = ", ".join("?" * (len(values) + 1))
            db.execute_sql(
                f"INSERT INTO {ident(info.name)} ({names}) VALUES ({marks})",
                (row_id, *values.values()),
            )
        else:
            sets = ", ".join(f"{ident(c)} = ?" for c in values)
            db.execute_sql(
                f"UPDATE {ident(info.name)} SET {sets} WHERE id = ?", (*values.values(), row_id)
            )

    def _may_stand(self, info: TableInfo, row: dict[str, Any], change: Change) -> bool:
        """Check references and unique cells before writing ``row``; resolve clashes."""
        for ref in info.references:
            parent_id = row.get(ref.column)
            if parent_id is None:
                continue
            if _fetch_row(tables()[ref.parent], parent_id) is not None:
                continue
            tomb = tombstone_of(ref.parent, parent_id)
            if tomb is None:
                raise SyncError(
                    _(
                        "A change to {table} refers to a row of {parent} this node never "
                        "received; sync again, or bootstrap this node anew."
                    ).format(table=info.name, parent=ref.parent)
                )
            if ref.nullable:
                row[ref.column] = None
                continue
            self._record(
                "orphan",
                info,
                change.row_id,
                ALIVE,
                (dict(row), change.hlc, change.origin),
                ({"deleted": ref.parent, "id": parent_id}, tomb[0], tomb[1]),
            )
            self._kill(info, change.row_id, row, present=_fetch_row(info, change.row_id))
            return False
        for columns in info.uniques:
            values = [row.get(c) for c in columns]
            if any(v is None for v in values):
                continue
            where = " AND ".join(f"{ident(c)} = ?" for c in columns)
            other = db.execute_sql(
                f"SELECT id FROM {ident(info.name)} WHERE {where} AND id != ?",
                (*values, change.row_id),
            ).fetchone()
            if other is None:
                continue
            other_row = _fetch_row(info, other[0]) or {}
            if change.row_id < other[0]:
                self._record(
                    "unique",
                    info,
                    other[0],
                    ALIVE,
                    (dict(other_row), 0, ""),
                    (dict(row), change.hlc, change.origin),
                )
                self._kill(info, other[0], other_row, present=other_row)
            else:
                self._record(
                    "unique",
                    info,
                    change.row_id,
                    ALIVE,
                    (dict(row), change.hlc, change.origin),
                    (dict(other_row), 0, ""),
                )
                self._kill(info, change.row_id, row, present=_fetch_row(info, change.row_id))
                return False
        return True

    def _kill(
        self, info: TableInfo, row_id: str, row: dict[str, Any], *, present: dict | None
    ) -> None:
        """Delete a row by the rules above, with a tombstone every node will receive."""
        full = {c: row.get(c) for c in info.columns}
        tomb = self._generate(info, row_id, full)
        if present is not None:
            self._remove(info, present, tomb, kind="orphan")

    def _generate(
        self, info: TableInfo, row_id: str, fields: dict[str, Any], op: str = "delete"
    ) -> Change:
        """Log a change of this node's own (a tombstone by default) with a fresh tick."""
        db.execute_sql(TICK_SQL)
        hlc, origin = db.execute_sql("SELECT hlc, origin FROM sync_clock WHERE id = 1").fetchone()
        base = db.execute_sql(
            "SELECT coalesce(max(hlc), 0) FROM sync_change WHERE row_id = ?", (row_id,)
        ).fetchone()[0]
        change = Change(info.name, row_id, op, fields, hlc, origin, base)
        log_change(change)
        self.generated.append(change)
        return change

    def revert(self, refused: Change) -> None:
        """Undo a refused change where it came from: re-state this node's row (or, for a
        row this node never had, a tombstone) as a change of its own, newer than the refused
        one, which the laptop then receives with its next pull."""
        info = tables()[refused.table]
        observe(refused.hlc)
        row = _fetch_row(info, refused.row_id)
        if row is None:
            if refused.op == "insert":
                self._generate(info, refused.row_id, refused.fields)
            return
        if refused.op == "update":
            columns = {
                c for g in info.touched_groups("update", refused.fields) for c in info.groups[g]
            }
            self._generate(info, refused.row_id, {c: row[c] for c in columns}, "update")
        else:
            self._generate(info, refused.row_id, {c: row[c] for c in info.columns}, "insert")

    def _remove(self, info: TableInfo, row: dict[str, Any], cause: Change, *, kind: str) -> None:
        """Delete ``row`` and, first, the rows that refer to it (or clear nullable refs)."""
        row_id = row["id"]
        for ref in children_of(info.name):
            child_info = tables()[ref.table]
            column = ident(ref.column)
            if ref.nullable:
                db.execute_sql(
                    f"UPDATE {ident(ref.table)} SET {column} = NULL WHERE {column} = ?",
                    (row_id,),
                )
                continue
            cursor = db.execute_sql(
                f"SELECT * FROM {ident(ref.table)} WHERE {column} = ?", (row_id,)
            )
            names = [d[0] for d in cursor.description]
            for values in cursor.fetchall():
                child = dict(zip(names, values, strict=True))
                self._record(
                    kind,
                    child_info,
                    child["id"],
                    ALIVE,
                    (dict(child), 0, ""),
                    ({"deleted": info.name, "id": row_id}, cause.hlc, cause.origin),
                )
                tomb = self._generate(
                    child_info, child["id"], {c: child.get(c) for c in child_info.columns}
                )
                self._remove(child_info, child, tomb, kind=kind)
        db.execute_sql(f"DELETE FROM {ident(info.name)} WHERE id = ?", (row_id,))


def tombstone_of(table: str, row_id: str) -> tuple[int, str] | None:
    """The key of the delete that removed ``row_id``, if the log says it was deleted."""
    row = db.execute_sql(
        "SELECT hlc, origin FROM sync_change WHERE row_id = ? AND tbl = ? AND op = 'delete' "
        "ORDER BY hlc DESC LIMIT 1",
        (row_id, table),
    ).fetchone()
    return (row[0], row[1]) if row else None


def _json(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
