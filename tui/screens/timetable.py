"""The timetable editor: a class's week, or a teacher's, as a grid (lesson number × weekday).

A cell shows the subject, the teacher (or the class, in a teacher's week) and the room; the
status line spells out the highlighted cell in full. Enter on a cell picks a lesson of the
load for it (and a room), Delete clears it: the weekly timetable changes at once, each
change checked for clashes by the services. ``g`` makes the lessons follow the new week
from a date (tomorrow unless told) and lists the lessons kept because they hold data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from node.i18n import N_, _
from node.services.school import regeneration, timetable_week
from node.services.school.regeneration import Regeneration
from node.services.school.timetable_week import Choice, Owner, Week, WeekCell
from tui.backend import Outcome
from tui.bindings import translate_bindings
from tui.screens.timetable_dialogs import (
    ApplyDialog,
    ChooseDialog,
    PlaceDialog,
    Placement,
    load_label,
)
from tui.screens.timetable_report import KeptLessonsScreen
from tui.widgets.footer import Footer

#: Weekday names as a timetable writes them, Monday first.
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
#: A day column's width: six days and the number column fit in 80 columns.
DAY_WIDTH = 10


@dataclass(frozen=True)
class Lists:
    classes: list[Choice]
    teachers: list[Choice]


def cell_text(cells: list[WeekCell], owner: Owner) -> Text:
    """Two lines: the subject(s) with the room(s), then the teacher(s) — in a teacher's
    week, the class and the subject, then the room. A long line ends in «…»; the status
    line has the cell in full."""
    if not cells:
        return Text("")
    rooms = "/".join(c.room for c in cells if c.room)
    if owner == "class":
        first = f"{'/'.join(c.load.subject_short for c in cells)} {rooms}".strip()
        second = "/".join(c.load.teacher_surname for c in cells)
    else:
        first = "/".join(f"{c.load.class_label} {c.load.subject_short}" for c in cells)
        second = rooms
    return Text(f"{first}\n{second}", no_wrap=True, overflow="ellipsis")


def describe_cell(cells: list[WeekCell], owner: Owner) -> str:
    """The highlighted cell in full, for the status line."""
    parts = []
    for cell in cells:
        text = load_label(cell.load, with_class=owner == "teacher")
        if cell.room:
            text += ", " + _("room {room}").format(room=cell.room)
        parts.append(text)
    return "; ".join(parts)


class TimetableScreen(Screen[None]):
    """One week of the timetable and the edits a deputy makes to it."""

    CSS_PATH = "timetable.tcss"
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding("c", "choose('class')", N_("A class's week"), show=False, id="tt-class"),
        Binding("t", "choose('teacher')", N_("A teacher's week"), show=False, id="tt-teacher"),
        Binding("left_square_bracket", "step(-1)", N_("Previous"), show=False, id="tt-prev"),
        Binding("right_square_bracket", "step(1)", N_("Next"), show=False, id="tt-next"),
        Binding("delete", "clear", N_("Clear the cell"), show=False, id="tt-clear"),
        Binding("g", "apply", N_("Apply from a date"), id="tt-apply"),
        Binding("f5", "reload", N_("Refresh"), show=False, id="tt-reload"),
    ]
    HELP_KEYS = [
        (N_("Enter"), N_("Put a lesson of the load in the cell, with its room")),
        (N_("arrows"), N_("Move between the days and the lesson numbers")),
    ]

    @dataclass
    class Loaded(Message):
        key: tuple[str, str]
        outcome: Outcome[tuple[Lists, Week | None]]

    @dataclass
    class Done(Message):
        notice: str
        outcome: Outcome[object]

    @dataclass
    class Applied(Message):
        outcome: Outcome[Regeneration]

    def __init__(self, owner: Owner = "class", owner_id: str | None = None) -> None:
        super().__init__()
        translate_bindings(self)
        self.owner: Owner = owner
        self.owner_id = owner_id
        self.lists = Lists([], [])
        self.week: Week | None = None
        self.notice = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="tt-bar", markup=False)
        yield DataTable(id="tt-grid", cursor_type="cell", zebra_stripes=True)
        yield Static(_("Reading the timetable…"), id="status", classes="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Timetable")
        self.query_one("#tt-grid", DataTable).focus()
        self.load()

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    # --- reading the week ---------------------------------------------------------------

    def load(self) -> None:
        self._load(self.owner, self.owner_id)

    @work(thread=True, exclusive=True, group="tt-load")
    def _load(self, owner: Owner, owner_id: str | None) -> None:
        backend = self.app.backend
        actor = backend.actor
        today = backend.today()

        def read() -> tuple[Lists, Week | None]:
            classes, teachers = timetable_week.classes_and_teachers(actor, today)
            choices = classes if owner == "class" else teachers
            chosen = owner_id if owner_id in {c.id for c in choices} else None
            if chosen is None and choices:
                chosen = choices[0].id
            if chosen is None:
                return Lists(classes, teachers), None
            return Lists(classes, teachers), timetable_week.week(actor, owner, chosen, today)

        self.post_message(self.Loaded((owner, owner_id or ""), backend.attempt(read)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.key != (self.owner, self.owner_id or ""):
            return  # another week was asked for meanwhile
        if message.outcome.value is None:
            self.say(message.outcome.error or "", error=True)
            return
        self.lists, self.week = message.outcome.value
        if self.week is None:
            self.query_one("#tt-grid", DataTable).clear(columns=True)
            self.query_one("#tt-bar", Static).update("")
            self.say(_("No classes or teaching load this year: set them up first."), error=True)
            return
        self.owner_id = self.week.owner_id
        self._fill(self.week)
        if self.notice:
            self.say(self.notice)
            self.notice = ""
        else:
            self._describe_cursor()

    def _days(self, week: Week) -> list[int]:
        """Monday to Saturday, and Sunday when the week has a lesson then."""
        return [1, 2, 3, 4, 5, 6] + ([7] if any(c.weekday == 7 for c in week.cells) else [])

    def _fill(self, week: Week) -> None:
        bar = _("The week of {name}: {count} lessons; c a class, t a teacher, [ ] the next")
        self.query_one("#tt-bar", Static).update(bar.format(name=week.title, count=len(week.cells)))
        table = self.query_one("#tt-grid", DataTable)
        row, column = table.cursor_coordinate
        table.clear(columns=True)
        table.add_column("№", key="number")
        for day in self._days(week):
            table.add_column(_(WEEKDAYS[day - 1]), width=DAY_WIDTH, key=str(day))
        for number in week.numbers:
            table.add_row(
                Text(str(number), style="bold"),
                *(cell_text(week.at(day, number), week.owner) for day in self._days(week)),
                height=2,
                key=str(number),
            )
        table.move_cursor(row=row, column=column or 1)

    # --- the highlighted cell -------------------------------------------------------------

    def cell(self) -> tuple[int, int] | None:
        """(weekday, lesson number) under the cursor; says so when it is not on a day."""
        table = self.query_one("#tt-grid", DataTable)
        if self.week is None or not table.row_count:
            self.say(_("There is no week to edit here."), error=True)
            return None
        row, column = table.cursor_coordinate
        days = self._days(self.week)
        if not 1 <= column <= len(days):
            self.say(_("Go to a day's column first (arrows)."), error=True)
            return None
        return days[column - 1], self.week.numbers[row]

    @on(DataTable.CellHighlighted, "#tt-grid")
    def _describe_cursor(self) -> None:
        table = self.query_one("#tt-grid", DataTable)
        if self.week is None or not table.row_count:
            return
        row, column = table.cursor_coordinate
        days = self._days(self.week)
        if not 1 <= column <= len(days):
            self.say(_("Enter puts a lesson in a cell, Delete clears it, g applies from a date."))
            return
        weekday, number = days[column - 1], self.week.numbers[row]
        where = _("{weekday}, lesson {number}").format(
            weekday=_(WEEKDAYS[weekday - 1]), number=number
        )
        cells = self.week.at(weekday, number)
        what = describe_cell(cells, self.week.owner) if cells else _("free (Enter puts a lesson)")
        self.say(f"{where}: {what}")

    # --- keys -----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def _open(self, owner: Owner, owner_id: str) -> None:
        self.owner, self.owner_id = owner, owner_id
        self.say(_("Reading the timetable…"))
        self.load()

    def action_choose(self, owner: Owner) -> None:
        choices = self.lists.classes if owner == "class" else self.lists.teachers
        if not choices:
            self.say(_("There is nothing to choose from yet."), error=True)
            return
        title = _("Whose week: a class") if owner == "class" else _("Whose week: a teacher")
        current = self.owner_id if owner == self.owner else None

        def chosen(choice_id: str | None) -> None:
            if choice_id is not None:
                self._open(owner, choice_id)

        self.app.push_screen(ChooseDialog(title, choices, current), chosen)

    def action_step(self, step: int) -> None:
        choices = self.lists.classes if self.owner == "class" else self.lists.teachers
        ids = [c.id for c in choices]
        if self.owner_id not in ids:
            return
        self._open(self.owner, ids[(ids.index(self.owner_id) + step) % len(ids)])

    @on(DataTable.CellSelected, "#tt-grid")
    def _edit(self) -> None:
        place = self.cell()
        if place is None or self.week is None:
            return
        week, (weekday, number) = self.week, place
        if not week.load:
            self.say(_("This week has no teaching load to choose from."), error=True)
            return
        cells = week.at(weekday, number)
        title = _("{name}, {weekday}, lesson {number}").format(
            name=week.title, weekday=_(WEEKDAYS[weekday - 1]), number=number
        )

        def chosen(choice: Placement | None) -> None:
            if choice is None:
                return
            line = next(x for x in week.load if x.assignment_id == choice.assignment_id)
            self.change(
                _("{lesson} is in the timetable; g applies it to the lessons.").format(
                    lesson=load_label(line, with_class=week.owner == "teacher")
                ),
                lambda actor: timetable_week.place(
                    actor,
                    choice.assignment_id,
                    weekday,
                    number,
                    choice.room,
                    owner=week.owner,
                ),
            )

        dialog = PlaceDialog(
            title,
            week.load,
            with_class=week.owner == "teacher",
            current=cells[0].load.assignment_id if cells else None,
            room=cells[0].room if cells else "",
        )
        self.app.push_screen(dialog, chosen)

    def action_clear(self) -> None:
        place = self.cell()
        if place is None or self.week is None:
            return
        cells = self.week.at(*place)
        if not cells:
            self.say(_("This cell is already free."), error=True)
            return
        slot_ids = [c.slot_id for c in cells]
        self.change(
            _("The cell is cleared; g applies it to the lessons."),
            lambda actor: timetable_week.clear(actor, slot_ids),
        )

    def action_apply(self) -> None:
        if self.week is None:
            self.say(_("There is no week to apply."), error=True)
            return
        week = self.week
        tomorrow = self.app.backend.today() + dt.timedelta(days=1)
        if week.owner == "class":
            title = _("Lessons of {name} follow the new week").format(name=week.title)
        else:
            title = _("Lessons of every class follow the new week")
        class_id = week.owner_id if week.owner == "class" else None

        def chosen(day: dt.date | None) -> None:
            if day is not None:
                self.say(_("Making the lessons…"))
                self._apply(day, class_id)

        self.app.push_screen(ApplyDialog(title, tomorrow), chosen)

    @work(thread=True, exclusive=True, group="tt-apply")
    def _apply(self, day: dt.date, class_id: str | None) -> None:
        backend = self.app.backend
        outcome = backend.attempt(
            regeneration.regenerate_from, backend.actor, day, class_id=class_id
        )
        self.post_message(self.Applied(outcome))

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        result = message.outcome.value
        if result is None:
            self.say(message.outcome.error or "", error=True)
            self.app.bell()
            return
        self.say(
            _(
                "From {day}: {created} lessons made, {removed} removed, {kept} kept with data."
            ).format(
                day=result.start.strftime("%d.%m.%Y"),
                created=result.created,
                removed=result.removed,
                kept=len(result.kept),
            )
        )
        if result.kept:
            self.app.push_screen(KeptLessonsScreen(result))

    # --- running a change -------------------------------------------------------------------

    def change(self, notice: str, call: Callable[..., object]) -> None:
        self.say(_("Saving…"))
        self._change(notice, call)

    @work(thread=True, group="tt-write")
    def _change(self, notice: str, call: Callable[..., object]) -> None:
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
