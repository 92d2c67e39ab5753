"""Dialogs of the timetable editor: a lesson of the load for a cell (with its room), whose
week to open, and the day the changes apply from. Each returns what was chosen, or None;
the services say what is wrong with a choice (a clash, a closed year)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from node.i18n import _
from node.services.school.timetable_week import Choice, LoadLine
from tui.dialogs.dates import parse_day, show_day
from tui.dialogs.form import FormDialog


def load_label(line: LoadLine, *, with_class: bool) -> str:
    """«Английский язык (1 группа) — Петров О. В.», with «7А: » first in a teacher's week."""
    group = f" ({line.subgroup})" if line.subgroup else ""
    where = f"{line.class_label}: " if with_class else ""
    return f"{where}{line.subject}{group} — {line.teacher}"


@dataclass(frozen=True)
class Placement:
    assignment_id: str
    room: str


class PlaceDialog(FormDialog):
    """A lesson of the load for one cell: type to narrow the list, Enter picks; then the
    room. The lesson already in the cell is highlighted first."""

    CSS_PATH = "timetable.tcss"

    def __init__(
        self,
        title: str,
        load: list[LoadLine],
        *,
        with_class: bool,
        current: str | None = None,
        room: str = "",
    ) -> None:
        super().__init__()
        self.title_text, self.load, self.with_class = title, load, with_class
        self.current, self.room = current, room

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="place-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Label(_("Lesson: type to narrow, Enter chooses"))
            yield Input(id="place-filter", compact=True, placeholder=_("type to narrow"))
            yield OptionList(*self._options(""), id="place-load")
            yield Label(_("Room"))
            yield Input(self.room, id="place-room", compact=True, max_length=20)
            yield self.status_line()
            yield from self.buttons(_("Put in the timetable"))

    def _options(self, text: str) -> list[Option]:
        needle = text.strip().lower()
        labels = [(line, load_label(line, with_class=self.with_class)) for line in self.load]
        return [
            Option(label, id=line.assignment_id)
            for line, label in labels
            if needle in label.lower()
        ]

    def on_mount(self) -> None:
        options = self.query_one("#place-load", OptionList)
        ids = [line.assignment_id for line in self.load]
        if options.option_count:
            options.highlighted = ids.index(self.current) if self.current in ids else 0
        self.query_one("#place-filter", Input).focus()

    @on(Input.Changed, "#place-filter")
    def _narrow(self, event: Input.Changed) -> None:
        options = self.query_one("#place-load", OptionList)
        options.clear_options()
        options.add_options(self._options(event.value))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Submitted, "#place-filter")
    def _filtered(self, event: Input.Submitted) -> None:
        event.prevent_default()  # not the form's save: the lesson is chosen first
        options = self.query_one("#place-load", OptionList)
        if options.option_count == 1:
            self.query_one("#place-room", Input).focus()
            return
        options.focus()

    @on(OptionList.OptionSelected, "#place-load")
    def _chosen(self) -> None:
        self.query_one("#place-room", Input).focus()

    def action_save(self) -> None:
        options = self.query_one("#place-load", OptionList)
        if options.highlighted is None or not options.option_count:
            self.refuse(_("Choose the lesson in the list (type part of the subject or teacher)."))
            return
        assignment_id = options.get_option_at_index(options.highlighted).id or ""
        room = self.query_one("#place-room", Input).value.strip()
        self.dismiss(Placement(assignment_id, room))


class ChooseDialog(FormDialog):
    """Whose week to open: a class or a teacher (type to narrow, Enter opens)."""

    CSS_PATH = "timetable.tcss"

    def __init__(self, title: str, choices: list[Choice], current: str | None = None) -> None:
        super().__init__()
        self.title_text, self.choices, self.current = title, choices, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="choose-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Input(id="choose-filter", compact=True, placeholder=_("type to narrow"))
            yield OptionList(*self._options(""), id="choose-list")
            yield self.status_line()
            yield from self.buttons(_("Open"))

    def _options(self, text: str) -> list[Option]:
        needle = text.strip().lower()
        return [Option(c.name, id=c.id) for c in self.choices if needle in c.name.lower()]

    def on_mount(self) -> None:
        options = self.query_one("#choose-list", OptionList)
        ids = [c.id for c in self.choices]
        if options.option_count:
            options.highlighted = ids.index(self.current) if self.current in ids else 0
        self.query_one("#choose-filter", Input).focus()

    @on(Input.Changed, "#choose-filter")
    def _narrow(self, event: Input.Changed) -> None:
        options = self.query_one("#choose-list", OptionList)
        options.clear_options()
        options.add_options(self._options(event.value))
        if options.option_count:
            options.highlighted = 0

    @on(OptionList.OptionSelected, "#choose-list")
    def action_save(self) -> None:
        options = self.query_one("#choose-list", OptionList)
        if options.highlighted is None or not options.option_count:
            self.refuse(_("Nothing matches; type less of the name."))
            return
        self.dismiss(options.get_option_at_index(options.highlighted).id)


class ApplyDialog(FormDialog):
    """The day from which the lessons follow the new week (tomorrow unless told)."""

    CSS_PATH = "timetable.tcss"

    def __init__(self, title: str, day: dt.date) -> None:
        super().__init__()
        self.title_text, self.day = title, day

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(
                _(
                    "From this day to the end of the year the lessons follow the new week. "
                    "Lessons with marks, attendance, a topic or homework are kept and listed."
                ),
                classes="hint",
            )
            yield Label(_("From (dd.mm.yyyy)"))
            yield Input(show_day(self.day), id="apply-date", compact=True)
            yield self.status_line()
            yield from self.buttons(_("Apply"))

    def on_mount(self) -> None:
        self.query_one("#apply-date", Input).focus()

    def action_save(self) -> None:
        day = parse_day(self.query_one("#apply-date", Input).value)
        if day is None:
            self.refuse(_("Write the date as dd.mm.yyyy, e.g. 25.11.2026."))
            return
        self.dismiss(day)
