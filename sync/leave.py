"""A scope that shrinks: rows that leave a replica when its user may no longer see them.

A substitution removed (or handed to another teacher), a journal given to another teacher,
a class that gets another class teacher, a student moved to another class: the hub's scope
(``sync.scope.ScopeView``) stops sending such rows, and the laptop must stop holding them.
One mechanism covers every case:

* the hub marks a chunk that carries a change able to shrink a scope (``shapes_scope``), and
  names the rows whose own update moved them out of the scope (``gone``: the laptop never
  receives that update, so it is told the row's id, and nothing else of it);
* the laptop, in the same transaction as the chunk, drops those rows and then every row its
  user's scope, computed on its own database by the same ``ScopeView``, no longer allows.

Rows leave with capture paused and with the hub's changes that made them: the laptop writes
no change of its own (nothing is pushed back as a deletion), and a row that comes back into
the scope later (a new substitution) is received again as new. The laptop's own changes stay
in its log: one not yet pushed (an edit made before the right went) still reaches the hub,
which re-checks it against the user's rights and rejects it with a reason, as any push
outside the user's rights.
"""

from __future__ import annotations

from typing import Any

from node.models import db
from node.models.identifiers import ident, idents
from sync.merge import Change
from sync.scope import REFERENCE_TABLES, ScopeView
from sync.tables import children_of, tables

#: Per table, the columns that decide whose scope a row is in. A delete of such a row, or an
#: update of one of these columns, may take rows out of a replica's scope.
SCOPE_COLUMNS: dict[str, frozenset[str]] = {
    "substitution": frozenset({"teacher_id", "lesson_id"}),
    "teaching_assignment": frozenset({"teacher_id", "school_class_id"}),
    "school_class": frozenset({"class_teacher_id"}),
    "lesson": frozenset({"assignment_id"}),
    "student": frozenset({"school_class_id"}),
    "student_guardian": frozenset({"student_id", "guardian_id"}),
    "subgroup": frozenset({"school_class_id"}),
    "subgroup_member": frozenset({"subgroup_id"}),
    "mail_participant": frozenset({"thread_id", "user_id"}),
    "user": frozenset({"roles"}),
}


def shapes_scope(change: Change) -> bool:
    """Can ``change`` take rows out of some replica's scope?"""
    columns = SCOPE_COLUMNS.get(change.table)
    if columns is None:
        return False
    if change.op == "delete":
        return True
    return change.op == "update" and not columns.isdisjoint(change.fields)


def leave_scope(user_id: str, gone: list[tuple[str, str]]) -> int:
    """Drop the ``gone`` rows, then every row ``user_id``'s scope no longer allows; how many
    rows left. Runs inside the caller's transaction with capture paused."""
    left: set[tuple[str, str]] = set()
    # A gone row still held by its children (a journal given to another teacher keeps its
    # lessons) goes first anyway, the check of references put off to the end of the
    # transaction: the scope is then computed without it (this laptop never received the
    # row's new owner), its children leave with it, and it comes back only if one stays.
    db.execute_sql("PRAGMA defer_foreign_keys = ON")
    held: dict[tuple[str, str], tuple[list[str], tuple[Any, ...]]] = {}
    cascaded: set[tuple[str, str]] = set()
    for table, row_id in gone:
        if table not in tables():
            continue
        cursor = db.execute_sql(f"SELECT * FROM {ident(table)} WHERE id = ?", (row_id,))
        values = cursor.fetchone()
        if values is None:
            continue
        if not _drop(table, row_id):
            held[(table, row_id)] = ([d[0] for d in cursor.description], values)
            cascaded |= _descendants(table, row_id)  # its ON DELETE CASCADE takes them now
            db.execute_sql(f"DELETE FROM {ident(table)} WHERE id = ?", (row_id,))
        left.add((table, row_id))
    view = ScopeView.build(user_id)
    if not view.everything:
        for info in reversed(list(tables().values())):  # children before their parents
            if info.name in REFERENCE_TABLES:
                continue  # every replica holds the school's reference data
            cursor = db.execute_sql(f"SELECT * FROM {ident(info.name)}")
            names = [d[0] for d in cursor.description]
            outside = [
                row["id"]
                for row in (dict(zip(names, values, strict=True)) for values in cursor.fetchall())
                if not view.allows(info.name, row)
            ]
            left.update((info.name, row_id) for row_id in outside if _drop(info.name, row_id))
    for (table, row_id), (columns, values) in held.items():
        if _referred(table, row_id):
            db.execute_sql(
                f"INSERT INTO {ident(table)} ({idents(columns)}) "
                f"VALUES ({','.join('?' * len(columns))})",
                values,
            )
            left.discard((table, row_id))
    left |= {(table, row_id) for table, row_id in cascaded if not _exists(table, row_id)}
    _forget(left)
    return len(left)


def _exists(table: str, row_id: str) -> bool:
    return (
        db.execute_sql(f"SELECT 1 FROM {ident(table)} WHERE id = ?", (row_id,)).fetchone()
        is not None
    )


def _descendants(table: str, row_id: str) -> set[tuple[str, str]]:
    """Every row that hangs on this one, however deep (what a cascading delete removes)."""
    found: set[tuple[str, str]] = set()
    todo = [(table, row_id)]
    while todo:
        parent, parent_id = todo.pop()
        for ref in children_of(parent):
            for (child_id,) in db.execute_sql(
                f"SELECT id FROM {ident(ref.table)} WHERE {ident(ref.column)} = ?", (parent_id,)
            ):
                if (ref.table, child_id) not in found:
                    found.add((ref.table, child_id))
                    todo.append((ref.table, child_id))
    return found


def _referred(table: str, row_id: str) -> bool:
    """Does a row of another table still refer to this one?"""
    return any(
        db.execute_sql(
            f"SELECT 1 FROM {ident(ref.table)} WHERE {ident(ref.column)} = ? LIMIT 1", (row_id,)
        ).fetchone()
        is not None
        for ref in children_of(table)
    )


def _drop(table: str, row_id: str) -> bool:
    """Delete the row unless a row that stays still refers to it (it then stays too: holding
    a row too many is safe, a dangling reference is not)."""
    if _referred(table, row_id):
        return False
    cursor = db.execute_sql(f"DELETE FROM {ident(table)} WHERE id = ?", (row_id,))
    return bool(cursor.rowcount)


def _forget(rows: set[tuple[str, str]]) -> None:
    """Remove the received changes of rows that left, keeping this node's own (an edit not
    pushed yet must still reach the hub, to be accepted or rejected there)."""
    mine = db.execute_sql("SELECT origin FROM sync_clock WHERE id = 1").fetchone()[0]
    by_table: dict[str, list[str]] = {}
    for table, row_id in rows:
        by_table.setdefault(table, []).append(row_id)
    for table, ids in by_table.items():
        for start in range(0, len(ids), 500):
            part: list[Any] = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            db.execute_sql(
                f"DELETE FROM sync_change WHERE tbl = ? AND origin != ? AND row_id IN ({marks})",
                (table, mine, *part),
            )
