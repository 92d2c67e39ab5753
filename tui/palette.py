"""The Ctrl+P command palette in the user's language.

Textual's palette has its words built in (the search field's «Search for commands…», the
«No matches found» line, the keys of its list); this subclass gives it ediary's.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from node.i18n import _
from tui.bindings import translate_bindings


class EdiaryCommandPalette(CommandPalette):
    """Textual's command palette, with its placeholder and messages translated."""

    def __init__(self, *, placeholder: str | None = None, **kwargs: object) -> None:
        super().__init__(placeholder=placeholder or _("Search for commands…"), **kwargs)  # type: ignore[arg-type]
        translate_bindings(self)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual's, with the «nothing found» line in the user's language."""
        self._stop_no_matches_countdown()
        nothing_found = _("Nothing found")

        def show_nothing_found() -> None:
            if search_value:  # an empty search lists what there is; nothing to report
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(nothing_found, style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_nothing_found)
