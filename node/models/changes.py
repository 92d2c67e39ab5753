"""Change capture for sync: the change log, the hybrid logical clock, field groups, triggers.

Every write to a syncable table, however it is made (a service, a peewee bulk update, raw
SQL from the sqlite3 shell), must reach the change log in the same transaction
(docs/ARCHITECTURE.md §4). Only SQLite triggers see every writer, so capture lives here, in
the core, and the sync package only reads the log. The clock's state is a row of
``sync_clock`` and advances inside the write transaction, because several processes (serve,
tui, the CLI) write one file: ``hlc = max(wall_ms << 16, last + 1)``.

While sync applies remote changes it sets ``sync_clock.applying`` inside its transaction,
and the triggers stand aside, so remote changes never echo back as local ones.

The origin of a change is the database *epoch*: a random 32-hex id made when the database
is created, and made anew when it is restored or copied (``start_new_epoch``), so a copy
never writes under the clock of the database it was copied from.

Node-local tables are not captured: ``meta`` (schema version, node id), ``access_code``,
``session`` and ``sign_in_throttle`` (secrets and counters of this node's sign-ins),
``activity_log`` (what happened on this node), ``sync_peer``/``pairing_code`` (whom this node
trusts) and the ``sync_*`` tables themselves. They are exactly the tables whose model is not
a ``SyncModel``.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import peewee as pw

from node.models.base import BaseModel, SyncModel, db
from node.models.identifiers import ident, idents

#: Pseudo-group for a row's existence: inserts and deletes write it, last writer wins.
ALIVE = "_alive"
#: A remote HLC further ahead of our wall clock than this is refused (and retried later).
#: Two days: a laptop whose clock is a whole day wrong (time zone or date typed by hand)
#: still syncs, while a clock years off cannot poison every node's clock for good.
MAX_CLOCK_AHEAD_MS = 2 * 24 * 3600 * 1000
HLC_SHIFT = 16
#: The v5 triggers, frozen (migration 5 runs this file; never edit it), and v8's
#: replacement of every update trigger (each group's own base).
SQL_TRIGGERS_FILE = Path(__file__).parent / "sql" / "0005_sync_triggers.sql"
SQL_GROUP_BASE_FILE = Path(__file__).parent / "sql" / "0008_sync_group_base.sql"
#: Syncable tables added later, each file freezing its table and its ``trigger_sql``.
SQL_NEW_TABLE_FILES = (Path(__file__).parent / "sql" / "0009_substitution.sql",)

#: Columns that change together: a write to any one of them carries the whole group, and
#: merge keeps or drops the group as a unit (a mark's value never pairs with another
#: write's work type). Columns not listed are a group of their own, named by the column.
#: Changing a group needs a migration that regenerates the table's triggers.
FIELD_GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "mark": {
        "mark": (
            "value",
            "points",
            "work_type_id",
            "comment",
            "updated_by_id",
            "updated_at",
        ),
    },
    "attendance": {"absence": ("code", "reason", "updated_by_id", "updated_at")},
    "final_mark": {
        "final": ("value", "points", "suggested", "justification", "set_by_id", "set_at"),
    },
    "final_mark_unlock": {"unlock": ("unlocked_by_id", "unlocked_at", "until", "reason")},
    "student": {"name": ("last_name", "first_name", "middle_name")},
    "user": {"name": ("last_name", "first_name", "middle_name")},
    "guardian": {"name": ("last_name", "first_name", "middle_name")},
    "period": {"dates": ("start", "end")},
    "holiday": {"dates": ("start", "end")},
    "academic_year": {"dates": ("start", "end")},
    "bell": {"times": ("starts", "ends")},
    "lesson": {"slot": ("date", "number")},
    "substitution": {"substitute": ("teacher_id", "reason")},
    "mail_thread": {"last": ("last_message_at", "last_author_id")},
}


def groups_of(table: str, columns: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Every group of ``table`` (name → columns, in column order); ``id`` is no group."""
    declared = FIELD_GROUPS.get(table, {})
    owner = {column: name for name, members in declared.items() for column in members}
    out: dict[str, list[str]] = {}
    for column in columns:
        if column == "id":
            continue
        out.setdefault(owner.get(column, column), []).append(column)
    return {name: tuple(members) for name, members in out.items()}


def table_columns(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(field.column_name for field in model._meta.sorted_fields)


# --- the tables -------------------------------------------------------------------------


class SyncClock(BaseModel):
    """One row: the HLC state, this database's epoch (the origin of its changes), and the
    flag that pauses capture while sync applies remote changes."""

    id = pw.IntegerField(primary_key=True)
    hlc = pw.IntegerField(default=0)
    origin = pw.TextField()
    epoch_started_at = pw.DateTimeField(null=True)
    applying = pw.IntegerField(default=0)

    class Meta:
        table_name = "sync_clock"


class SyncChange(BaseModel):
    """One captured (or received) change. ``fields`` is JSON of the written columns: the
    whole row for inserts and deletes, the touched groups for updates. ``base`` is, for an
    update, the HLC of the version of its group it overwrote (its parent), for a delete the
    newest HLC the writer held for the row: it tells a concurrent write from a later one."""

    seq = pw.AutoField()
    tbl = pw.TextField()
    row_id = pw.TextField()
    op = pw.TextField()  # insert / update / delete
    fields = pw.TextField()
    hlc = pw.IntegerField()
    origin = pw.TextField()
    base = pw.IntegerField(default=0)

    class Meta:
        table_name = "sync_change"
        indexes = (
            (("origin", "hlc"), True),
            (("row_id", "hlc"), False),
        )


class SyncVector(BaseModel):
    """Per origin, the highest HLC this database holds (every change up to it)."""

    origin = pw.TextField(primary_key=True)
    hlc = pw.IntegerField()

    class Meta:
        table_name = "sync_vector"


class SyncConflict(BaseModel):
    """A write that lost: who, which cell, the losing and winning values and both HLCs.

    ``kind``: ``concurrent`` (two writers, one field group), ``deleted`` (an edit of a row
    another node deleted), ``unique`` (two rows for one cell: the smaller id stays) or
    ``orphan`` (a row whose parent was deleted elsewhere). Node-local: each node lists what it
    saw; the hub sees every change and so every conflict."""

    id = pw.AutoField()
    detected_at = pw.DateTimeField()
    kind = pw.TextField()
    tbl = pw.TextField()
    row_id = pw.TextField()
    grp = pw.TextField()
    loser_values = pw.TextField()
    loser_hlc = pw.IntegerField()
    loser_origin = pw.TextField()
    winner_values = pw.TextField()
    winner_hlc = pw.IntegerField()
    winner_origin = pw.TextField()

    class Meta:
        table_name = "sync_conflict"
        indexes = (
            (("tbl", "row_id", "grp", "loser_origin", "loser_hlc"), True),
            (("detected_at",), False),
        )


SYNC_STATE_MODELS: tuple[type[BaseModel], ...] = (SyncClock, SyncChange, SyncVector, SyncConflict)


# --- triggers ---------------------------------------------------------------------------

_WALL_MS = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
TICK_SQL = f"UPDATE sync_clock SET hlc = max({_WALL_MS} * 65536, hlc + 1) WHERE id = 1;"
_ACTIVE = "(SELECT applying FROM sync_clock WHERE id = 1) = 0"


def _json_object(prefix: str, columns: Iterable[str]) -> str:
    return "json_object(" + ", ".join(f"'{c}', {prefix}.{ident(c)}" for c in columns) + ")"


def _log(table: str, prefix: str, op: str, fields_sql: str, base_sql: str) -> str:
    return (
        "INSERT INTO sync_change (tbl, row_id, op, fields, hlc, origin, base) "
        f"SELECT '{table}', {prefix}.\"id\", '{op}', {fields_sql}, hlc, origin, {base_sql} "
        "FROM sync_clock WHERE id = 1;"
    )


def trigger_sql(table: str, columns: Sequence[str]) -> list[str]:
    """The capture triggers of one table: insert, delete, and one update trigger per group
    (so an UPDATE that rewrites a row unchanged, as peewee's ``save`` does, logs nothing)."""
    data = [c for c in columns if c != "id"]
    base = _ROW_BASE
    out = [
        f"CREATE TRIGGER {ident(f'sync_{table}_insert')} AFTER INSERT ON {ident(table)} "
        f"WHEN {_ACTIVE} "
        f"BEGIN {TICK_SQL} {_log(table, 'NEW', 'insert', _json_object('NEW', data), '0')} END",
        f"CREATE TRIGGER {ident(f'sync_{table}_delete')} AFTER DELETE ON {ident(table)} "
        f"WHEN {_ACTIVE} "
        f"BEGIN {TICK_SQL} {_log(table, 'OLD', 'delete', _json_object('OLD', data), base)} END",
    ]
    for name, members in groups_of(table, columns).items():
        changed = " OR ".join(f"NEW.{ident(c)} IS NOT OLD.{ident(c)}" for c in members)
        of = idents(members)
        fields = _json_object("NEW", members)
        parent = _group_base(members[0])
        out.append(
            f"CREATE TRIGGER {ident(f'sync_{table}_update_{name}')} "
            f"AFTER UPDATE OF {of} ON {ident(table)} "
            f"WHEN {_ACTIVE} AND ({changed}) "
            f"BEGIN {TICK_SQL} {_log(table, 'NEW', 'update', fields, parent)} END"
        )
    return out


#: A delete overwrites the whole row: its base is the newest change of the row.
_ROW_BASE = 'coalesce((SELECT max(hlc) FROM sync_change WHERE row_id = OLD."id"), 0)'


def _group_base(member: str) -> str:
    """An update's base: the HLC of the version of its group it overwrote, i.e. the newest
    change that wrote the group (an insert, or an update carrying one of its columns; an
    update carries its whole group, so one member tells). Merge follows these parents to
    tell a later edit from a concurrent one (``sync.merge``); a row-wide base would take
    another group's newer edit for having seen this one."""
    return (
        'coalesce((SELECT max(hlc) FROM sync_change WHERE row_id = OLD."id" '
        f"AND (op = 'insert' OR (op = 'update' AND json_type(fields, '$.\"{member}\"') "
        "IS NOT NULL))), 0)"
    )


def trigger_names(table: str, columns: Sequence[str]) -> list[str]:
    """The names ``trigger_sql`` gives. A later migration that adds a column to a syncable
    table drops these and freezes the new ``trigger_sql`` output; one that adds a syncable
    table freezes its ``trigger_sql`` (``tests/sync/test_capture.py`` checks both)."""
    names = [f"sync_{table}_insert", f"sync_{table}_delete"]
    return names + [f"sync_{table}_update_{group}" for group in groups_of(table, columns)]


def triggers_for(models: Iterable[type[SyncModel]]) -> list[str]:
    statements: list[str] = []
    for model in models:
        statements.extend(trigger_sql(model._meta.table_name, table_columns(model)))
    return statements


def current_trigger_sql() -> list[str]:
    """The triggers the current models need (a test compares them with the migrated ones)."""
    from node.models import SYNC_MODELS  # here: node.models imports this module

    return triggers_for(SYNC_MODELS)


# --- the clock --------------------------------------------------------------------------


def wall_hlc(offset_ms: int = 0) -> int:
    return (time.time_ns() // 1_000_000 + offset_ms) << HLC_SHIFT


def new_origin() -> str:
    return os.urandom(16).hex()


def database_epoch() -> str:
    """This database's epoch: the origin id its own changes carry."""
    return db.execute_sql("SELECT origin FROM sync_clock WHERE id = 1").fetchone()[0]


def local_max_hlc() -> int:
    """The newest HLC of a change this database wrote itself under its current epoch."""
    row = db.execute_sql(
        "SELECT max(c.hlc) FROM sync_change c JOIN sync_clock k ON k.id = 1 "
        "WHERE c.origin = k.origin"
    ).fetchone()
    return int(row[0] or 0)


def start_new_epoch(conn: sqlite3.Connection, epoch: str | None = None) -> str:
    """Give the database behind ``conn`` a new epoch (after a restore or a copy).

    Works on a plain ``sqlite3`` connection so backup can call it on a file it has not
    opened through the models; a database older than the change log gets its epoch from
    the migration instead. The old epoch's changes stay and are remembered in the vector.
    Runs in the caller's transaction.
    """
    epoch = epoch or new_origin()
    has_clock = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_clock'"
    ).fetchone()
    if has_clock:
        conn.execute(
            "INSERT OR REPLACE INTO sync_vector (origin, hlc) "
            "SELECT k.origin, max(c.hlc) FROM sync_clock k JOIN sync_change c "
            "ON c.origin = k.origin WHERE k.id = 1 GROUP BY k.origin"
        )
        conn.execute(
            "UPDATE sync_clock SET origin = ?, epoch_started_at = datetime('now') WHERE id = 1",
            (epoch,),
        )
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('epoch', ?)", (epoch,))
    return epoch


def new_epoch() -> str:
    """``start_new_epoch`` on the bound database, in one transaction."""
    with db.atomic():
        return start_new_epoch(db.connection())


@contextmanager
def capture_paused() -> Iterator[None]:
    """Within the caller's transaction, write without capturing (sync's apply, the demo).

    Rows written this way carry no change: they are part of the database's *baseline*
    (version 0), which a new replica receives as a snapshot (sync's bootstrap).
    """
    assert db.in_transaction(), "pause capture only inside the write transaction"
    db.execute_sql("UPDATE sync_clock SET applying = 1 WHERE id = 1")
    try:
        yield
    finally:
        db.execute_sql("UPDATE sync_clock SET applying = 0 WHERE id = 1")
