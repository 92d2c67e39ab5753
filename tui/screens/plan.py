"""The thematic plan (КТП) of one journal: its lines, how many lessons cover each, coverage.

Opened with ``k`` from the journal or from the home screen's journal list. Adding,
changing, deleting and importing lines run in thread workers; each returns the plan read
afterwards, so the table and the coverage line always show what is in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from node.i18n import N_, _, os_reason
from node.models import PlanItem
from node.services.gradebook import plan
from node.services.gradebook.plan_view import PlanView, plan_view
from tui.backend import Outcome
from tui.bindings import translate_bindings
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.plan_dialogs import ImportDialog, PlanLineDialog, PlanLineEdit
from tui.widgets.footer import Footer


def _hours(value: float) -> str:
    return f"{value:g}"


def coverage_text(view: PlanView) -> str:
    """«By 25.11: planned 12 h, taught 10 h (2 h behind) · plan 34 h in 20 lines»."""
    planned, taught = view.coverage.planned_hours, view.coverage.taught_hours
    text = _("By {date}: planned {planned} h, taught {taught} h").format(
        date=view.today.strftime("%d.%m"), planned=_hours(planned), taught=_hours(taught)
    )
    if taught < planned:
        text += " " + _("({hours} h behind)").format(hours=_hours(planned - taught))
    elif taught > planned:
        text += " " + _("({hours} h ahead)").format(hours=_hours(taught - planned))
    return (
        text
        + " · "
        + _("plan: {hours} h in {count} lines").format(
            hours=_hours(view.total_hours), count=len(view.lines)
        )
    )


class PlanScreen(Screen[None]):
    """One journal's thematic plan."""

    BINDINGS = [
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("a", "add", N_("Add line"), id="add"),
        Binding("e", "edit", N_("Edit line"), show=False, id="edit"),  # Enter edits too
        Binding("delete", "delete", N_("Delete"), id="delete", tooltip=N_("Delete line")),
        Binding("i", "import", N_("Import CSV"), show=False, id="import"),
        Binding("r", "reload", N_("Reload"), show=False, id="reload"),
    ]

    HELP_KEYS = [(N_("Enter"), N_("Edit the line under the cursor"))]

    @dataclass
    class Loaded(Message):
        outcome: Outcome[PlanView]
        done: str = ""

    def __init__(self, assignment_id: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.assignment_id = assignment_id
        self.view: PlanView | None = None
        self.last_path = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="coverage")
        table: DataTable[str] = DataTable(id="plan-table", cursor_type="row", zebra_stripes=True)
        table.add_column("№", key="position", width=3)
        table.add_column(_("Section"), key="section", width=12)
        table.add_column(_("Topic"), key="topic", width=32)
        table.add_column(_("Hours"), key="hours", width=5)
        table.add_column(_("Week"), key="week", width=6)
        table.add_column(_("Lessons"), key="lessons", width=7)
        yield table
        yield Static("", id="status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Thematic plan")
        self.query_one("#plan-table", DataTable).focus()
        self.set_status(_("Loading the plan…"))
        self.load()

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    # --- reading and writing ------------------------------------------------------------

    def _run(self, change: object, done: str) -> None:
        """Call ``change`` (a no-argument function or None) and read the plan, in a worker."""
        backend = self.app.backend
        actor = backend.actor
        today = backend.today()

        def run() -> PlanView:
            if callable(change):
                change()
            return plan_view(actor, self.assignment_id, today)

        self.post_message(self.Loaded(backend.attempt(run), done))

    @work(thread=True, exclusive=True, group="plan-load")
    def load(self) -> None:
        self._run(None, "")

    @work(thread=True, group="plan-write")
    def write(self, change: object, done: str) -> None:
        self._run(change, done)

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        view = message.outcome.value
        if view is None:
            self.set_status(message.outcome.error or "", error=True)
            self.app.bell()
            return
        self.view = view
        self.title = _("Thematic plan — {journal}").format(journal=view.journal)
        self.query_one("#coverage", Static).update(coverage_text(view))
        table = self.query_one("#plan-table", DataTable)
        row = table.cursor_row
        table.clear()
        for number, line in enumerate(view.lines, start=1):
            item = line.item
            table.add_row(
                str(number),
                item.section,
                item.topic,
                _hours(item.hours),
                str(item.planned_week or ""),
                str(line.lessons or ""),
                key=item.id,
            )
        if view.lines:
            table.move_cursor(row=min(row, len(view.lines) - 1))
        if message.done:
            self.set_status(message.done)
        elif view.lines:
            self.set_status(_("Enter edits a line, a adds one, i imports a CSV; F1 lists keys."))
        else:
            self.set_status(_("The plan is empty: a adds a line, i imports a CSV file."))

    def current(self) -> PlanItem | None:
        if self.view is None or not self.view.lines:
            return None
        table = self.query_one("#plan-table", DataTable)
        return self.view.lines[min(table.cursor_row, len(self.view.lines) - 1)].item

    # --- actions ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def action_add(self) -> None:
        self.app.push_screen(PlanLineDialog(_("New plan line")), self.save_line)

    @on(DataTable.RowSelected, "#plan-table")
    def row_selected(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        item = self.current()
        if item is None:
            self.action_add()
            return
        number = self.query_one("#plan-table", DataTable).cursor_row + 1
        title = _("Plan line {number}").format(number=number)
        self.app.push_screen(PlanLineDialog(title, item), self.save_line)

    def save_line(self, edit: PlanLineEdit | None) -> None:
        if edit is None:
            return
        actor = self.app.backend.actor
        if edit.plan_item_id is None:

            def change() -> None:
                plan.add_plan_item(
                    actor,
                    self.assignment_id,
                    edit.topic,
                    section=edit.section,
                    hours=edit.hours,
                    planned_week=edit.planned_week,
                )

            self.write(change, _("The line was added."))
        else:
            plan_item_id = edit.plan_item_id

            def change() -> None:
                plan.update_plan_item(
                    actor,
                    plan_item_id,
                    topic=edit.topic,
                    section=edit.section,
                    hours=edit.hours,
                    planned_week=edit.planned_week,
                )

            self.write(change, _("The line was saved."))

    def action_delete(self) -> None:
        item = self.current()
        if item is None:
            return
        actor = self.app.backend.actor
        plan_item_id = item.id

        def answered(yes: bool | None) -> None:
            if yes:
                self.write(
                    lambda: plan.delete_plan_item(actor, plan_item_id),
                    _("The line was deleted."),
                )
            else:
                self.set_status(_("Cancelled."))

        question = _("Delete the plan line «{topic}»?").format(topic=item.topic)
        self.app.push_screen(ConfirmDialog(question, _("Delete"), destructive=True), answered)

    def action_import(self) -> None:
        self.app.push_screen(ImportDialog(self.last_path), self.import_file)

    def import_file(self, path: str | None) -> None:
        if path is None:
            return
        self.last_path = path
        self.set_status(_("Importing…"))
        self.read_and_import(Path(path).expanduser())

    @work(thread=True, group="plan-write")
    def read_and_import(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            message = _("The file {path} cannot be read ({error}); check the path.").format(
                path=path, error=os_reason(error)
            )
            self.post_message(self.Loaded(Outcome(error=message)))
            return
        backend = self.app.backend
        actor = backend.actor
        today = backend.today()
        count: list[int] = []

        def run() -> PlanView:
            count.append(len(plan.import_plan_csv(actor, self.assignment_id, data)))
            return plan_view(actor, self.assignment_id, today)

        outcome = backend.attempt(run)
        done = _("{count} lines were imported.").format(count=count[0]) if count else ""
        self.post_message(self.Loaded(outcome, done))
