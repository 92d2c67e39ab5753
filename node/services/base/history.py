"""Recording history: every write records who, when, on which node, old → new.

Services call these inside their own transaction, so a change and its history are
committed together or not at all. ``update_row`` is the edit of one row every service
makes (snapshot, set, save, record) in one call.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from typing import Any

from node.models import History, Meta, SyncModel, db
from node.services.base import clock
from node.services.base.actor import Actor

NODE_ID_KEY = "node_id"


def node_id() -> str:
    """This node's id, as recorded in the database when the school was created."""
    return Meta.get_value(NODE_ID_KEY, "") or ""


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
    with nullcontext() if db.in_transaction() else db.atomic():
        instance.save(only=columns)
        record_update(actor, instance, before, cell=cell)
    return True
