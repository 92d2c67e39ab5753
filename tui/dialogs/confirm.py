"""A yes/no question, asked before an action that cannot be taken back lightly.

Which button Enter presses is each caller's decision, made explicit: the action the person
just asked for (giving codes), unless it destroys data (deleting, removing, unlinking),
where the safe «Cancel» stays the default and the action takes a deliberate key.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Static

from node.i18n import N_, _
from tui.dialogs.form import FormDialog


class ConfirmDialog(FormDialog):
    """A yes/no question; True when confirmed."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="cancel"),
        Binding("y", "save", N_("Yes"), id="yes"),
        Binding("n", "cancel", N_("No"), show=False),
        # In the Russian layout the y key types «н», which a Russian reader takes for «нет»:
        # here «н» cancels and «д» («да») confirms, whatever Latin key they lie on.
        Binding("д", "save", N_("Yes"), show=False),
        Binding("н", "cancel", N_("No"), show=False),
    ]

    def __init__(self, question: str, yes: str, *, destructive: bool) -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.destructive = destructive

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title")
            # a modal dialog has no footer: say its keys (Enter presses the focused button);
            # the Russian text names «д» and «н» too
            yield Static(_("y — {yes}, Esc — cancel").format(yes=self.yes.lower()), classes="hint")
            yield from self.buttons(self.yes)

    def on_mount(self) -> None:
        self.query_one("#cancel" if self.destructive else "#save", Button).focus()

    def action_save(self) -> None:
        self.dismiss(True)
