"""Recording history: every write records who, when, on which node, old → new.

Services call these inside their own transaction, so a change and its history are
committed together or not at all. ``update_row`` is the edit of one row every service
makes (snapshot, set, save, record) in one call; ``create_rows`` is the insert of many new
rows with their history (a set-up import's thousands), many rows per statement.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from node.models import History, Meta, SyncModel, bulk_insert, db, new_id
from node.services.base import clock
from node.services.base.actor import Actor

NODE_ID_KEY = "node_id"


def node_id() -> str:
    """This node's id, as recorded in the database when the school was created."""
    return Meta.get_value(NODE_ID_KEY, "") or ""


def one_transaction() -> AbstractContextManager[Any]:
    """The caller's transaction when there is one, else a new one.

    For batch writes: inside a big transaction (the set-up import's), a nested
    ``db.atomic()`` is a savepoint, and SQLite then keeps a second copy, in memory, of every
    page the batch changes, to be able to roll the savepoint back; writing a year's lessons
    so took twice the time and 200 MB more. A batch call refuses before it writes, so it
    needs no savepoint of its own: a failure while writing rolls back the caller's
    transaction.
    """
    return nullcontext() if db.in_transaction() else db.atomic()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, SyncModel):
        return value.id
    return value


def snapshot(instance: SyncModel, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The row's current values (foreign keys as ids) for the fields that history tracks."""
    names = fields or tuple(f for f in instance._meta.sorted_field_names if f != "id")
    out: dict[str, Any] = {}
    for name in names:
        field = instance._meta.fields[name]
        raw = instance.__data__.get(field.name)
        out[name] = _plain(raw)
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    actor: Actor,
    entity: str,
    entity_id: str | None,
    action: str,
    changes: dict[str, Any],
    *,
    cell: str | None = None,
) -> History:
    """Write one history row; must run inside the caller's transaction."""
    assert db.in_transaction(), "history must be recorded inside the write transaction"
    return History.create(
        at=clock.now(),
        actor_id=actor.user_id,
        actor_login=actor.login,
        node_id=node_id(),
        entity=entity,
        entity_id=entity_id,
        action=action,
        changes=json.dumps(changes, ensure_ascii=False, sort_keys=True, default=str),
        cell=cell,
    )


def record_create(actor: Actor, instance: SyncModel, *, cell: str | None = None) -> History:
    after = snapshot(instance)
    return record(
        actor,
        instance._meta.table_name,
        instance.id,
        "create",
        {k: [None, v] for k, v in after.items()},
        cell=cell,
    )


def record_update(
    actor: Actor, instance: SyncModel, before: dict[str, Any], *, cell: str | None = None
) -> History | None:
    """Record what changed since ``before`` (a ``snapshot``); nothing if nothing changed."""
    changes = diff(before, snapshot(instance, tuple(before)))
    if not changes:
        return None
    return record(actor, instance._meta.table_name, instance.id, "update", changes, cell=cell)


def record_delete(actor: Actor, instance: SyncModel, *, cell: str | None = None) -> History:
    before = snapshot(instance)
    return record(
        actor,
        instance._meta.table_name,
        instance.id,
        "delete",
        {k: [v, None] for k, v in before.items()},
        cell=cell,
    )


def update_row(
    actor: Actor,
    instance: SyncModel,
    values: Mapping[str, Any],
    *,
    tracked: Sequence[str] | None = None,
    stamp: Mapping[str, Any] | None = None,
    cell: str | None = None,
) -> bool:
    """Edit one row: set ``values``; if that changes any ``tracked`` field (by default the
    fields of ``values``), also set ``stamp`` (who and when, not itself history), save those
    columns and record old → new — all in one transaction, the caller's when it has one.

    Returns whether the row changed; an edit that changes nothing writes nothing.
    """
    fields = tuple(tracked or values)
    before = snapshot(instance, fields)
    for name, value in values.items():
        setattr(instance, name, value)
    if snapshot(instance, fields) == before:
        return False
    stamp = stamp or {}
    for name, value in stamp.items():
        setattr(instance, name, value)
    columns = [instance._meta.fields[name] for name in (*values, *stamp)]
    with one_transaction():
        instance.save(only=columns)
        record_update(actor, instance, before, cell=cell)
    return True


_HISTORY_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_login",
    "node_id",
    "entity",
    "entity_id",
    "action",
    "changes",
    "cell",
)


def create_rows(actor: Actor, instances: Sequence[SyncModel]) -> None:
    """Insert new, unsaved rows and record each one's creation: the same rows and history
    as ``Model.create`` and ``record_create`` one by one, written many rows per statement.

    Rows of several models go in the order given, model by model, so a row may refer to
    one before it. Must run inside the caller's transaction (the sync triggers capture
    each row as usual).
    """
    assert db.in_transaction(), "history must be recorded inside the write transaction"
    if not instances:
        return
    by_model: dict[type[SyncModel], list[SyncModel]] = defaultdict(list)
    for instance in instances:
        by_model[type(instance)].append(instance)
    for model, rows in by_model.items():
        _insert_instances(model, rows)
    at = History.at.db_value(clock.now())
    actor_id, login, node = actor.user_id, actor.login, node_id()
    history = []
    for instance in instances:
        changes = {k: [None, v] for k, v in snapshot(instance).items()}
        history.append(
            (
                new_id(),
                at,
                actor_id,
                login,
                node,
                instance._meta.table_name,
                instance.id,
                "create",
                json.dumps(changes, ensure_ascii=False, sort_keys=True, default=str),
                None,
            )
        )
    bulk_insert(History, _HISTORY_COLUMNS, history)


def _insert_instances(model: type[SyncModel], instances: list[SyncModel]) -> None:
    """Insert the instances' set fields as ``save`` would (a field never set is left to
    the column's default), grouped by which fields are set."""
    names = model._meta.sorted_field_names
    groups: dict[tuple[str, ...], list[SyncModel]] = defaultdict(list)
    for instance in instances:
        data = instance.__data__
        groups[tuple(n for n in names if n in data)].append(instance)
    for columns, group in groups.items():
        fields = [model._meta.fields[name] for name in columns]
        bulk_insert(
            model,
            columns,
            [[f.db_value(instance.__data__[f.name]) for f in fields] for instance in group],
        )
