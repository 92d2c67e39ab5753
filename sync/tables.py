"""What sync knows about each replicated table: columns, field groups, keys and references.

Built once from the models (``node.models.SYNC_MODELS``) so merge, scope and the wire format
agree on one description; the groups themselves are declared in ``node.models.changes``
because the capture triggers use them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import peewee as pw

from node.models import SYNC_MODELS, SyncModel
from node.models.changes import ALIVE, groups_of, table_columns


@dataclass(frozen=True)
class Reference:
    """``table.column`` refers to ``parent``; ``nullable`` references are cleared, not
    cascaded, when the parent is deleted elsewhere."""

    table: str
    column: str
    parent: str
    nullable: bool


@dataclass(frozen=True)
class TableInfo:
    name: str
    model: type[SyncModel]
    columns: tuple[str, ...]  # without "id"
    groups: dict[str, tuple[str, ...]]
    group_of: dict[str, str]
    uniques: tuple[tuple[str, ...], ...]
    references: tuple[Reference, ...]  # this table's foreign keys

    def touched_groups(self, op: str, fields: dict) -> list[str]:
        """The groups a change writes: inserts write every group and existence, deletes
        only existence, updates the groups of their fields."""
        if op == "insert":
            return [ALIVE, *self.groups]
        if op == "delete":
            return [ALIVE]
        seen: dict[str, None] = {}
        for column in fields:
            group = self.group_of.get(column)
            if group is not None:
                seen[group] = None
        return list(seen)


def _uniques(model: type[SyncModel]) -> tuple[tuple[str, ...], ...]:
    out: list[tuple[str, ...]] = []
    for field in model._meta.sorted_fields:
        if field.unique and not field.primary_key:
            out.append((field.column_name,))
    for fields, unique in model._meta.indexes:
        if unique:
            names = tuple(model._meta.fields[f].column_name for f in fields)
            out.append(names)
    return tuple(out)


@cache
def tables() -> dict[str, TableInfo]:
    """Every replicated table by name, parents before children (the models' order)."""
    out: dict[str, TableInfo] = {}
    for model in SYNC_MODELS:
        name = model._meta.table_name
        columns = tuple(c for c in table_columns(model) if c != "id")
        groups = groups_of(name, columns)
        references = tuple(
            Reference(name, f.column_name, f.rel_model._meta.table_name, bool(f.null))
            for f in model._meta.sorted_fields
            if isinstance(f, pw.ForeignKeyField)
        )
        out[name] = TableInfo(
            name=name,
            model=model,
            columns=columns,
            groups=groups,
            group_of={c: g for g, members in groups.items() for c in members},
            uniques=_uniques(model),
            references=references,
        )
    return out


@cache
def children_of(parent: str) -> tuple[Reference, ...]:
    """Every foreign key, in any replicated table, that refers to ``parent``."""
    return tuple(r for info in tables().values() for r in info.references if r.parent == parent)
