"""Days typed as a Russian school writes them, and the dialog that asks for a range of days
(the administration's journal control, the end of a teacher's absence)."""

from __future__ import annotations

import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from node.i18n import _
from tui.dialogs.form import FormDialog


def parse_day(text: str) -> dt.date | None:
    """«25.11.2026» (as a Russian school writes it) or «2026-11-25»; None if neither."""
    text = text.strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def show_day(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


class RangeDialog(FormDialog):
    """From which day to which: returns (first day, last day), or None when cancelled.

    Enter in «From» goes on to «To»; Enter in «To», Ctrl+S or the button checks both."""

    def __init__(self, title: str, start: dt.date, end: dt.date, save: str) -> None:
        super().__init__()
        self.title_text, self.start, self.end, self.save_text = title, start, end, save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Label(_("From (dd.mm.yyyy)"))
            yield Input(show_day(self.start), id="range-from", compact=True)
            yield Label(_("To (dd.mm.yyyy)"))
            yield Input(show_day(self.end), id="range-to", compact=True)
            yield self.status_line()
            yield from self.buttons(self.save_text)

    def on_mount(self) -> None:
        self.query_one("#range-from", Input).focus()

    @on(Input.Submitted, "#range-from")
    def _next(self, event: Input.Submitted) -> None:
        event.prevent_default()  # not the form's save: on to the second date
        self.query_one("#range-to", Input).focus()

    def action_save(self) -> None:
        start = parse_day(self.query_one("#range-from", Input).value)
        end = parse_day(self.query_one("#range-to", Input).value)
        if start is None or end is None:
            self.refuse(_("Write both dates as dd.mm.yyyy, e.g. 25.11.2026."))
            return
        if end < start:
            self.refuse(_("The range ends before it starts: swap the dates."))
            return
        self.dismiss((start, end))
