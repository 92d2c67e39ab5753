"""The help screen: every key of the screen it was opened from."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from node.i18n import N_, _, gettext
from tui.bindings import describe, is_textual, translate_bindings
from tui.widgets.footer import Footer


def help_rows(screen: Screen) -> list[tuple[str, str]]:
    """(key, what it does) for the screen's active bindings and its typed keys: the
    screen's own keys first, then what can be typed, then the generic keys of Textual's
    widgets (moving, scrolling, copying).

    A key whose footer word is short to fit 80 columns («н», «Замены») says in full what
    it does in its tooltip: the list shows the tooltip then."""
    own: list[tuple[str, str]] = []
    generic: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or "super" in binding.parse_key()[0]:
            continue  # no description; Super+C is macOS's Cmd, the same as ^c here
        textual = is_textual(active.node, binding)
        what = gettext(binding.tooltip) if binding.tooltip and not textual else None
        row = (
            screen.app.get_key_display(binding) or key,
            what or describe(active.node, binding),
        )
        if row not in seen:
            seen.add(row)
            (generic if textual else own).append(row)
    typed = [(gettext(keys), gettext(text)) for keys, text in getattr(screen, "HELP_KEYS", ())]
    return [*own, *typed, *generic]


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

    def on_mount(self) -> None:
        self.query_one("#help-keys", DataTable).focus()  # the arrow keys scroll the list

    def action_close(self) -> None:
        self.dismiss(None)
