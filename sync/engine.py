"""The sync engine: what a node sends, what it takes, and the bookkeeping in between.

This is the whole contract the transport (``sync.server``, ``sync.client``, ``sync.runner``)
codes against; it never touches the network. Every call is blocking database work (run it
off the event loop).

* ``version_vector()`` — per origin (a database epoch), the highest HLC held.
* ``export_chunk(scope, since)`` — the changes newer than ``since`` that ``scope`` may see,
  oldest first, at most ``max_changes``; ``Chunk.vector`` is the receiver's vector once it
  has applied the chunk, ``Chunk.more`` says whether to ask again.
* ``apply_chunk(payload, pushed_by=...)`` — merges a chunk and advances the vector in one
  transaction; applying it twice, late or out of order changes nothing. ``pushed_by`` is the
  pushing replica's scope on the hub (every change is re-checked against that user's write
  permissions; a refused change is kept in the conflicts log, and the hub re-states its own
  row as a new change so the laptop is put right by its next pull) and ``None`` on a replica
  applying what its trusted hub sent. ``ApplyResult.applied`` counts the changes merged and
  the snapshot rows inserted.
* ``bootstrap(scope, resume=...)`` — a new replica's first fill: the current rows of its
  scope (and, for rows with a change history, the changes their values came from) instead of
  every change. Each chunk tells the replica where the fill got to, and the replica keeps
  that in the chunk's transaction (``bootstrap_progress()``): a fill cut off resumes after
  the last chunk applied instead of starting over, and one that completed is never redone.
* ``database_epoch()`` / ``new_epoch()`` — the origin id of this database's own changes; a
  restored or copied database starts a new one, and peers then exchange everything anew.

Payload: zlib-compressed JSON ``{"format": "ediary-sync", "version": 1, "kind": "changes" |
"snapshot", "epoch", "vector", "changes": [[table, row_id, op, fields, hlc, origin, base]],
"rows": {table: {"columns": [...], "rows": [[...]]}}}``; a snapshot also has ``"resume"``:
``{"epoch", "table", "after", "held"}`` (the fill goes on with the rows of ``table`` after id
``after``, then the later tables, and ends with vector ``held``) or ``{"epoch", "done": true}``.
A changes chunk for a restricted scope may have ``"leave": {"user", "gone": [[table, id]]}``:
the replica drops what left its user's scope (``sync.leave``).
"""

from __future__ import annotations

import heapq
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from node.i18n import _
from node.models import Meta, User, db
from node.models.changes import (
    MAX_CLOCK_AHEAD_MS,
    capture_paused,
    local_max_hlc,
    wall_hlc,
)
from node.models.changes import (
    database_epoch as _database_epoch,
)
from node.models.changes import (
    new_epoch as _new_epoch,
)
from node.models.identifiers import ident
from node.services.base.actor import Actor
from node.services.base.permissions import may_write_row
from node.services.base.text import has_controls
from node.services.replication.table_names import table_name
from sync.leave import leave_scope, shapes_scope
from sync.merge import Change, Merger, SyncError, is_known, tombstone_of
from sync.scope import BY_ASSIGNMENT, BY_LESSON, ScopeView
from sync.tables import TableInfo, tables

FORMAT = "ediary-sync"
FORMAT_VERSION = 1
#: Meta key: how far this replica's first fill got (the last snapshot chunk's ``resume``).
BOOTSTRAP_KEY = "sync_bootstrap"
#: Rows per bootstrap chunk (a chunk is one transaction on the replica).
BOOTSTRAP_ROWS = 20_000
#: Changes per incremental chunk, unless the hub's ``sync_chunk_changes`` says fewer.
CHUNK_CHANGES = 5000

__all__ = [
    "ApplyResult",
    "Chunk",
    "Rejection",
    "Resume",
    "Scope",
    "SyncError",
    "apply_chunk",
    "bootstrap",
    "bootstrap_progress",
    "database_epoch",
    "export_chunk",
    "new_epoch",
    "pending_changes",
    "scope_for_user",
    "version_vector",
]


@dataclass(frozen=True)
class Scope:
    """Whose view of the school a replica holds; ``None`` is the whole school."""

    user_id: str | None


def scope_for_user(user_id: str) -> Scope:
    return Scope(user_id)


@dataclass(frozen=True)
class Chunk:
    payload: bytes
    vector: dict[str, int]
    more: bool


@dataclass(frozen=True)
class Rejection:
    """A pushed change the hub refused: ``change`` names table, row, op and fields."""

    change: dict[str, Any]
    reason: str


@dataclass(frozen=True)
class ApplyResult:
    applied: int
    skipped: int
    conflicts: int
    rejected: list[Rejection]


# --- state ------------------------------------------------------------------------------


def database_epoch() -> str:
    """The origin id of this database's own changes (new after a restore or a copy)."""
    return _database_epoch()


def new_epoch() -> str:
    """Start a new epoch (a copied database); backup's restore does the same on its file."""
    return _new_epoch()


def version_vector() -> dict[str, int]:
    """Per origin, the highest HLC this database holds."""
    vector = {origin: hlc for origin, hlc in db.execute_sql("SELECT origin, hlc FROM sync_vector")}
    local = local_max_hlc()
    if local:
        epoch = database_epoch()
        vector[epoch] = max(vector.get(epoch, 0), local)
    return vector


def pending_changes(since: dict[str, int]) -> int:
    """How many of this node's own changes a peer with vector ``since`` has not got."""
    epoch = database_epoch()
    row = db.execute_sql(
        "SELECT count(*) FROM sync_change WHERE origin = ? AND hlc > ?",
        (epoch, int(since.get(epoch, 0))),
    ).fetchone()
    return int(row[0])


# --- payloads ---------------------------------------------------------------------------


def _encode(
    kind: str,
    vector: dict[str, int],
    changes: list[Change],
    rows: dict,
    resume: dict[str, Any] | None = None,
    leave: dict[str, Any] | None = None,
) -> bytes:
    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "kind": kind,
        "epoch": database_epoch(),
        "vector": vector,
        "changes": [c.to_wire() for c in changes],
        "rows": rows,
    }
    if resume is not None:
        document["resume"] = resume
    if leave is not None:
        document["leave"] = leave
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 1)


def _decode(payload: bytes) -> dict[str, Any]:
    try:
        document = json.loads(zlib.decompress(payload).decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise SyncError(
            _("A sync chunk is damaged ({error}); sync again.").format(error=exc)
        ) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SyncError(_("The data received is not an ediary sync chunk."))
    if document.get("version") != FORMAT_VERSION:
        raise SyncError(
            _(
                "The other node speaks sync format {version}, this one {mine}; "
                "update ediary on both."
            ).format(version=document.get("version"), mine=FORMAT_VERSION)
        )
    vector = document.get("vector")
    if not isinstance(vector, dict) or not all(
        isinstance(k, str) and isinstance(v, int) for k, v in vector.items()
    ):
        raise SyncError(_("A sync chunk carries a damaged version vector; sync again."))
    if not isinstance(document.get("changes"), list) or not isinstance(document.get("rows"), dict):
        raise SyncError(_("A sync chunk is damaged; sync again."))
    return document


# --- export -----------------------------------------------------------------------------


def _change_rows(origin: str, after: int, limit: int) -> list[Change]:
    return [
        Change(t, r, op, json.loads(f), h, o, b)
        for t, r, op, f, h, o, b in db.execute_sql(
            "SELECT tbl, row_id, op, fields, hlc, origin, base FROM sync_change "
            "WHERE origin = ? AND hlc > ? ORDER BY hlc LIMIT ?",
            (origin, after, limit),
        )
    ]


def _full_rows(info: TableInfo, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored rows (or, for rows gone since, their last full image in the log)."""
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        cursor = db.execute_sql(f"SELECT * FROM {ident(info.name)} WHERE id IN ({marks})", part)
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            out[row["id"]] = row
        missing = [i for i in part if i not in out]
        if missing:
            marks = ",".join("?" * len(missing))
            for row_id, text in db.execute_sql(
                f"SELECT row_id, fields FROM sync_change WHERE row_id IN ({marks}) "
                "AND op != 'update' ORDER BY hlc",
                missing,
            ):
                out[row_id] = {"id": row_id, **json.loads(text)}
    return out


def _masked(info: TableInfo, hidden: tuple[str, ...], values: dict[str, Any]) -> dict:
    """Hidden columns of a whole row as their empty value (the row must still insert)."""
    out = dict(values)
    for column in hidden:
        if column in out:
            out[column] = None if info.model._meta.columns[column].null else ""
    return out


def _filter(view: ScopeView, changes: list[Change]) -> list[Change]:
    """The changes ``view`` may receive, without the columns it may not see."""
    if view.whole:
        return changes
    updates: dict[str, set[str]] = {}
    for change in changes:
        if change.op == "update":
            updates.setdefault(change.table, set()).add(change.row_id)
    rows = {t: _full_rows(tables()[t], sorted(ids)) for t, ids in updates.items()}
    out: list[Change] = []
    for change in changes:
        info = tables()[change.table]
        if change.op == "update":
            stored = rows[change.table].get(change.row_id)
            if stored is None:
                continue
            row = {**stored, **change.fields}
        else:
            row = {"id": change.row_id, **change.fields}
        if not view.allows(change.table, row):
            continue
        hidden = view.hidden(change.table, row)
        if not hidden:
            out.append(change)
        elif change.op == "update":
            fields = {k: v for k, v in change.fields.items() if k not in hidden}
            if fields:
                out.append(Change(**{**change.__dict__, "fields": fields}))
        else:
            fields = _masked(info, hidden, change.fields)
            out.append(Change(**{**change.__dict__, "fields": fields}))
    return out


def export_chunk(scope: Scope, since: dict[str, int], *, max_changes: int = CHUNK_CHANGES) -> Chunk:
    """The next chunk of changes newer than ``since`` that ``scope`` may receive."""
    held = version_vector()  # read first: every change up to it is already committed
    since = {str(k): int(v) for k, v in since.items()}
    fetched: dict[str, list[Change]] = {}
    for origin, top in held.items():
        after = since.get(origin, 0)
        if top > after:
            fetched[origin] = _change_rows(origin, after, max_changes + 1)
    ordered = list(heapq.merge(*fetched.values(), key=lambda c: c.key))
    taken = ordered[:max_changes]
    more = len(ordered) > max_changes
    vector = dict(since)
    counts: dict[str, int] = {}
    for change in taken:
        counts[change.origin] = counts.get(change.origin, 0) + 1
        vector[change.origin] = max(vector.get(change.origin, 0), change.hlc)
    for origin, changes in fetched.items():
        complete = counts.get(origin, 0) == len(changes) and len(changes) <= max_changes
        if complete:
            vector[origin] = max(vector.get(origin, 0), held[origin])
    for origin, top in held.items():
        if origin not in fetched:
            vector[origin] = max(vector.get(origin, 0), top)
    rows: dict[str, dict[str, Any]] = {}
    leave: dict[str, Any] | None = None
    if taken:
        view = ScopeView.build(scope.user_id)
        sent = _filter(view, taken)
        leave = _leaving(view, taken, sent)
        rows, earlier = _reached(view, sent)
        taken = earlier + sent
    return Chunk(_encode("changes", vector, taken, rows, leave=leave), vector, more)


# --- a scope that shrinks: rows the laptop must stop holding (sync.leave) --------------


def _leaving(view: ScopeView, taken: list[Change], sent: list[Change]) -> dict[str, Any] | None:
    """Tell a restricted replica to drop what left its scope when this chunk holds a change
    that may shrink it: the rows whose own change it does not receive are named (``gone``);
    the laptop finds the rest with its own ``ScopeView``. None when nothing can have left."""
    if view.everything or view.user_id is None:
        return None
    delivered = {c.key for c in sent}
    shaping = [c for c in taken if shapes_scope(c)]
    if not shaping:
        return None
    gone = sorted({(c.table, c.row_id) for c in shaping if c.key not in delivered})
    return {"user": view.user_id, "gone": [list(g) for g in gone]}


# --- a scope that grows: a lesson given to a substitute ---------------------------------

#: Per table, the rows a substitute's laptop needs to keep one lesson of another teacher's
#: journal: an SQL condition on one id set — the lessons, their journals (assignments) or
#: their classes. ``ScopeView.allows`` still decides each row.
_SUBSTITUTE_FILL = {
    "user": ("id IN (SELECT user_id FROM student WHERE school_class_id IN {})", "classes"),
    "student": ("school_class_id IN {}", "classes"),
    "subgroup": ("school_class_id IN {}", "classes"),
    "subgroup_member": (
        "subgroup_id IN (SELECT id FROM subgroup WHERE school_class_id IN {})",
        "classes",
    ),
    "teaching_assignment": ("id IN {}", "journals"),
    "plan_item": ("assignment_id IN {}", "journals"),
    "lesson": ("id IN {}", "lessons"),
    "lesson_plan_item": ("lesson_id IN {}", "lessons"),
    "mark": ("lesson_id IN {}", "lessons"),
    "attendance": ("lesson_id IN {}", "lessons"),
}


#: The same for a journal given to the scope's user (its teacher left mid-year): the whole
#: journal — its lessons and their pages, plan, final marks, timetable places — and the
#: class's students.
_JOURNAL_FILL = {
    **{t: c for t, c in _SUBSTITUTE_FILL.items() if c[1] == "classes"},
    "teaching_assignment": ("id IN {}", "journals"),
    **{t: ("assignment_id IN {}", "journals") for t in BY_ASSIGNMENT},
    **{
        t: ("lesson_id IN (SELECT id FROM lesson WHERE assignment_id IN {})", "journals")
        for t in (*BY_LESSON, "substitution")
    },
}


def _newly_substituted(view: ScopeView, changes: list[Change]) -> dict[str, list[str]]:
    """The lessons (with their journals and classes) this chunk gives the scope's user as a
    substitute. They are older than the laptop's cursor, so incremental sync alone would
    send the substitution without its lesson; a first fill sends them anyway
    (``bootstrap``), and so does ``_reached``, once, in the chunk with the substitution."""
    given = [c for c in changes if c.table == "substitution" and c.op != "delete"]
    given = [c for c in given if c.fields.get("teacher_id") == view.user_id]
    if not given:
        return {}
    stored = _full_rows(tables()["substitution"], [c.row_id for c in given])
    lessons = {
        str(c.fields.get("lesson_id") or stored.get(c.row_id, {}).get("lesson_id")) for c in given
    } & view.substituted
    if not lessons:
        return {}
    journals = _column_of("lesson", "assignment_id", lessons)
    classes = _column_of("teaching_assignment", "school_class_id", journals)
    return {"lessons": sorted(lessons), "journals": sorted(journals), "classes": sorted(classes)}


def _newly_given_journals(view: ScopeView, changes: list[Change]) -> dict[str, list[str]]:
    """The journals this chunk hands to the scope's user (``students.handover``): older
    than the laptop's cursor like a substituted lesson, so sent whole, once."""
    journals = {
        c.row_id
        for c in changes
        if c.table == "teaching_assignment"
        and c.op == "update"
        and c.fields.get("teacher_id") == view.user_id
        and c.row_id in view.assignments
    }
    if not journals:
        return {}
    classes = _column_of("teaching_assignment", "school_class_id", journals)
    return {"journals": sorted(journals), "classes": sorted(classes)}


def _column_of(table: str, column: str, ids: set[str]) -> set[str]:
    marks = ",".join("?" * len(ids))
    return {
        r[0]
        for r in db.execute_sql(
            f"SELECT DISTINCT {ident(column)} FROM {ident(table)} WHERE id IN ({marks})",
            sorted(ids),
        )
    }


def _reached(view: ScopeView, changes: list[Change]) -> tuple[dict, list[Change]]:
    """The rows (and the changes their values came from) that this chunk brings into the
    scope although they are older than the laptop's cursor: a lesson given to a substitute,
    a journal given to a teacher. ``ScopeView.allows`` still decides each row."""
    if view.everything or view.user_id is None:
        return {}, []
    fills = [
        (fill, groups)
        for fill, groups in (
            (_SUBSTITUTE_FILL, _newly_substituted(view, changes)),
            (_JOURNAL_FILL, _newly_given_journals(view, changes)),
        )
        if groups
    ]
    rows: dict[str, dict[str, Any]] = {}
    earlier: list[Change] = []
    for info in tables().values():  # parents before their children
        columns = ["id", *info.columns]
        out_rows: dict[str, list[Any]] = {}
        for fill, groups in fills:
            if info.name not in fill:
                continue
            condition, group = fill[info.name]
            params = groups[group]
            where = condition.format("(" + ",".join("?" * len(params)) + ")")
            cursor = db.execute_sql(
                f"SELECT * FROM {ident(info.name)} WHERE {where} ORDER BY id", params
            )
            names = [d[0] for d in cursor.description]
            for values in cursor.fetchall():
                row = dict(zip(names, values, strict=True))
                if row["id"] in out_rows or not view.allows(info.name, row):
                    continue
                hidden = view.hidden(info.name, row)
                if hidden:
                    row = _masked(info, hidden, row)
                out_rows[row["id"]] = [row[c] for c in columns]
        if out_rows:
            rows[info.name] = {"columns": columns, "rows": list(out_rows.values())}
            earlier.extend(_filter(view, _compacted(info, list(out_rows))))
    return rows, earlier


# --- bootstrap --------------------------------------------------------------------------


def _compacted(info: TableInfo, ids: list[str]) -> list[Change]:
    """For rows with a history: per group, the change its current value came from."""
    out: list[Change] = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        latest: dict[tuple[str, str], Change] = {}
        for t, r, op, f, h, o, b in db.execute_sql(
            "SELECT tbl, row_id, op, fields, hlc, origin, base FROM sync_change "
            f"WHERE row_id IN ({marks})",
            part,
        ):
            if t != info.name:
                continue
            change = Change(t, r, op, json.loads(f), h, o, b)
            for group in info.touched_groups(op, change.fields):
                current = latest.get((r, group))
                if current is None or change.key > current.key:
                    latest[(r, group)] = change
        by_change: dict[tuple[int, str], tuple[Change, set[str]]] = {}
        for (_row, group), change in latest.items():
            by_change.setdefault(change.key, (change, set()))[1].add(group)
        for change, groups in by_change.values():
            if change.op == "delete":
                continue  # the row is there: a newer insert won
            if change.op == "insert" and len(groups) == len(info.groups) + 1:
                out.append(change)
                continue
            columns = {c for g in groups if g in info.groups for c in info.groups[g]}
            fields = {k: v for k, v in change.fields.items() if k in columns}
            op = "insert" if "_alive" in groups else "update"
            out.append(Change(change.table, change.row_id, op, fields, *change.key, change.base))
    out.sort(key=lambda c: c.key)
    return out


def _tombstones(view: ScopeView) -> list[Change]:
    """The last delete of every row that is gone, so a re-filled replica drops it too."""
    latest: dict[str, Change] = {}
    for t, r, op, f, h, o, b in db.execute_sql(
        "SELECT tbl, row_id, op, fields, hlc, origin, base FROM sync_change WHERE op = 'delete'"
    ):
        if t not in tables():
            continue
        current = latest.get(r)
        if current is None or h > current.hlc:
            latest[r] = Change(t, r, op, json.loads(f), h, o, b)
    out = []
    for row_id, change in latest.items():
        info = tables()[change.table]
        exists = db.execute_sql(
            f"SELECT 1 FROM {ident(info.name)} WHERE id = ?", (row_id,)
        ).fetchone()
        if exists is None:
            out.append(change)
    return sorted(_filter(view, out), key=lambda c: c.key)


@dataclass(frozen=True)
class Resume:
    """Where a cut-off first fill goes on: after row ``after`` of ``table``; ``held`` is the
    vector the fill started from (rows sent since are newer, never older, than it)."""

    table: str
    after: str
    held: dict[str, int]

    @classmethod
    def parse(cls, value: Any) -> Resume:
        """From a replica's request; ValueError for anything malformed."""
        if not isinstance(value, dict):
            raise ValueError("resume must be an object")
        table, after, held = value.get("table"), value.get("after"), value.get("held")
        if table not in tables() or not isinstance(after, str) or not isinstance(held, dict):
            raise ValueError("resume needs a known table, an id and a vector")
        if not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
            for k, v in held.items()
        ):
            raise ValueError("resume's vector maps node ids to integers")
        return cls(table, after, dict(held))


def bootstrap_progress() -> dict[str, Any] | None:
    """How far this replica's first fill got: the last applied snapshot chunk's ``resume``
    (``done`` once the fill completed), or None before any."""
    text = Meta.get_value(BOOTSTRAP_KEY)
    if not text:
        return None
    value = json.loads(text)
    return value if isinstance(value, dict) else None


def bootstrap(
    scope: Scope, *, max_rows: int = BOOTSTRAP_ROWS, resume: Resume | None = None
) -> Iterator[Chunk]:
    """A new replica's first fill, in chunks; only the last one carries the vector, so a
    replica stopped half way has not claimed changes it never got. Each chunk says where
    the fill got to (the replica keeps it); ``resume`` goes on from there."""
    held = dict(resume.held) if resume is not None else version_vector()
    epoch = database_epoch()
    view = ScopeView.build(scope.user_id)
    rows: dict[str, dict[str, Any]] = {}
    changes: list[Change] = []
    count = 0
    names = list(tables())
    first = names.index(resume.table) if resume is not None else 0
    for info in list(tables().values())[first:]:
        columns = ["id", *info.columns]
        where = view.sql_filter(info.name)
        clause, params = (f" AND ({where[0]})", where[1]) if where else ("", [])
        last = resume.after if resume is not None and info.name == resume.table else ""
        while True:
            cursor = db.execute_sql(
                f"SELECT * FROM {ident(info.name)} WHERE id > ?{clause} ORDER BY id LIMIT ?",
                (last, *params, max_rows),
            )
            names = [d[0] for d in cursor.description]
            page = cursor.fetchall()
            if not page:
                break
            last = page[-1][0]
            order = [names.index(c) for c in columns]
            out_rows = []
            for values in page:
                row = dict(zip(names, values, strict=True))
                if not view.allows(info.name, row):
                    continue
                hidden = view.hidden(info.name, row)
                if hidden:
                    row = _masked(info, hidden, row)
                    out_rows.append([row[c] for c in columns])
                else:
                    out_rows.append([values[i] for i in order])
            if out_rows:
                part = rows.setdefault(info.name, {"columns": columns, "rows": []})
                part["rows"].extend(out_rows)
                history = _compacted(info, [r[0] for r in out_rows])
                changes.extend(_filter(view, history))
                count += len(out_rows) + len(history)
            if count >= max_rows:
                position = {"epoch": epoch, "table": info.name, "after": last, "held": held}
                yield Chunk(_encode("snapshot", {}, changes, rows, position), {}, True)
                rows, changes, count = {}, [], 0
            if len(page) < max_rows:
                break
    changes.extend(_tombstones(view))
    done = {"epoch": epoch, "done": True}
    yield Chunk(_encode("snapshot", held, changes, rows, done), held, False)


# --- apply ------------------------------------------------------------------------------


def _actor(pushed_by: Scope | None) -> Actor | None:
    if pushed_by is None:
        return None
    if pushed_by.user_id is None:
        return Actor.for_system()
    user = User.get_or_none(User.id == pushed_by.user_id)
    if user is None:
        raise SyncError(_("The account this laptop was paired for no longer exists."))
    return Actor.from_user(user)


def _refusal(actor: Actor, change: Change) -> str | None:
    """Why ``actor`` may not make ``change`` here, or None if they may."""
    info = tables()[change.table]
    stored = db.execute_sql(f"SELECT * FROM {ident(info.name)} WHERE id = ?", (change.row_id,))
    values = stored.fetchone()
    before = dict(zip([d[0] for d in stored.description], values, strict=True)) if values else None
    if change.op == "delete":
        if before is None:
            return None  # deleting what is not here changes nothing
        rows = [before]
    elif change.op == "insert":
        rows = [{**(before or {}), "id": change.row_id, **change.fields}]
        if before is not None:
            rows.append(before)
    else:
        if before is None:
            full = _full_rows(info, [change.row_id]).get(change.row_id)
            if full is None:
                return _("The change is to a row the school server does not have.")
            before = full
        rows = [before, {**before, **change.fields}]
    changed = tuple(change.fields) if change.op == "update" else None
    for row in rows:
        if may_write_row(actor, change.table, row, changed=changed) or _orphaned(info, row):
            continue
        return _("{login} may not change this record ({what}).").format(
            login=actor.login, what=table_name(change.table)
        )
    return None


def _unsafe_text(change: Change) -> str | None:
    """Why a pushed change's text may not be stored: the services store typed text without
    control characters (``node.services.base.text``), and a laptop's push must not be the way
    round that. Refused rather than cleaned, so hub and laptop still agree on every value."""
    for value in change.fields.values():
        if isinstance(value, str) and has_controls(value):
            return _(
                "The change holds control characters (such as an escape sequence) that no "
                "text may hold; type it again on this version of ediary."
            )
    return None


def _orphaned(info: TableInfo, row: dict[str, Any]) -> bool:
    """Does ``row`` hang from a row deleted here (a mark in a lesson the hub deleted while
    the laptop was away)? Merge keeps such a row out and logs it, so it needs no rights."""
    for ref in info.references:
        parent_id = row.get(ref.column)
        if ref.nullable or parent_id is None:
            continue
        gone = (
            db.execute_sql(
                f"SELECT 1 FROM {ident(ref.parent)} WHERE id = ?", (parent_id,)
            ).fetchone()
            is None
        )
        if gone and tombstone_of(ref.parent, parent_id) is not None:
            return True
    return False


def _reject(merger: Merger, change: Change, reason: str) -> Rejection:
    """Keep the refused change in the conflicts log and send the laptop back the truth."""
    info = tables()[change.table]
    merger.revert(change)
    merger._record(
        "rejected",
        info,
        change.row_id,
        "_alive" if change.op != "update" else ",".join(change.fields),
        (change.fields, change.hlc, change.origin),
        ({"reason": reason}, 0, database_epoch()),
    )
    return Rejection(change.describe(), reason)


def _leave(leave: Any) -> None:
    """Drop what left this replica's scope, as its hub said (``sync.leave``)."""
    if leave is None:
        return
    gone = leave.get("gone") if isinstance(leave, dict) else None
    user = leave.get("user") if isinstance(leave, dict) else None
    if not isinstance(user, str) or not isinstance(gone, list):
        raise SyncError(_("A sync chunk is damaged; sync again."))
    pairs = [tuple(g) for g in gone if isinstance(g, list) and len(g) == 2]
    if len(pairs) != len(gone) or not all(isinstance(v, str) for p in pairs for v in p):
        raise SyncError(_("A sync chunk is damaged; sync again."))
    leave_scope(user, [(str(t), str(r)) for t, r in pairs])


def apply_chunk(payload: bytes, *, pushed_by: Scope | None) -> ApplyResult:
    """Merge one chunk and advance the vector, in one transaction (see the module doc)."""
    document = _decode(payload)
    actor = _actor(pushed_by)
    if actor is not None and (document["kind"] != "changes" or document["rows"]):
        raise SyncError(_("A laptop may push changes only, not a snapshot."))
    changes = [Change.from_wire(item) for item in document["changes"]]
    limit = wall_hlc(MAX_CLOCK_AHEAD_MS)
    mine = database_epoch()
    rejected: list[Rejection] = []
    skipped = 0
    seen: dict[str, int] = {}
    deferred: set[str] = set()
    with db.atomic(), capture_paused():
        merger = Merger()
        for table, part in document["rows"].items():
            info = tables().get(table)
            if info is None or set(part["columns"]) != {"id", *info.columns}:
                raise SyncError(
                    _("A snapshot holds rows of {table} this ediary does not know.").format(
                        table=table
                    )
                )
            merger.apply_baseline(info, part["columns"], part["rows"])
        for change in changes:
            if change.origin in deferred:
                continue
            if change.hlc > limit:
                deferred.add(change.origin)
                rejected.append(
                    Rejection(
                        change.describe(),
                        _(
                            "The change is dated more than two days ahead of this node's "
                            "clock; check the date and time of both machines."
                        ),
                    )
                )
                continue
            seen[change.origin] = max(seen.get(change.origin, 0), change.hlc)
            if is_known(change):
                skipped += 1
                continue
            if actor is not None and not actor.system:
                reason = (
                    _("The change claims to come from the school server itself.")
                    if change.origin == mine
                    else _unsafe_text(change) or _refusal(actor, change)
                )
                if reason is not None:
                    rejected.append(_reject(merger, change, reason))
                    continue
            merger.apply(change)
        # a changes chunk holds, per origin, every change up to the newest it holds; a
        # snapshot holds only the changes its rows' values came from, some newer than
        # changes it does not hold: only its last chunk's vector says what it covers
        advance = dict(seen) if document["kind"] == "changes" else {}
        if actor is None:
            for origin, hlc in document["vector"].items():
                if origin not in deferred:
                    advance[origin] = max(advance.get(origin, 0), hlc)
        for origin, hlc in advance.items():
            db.execute_sql(
                "INSERT INTO sync_vector (origin, hlc) VALUES (?, ?) "
                "ON CONFLICT (origin) DO UPDATE SET hlc = max(hlc, excluded.hlc)",
                (origin, hlc),
            )
        if actor is None:
            _leave(document.get("leave"))
        if actor is None and isinstance(document.get("resume"), dict):
            Meta.set_value(BOOTSTRAP_KEY, json.dumps(document["resume"], sort_keys=True))
    return ApplyResult(merger.applied, skipped, merger.conflicts, rejected)
