"""The administration screen: reports [R 3.5, 6.2, 8.1, 8.2], final marks [R 5.4], backups;
``c`` opens the day's changes (substitutions, moved and cancelled lessons), ``t`` the
timetable editor.

One tab per duty; the director and the deputies see all of them, the system administrator
only the backups (the permission module decides). The screen owns every key, so F1 lists
them, and hands each to the visible tab; a key that means nothing there says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from node.files import private_folder
from node.i18n import N_, _
from node.models import School
from node.render.report import to_html
from node.services.base.actor import Actor
from node.services.base.permissions import Action, allowed
from node.services.reports import export
from node.services.reports.table import Table
from tui.backend import Outcome
from tui.bindings import show_bindings, translate_bindings
from tui.dialogs.dates import RangeDialog
from tui.screens.admin_activity import ActivityPane
from tui.screens.admin_backups import BackupsPane
from tui.screens.admin_control import ControlPane
from tui.screens.admin_finals import FinalsPane
from tui.screens.admin_pane import AdminPane
from tui.screens.admin_performance import PerformancePane
from tui.widgets.footer import Footer

#: Exported reports go here, inside the node's data directory.
EXPORT_DIR = "reports"

#: (tab id, title) in the order of the number keys 1–5.
TABS = (
    ("control", N_("Control")),
    ("activity", N_("Activity")),
    ("performance", N_("Performance")),
    ("finals", N_("Final marks")),
    ("backups", N_("Backups")),
)
REPORT_TABS = ("control", "activity", "performance", "finals")


def may_administer(actor: Actor) -> bool:
    """May ``actor`` open the screen at all (the backups tab is the least it shows)?"""
    return allowed(actor, Action.BACKUPS_VIEW)


def _pane(tab: str) -> AdminPane:
    panes: dict[str, type[AdminPane]] = {
        "control": ControlPane,
        "activity": ActivityPane,
        "performance": PerformancePane,
        "finals": FinalsPane,
        "backups": BackupsPane,
    }
    return panes[tab]()


class AdminScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding("1", "tab('control')", N_("Journal control"), show=False),
        Binding("2", "tab('activity')", N_("User activity"), show=False),
        Binding("3", "tab('performance')", N_("Performance and quality"), show=False),
        Binding("4", "tab('finals')", N_("Final marks not set"), show=False),
        Binding("5", "tab('backups')", N_("Backups"), show=False),
        # the footer keeps the deputy's morning (c, t, s) within 80 columns; F1 lists the rest
        Binding(
            "c",
            "day_changes",
            N_("Day changes"),
            id="day-changes",
            tooltip=N_("The day's changes"),
        ),
        Binding("t", "timetable", N_("Timetable"), id="timetable"),
        Binding("s", "school", N_("School"), id="school"),
        Binding("left_square_bracket", "shift(-1)", N_("Earlier"), show=False, id="earlier"),
        Binding("right_square_bracket", "shift(1)", N_("Later"), show=False, id="later"),
        Binding("d", "dates", N_("Dates of the control report"), show=False, id="dates"),
        Binding("v", "view", N_("Control by teachers or by classes"), show=False, id="view"),
        Binding("o", "open_journal", N_("Open the journal"), show=False, id="open"),
        Binding("u", "unlock", N_("Unlock final marks"), show=False, id="unlock"),
        Binding("e", "export('csv')", N_("Export CSV"), show=False, id="export-csv"),
        Binding("w", "export('html')", N_("Export HTML"), show=False, id="export-html"),
        Binding("r", "refresh", N_("Refresh"), show=False, id="refresh"),
    ]
    HELP_KEYS = [
        (N_("Enter"), N_("Control: open a teacher or class, a journal, then the journal grid")),
        (N_("Enter"), N_("Final marks: open the journal on its final marks")),
        (N_("Tab, arrows"), N_("Move between the tabs and the lines")),
    ]

    @dataclass
    class Exported(Message):
        outcome: Outcome[Path]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        actor = self.app.backend.actor
        reports = allowed(actor, Action.REPORTS_VIEW)
        shown = [(tab, title) for tab, title in TABS if reports or tab not in REPORT_TABS]
        with TabbedContent(initial=f"tab-{shown[0][0]}", id="admin-tabs"):
            for tab, title in shown:
                with TabPane(_(title), id=f"tab-{tab}"):
                    yield _pane(tab)
        yield Static("", id="status", classes="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Administration")
        actor = self.app.backend.actor
        show_bindings(  # the system administrator's footer offers only what opens for them
            self,
            {
                "day-changes": allowed(actor, Action.SUBSTITUTION_MANAGE),
                "timetable": allowed(actor, Action.SCHOOL_MANAGE),
                "school": allowed(actor, Action.SCHOOL_VIEW),
            },
        )
        self.refresh_bindings()
        self._activate(self.pane())

    # --- the visible tab --------------------------------------------------------------------

    def pane(self) -> AdminPane:
        tabs = self.query_one(TabbedContent)
        return tabs.get_pane(tabs.active).query_one(AdminPane)

    def _activate(self, pane: AdminPane) -> None:
        if not pane.loaded:
            pane.load()
        tables = pane.query(DataTable)
        if tables:
            tables.first().focus()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        self.say("")
        self._activate(event.pane.query_one(AdminPane))

    @on(AdminPane.Say)
    def _say(self, message: AdminPane.Say) -> None:
        self.say(message.text, error=message.error)

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    def _for(self, action: str) -> AdminPane | None:
        """The visible pane if ``action`` means something there; else say where it does."""
        pane = self.pane()
        if action in pane.ACTIONS:
            return pane
        self.say(_("This key does nothing on this tab; F1 lists the keys."))
        return None

    # --- keys -----------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        if not tabs.query(f"#tab-{tab}"):
            self.say(_("Your account may see only the backups here."))
            return
        tabs.active = f"tab-{tab}"

    def action_day_changes(self) -> None:
        """Every lesson of a day: substitutes, moves, cancellations (the administration)."""
        if not allowed(self.app.backend.actor, Action.SUBSTITUTION_MANAGE):
            self.say(_("The day's changes are kept by the director and the deputies."))
            return
        from tui.screens.day_changes import DayChangesScreen

        self.app.push_screen(DayChangesScreen())

    def action_school(self) -> None:
        """The school's structure (periods, bells, subjects, classes, teaching load)."""
        from tui.screens.school import SchoolScreen

        self.app.push_screen(SchoolScreen())

    def action_timetable(self) -> None:
        """The weekly timetable of a class or a teacher, and its lessons from a date."""
        if not allowed(self.app.backend.actor, Action.SCHOOL_MANAGE):
            self.say(_("The timetable is kept by the director and the deputies."))
            return
        from tui.screens.timetable import TimetableScreen

        self.app.push_screen(TimetableScreen())

    def action_back(self) -> None:
        if not self.pane().back():
            self.app.pop_screen()

    def action_shift(self, step: int) -> None:
        if pane := self._for("shift"):
            pane.shift(step)

    def action_refresh(self) -> None:
        self.pane().load()

    def action_view(self) -> None:
        if isinstance(pane := self._for("view"), ControlPane):
            pane.toggle_view()

    def action_open_journal(self) -> None:
        if isinstance(pane := self._for("open_journal"), ControlPane | FinalsPane):
            pane.open_journal()

    def action_unlock(self) -> None:
        if isinstance(pane := self._for("unlock"), FinalsPane):
            pane.unlock()

    def action_dates(self) -> None:
        pane = self._for("dates")
        if not isinstance(pane, ControlPane) or pane.start is None or pane.end is None:
            return

        def chosen(days: tuple[dt.date, dt.date] | None) -> None:
            if days is not None:
                pane.set_range(*days)

        dialog = RangeDialog(_("Journal control: which days"), pane.start, pane.end, _("Show"))
        self.app.push_screen(dialog, chosen)

    def action_export(self, kind: str) -> None:
        pane = self._for("export")
        if pane is None:
            return
        shown = pane.export_table()
        if shown is None:
            self.say(_("Nothing to export yet: wait for the report to appear."))
            return
        name, table = shown
        self._export(name, table, kind)

    @work(thread=True, exclusive=True, group="admin-export")
    def _export(self, name: str, table: Table, kind: str) -> None:
        backend = self.app.backend
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = backend.data_dir / EXPORT_DIR / f"{name}-{stamp}.{kind}"
        language = backend.language

        def write() -> Path:
            private_folder(path.parent)
            if kind == "csv":
                data = export.to_csv(table)
            else:
                school = School.current()
                page = to_html(table, school=school.name if school else "", lang=language)
                data = page.encode("utf-8")
            export.write_atomically(path, data)
            return path

        self.post_message(self.Exported(backend.attempt(write)))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        if message.outcome.value is None:
            self.say(message.outcome.error or "", error=True)
            return
        self.say(_("Saved to {path}").format(path=message.outcome.value))
