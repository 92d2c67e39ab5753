"""Dialogs of the administration screen: unlocking final marks, and the form they stand on
(the report's dates are asked by ``tui.dialogs.dates.RangeDialog``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from node.i18n import N_, _
from tui.bindings import translate_bindings
from tui.dialogs.dates import parse_day


class FormDialog(ModalScreen):
    """Escape cancels, Ctrl+S or Enter in the last field saves; a bad field is named."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="save"),
    ]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)

    def buttons(self, save: str) -> ComposeResult:
        yield Static("", id="dialog-status", classes="status")
        with Horizontal(classes="buttons"):
            yield Button(save, id="save", variant="primary")
            yield Button(_("Cancel"), id="cancel")

    def refuse(self, message: str) -> None:
        status = self.query_one("#dialog-status", Static)
        status.update(message)
        status.add_class("error")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def _pressed_save(self) -> None:
        self.action_save()

    def action_save(self) -> None:  # pragma: no cover - each dialog has its own
        raise NotImplementedError


@dataclass(frozen=True)
class UnlockRequest:
    reason: str
    until: dt.date | None  # None: the school's default number of days


class UnlockDialog(FormDialog):
    """Why a journal's locked final marks are reopened, and until when."""

    def __init__(self, journal: str, period: str) -> None:
        super().__init__()
        self.journal, self.period = journal, period

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                _("Unlock final marks: {journal}, {period}").format(
                    journal=self.journal, period=self.period
                ),
                classes="dialog-title",
            )
            yield Static(
                _("The teacher can set them again until the chosen day; the reason is kept."),
                classes="hint",
            )
            yield Label(_("Reason"))
            yield Input(id="unlock-reason", placeholder=_("Why they are unlocked"), compact=True)
            yield Label(_("Until (dd.mm.yyyy; empty: the school's usual number of days)"))
            yield Input(id="unlock-until", compact=True)
            yield from self.buttons(_("Unlock"))

    def on_mount(self) -> None:
        self.query_one("#unlock-reason", Input).focus()

    @on(Input.Submitted, "#unlock-reason")
    def _next(self) -> None:
        self.query_one("#unlock-until", Input).focus()

    @on(Input.Submitted, "#unlock-until")
    def action_save(self) -> None:
        reason = self.query_one("#unlock-reason", Input).value.strip()
        text = self.query_one("#unlock-until", Input).value.strip()
        until = parse_day(text) if text else None
        if not reason:
            self.refuse(_("Say why the final marks are unlocked: the reason is kept."))
            return
        if text and until is None:
            self.refuse(_("Write the day as dd.mm.yyyy, e.g. 05.01.2027, or leave it empty."))
            return
        self.dismiss(UnlockRequest(reason, until))
