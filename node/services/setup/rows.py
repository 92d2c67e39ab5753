"""Rows with typed values: every cell read as its column's type, problems noted in place.

A row with a problem stays in the list, marked ``broken``: later sheets may still name it
(a student with a bad birth date is still the child on the Parents sheet), and a row that
names a broken one is skipped quietly instead of adding a second, misleading problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from node.errors import EdiaryError
from node.i18n import _
from node.services.setup.cells import read_cell
from node.services.setup.problems import Problems
from node.services.setup.reader import Bundle, Source
from node.services.setup.sheets import SHEETS, Sheet, fold


@dataclass
class Row:
    """One data row: typed values by column key (``None`` when empty)."""

    source: Source
    number: int
    values: dict[str, Any]
    broken: bool = False

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)

    def text(self, key: str) -> str:
        value = self.values.get(key)
        return "" if value is None else str(value)


@dataclass
class Rows:
    """Typed rows of every kind, in sheet order, and the problems found so far."""

    by_kind: dict[str, list[Row]] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)

    def of(self, kind: str) -> list[Row]:
        return self.by_kind.get(kind, [])

    def problem(self, row: Row, key: str | None, message: str) -> None:
        """Note a problem of ``row`` in column ``key`` (or of the whole row) and mark it."""
        header = row.source.header(key) if key else None
        self.problems.add(row.source.label, row.number, header, message)
        row.broken = True

    def check(self, row: Row, key: str | None, error: EdiaryError) -> None:
        self.problem(row, key, str(error))


def typed_rows(bundle: Bundle) -> Rows:
    """Read every cell of the bundle as its column's type; required cells must be filled."""
    rows = Rows(problems=bundle.problems)
    for sheet in SHEETS:
        kind_rows: list[Row] = []
        for source in bundle.of_kind(sheet.kind):
            for raw in source.rows:
                row = Row(source, raw.number, {})
                for column in sheet.columns:
                    if column.key not in source.headers:
                        row.values[column.key] = None
                        continue
                    try:
                        row.values[column.key] = read_cell(raw.cells.get(column.key), column)
                    except EdiaryError as exc:
                        row.values[column.key] = None
                        rows.check(row, column.key, exc)
                        continue
                    if column.required and row.values[column.key] is None:
                        rows.problem(
                            row,
                            column.key,
                            _("this cell must be filled in. {help}").format(
                                help=column.explanation()
                            ),
                        )
                kind_rows.append(row)
        rows.by_kind[sheet.kind] = kind_rows
        _repeated_keys(rows, sheet, kind_rows)
    return rows


def _key_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return fold(str(value)) if value is not None else ""


def _repeated_keys(rows: Rows, sheet: Sheet, kind_rows: list[Row]) -> None:
    """The same record twice in the files: the later row is the problem.

    A student listed in two classes is the commonest case and is named as such.
    """
    first: dict[tuple[str, ...], Row] = {}
    for row in kind_rows:
        if any(row[key] is None for key in sheet.key if sheet.column(key).required):
            continue
        key = tuple(_key_text(row[k]) for k in sheet.key)
        earlier = first.setdefault(key, row)
        if earlier is row:
            continue
        where = _("row {row}").format(row=earlier.number)
        if earlier.source is not row.source:
            where = _("{sheet}, row {row}").format(sheet=earlier.source.label, row=earlier.number)
        if sheet.kind == "students" and _key_text(earlier["class"]) != _key_text(row["class"]):
            rows.problem(
                row,
                "class",
                _(
                    "this student is also in {other} ({where}); a student is in one class: "
                    "keep the row of their class."
                ).format(other=earlier.text("class"), where=where),
            )
        else:
            rows.problem(
                row,
                sheet.key[0],
                _("this row repeats {where}; keep one of them.").format(where=where),
            )
