"""The lessons a timetable change kept because they hold data, and the deputy's decision on
each: move it (``m``) or cancel it (``c``, with a reason parents see) — the same services
and dialogs as the day's changes. A lesson left alone simply stays where it is."""

from __future__ import annotations

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
from node.services.school import timetable
from node.services.school.regeneration import KeptLesson, Regeneration
from tui.backend import Outcome
from tui.bindings import translate_bindings
from tui.screens.day_dialogs import CancelDialog, MoveDialog, MoveRequest
from tui.widgets.footer import Footer


def describe_kept(lesson: KeptLesson) -> str:
    return _("{class_label}, {subject}, {day}, lesson {number} ({teacher})").format(
        class_label=lesson.class_label,
        subject=lesson.subject,
        day=lesson.date.strftime("%d.%m"),
        number=lesson.number,
        teacher=lesson.teacher,
    )


class KeptLessonsScreen(Screen[None]):
    """The report of a timetable change: the lessons it kept, and what each holds."""

    CSS_PATH = "timetable.tcss"
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("m", "move", N_("Move"), id="kept-move"),
        Binding("c", "cancel_lesson", N_("Cancel the lesson"), id="kept-cancel"),
    ]
    HELP_KEYS = [(N_("arrows"), N_("Move along the kept lessons"))]

    @dataclass
    class Done(Message):
        lesson_id: str
        state: str
        outcome: Outcome[object]

    def __init__(self, result: Regeneration) -> None:
        super().__init__()
        translate_bindings(self)
        self.result = result
        self.states: dict[str, str] = {}  # what the deputy did to a lesson here

    def compose(self) -> ComposeResult:
        yield Header()
        text = _(
            "{count} lessons hold data, so the change from {day} kept them where they were: "
            "m moves one, c cancels it, Escape leaves them."
        ).format(count=len(self.result.kept), day=self.result.start.strftime("%d.%m.%Y"))
        yield Static(text, id="kept-bar", markup=False)
        yield DataTable(id="kept-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status", classes="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Lessons kept")
        table = self.query_one("#kept-table", DataTable)
        for label in (_("Date"), "№", _("Class"), _("Subject"), _("Holds")):
            table.add_column(label, key=label)
        for lesson in self.result.kept:
            table.add_row(
                lesson.date.strftime("%d.%m"),
                str(lesson.number),
                lesson.class_label,
                Text(lesson.subject, overflow="ellipsis", no_wrap=True),
                ", ".join(lesson.holds),
                key=lesson.lesson_id,
            )
        table.focus()

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    def current(self) -> KeptLesson | None:
        table = self.query_one("#kept-table", DataTable)
        if not table.row_count:
            return None
        lesson = self.result.kept[table.cursor_coordinate.row]
        if lesson.lesson_id in self.states:
            self.say(
                _("Already done: {state}.").format(state=self.states[lesson.lesson_id]),
                error=True,
            )
            return None
        return lesson

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_move(self) -> None:
        lesson = self.current()
        if lesson is None:
            return
        title = _("Move: {lesson}").format(lesson=describe_kept(lesson))

        def chosen(request: MoveRequest | None) -> None:
            if request is not None:
                state = _("moved to {day}, lesson {number}").format(
                    day=request.date.strftime("%d.%m.%Y"), number=request.number
                )
                self.change(
                    lesson,
                    state,
                    lambda actor: timetable.move_lesson(
                        actor, lesson.lesson_id, request.date, request.number
                    ),
                )

        self.app.push_screen(MoveDialog(title, lesson.date, lesson.number), chosen)

    def action_cancel_lesson(self) -> None:
        lesson = self.current()
        if lesson is None:
            return
        title = _("Cancel: {lesson}").format(lesson=describe_kept(lesson))

        def chosen(reason: str | None) -> None:
            if reason is not None:
                self.change(
                    lesson,
                    _("cancelled"),
                    lambda actor: timetable.cancel_lesson(actor, lesson.lesson_id, reason),
                )

        self.app.push_screen(CancelDialog(title), chosen)

    def change(self, lesson: KeptLesson, state: str, call: Callable[..., object]) -> None:
        self.say(_("Saving…"))
        self._change(lesson.lesson_id, state, call)

    @work(thread=True, group="kept-write")
    def _change(self, lesson_id: str, state: str, call: Callable[..., object]) -> None:
        backend = self.app.backend
        self.post_message(self.Done(lesson_id, state, backend.attempt(call, backend.actor)))

    @on(Done)
    def _done(self, message: Done) -> None:
        if not message.outcome.ok:
            self.say(message.outcome.error or "", error=True)
            self.app.bell()
            return
        self.states[message.lesson_id] = message.state
        table = self.query_one("#kept-table", DataTable)
        table.update_cell(message.lesson_id, _("Holds"), Text(message.state, style="bold"))
        self.say(message.state)
