"""The journal of one assignment and period: marks, attendance, topics, final marks.

Type into a cell to open the entry line under the grid; Enter saves and moves down to the
next student, so a column of marks is typed as "5 Enter 4 Enter н Enter …". Every write
runs in a thread worker; a refusal leaves the cell as it was and says why in the status
line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from node.i18n import N_, _
from node.models import Period
from node.services.base import clock
from node.services.base.lookup import get_lesson
from node.services.gradebook import finals
from node.services.gradebook.final_history import final_mark_history
from node.services.gradebook.grid import JournalGrid, load_grid
from node.services.gradebook.journal import CellChange, cell_history
from node.services.gradebook.journal_entry import (
    LessonForm,
    enter_cell,
    lesson_form,
    save_lesson_form,
)
from node.services.gradebook.teacher_home import journal_periods
from tui.backend import Outcome
from tui.bindings import translate_bindings
from tui.screens.dialogs import HistoryDialog, JustificationDialog, LessonDialog, LessonEdit
from tui.screens.plan import PlanScreen
from tui.widgets.footer import Footer
from tui.widgets.journal_table import FINAL, JournalTable, mark_style


@dataclass(frozen=True)
class JournalTarget:
    """Which journal to open, on which period (None: the current one), where: the cell
    of ``student_id`` in the lesson's (or the final marks') column."""

    assignment_id: str
    period_id: str | None
    lesson_id: str | None = None
    finals: bool = False
    student_id: str | None = None


@dataclass(frozen=True)
class JournalData:
    periods: list[Period]
    grid: JournalGrid


def _day(day: dt.date) -> str:
    return day.strftime("%d.%m")


def choose_period(periods: list[Period], day: dt.date) -> Period:
    """The (non-year) period containing ``day``, else the last one begun, else the first."""
    own = [p for p in periods if not p.is_year] or periods
    started = [p for p in own if p.start <= day]
    return next((p for p in own if p.start <= day <= p.end), None) or (
        started[-1] if started else own[0]
    )


class PeriodDialog(ModalScreen[str | None]):
    """The journal's periods to choose from; None: cancelled."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel")]

    def __init__(self, periods: list[Period], current: str | None) -> None:
        super().__init__()
        translate_bindings(self)
        self.periods = periods
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="period-dialog"):
            yield Static(_("Period"), classes="dialog-title")
            yield OptionList(*(Option(p.name, id=p.id) for p in self.periods), id="periods")

    def on_mount(self) -> None:
        options = self.query_one("#periods", OptionList)
        ids = [p.id for p in self.periods]
        options.highlighted = ids.index(self.current) if self.current in ids else 0
        options.focus()

    @on(OptionList.OptionSelected, "#periods")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class JournalScreen(Screen[None]):
    """One journal (class × subject, or a subgroup) over one period."""

    BINDINGS = [
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("t", "lesson", N_("Topic/homework"), id="lesson"),
        Binding("h", "history", N_("History"), id="history"),
        Binding("p", "period", N_("Period"), id="period"),
        Binding("k", "plan", N_("Plan"), show=False, id="plan"),
        Binding("r", "reload", N_("Reload"), show=False, id="reload"),
        Binding("f", "final_column", N_("Final marks column"), show=False, id="final"),
    ]
    HELP_KEYS = [
        (N_("5, 4, 5/4 then Enter"), N_("Type marks into the cell; Enter saves, moves down")),
        (N_("н (or n) then Enter"), N_("Absent; б sick, у excused, оп late")),
        (N_("Delete"), N_("Clear the cell (marks and absence)")),
        (N_("Escape in the entry line"), N_("Cancel typing")),
        (N_("arrows, Page Up/Down"), N_("Move around the journal")),
    ]

    @dataclass
    class Loaded(Message):
        outcome: Outcome[JournalData]

    @dataclass
    class Written(Message):
        student_id: str
        outcome: Outcome[JournalGrid]

    @dataclass
    class JustificationNeeded(Message):
        student_id: str
        value: str
        reasons: list[str]

    @dataclass
    class LessonSaved(Message):
        outcome: Outcome[JournalData]

    @dataclass
    class FormLoaded(Message):
        title: str
        outcome: Outcome[LessonForm]

    @dataclass
    class HistoryLoaded(Message):
        title: str
        outcome: Outcome[list[CellChange]]

    def __init__(self, target: JournalTarget) -> None:
        super().__init__()
        translate_bindings(self)
        self.target = target
        self.period_id = target.period_id
        self.grid: JournalGrid | None = None
        self.periods: list[Period] = []
        self._placed = False

    def compose(self) -> ComposeResult:
        self.load(self.period_id)  # the grid is read while the screen is being built
        yield Header()
        with Horizontal(id="journal-bar"):
            yield Static("…", id="period")
            yield Static("", id="journal-info")
        yield JournalTable(id="grid")
        yield Static(_("Type a mark: 5, 5/4, н; Enter saves, Esc cancels."), id="entry")
        yield Static(_("Loading the journal…"), id="status", classes="status")
        # the Footer comes with the grid (``loaded``): built beside it, its keys were
        # rebuilt several times while the screen opened, before the journal was shown

    async def _mount_footer(self) -> None:
        if not self.query(Footer):
            await self.mount(Footer())
            self.refresh_bindings()  # a Footer shows keys from the next bindings update

    def on_mount(self) -> None:
        self.title = _("Journal")
        self.query_one("#grid", JournalTable).focus()

    # --- status line ---------------------------------------------------------------

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    # --- loading ---------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="journal-load")
    def load(self, period_id: str | None) -> None:
        backend = self.app.backend
        actor = backend.actor
        target = self.target

        def run() -> JournalData:
            lesson_id = target.lesson_id
            periods = journal_periods(actor, target.assignment_id, lesson_id=lesson_id)
            chosen = period_id
            if chosen is None:
                day = get_lesson(lesson_id).date if lesson_id else clock.today()
                chosen = choose_period(periods, day).id
            grid = load_grid(actor, target.assignment_id, chosen, lesson_id=lesson_id)
            return JournalData(periods, grid)

        self.post_message(self.Loaded(backend.attempt(run)))

    @on(Loaded)
    def loaded(self, message: Loaded) -> None:
        self.call_after_refresh(self._mount_footer)
        data = message.outcome.value
        if data is None:
            self.set_status(message.outcome.error or "", error=True)
            return
        grid = data.grid
        self.grid = grid
        self.period_id = grid.period_id
        self.periods = data.periods
        self.query_one("#period", Static).update(f"{grid.period_name} ▾")
        table = self.query_one("#grid", JournalTable)
        cursor = table.cursor_coordinate if table.row_count else None
        table.show(grid)
        if cursor is not None and self._placed:
            table.move_cursor(row=cursor.row, column=cursor.column)
        self.title = f"{grid.class_label} · {grid.subject_name}"
        self.show_info(grid)
        self.set_status(
            _(
                "{students} students, {lessons} lessons. Type a mark into a cell; F1 lists keys."
            ).format(students=len(grid.students), lessons=len(grid.lessons))
        )
        self.place_cursor(table, grid)

    def show_info(self, grid: JournalGrid) -> None:
        if grid.one_lesson:
            text = _("substitute: this lesson only")
            self.query_one("#journal-info", Static).update(text)
            return
        window = grid.window
        today = self.app.backend.today()
        if window.is_locked:
            finals_text = _("final marks locked since {date} 🔒").format(date=_day(window.closes))
        elif window.is_open:
            closes = window.unlocked_until or window.closes
            finals_text = _("final marks open until {date} ({days} days left)").format(
                date=_day(closes), days=(closes - today).days
            )
        else:
            finals_text = _("final marks from {date}").format(date=_day(window.opens))
        period = f"{_day(grid.period_start)}–{_day(grid.period_end)}"
        self.query_one("#journal-info", Static).update(f"{period} · {finals_text}")

    def place_cursor(self, table: JournalTable, grid: JournalGrid) -> None:
        """First time: on the lesson asked for, the final column, or today's lesson; on the
        student asked for (a conflict's cell), else the first."""
        if self._placed or not grid.lessons:
            return
        self._placed = True
        today = self.app.backend.today()
        row = table.row_index(self.target.student_id) if self.target.student_id else None
        column = 0
        ids = [lesson.id for lesson in grid.lessons]
        if self.target.finals:
            column = table.column_index(FINAL)
        elif self.target.lesson_id in ids:
            column = ids.index(self.target.lesson_id) + 1
        else:
            past = [i for i, lesson in enumerate(grid.lessons) if lesson.date <= today]
            column = (past[-1] if past else 0) + 1
        table.move_cursor(row=row or 0, column=column)

    def period_changed(self, period_id: str | None) -> None:
        if period_id is not None and period_id != self.period_id:
            self._placed = False
            self.set_status(_("Loading the journal…"))
            self.load(period_id)
        self.query_one("#grid", JournalTable).focus()

    def action_period(self) -> None:
        # a list opened on demand: a Select in the bar cost as much as the rest of the
        # screen each time a journal opens
        if self.periods:
            dialog = PeriodDialog(self.periods, self.period_id)
            self.app.push_screen(dialog, self.period_changed)

    @on(events.Click, "#period")
    def period_clicked(self) -> None:
        self.action_period()

    def action_reload(self) -> None:
        self.load(self.period_id)

    def action_plan(self) -> None:
        self.app.push_screen(PlanScreen(self.target.assignment_id))

    def action_final_column(self) -> None:
        table = self.query_one("#grid", JournalTable)
        table.move_cursor(column=table.column_index(FINAL))

    # --- typing into a cell ---------------------------------------------------------

    def student_name(self, student_id: str) -> str:
        if self.grid is None:
            return ""
        return next((s.name for s in self.grid.students if s.id == student_id), "")

    def column_name(self, column: str) -> str:
        if column == FINAL:
            return _("final mark")
        lesson = next((x for x in self.grid.lessons if x.id == column), None) if self.grid else None
        return _day(lesson.date) if lesson else ""

    @on(JournalTable.Editing)
    def editing_changed(self, message: JournalTable.Editing) -> None:
        label = self.query_one("#entry", Static)
        if message.text is None:
            label.update(_("Type a mark: 5, 5/4, н; Enter saves, Esc cancels."))
            label.remove_class("active")
            return
        where = f"{self.student_name(message.row)} · {self.column_name(message.column)}"
        label.update(Text.assemble((f"{where}: ", "bold"), message.text, ("▌", "blink")))
        label.add_class("active")

    @on(JournalTable.Commit)
    def commit(self, message: JournalTable.Commit) -> None:
        if message.column != FINAL:
            # shown at once; the saved row replaces it, a refusal puts the old one back
            text = message.text.strip()
            points = [int(part) if part.isdigit() else None for part in text.split("/")]
            table = self.query_one("#grid", JournalTable)
            table.set_cell(message.row, message.column, (text, mark_style(points)))
        self.write(message.row, message.column, message.text)

    def action_back(self) -> None:
        if self.query_one("#grid", JournalTable).cancel():
            self.set_status(_("Not saved."))
            return
        self.app.pop_screen()

    # Writes are not exclusive: a second mark typed while the first is saved must not
    # cancel it. A mark is shown in its cell before it is written (``commit``); each write
    # returns the grid read afterwards, and only that row is redrawn.
    @work(thread=True, group="journal-write")
    def write(
        self, student_id: str, column: str, text: str, justification: str | None = None
    ) -> None:
        backend = self.app.backend
        actor = backend.actor
        grid = self.grid
        if grid is None:
            return
        # ask for a justification only where the mark could be saved at all; otherwise
        # set_final_mark says why not (locked, not yet open)
        if column == FINAL and text.strip() and justification is None and grid.window.is_open:
            reasons = backend.attempt(
                finals.justification_needed,
                actor,
                grid.assignment_id,
                grid.period_id,
                student_id,
                text,
            )
            if reasons.value:
                self.post_message(self.JustificationNeeded(student_id, text, reasons.value))
                return
            if not reasons.ok:
                self.post_message(self.Written(student_id, Outcome(error=reasons.error)))
                return

        def run() -> JournalGrid:
            if column != FINAL:
                enter_cell(actor, column, student_id, text)
            elif text.strip():
                finals.set_final_mark(
                    actor,
                    grid.assignment_id,
                    grid.period_id,
                    student_id,
                    text,
                    justification=justification or "",
                )
            else:
                finals.clear_final_mark(actor, grid.assignment_id, grid.period_id, student_id)
            return load_grid(
                actor, grid.assignment_id, grid.period_id, lesson_id=self.target.lesson_id
            )

        self.post_message(self.Written(student_id, backend.attempt(run)))

    @on(Written)
    def written(self, message: Written) -> None:
        grid = message.outcome.value
        table = self.query_one("#grid", JournalTable)
        if grid is None:
            if self.grid is not None:  # the row as last read: what is saved
                table.update_student(self.grid, message.student_id)
            self.set_status(message.outcome.error or "", error=True)
            self.app.bell()
            return
        self.grid = grid
        table.update_student(grid, message.student_id)
        self.set_status(_("Saved — {name}").format(name=self.student_name(message.student_id)))

    @on(JustificationNeeded)
    def ask_justification(self, message: JustificationNeeded) -> None:
        current = ""
        if self.grid is not None and message.student_id in self.grid.finals:
            current = self.grid.finals[message.student_id].justification

        def answered(text: str | None) -> None:
            if text is None:
                self.set_status(_("The final mark was not saved."))
                return
            self.write(message.student_id, FINAL, message.value, text)

        self.app.push_screen(
            JustificationDialog(
                self.student_name(message.student_id), message.value, message.reasons, current
            ),
            answered,
        )

    # --- the lesson's topic, homework and work type ------------------------------

    def lesson_under_cursor(self) -> str | None:
        keys = self.query_one("#grid", JournalTable).cursor_keys()
        if keys is None or self.grid is None:
            return None
        if keys[1] not in {lesson.id for lesson in self.grid.lessons}:
            self.set_status(_("Move to a lesson's column first."), error=True)
            return None
        return keys[1]

    def action_lesson(self) -> None:
        lesson_id = self.lesson_under_cursor()
        if lesson_id is not None:
            self.load_form(
                lesson_id, _("Lesson of {date}").format(date=self.column_name(lesson_id))
            )

    @work(thread=True, exclusive=True, group="journal-form")
    def load_form(self, lesson_id: str, title: str) -> None:
        backend = self.app.backend
        outcome = backend.attempt(lesson_form, backend.actor, lesson_id)
        self.post_message(self.FormLoaded(title, outcome))

    @on(FormLoaded)
    def form_loaded(self, message: FormLoaded) -> None:
        form = message.outcome.value
        if form is None:
            self.set_status(message.outcome.error or "", error=True)
            return

        def answered(edit: LessonEdit | None) -> None:
            if edit is not None:
                self.save_form(edit)

        self.app.push_screen(LessonDialog(message.title, form), answered)

    @work(thread=True, group="journal-write")
    def save_form(self, edit: LessonEdit) -> None:
        backend = self.app.backend
        actor = backend.actor
        grid = self.grid
        if grid is None:
            return

        def run() -> JournalData:
            save_lesson_form(
                actor,
                edit.lesson_id,
                topic=edit.topic,
                plan_item_ids=edit.plan_item_ids,
                homework=edit.homework,
                work_type_id=edit.work_type_id,
            )
            lesson_id = self.target.lesson_id
            periods = journal_periods(actor, grid.assignment_id, lesson_id=lesson_id)
            page = load_grid(actor, grid.assignment_id, grid.period_id, lesson_id=lesson_id)
            return JournalData(periods, page)

        self.post_message(self.LessonSaved(backend.attempt(run)))

    @on(LessonSaved)
    def lesson_saved(self, message: LessonSaved) -> None:
        if not message.outcome.ok:
            self.set_status(message.outcome.error or "", error=True)
            return
        self.loaded(self.Loaded(message.outcome))
        self.set_status(_("The lesson was saved."))

    # --- a cell's history -----------------------------------------------------------

    def action_history(self) -> None:
        keys = self.query_one("#grid", JournalTable).cursor_keys()
        if keys is None:
            return
        if keys[1] == FINAL and self.grid is not None:
            title = f"{self.student_name(keys[0])} · {self.column_name(FINAL)}"
            self.load_final_history(keys[0], title)
            return
        lesson_id = self.lesson_under_cursor()
        if lesson_id is not None:
            title = f"{self.student_name(keys[0])} · {self.column_name(lesson_id)}"
            self.load_history(keys[0], lesson_id, title)

    @work(thread=True, exclusive=True, group="journal-history")
    def load_history(self, student_id: str, lesson_id: str, title: str) -> None:
        backend = self.app.backend
        outcome = backend.attempt(cell_history, backend.actor, lesson_id, student_id)
        self.post_message(self.HistoryLoaded(title, outcome))

    @work(thread=True, exclusive=True, group="journal-history")
    def load_final_history(self, student_id: str, title: str) -> None:
        backend = self.app.backend
        grid = self.grid
        if grid is None:
            return
        outcome = backend.attempt(
            final_mark_history, backend.actor, grid.assignment_id, grid.period_id, student_id
        )
        self.post_message(self.HistoryLoaded(title, outcome))

    @on(HistoryLoaded)
    def history_loaded(self, message: HistoryLoaded) -> None:
        if message.outcome.value is None:
            self.set_status(message.outcome.error or "", error=True)
            return
        self.app.push_screen(HistoryDialog(message.title, message.outcome.value))
