"""Dialogs of the day's changes: a substitute (one lesson or an absence), a move, a
cancellation, a date (a range of days: ``tui.dialogs.dates.RangeDialog``). Each returns what
was typed, or None; the screen calls the services, which say what is wrong with a choice (a
busy substitute, a holiday)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from node.i18n import _
from node.services.school.school_day import Teacher
from tui.dialogs.dates import parse_day, show_day
from tui.dialogs.form import FormDialog


@dataclass(frozen=True)
class SubstituteChoice:
    """Who substitutes, why, and over which days (one lesson: ``start`` is None)."""

    teacher_id: str
    reason: str
    start: dt.date | None = None
    end: dt.date | None = None


class SubstituteDialog(FormDialog):
    """Pick the substitute from the school's teachers (type to narrow the list).

    ``day`` given: an absence — every lesson of ``absent`` from one day to another.
    ``busy``: teachers who teach at that time, listed last with their lesson. ``again``: a
    choice the school refused, shown again as typed with ``refusal`` under it."""

    def __init__(
        self,
        title: str,
        teachers: list[Teacher],
        *,
        day: dt.date | None = None,
        busy: dict[str, str] | None = None,
        again: SubstituteChoice | None = None,
        refusal: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.busy = busy or {}  # teacher id → the lesson they teach then
        self.teachers = sorted(teachers, key=lambda t: t.id in self.busy)  # the free first
        self.day = day
        self.again = again
        self.refusal = refusal

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="substitute-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            again = self.again
            if self.day is not None:
                start = again.start if again and again.start else self.day
                end = again.end if again and again.end else self.day
                yield Label(_("From (dd.mm.yyyy)"))
                yield Input(show_day(start), id="sub-from", compact=True)
                yield Label(_("To (dd.mm.yyyy)"))
                yield Input(show_day(end), id="sub-to", compact=True)
            yield Label(_("Reason (shown to the administration)"))
            reason = again.reason if again else ""
            yield Input(reason, id="sub-reason", placeholder=_("e.g. illness"), compact=True)
            yield Label(_("Substitute: type to narrow, Enter chooses"))
            yield Input(id="sub-filter", compact=True)
            yield OptionList(*self._options(""), id="sub-teachers")
            yield self.status_line()
            yield from self.buttons(_("Set the substitute"))

    def _options(self, text: str) -> list[Option]:
        needle = text.strip().lower()
        return [Option(self._label(t), id=t.id) for t in self.teachers if needle in t.name.lower()]

    def _label(self, teacher: Teacher) -> Text | str:
        lesson = self.busy.get(teacher.id)
        if lesson is None:
            return teacher.name
        note = _("busy then: {lesson}").format(lesson=lesson)
        return Text.assemble(teacher.name, (f" — {note}", "dim"))

    def on_mount(self) -> None:
        if self.again is not None:  # refused: the list, on the teacher that was chosen
            options = self.query_one("#sub-teachers", OptionList)
            ids = [t.id for t in self.teachers]
            if self.again.teacher_id in ids:
                options.highlighted = ids.index(self.again.teacher_id)
            options.focus()
            self.refuse(self.refusal)
            return
        first = "#sub-from" if self.day is not None else "#sub-reason"
        self.query_one(first, Input).focus()

    @on(Input.Submitted, "#sub-from")
    def _to(self, event: Input.Submitted) -> None:
        event.prevent_default()  # not the form's save: on to the last day
        self.query_one("#sub-to", Input).focus()

    @on(Input.Submitted, "#sub-to")
    def _reason(self, event: Input.Submitted) -> None:
        event.prevent_default()  # not the form's save: on to the reason
        self.query_one("#sub-reason", Input).focus()

    @on(Input.Submitted, "#sub-reason")
    def _filter(self, event: Input.Submitted) -> None:
        event.prevent_default()  # not the form's save: on to the substitute
        self.query_one("#sub-filter", Input).focus()

    @on(Input.Changed, "#sub-filter")
    def _narrow(self, event: Input.Changed) -> None:
        options = self.query_one("#sub-teachers", OptionList)
        options.clear_options()
        options.add_options(self._options(event.value))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Submitted, "#sub-filter")
    def _list(self, event: Input.Submitted) -> None:
        event.prevent_default()  # the list decides: one teacher left saves, else choose in it
        options = self.query_one("#sub-teachers", OptionList)
        if options.option_count == 1:
            self.action_save()
            return
        options.focus()
        if options.option_count and options.highlighted is None:
            options.highlighted = 0

    @on(OptionList.OptionSelected, "#sub-teachers")
    def _chosen(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        options = self.query_one("#sub-teachers", OptionList)
        if options.highlighted is None or not options.option_count:
            self.refuse(_("Choose the substitute in the list (type part of the name)."))
            return
        teacher_id = options.get_option_at_index(options.highlighted).id or ""
        reason = self.query_one("#sub-reason", Input).value.strip()
        if self.day is None:
            self.dismiss(SubstituteChoice(teacher_id, reason))
            return
        start = parse_day(self.query_one("#sub-from", Input).value)
        end = parse_day(self.query_one("#sub-to", Input).value)
        if start is None or end is None:
            self.refuse(_("Write both dates as dd.mm.yyyy, e.g. 25.11.2026."))
            return
        if end < start:
            self.refuse(_("The absence ends before it starts: swap the dates."))
            return
        self.dismiss(SubstituteChoice(teacher_id, reason, start, end))


@dataclass(frozen=True)
class MoveRequest:
    date: dt.date
    number: int


class MoveDialog(FormDialog):
    """Another date and lesson number for one lesson."""

    def __init__(self, title: str, day: dt.date, number: int) -> None:
        super().__init__()
        self.title_text, self.day, self.number = title, day, number

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(
                _("Marks, attendance, topic and homework move with the lesson."), classes="hint"
            )
            yield Label(_("Date (dd.mm.yyyy)"))
            yield Input(show_day(self.day), id="move-date", compact=True)
            yield Label(_("Lesson number"))
            yield Input(str(self.number), id="move-number", compact=True)
            yield self.status_line()
            yield from self.buttons(_("Move"))

    def on_mount(self) -> None:
        self.query_one("#move-date", Input).focus()

    @on(Input.Submitted, "#move-date")
    def _next(self, event: Input.Submitted) -> None:
        event.prevent_default()  # not the form's save: on to the number
        self.query_one("#move-number", Input).focus()

    def action_save(self) -> None:
        day = parse_day(self.query_one("#move-date", Input).value)
        number = self.query_one("#move-number", Input).value.strip()
        if day is None:
            self.refuse(_("Write the date as dd.mm.yyyy, e.g. 25.11.2026."))
            return
        if not number.isdigit() or not 0 < int(number) < 100:
            self.refuse(_("The lesson number is a whole number, e.g. 3."))
            return
        self.dismiss(MoveRequest(day, int(number)))


class CancelDialog(FormDialog):
    """Why a lesson is not held; parents see the reason on the week page."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(
                _("Parents and students see the reason on their week page."), classes="hint"
            )
            yield Label(_("Reason"))
            yield Input(
                id="cancel-reason", placeholder=_("e.g. the class is on a trip"), compact=True
            )
            yield self.status_line()
            yield from self.buttons(_("Cancel the lesson"))

    def on_mount(self) -> None:
        self.query_one("#cancel-reason", Input).focus()

    def action_save(self) -> None:
        reason = self.query_one("#cancel-reason", Input).value.strip()
        if not reason:
            self.refuse(_("Say why the lesson is cancelled."))
            return
        self.dismiss(reason)


class DateDialog(FormDialog):
    """Go to a date."""

    def __init__(self, day: dt.date) -> None:
        super().__init__()
        self.day = day

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("The day's changes: which day"), classes="dialog-title")
            yield Label(_("Date (dd.mm.yyyy)"))
            yield Input(show_day(self.day), id="go-date", compact=True)
            yield self.status_line()
            yield from self.buttons(_("Show"))

    def on_mount(self) -> None:
        self.query_one("#go-date", Input).focus()

    def action_save(self) -> None:
        day = parse_day(self.query_one("#go-date", Input).value)
        if day is None:
            self.refuse(_("Write the date as dd.mm.yyyy, e.g. 25.11.2026."))
            return
        self.dismiss(day)
