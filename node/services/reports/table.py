"""The common shape of a report: a title, column headings and rows of plain values."""

from __future__ import annotations

from dataclasses import dataclass

#: A cell: text, a count, a share in percent (float), or None for "not applicable".
Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    title: str
    subtitle: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def percent(part: int | float, whole: int | float) -> float | None:
    """``part`` of ``whole`` in percent, one decimal; None when there is nothing to share."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)
