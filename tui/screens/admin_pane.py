"""What every tab of the administration screen shares: loading, a table, a status line.

A pane is a tab's content. The screen owns the keys (so F1 lists them all) and hands each
one to the visible pane; a pane loads its report in a thread worker and posts ``Say`` up
for the status line. Numbers are shown as the report services computed them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from rich.text import Text
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable

from node.services.reports.export import format_cell
from node.services.reports.table import Cell, Table
from tui.backend import Outcome

T = TypeVar("T")

#: Eighths of a block, for bars drawn in one line of text.
_BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: float | None, whole: float = 100.0, width: int = 10) -> str:
    """``value`` of ``whole`` as a bar of block characters ``width`` wide ("" for None)."""
    if value is None or whole <= 0:
        return ""
    eighths = round(max(0.0, min(value, whole)) / whole * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_BLOCKS[part] if part else "")).ljust(width)


def cell(value: Cell) -> str:
    """A value as the exports write it (decimal comma), "—" for "not applicable"."""
    return "—" if value is None else format_cell(value)


def delta(now: float | None, before: float | None) -> str:
    """The change from the previous period: «+3,2», «−1», «0»; "" when either is missing."""
    if now is None or before is None:
        return ""
    change = round(now - before, 1)
    if change == 0:
        return "0"
    text = format_cell(abs(change))
    return f"+{text}" if change > 0 else f"−{text}"


def _text(value: object) -> Text:
    """A cell as plain text (names are never read as markup); numbers to the right."""
    text = str(value)
    numeric = bool(text) and text.lstrip("+−-").replace(",", "").replace("/", "").isdigit()
    return Text(text, justify="right" if numeric else "left")


class AdminPane(Vertical):
    """One tab: ``load`` fills it; the screen calls the key methods below."""

    #: Which of the screen's actions mean something on this tab (others say so instead).
    ACTIONS: frozenset[str] = frozenset()

    @dataclass
    class Say(Message):
        text: str
        error: bool = False

    def __init__(self, pane_id: str) -> None:
        super().__init__(id=pane_id)
        self.loaded = False

    def say(self, text: str, *, error: bool = False) -> None:
        self.post_message(self.Say(text, error))

    def unwrap(self, outcome: Outcome[T]) -> T | None:
        """The worker's value; or None, with its error said in the status line."""
        if outcome.value is None:
            self.say(outcome.error or "", error=True)
        return outcome.value

    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def fill(self, columns: tuple[str, ...], rows: list[tuple[str | None, tuple]]) -> None:
        """Replace the table: ``rows`` are (row key, cells); the cursor goes to the top."""
        table = self.table()
        table.clear(columns=True)
        for i, title in enumerate(columns):  # widths set here: auto width lags after a clear
            width = max([len(title)] + [len(str(cells[i])) for _key, cells in rows])
            table.add_column(title, width=width)
        for key, cells in rows:
            table.add_row(*(_text(c) for c in cells), key=key)
        if rows:
            table.move_cursor(row=0)

    def current_key(self) -> str | None:
        table = self.table()
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return key.value

    def load(self) -> None:
        """(Re)compute the tab's report; called when it is first shown and on ``r``."""

    def shift(self, step: int) -> None:
        """Move to an earlier (-1) or later (+1) period or month."""

    def back(self) -> bool:
        """Go up one level; False when already at the top (the screen then closes)."""
        return False

    def export_table(self) -> tuple[str, Table] | None:
        """(a short file name, the report as shown) for the CSV/HTML export; None: nothing."""
        return None
