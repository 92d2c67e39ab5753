"""Several nodes in one process: each its own SQLite file, bound in turn to the models.

The models' ``db`` proxy is global, so a test switches between nodes with ``node.active()``
(a context manager that binds the node's database and restores the previous one).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peewee as pw

from node.models import SYNC_MODELS, Meta, db
from node.models.base import make_database
from node.models.database import open_database
from sync import engine


@contextmanager
def using(database: pw.SqliteDatabase) -> Iterator[pw.SqliteDatabase]:
    """Bind the models to ``database`` for the block."""
    previous = db.obj
    db.initialize(database)
    try:
        yield database
    finally:
        db.initialize(previous)


@dataclass
class Node:
    name: str
    path: Path
    database: pw.SqliteDatabase
    scope: engine.Scope = field(default_factory=lambda: engine.Scope(None))

    @classmethod
    def create(
        cls, name: str, folder: Path, scope: engine.Scope | None = None, *, durable: bool = False
    ) -> Node:
        """Open (or make) ``folder/name.db``. Not ``durable``: commits skip fsync, which
        only a power cut would notice, and keeps hundreds of in-process syncs fast."""
        previous = db.obj
        database = open_database(folder / f"{name}.db", create=True)
        if not durable:
            database.execute_sql("PRAGMA synchronous = OFF")
        Meta.set_value("node_id", f"node-{name}")
        db.initialize(previous)
        return cls(name, folder / f"{name}.db", database, scope or engine.Scope(None))

    @classmethod
    def open_copy(cls, name: str, folder: Path) -> Node:
        """Open a migrated file copied into place (keeps its WAL mode; no fsync on commit)."""
        path = folder / f"{name}.db"
        database = make_database(
            path, pragmas={"foreign_keys": 1, "busy_timeout": 10000, "synchronous": "off"}
        )
        database.connect()
        return cls(name, path, database, engine.Scope(None))

    @contextmanager
    def active(self) -> Iterator[Node]:
        with using(self.database):
            yield self

    def close(self) -> None:
        self.database.close()

    def reopen(self) -> Node:
        """Open the file again (after another process wrote it, or after ``close``)."""
        self.database.close()
        self.database = make_database(self.path)
        self.database.connect()
        return self

    def call(self, function, *args, **kwargs):
        with self.active():
            return function(*args, **kwargs)


def pull(hub: Node, replica: Node, *, max_changes: int = 5000) -> int:
    """The replica fetches what its scope may see from the hub, chunk by chunk."""
    applied = 0
    while True:
        since = replica.call(engine.version_vector)
        chunk = hub.call(engine.export_chunk, replica.scope, since, max_changes=max_changes)
        result = replica.call(engine.apply_chunk, chunk.payload, pushed_by=None)
        applied += result.applied
        if not chunk.more:
            return applied


def push(replica: Node, hub: Node, *, max_changes: int = 5000) -> list[engine.Rejection]:
    """The replica sends the hub what the hub has not got; the hub re-checks it."""
    rejected: list[engine.Rejection] = []
    while True:
        since = hub.call(engine.version_vector)
        chunk = replica.call(
            engine.export_chunk, engine.Scope(None), since, max_changes=max_changes
        )
        result = hub.call(engine.apply_chunk, chunk.payload, pushed_by=replica.scope)
        rejected.extend(result.rejected)
        if not chunk.more:
            return rejected


def sync(hub: Node, replica: Node) -> list[engine.Rejection]:
    rejected = push(replica, hub)
    pull(hub, replica)
    return rejected


def bootstrap(hub: Node, replica: Node, *, max_rows: int = 20_000) -> None:
    for chunk in hub.call(lambda: list(engine.bootstrap(replica.scope, max_rows=max_rows))):
        replica.call(engine.apply_chunk, chunk.payload, pushed_by=None)


def contents(node: Node, tables: tuple[str, ...] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every replicated table's rows, sorted: what 'identical nodes' compares."""
    names = tables or tuple(m._meta.table_name for m in SYNC_MODELS)
    out = {}
    with node.active():
        for name in names:
            out[name] = sorted(db.execute_sql(f'SELECT * FROM "{name}" ORDER BY id').fetchall())
    return out
