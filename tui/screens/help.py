"""The help screen: every key of the screen it was opened from."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Static

from node.i18n import N_, _, gettext
from tui.bindings import translate_bindings


def help_rows(screen: Screen) -> list[tuple[str, str]]:
    """(key, what it does) for the screen's active bindings and its typed keys."""
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description:
            continue
        shown = screen.app.get_key_display(binding) or key
        if (shown, binding.description) not in seen:
            seen.add((shown, binding.description))
            rows.append((shown, binding.description))
    for keys, text in getattr(screen, "HELP_KEYS", ()):
        rows.append((gettext(keys), gettext(text)))
    return rows


class HelpScreen(ModalScreen[None]):
    """Keys of ``screen`` (bindings with descriptions, and what can be typed there)."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="close"),
        Binding("f1", "close", N_("Close"), show=False),
        Binding("question_mark", "close", N_("Close"), show=False),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        translate_bindings(self)
        self.rows = help_rows(screen)
        self.screen_title = screen.title or ""

    def compose(self) -> ComposeResult:
        yield Static(_("Keys"), classes="dialog-title")
        table: DataTable[str] = DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
        table.add_columns(_("Key"), _("What it does"))
        table.add_rows(self.rows)
        yield table
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
