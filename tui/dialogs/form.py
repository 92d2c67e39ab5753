"""The base of every small form: Escape cancels, Ctrl+S or Enter saves, a status line explains.

Enter in any field saves, unless the dialog handles that field's Enter itself (to go on to
the next field, to search) and calls ``event.prevent_default()``: the base's handler then
does not run. Textual walks the handlers from the subclass up and stops there.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from node.i18n import N_, _
from tui.bindings import translate_bindings


class FormDialog(ModalScreen):
    """A modal form with Save and Cancel buttons; subclasses define ``action_save``."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="save"),
    ]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)

    def status_line(self, text: str = "", *, error: bool = False) -> Static:
        """The line above the buttons that says what to do or what is wrong."""
        classes = "status error" if error else "status"
        return Static(text, id="dialog-status", classes=classes, markup=False)

    def buttons(self, save: str, *, compact: bool = False) -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button(save, id="save", variant="primary", compact=compact)
            yield Button(_("Cancel"), id="cancel", compact=compact)

    def say(self, text: str) -> None:
        self.query_one("#dialog-status", Static).update(text)

    def refuse(self, message: str) -> None:
        """Say what is wrong, in the error colour; what was typed stays."""
        self.say(message)
        self.query_one("#dialog-status", Static).add_class("error")

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        """Close with the dialog's answer (each dialog defines it)."""
