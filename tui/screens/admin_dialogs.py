"""Dialogs of the administration screen: unlocking final marks (the report's dates are asked
by ``tui.dialogs.dates.RangeDialog``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from node.i18n import _
from tui.dialogs.dates import parse_day
from tui.dialogs.form import FormDialog


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
            yield self.status_line()
            yield from self.buttons(_("Unlock"))

    def on_mount(self) -> None:
        self.query_one("#unlock-reason", Input).focus()

    @on(Input.Submitted, "#unlock-reason")
    def _next(self, event: Input.Submitted) -> None:
        event.prevent_default()  # not the form's save: on to the day
        self.query_one("#unlock-until", Input).focus()

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
