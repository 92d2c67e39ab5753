"""Sync conflicts: the writes that lost when two computers changed one cell.

Opened with ``y`` from the home screen. Sync keeps every losing write (docs/ARCHITECTURE.md
§4); this screen shows a teacher the ones of their journals (the administration: all), newest first,
with what was kept and what was lost. Enter on a journal cell opens that journal on the
cell (the student's row, the lesson's column), so a lost value that was right can be typed
again.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from node.i18n import N_, _
from node.services.replication.conflict_view import ConflictView, conflict_views
from tui.backend import Outcome
from tui.bindings import translate_bindings
from tui.screens.journal import JournalScreen, JournalTarget
from tui.widgets.footer import Footer


def _side(value: str, who: str, device: str) -> str:
    """«5 (Иванова М. А., laptop of ivanova)»: a value and where it came from, if known."""
    source = ", ".join(part for part in (who, device) if part)
    return f"{value} ({source})" if source else value


def conflict_text(view: ConflictView) -> Text:
    """Two or three lines: when and where; kept and lost; why it lost."""
    text = Text()
    text.append(view.detected_at.strftime("%d.%m %H:%M"), style="bold")
    text.append(f" {view.place} — {view.what}\n")
    text.append(_("kept: {kept}").format(kept=_side(view.kept, view.kept_by, view.kept_on)) + "\n")
    text.append(
        _("lost: {lost}").format(lost=_side(view.lost, view.lost_by, view.lost_on)) + "\n",
        style="bold",
    )
    text.append(view.kind_text, style="italic")
    return text


class ConflictsScreen(Screen[None]):
    """The sync conflicts the user is concerned by; Enter opens the journal of one."""

    BINDINGS = [
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("r", "reload", N_("Reload"), id="reload"),
    ]
    HELP_KEYS = [
        (N_("Enter"), N_("Open the journal at the cell of the conflict")),
        (N_("kept"), N_("The value the journal holds now")),
        (N_("lost"), N_("The value that lost; type it again if it was the right one")),
    ]

    @dataclass
    class Loaded(Message):
        outcome: Outcome[list[ConflictView]]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)
        self.views: dict[str, ConflictView] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        conflicts = OptionList(id="conflicts")
        conflicts.border_title = _("Sync conflicts, newest first")
        yield conflicts
        yield Static("", id="status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Sync conflicts")
        self.query_one("#conflicts", OptionList).focus()
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    @work(thread=True, exclusive=True, group="conflicts-load")
    def load(self) -> None:
        backend = self.app.backend
        self.post_message(self.Loaded(backend.attempt(conflict_views, backend.actor)))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        views = message.outcome.value
        if views is None:
            self.say(message.outcome.error or "", error=True)
            return
        self.views = {f"conflict-{view.id}": view for view in views}
        conflicts = self.query_one("#conflicts", OptionList)
        highlighted = conflicts.highlighted
        conflicts.clear_options()
        for key, view in self.views.items():
            conflicts.add_option(Option(conflict_text(view), id=key))
        if not views:
            conflicts.add_option(Option(_("No sync conflicts: nothing was lost."), disabled=True))
            self.say("")
            return
        conflicts.highlighted = min(highlighted or 0, conflicts.option_count - 1)
        self.title = _("Sync conflicts — {count}").format(count=len(views))
        self.say(_("Enter opens the journal, where you can type a lost value again."))

    @on(OptionList.OptionSelected, "#conflicts")
    def open_journal(self, event: OptionList.OptionSelected) -> None:
        view = self.views.get(event.option.id or "")
        if view is None:
            return
        if view.assignment_id is None:
            self.say(_("This conflict is not about a journal cell; nothing to open."))
            return
        finals = view.lesson_id is None and view.period_id is not None  # a final mark
        target = JournalTarget(
            view.assignment_id,
            view.period_id,
            lesson_id=view.lesson_id,
            finals=finals,
            student_id=view.student_id,
        )
        self.app.push_screen(JournalScreen(target))
