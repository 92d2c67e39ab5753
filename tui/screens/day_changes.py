"""The day's changes (изменения дня): a deputy's morning over every lesson of the school.

For one date (today first; ``[`` and ``]`` step a day): every lesson with its class,
number, subject, teacher, substitute and state. On the highlighted lesson: give it a
substitute, or every lesson of its teacher over days of absence; take them back; move,
cancel (with a reason parents see) or restore it; Enter opens its journal. Each change is
one service call in a thread worker; a refusal says why in the status line and changes
nothing.
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
from node.services.base.text import one_final_period
from node.services.school import substitutions, timetable
from node.services.school.school_day import SchoolDayLesson, Teacher, school_day, teachers
from tui.backend import Outcome
from tui.bindings import translate_bindings
from tui.dialogs.dates import RangeDialog
from tui.screens.day_dialogs import (
    CancelDialog,
    DateDialog,
    MoveDialog,
    MoveRequest,
    SubstituteChoice,
    SubstituteDialog,
)
from tui.screens.journal import JournalScreen, JournalTarget
from tui.widgets.footer import Footer

#: The subject column's widest (a long subject with its group is cut with «…»).
SUBJECT_WIDTH = 22
#: Weekday names as a timetable writes them, Monday first.
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


@dataclass(frozen=True)
class DayData:
    lessons: list[SchoolDayLesson]
    teachers: list[Teacher]


def describe_lesson(lesson: SchoolDayLesson) -> str:
    """«7А, Математика, 23.11, урок 2 (Иванова М. А.)» for a dialog's title."""
    group = f" ({lesson.subgroup})" if lesson.subgroup else ""
    return _("{class_label}{group}, {subject}, {day}, lesson {number} ({teacher})").format(
        class_label=lesson.class_label,
        group=group,
        subject=lesson.subject,
        day=lesson.date.strftime("%d.%m"),
        number=lesson.number,
        teacher=lesson.teacher,
    )


class DayChangesScreen(Screen[None]):
    """Every lesson of one day, and the changes a deputy makes to them."""

    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding(
            "left_square_bracket", "day(-1)", N_("Previous day"), show=False, id="previous-day"
        ),
        Binding("right_square_bracket", "day(1)", N_("Next day"), show=False, id="next-day"),
        Binding("t", "today", N_("Today"), show=False, id="today"),
        Binding("d", "choose_day", N_("Go to a date"), show=False, id="choose-day"),
        Binding("s", "substitute", N_("Substitute"), id="substitute"),
        Binding("a", "absence", N_("Teacher away"), id="absence"),
        Binding("x", "remove_substitute", N_("Remove the substitute"), show=False, id="unsub"),
        Binding("e", "end_absence", N_("End an absence"), show=False, id="end-absence"),
        Binding("m", "move", N_("Move"), show=False, id="move"),
        Binding("c", "cancel_lesson", N_("Cancel the lesson"), show=False, id="cancel-lesson"),
        Binding("r", "restore", N_("Restore the lesson"), show=False, id="restore"),
        Binding("f5", "reload", N_("Refresh"), show=False, id="reload"),
    ]
    HELP_KEYS = [
        (N_("Enter"), N_("Open the lesson's journal")),
        (N_("arrows, Page Up/Down"), N_("Move along the lessons")),
    ]

    @dataclass
    class Loaded(Message):
        day: dt.date
        outcome: Outcome[DayData]

    @dataclass
    class Done(Message):
        notice: str
        outcome: Outcome[object]

    def __init__(self, day: dt.date | None = None) -> None:
        super().__init__()
        translate_bindings(self)
        self.day = day
        self.lessons: list[SchoolDayLesson] = []
        self.teachers: list[Teacher] = []
        self.keep: str | None = None  # the lesson to stay on after a reload
        self.notice = ""  # what the last change did, said once the day is read again
        #: the running change's dialog, to open again with what was typed if it is refused
        self.again: Callable[[str], None] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="day-bar")
        yield DataTable(id="day-table", cursor_type="row", zebra_stripes=True)
        yield Static(_("Reading the day…"), id="status", classes="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("The day's changes")
        if self.day is None:
            self.day = self.app.backend.today()
        self.query_one("#day-table", DataTable).focus()
        self.load()

    # --- status line --------------------------------------------------------------------

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    # --- reading the day ----------------------------------------------------------------

    def load(self) -> None:
        assert self.day is not None
        self._load(self.day)

    @work(thread=True, exclusive=True, group="day-load")
    def _load(self, day: dt.date) -> None:
        backend = self.app.backend
        actor = backend.actor
        outcome = backend.attempt(lambda: DayData(school_day(actor, day), teachers(actor)))
        self.post_message(self.Loaded(day, outcome))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.day != self.day:
            return  # a later day was asked for meanwhile
        data = message.outcome.value
        if data is None:
            self.say(message.outcome.error or "", error=True)
            return
        self.lessons, self.teachers = data.lessons, data.teachers
        self._show_bar()
        self._fill()
        if self.notice:
            self.say(self.notice)
            self.notice = ""
        elif not self.lessons:
            self.say(_("No lessons on this day; [ and ] go to another."))
        else:
            self.say(_("s substitute, a absence, m move, c cancel; F1 lists every key."))

    def _show_bar(self) -> None:
        assert self.day is not None
        cancelled = sum(1 for x in self.lessons if x.cancelled)
        covered = sum(1 for x in self.lessons if x.substitute)
        weekday = _(WEEKDAYS[self.day.weekday()])
        text = _("{weekday} {day}: {lessons} lessons, {cancelled} cancelled, {covered} substituted")
        self.query_one("#day-bar", Static).update(
            text.format(
                weekday=weekday,
                day=self.day.strftime("%d.%m.%Y"),
                lessons=len(self.lessons),
                cancelled=cancelled,
                covered=covered,
            )
        )

    def _fill(self) -> None:
        """One line a lesson; the last column is the change: the substitute, or «cancelled»
        with its reason (a cancelled lesson has no substitute), so it fits in 80 columns."""
        table = self.query_one("#day-table", DataTable)
        table.clear(columns=True)
        subjects = [
            f"{x.subject} ({x.subgroup})" if x.subgroup else x.subject for x in self.lessons
        ]
        table.add_column(_("Class"))
        table.add_column("№")
        table.add_column(_("Subject"), width=min(SUBJECT_WIDTH, max(map(len, subjects), default=8)))
        table.add_column(_("Teacher"))
        table.add_column(_("Substitute or cancellation"))
        for lesson, subject in zip(self.lessons, subjects, strict=True):
            if lesson.cancelled:
                change = Text(_("cancelled"), style="bold red")
                if lesson.cancel_reason:
                    change.append(f": {lesson.cancel_reason}")
            else:
                change = Text(lesson.substitute, style="bold")
            table.add_row(
                lesson.class_label,
                str(lesson.number),
                Text(subject, overflow="ellipsis", no_wrap=True),
                Text(lesson.teacher),
                change,
                key=lesson.lesson_id,
            )
        ids = [lesson.lesson_id for lesson in self.lessons]
        if self.keep in ids:
            table.move_cursor(row=ids.index(self.keep))
        self.keep = None

    def current(self) -> SchoolDayLesson | None:
        """The highlighted lesson; says so when there is none."""
        table = self.query_one("#day-table", DataTable)
        if not table.row_count:
            self.say(_("There is no lesson on this day to change."), error=True)
            return None
        return self.lessons[table.cursor_coordinate.row]

    # --- keys: days ---------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def _go(self, day: dt.date) -> None:
        self.day = day
        self.say(_("Reading the day…"))
        self.load()

    def action_day(self, step: int) -> None:
        assert self.day is not None
        self._go(self.day + dt.timedelta(days=step))

    def action_today(self) -> None:
        self._go(self.app.backend.today())

    def action_choose_day(self) -> None:
        assert self.day is not None

        def chosen(day: dt.date | None) -> None:
            if day is not None:
                self._go(day)

        self.app.push_screen(DateDialog(self.day), chosen)

    def action_reload(self) -> None:
        self.load()

    @on(DataTable.RowSelected, "#day-table")
    def _open_journal(self) -> None:
        lesson = self.current()
        if lesson is not None:
            target = JournalTarget(lesson.assignment_id, None, lesson_id=lesson.lesson_id)
            self.app.push_screen(JournalScreen(target))

    # --- keys: changes ------------------------------------------------------------------

    def action_substitute(self) -> None:
        lesson = self.current()
        if lesson is None:
            return
        if lesson.cancelled:
            self.say(_("The lesson is cancelled; restore it (r) before giving it a substitute."))
            return
        title = _("Substitute: {lesson}").format(lesson=describe_lesson(lesson))

        def ask(again: SubstituteChoice | None = None, refusal: str = "") -> None:
            dialog = SubstituteDialog(
                title,
                self._others(lesson),
                busy=self._busy_at(lesson),
                again=again,
                refusal=refusal,
            )
            self.app.push_screen(dialog, chosen)

        def chosen(choice: SubstituteChoice | None) -> None:
            if choice is not None:
                self._set_substitute(lesson, choice, lambda why: ask(choice, why))

        ask()

    def _busy_at(self, lesson: SchoolDayLesson) -> dict[str, str]:
        """Who teaches at the lesson's number that day (from the day's own list): they
        are listed last, with the lesson, so the deputy sees who is free."""
        busy: dict[str, str] = {}
        for other in self.lessons:
            if other.number != lesson.number or other.cancelled or other is lesson:
                continue
            teacher = other.substitute_id or other.teacher_id
            busy[teacher] = f"{other.class_label} {other.subject}"
        return busy

    def _others(self, lesson: SchoolDayLesson) -> list[Teacher]:
        return [t for t in self.teachers if t.id != lesson.teacher_id]

    def _set_substitute(
        self, lesson: SchoolDayLesson, choice: SubstituteChoice, again: Callable[[str], None]
    ) -> None:
        name = self._teacher_name(choice.teacher_id)
        self.change(
            lesson,
            _("{name} substitutes: {lesson}.").format(name=name, lesson=describe_lesson(lesson)),
            lambda actor: substitutions.set_substitute(
                actor, lesson.lesson_id, choice.teacher_id, choice.reason
            ),
            again=again,
        )

    def _teacher_name(self, teacher_id: str) -> str:
        return next((t.name for t in self.teachers if t.id == teacher_id), "")

    def action_absence(self) -> None:
        lesson = self.current()
        if lesson is None:
            return
        title = _("{teacher} is away: one substitute for all their lessons").format(
            teacher=lesson.teacher
        )

        def ask(again: SubstituteChoice | None = None, refusal: str = "") -> None:
            dialog = SubstituteDialog(
                title, self._others(lesson), day=lesson.date, again=again, refusal=refusal
            )
            self.app.push_screen(dialog, chosen)

        def chosen(choice: SubstituteChoice | None) -> None:
            if choice is None or choice.start is None or choice.end is None:
                return
            start, end = choice.start, choice.end
            self.change(
                lesson,
                _("{name} substitutes for {teacher} from {start} to {end}: {count} lessons."),
                lambda actor: substitutions.substitute_absence(
                    actor, lesson.teacher_id, start, end, choice.teacher_id, choice.reason
                ),
                fill=lambda covered: {
                    "name": self._teacher_name(choice.teacher_id),
                    "teacher": lesson.teacher,
                    "start": start.strftime("%d.%m"),
                    "end": end.strftime("%d.%m"),
                    "count": covered.lessons,
                },
                again=lambda why: ask(choice, why),
            )

        ask()

    def action_remove_substitute(self) -> None:
        lesson = self.current()
        if lesson is None:
            return
        if not lesson.substitute:
            self.say(_("This lesson has no substitute."), error=True)
            return
        self.change(
            lesson,
            one_final_period(
                _("The lesson is back with {teacher}.").format(teacher=lesson.teacher)
            ),
            lambda actor: substitutions.remove_substitute(actor, lesson.lesson_id),
        )

    def action_end_absence(self) -> None:
        lesson = self.current()
        if lesson is None:
            return
        title = _("{teacher} is back: remove the substitutes of their lessons").format(
            teacher=lesson.teacher
        )

        def chosen(days: tuple[dt.date, dt.date] | None) -> None:
            if days is None:
                return
            start, end = days
            self.change(
                lesson,
                _("{count} lessons are back with {teacher}."),
                lambda actor: substitutions.end_absence(actor, lesson.teacher_id, start, end),
                fill=lambda covered: {"count": covered.lessons, "teacher": lesson.teacher},
            )

        dialog = RangeDialog(title, lesson.date, lesson.date, _("Remove the substitutes"))
        self.app.push_screen(dialog, chosen)

    def action_move(self) -> None:
        lesson = self.current()
        if lesson is None:
            return
        title = _("Move: {lesson}").format(lesson=describe_lesson(lesson))

        def chosen(request: MoveRequest | None) -> None:
            if request is None:
                return
            self.change(
                lesson,
                _("Moved to {day}, lesson {number}.").format(
                    day=request.date.strftime("%d.%m.%Y"), number=request.number
                ),
                lambda actor: timetable.move_lesson(
                    actor, lesson.lesson_id, request.date, request.number
                ),
            )

        self.app.push_screen(MoveDialog(title, lesson.date, lesson.number), chosen)

    def action_cancel_lesson(self) -> None:
        lesson = self.current()
        if lesson is None:
            return
        if lesson.cancelled:
            self.say(_("This lesson is already cancelled."), error=True)
            return
        title = _("Cancel: {lesson}").format(lesson=describe_lesson(lesson))

        def chosen(reason: str | None) -> None:
            if reason is not None:
                self.change(
                    lesson,
                    _("The lesson is cancelled; parents see why."),
                    lambda actor: timetable.cancel_lesson(actor, lesson.lesson_id, reason),
                )

        self.app.push_screen(CancelDialog(title), chosen)

    def action_restore(self) -> None:
        lesson = self.current()
        if lesson is None:
            return
        self.change(
            lesson,
            _("The lesson is restored."),
            lambda actor: timetable.restore_lesson(actor, lesson.lesson_id),
        )

    # --- running a change ---------------------------------------------------------------

    def change(
        self,
        lesson: SchoolDayLesson,
        notice: str,
        call: Callable[..., object],
        *,
        fill: Callable[[object], dict[str, object]] | None = None,
        again: Callable[[str], None] | None = None,
    ) -> None:
        """Run ``call(actor)``; then say ``notice`` (formatted with ``fill(result)``). A
        refusal is said in the status line, or, with ``again``, by the dialog opened again
        with what was typed (nothing to type twice)."""
        self.keep = lesson.lesson_id
        self.again = again
        self.say(_("Saving…"))
        self._change(notice, call, fill)

    @work(thread=True, group="day-write")
    def _change(
        self,
        notice: str,
        call: Callable[..., object],
        fill: Callable[[object], dict[str, object]] | None,
    ) -> None:
        backend = self.app.backend
        outcome = backend.attempt(call, backend.actor)
        if outcome.ok and fill is not None:
            notice = one_final_period(notice.format(**fill(outcome.value)))
        self.post_message(self.Done(notice, outcome))

    @on(Done)
    def _done(self, message: Done) -> None:
        again, self.again = self.again, None
        if not message.outcome.ok:
            self.say(message.outcome.error or "", error=True)
            self.app.bell()
            if again is not None:
                again(message.outcome.error or "")
            return
        self.notice = message.notice
        self.load()
