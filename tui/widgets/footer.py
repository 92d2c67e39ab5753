"""The key bar at the bottom of a screen: Textual's ``Footer``, rebuilt only when its keys change.

Textual's footer rebuilds itself (every key a new widget, each styled twice) whenever the
screen's bindings may have changed: each move of the focus, each refresh of a screen's
bindings. Mostly the keys are the same as before, and those rebuilds were a third of the
time a screen took to open. This footer first compares what it would show with what it
shows, and rebuilds only when they differ; what it shows is Textual's, unchanged.
"""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """Textual's footer that skips a rebuild which would show the same keys."""

    _shown: tuple[object, ...] | None = None

    async def recompose(self) -> None:
        if self.is_attached and not self._pruning:
            shown = self._keys_shown()
            if shown == self._shown:
                return
            self._shown = shown
        await super().recompose()

    def _keys_shown(self) -> tuple[object, ...]:
        """Everything Textual's ``Footer.compose`` reads to build the keys."""
        app = self.app
        return (
            self._bindings_ready,
            self.compact,
            self.show_command_palette,
            self.combine_groups,
            app.ENABLE_COMMAND_PALETTE,
            tuple(
                (key, binding, enabled, tooltip, app.get_key_display(binding))
                for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            ),
        )
