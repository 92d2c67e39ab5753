"""The School section: the year's periods, holidays, bells, subjects, kinds of work, classes
and the teaching load — listed, added, edited and removed (when nothing depends on a row).

One tab a section (``tui.screens.school_sections``); the screen owns every key, so F1 lists
them. The structure is read, and every change written, by the services in a thread worker;
a refusal says why in the status line and writes nothing. The system administrator sees
the section; changing it is the director's and the deputies' (the permission module says).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from node.i18n import N_, _
from node.services.base.actor import Actor
from node.services.base.permissions import Action, allowed
from node.services.school.setup_view import Structure, school_structure
from tui.backend import Outcome
from tui.bindings import translate_bindings
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.dates import show_day
from tui.screens.school_dialogs import Call, FieldsDialog, Form
from tui.screens.school_sections import SECTIONS, Removal, Section
from tui.screens.school_year import grade_scheme_form, new_year_form, year_form
from tui.widgets.footer import Footer


def may_view_school(actor: Actor) -> bool:
    return allowed(actor, Action.SCHOOL_VIEW)


class SchoolScreen(Screen[None]):
    """The school's structure, one tab a kind of row."""

    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding("1", "tab('periods')", N_("Periods of the year"), show=False),
        Binding("2", "tab('holidays')", N_("Holidays"), show=False),
        Binding("3", "tab('bells')", N_("Bell times"), show=False),
        Binding("4", "tab('subjects')", N_("Subjects"), show=False),
        Binding("5", "tab('work')", N_("Work types and weights"), show=False),
        Binding("6", "tab('classes')", N_("Classes and class teachers"), show=False),
        Binding("7", "tab('load')", N_("Teaching load"), show=False),
        Binding("n", "add", N_("Add"), id="add"),
        Binding("e", "edit", N_("Edit"), show=False, id="edit"),  # Enter edits too
        Binding("delete", "remove", N_("Remove"), id="remove"),
        Binding("x", "remove", N_("Remove"), show=False, id="remove-x"),
        Binding("y", "year", N_("Academic year"), show=False, id="year"),
        Binding("Y", "new_year", N_("A new academic year"), show=False, id="new-year"),
        Binding("g", "grade_scheme", N_("Quarters or halves for a grade"), show=False),
        Binding("t", "timetable", N_("The class's timetable"), show=False, id="timetable"),
        Binding("r", "refresh", N_("Refresh"), show=False, id="refresh"),
    ]
    HELP_KEYS = [
        (N_("Enter"), N_("Edit the highlighted line")),
        (N_("Tab, arrows"), N_("Move between the tabs and the lines")),
    ]

    @dataclass
    class Loaded(Message):
        outcome: Outcome[Structure]

    @dataclass
    class Done(Message):
        notice: str
        outcome: Outcome[object]

    def __init__(self, *, year_form: bool = False) -> None:
        """``year_form``: open the academic year's form once the school is read (the
        palette's «Academic year»)."""
        super().__init__()
        translate_bindings(self)
        self.structure: Structure | None = None
        self.notice = ""
        self.open_year_form = year_form

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="school-year", markup=False)
        with TabbedContent(initial=f"tab-{SECTIONS[0].id}", id="school-tabs"):
            for section in SECTIONS:
                with TabPane(_(section.title), id=f"tab-{section.id}"):
                    yield DataTable(id=f"table-{section.id}", cursor_type="row", zebra_stripes=True)
        yield Static(_("Reading the school…"), id="status", classes="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("School")
        self.load()

    # --- status line and the visible tab ------------------------------------------------

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    def section(self) -> Section:
        active = self.query_one(TabbedContent).active.removeprefix("tab-")
        return next(s for s in SECTIONS if s.id == active)

    def table(self, section: Section | None = None) -> DataTable:
        return self.query_one(f"#table-{(section or self.section()).id}", DataTable)

    def current_key(self) -> str | None:
        table = self.table()
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.table().focus()
        self._hint()

    def _hint(self) -> None:
        if self.structure is None:
            return
        if not self.table().row_count:
            self.say(_(self.section().empty))
        elif allowed(self.app.backend.actor, self.section().edit_action) and not allowed(
            self.app.backend.actor, Action.SCHOOL_MANAGE
        ):
            self.say(_("e or Enter hands the highlighted journal to another teacher or group."))
        elif not allowed(self.app.backend.actor, Action.SCHOOL_MANAGE):
            self.say(_("You may look; the director and the deputies change the school."))
        else:
            self.say(_("n add, e or Enter edit, Delete remove; F1 lists every key."))

    # --- reading ------------------------------------------------------------------------

    def load(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="school-load")
    def _load(self) -> None:
        backend = self.app.backend
        self.post_message(self.Loaded(backend.attempt(school_structure, backend.actor)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        structure = message.outcome.value
        if structure is None:
            self.say(message.outcome.error or "", error=True)
            return
        self.structure = structure
        year = structure.year
        bar = self.query_one("#school-year", Static)
        if year is None:
            bar.update(_("No academic year yet: y creates it."))
        else:
            closed = _(" (closed: read only)") if year.closed else ""
            bar.update(
                _("Academic year {name}: {start}–{end}{closed}").format(
                    name=year.name,
                    start=show_day(year.start),
                    end=show_day(year.end),
                    closed=closed,
                )
            )
        for section in SECTIONS:
            self._fill(section, structure)
        self.table().focus()
        if self.notice:
            self.say(self.notice)
            self.notice = ""
        else:
            self._hint()
        if self.open_year_form:
            self.open_year_form = False
            self.action_year()

    def _fill(self, section: Section, structure: Structure) -> None:
        table = self.table(section)
        keep = table.cursor_coordinate.row if table.row_count else 0
        table.clear(columns=True)
        rows = section.rows(structure)
        for i, title in enumerate(section.columns()):  # auto width lags after a clear
            width = max([len(title)] + [len(cells[i]) for _key, cells in rows])
            table.add_column(title, width=min(width, 30))
        for key, cells in rows:
            table.add_row(*(Text(c, overflow="ellipsis", no_wrap=True) for c in cells), key=key)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))

    # --- keys ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{tab}"

    def action_refresh(self) -> None:
        self.load()

    def action_timetable(self) -> None:
        """The week of the highlighted class (on the Classes and Load tabs), to build it
        right after its load."""
        if not self._may_change():
            return
        assert self.structure is not None
        key, tab = self.current_key(), self.section().id
        class_id = None
        if tab == "classes":
            class_id = key
        elif tab == "load":
            class_id = next((x.class_id for x in self.structure.load if x.id == key), None)
        from tui.screens.timetable import TimetableScreen

        self.app.push_screen(TimetableScreen("class", class_id))

    def _may_change(self, action: Action = Action.SCHOOL_MANAGE) -> bool:
        if self.structure is None:
            self.say(_("Wait for the school to be read."))
            return False
        if not allowed(self.app.backend.actor, action):
            self.say(
                _("Only the director and the deputies change the school's structure."),
                error=True,
            )
            return False
        return True

    def action_add(self) -> None:
        if self._may_change():
            assert self.structure is not None
            self._open(self.section().add(self.structure, self.current_key()))

    def action_edit(self) -> None:
        if self._may_change(self.section().edit_action):
            assert self.structure is not None
            self._open(self.section().edit(self.structure, self.current_key()))

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_edit()

    def _open(self, form: Form | str) -> None:
        if isinstance(form, str):
            self.say(form, error=True)
            return

        def chosen(call: Call | None) -> None:
            if call is not None:
                self.run(call, form.notice)

        self.app.push_screen(FieldsDialog(form), chosen)

    def action_year(self) -> None:
        if self._may_change():
            assert self.structure is not None
            self._open(year_form(self.structure))

    def action_new_year(self) -> None:
        if self._may_change():
            assert self.structure is not None
            self._open(new_year_form(self.structure))

    def action_grade_scheme(self) -> None:
        if self._may_change():
            assert self.structure is not None
            self._open(grade_scheme_form(self.structure))

    def action_remove(self) -> None:
        if not self._may_change():
            return
        assert self.structure is not None
        removal = self.section().remove(self.structure, self.current_key())
        if isinstance(removal, str):
            self.say(removal, error=True)
            return

        def confirmed(yes: bool | None) -> None:
            if yes and isinstance(removal, Removal):
                self.run(removal.call, removal.notice)
            else:
                self.say(_("Cancelled."))

        self.app.push_screen(
            ConfirmDialog(removal.question, _("Remove"), destructive=True), confirmed
        )

    # --- running a change ---------------------------------------------------------------

    def run(self, call: Call, notice: str) -> None:
        self.say(_("Saving…"))
        self._run(call, notice)

    @work(thread=True, group="school-write")
    def _run(self, call: Call, notice: str) -> None:
        backend = self.app.backend
        self.post_message(self.Done(notice, backend.attempt(call, backend.actor)))

    @on(Done)
    def _done(self, message: Done) -> None:
        if not message.outcome.ok:
            self.say(message.outcome.error or "", error=True)
            self.app.bell()
            return
        self.notice = message.notice
        self.load()
