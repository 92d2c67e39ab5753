"""The class teacher's class: the class list, and the way to profiles, codes, attendance
and subgroups [R 3.2, 4.1–4.3].

Opened with ``c`` from home. A class teacher lands on their own class; deputies and the
director (and a class teacher of several classes) pick one first, and ``o`` picks another.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from node.i18n import N_, _
from node.services.access.codes import IssuedCode
from node.services.base.actor import Actor
from node.services.students import classes, profiles
from node.services.students.class_roster import (
    ClassChoice,
    ClassRoster,
    RosterRow,
    class_roster,
    classes_for,
)
from node.services.students.class_subgroups import SplitChoice, split_choices
from tui.backend import Outcome
from tui.screens.class_accounts import (
    account_text,
    ask_and_issue,
    issue_with_slips,
    show_codes,
)
from tui.screens.class_base import ServiceScreen
from tui.screens.class_dialogs import (
    ClassPickerDialog,
    DateDialog,
    NewStudent,
    StudentDialog,
)
from tui.widgets.footer import Footer


def short_day(value: object) -> str:
    return value.strftime("%d.%m.%y") if hasattr(value, "strftime") else ""


def status_text(row: RosterRow) -> str:
    """The data column: left, due for the monthly check, or when it was last checked."""
    if row.left_on is not None:
        return _("left {date}").format(date=short_day(row.left_on))
    if row.due:
        return _("check data!")
    return _("checked {date}").format(date=row.verified_at.strftime("%d.%m"))


class ClassScreen(ServiceScreen):
    """One class's students; ``class_id`` None: the actor's class (or a choice of them)."""

    BINDINGS = [
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("v", "verify", N_("Mark verified"), id="verify"),
        Binding("g", "codes_one", N_("Codes: student"), show=False, id="codes-one"),
        Binding("G", "codes_all", N_("Codes: whole class"), show=False, id="codes-all"),
        Binding(
            "w", "attendance", N_("Attendance"), id="attendance", tooltip=N_("Week's attendance")
        ),
        Binding("s", "subgroups", N_("Subgroups"), show=False, id="subgroups"),
        Binding("n", "enrol", N_("New student"), show=False, id="enrol"),
        Binding("x", "leaves", N_("Leaves the class"), show=False, id="leaves"),
        Binding("o", "other_class", N_("Other class"), show=False, id="other-class"),
        Binding("r", "reload", N_("Reload"), show=False, id="reload"),
    ]
    HELP_KEYS = [(N_("Enter"), N_("Open the student's profile and guardians"))]

    @dataclass
    class Choices(Message):
        outcome: Outcome[list[ClassChoice]]

    @dataclass
    class Splits(Message):
        outcome: Outcome[list[SplitChoice]]

    @dataclass
    class CodesIssued(Message):
        outcome: Outcome[list[IssuedCode]]
        path: str

    def __init__(self, class_id: str | None = None) -> None:
        super().__init__()
        self.class_id = class_id
        self.roster: ClassRoster | None = None
        self.choices: list[ClassChoice] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="class-info", markup=False)
        table: DataTable[str] = DataTable(id="class-table", cursor_type="row", zebra_stripes=True)
        table.add_column("№", key="number", width=2)
        table.add_column(_("Student"), key="name", width=24)
        table.add_column(_("Enrolled"), key="enrolled", width=8)
        table.add_column(_("Data"), key="status", width=14)
        table.add_column(_("Account"), key="account", width=10)
        table.add_column(_("Parents"), key="parents", width=5)
        yield table
        yield Static("", id="status", classes="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("My class")
        self.query_one("#class-table", DataTable).focus()
        self.set_status(_("Loading the class…"))
        if self.class_id is None:
            self.load_choices()
        else:
            self.load()

    # --- choosing the class ------------------------------------------------------------

    @work(thread=True, exclusive=True, group="screen-load")
    def load_choices(self) -> None:
        backend = self.app.backend
        actor = backend.actor
        self.post_message(self.Choices(backend.attempt(classes_for, actor)))

    @on(Choices)
    def got_choices(self, message: Choices) -> None:
        choices = message.outcome.value
        if choices is None:
            self.set_status(message.outcome.error or "", error=True)
            return
        self.choices = choices
        if not choices:
            self.load_splits()
        elif len(choices) == 1:
            self.class_id = choices[0].class_id
            self.load()
        else:
            self.action_other_class()

    @work(thread=True, exclusive=True, group="screen-load")
    def load_splits(self) -> None:
        """A subject teacher leads no class but keeps the subgroups of their subject."""
        backend = self.app.backend
        actor = backend.actor
        self.post_message(self.Splits(backend.attempt(split_choices, actor)))

    @on(Splits)
    def got_splits(self, message: Splits) -> None:
        from tui.screens.class_subgroups import SubgroupScreen

        splits = message.outcome.value or []
        if not splits:
            self.set_status(
                message.outcome.error
                or _("You are not the class teacher of any class this year; Escape goes back."),
                error=True,
            )
            return

        def chosen(key: str | None) -> None:
            if not key:
                self.app.pop_screen()
                return
            class_id, _sep, subject_id = key.partition(":")
            self.app.switch_screen(SubgroupScreen(class_id, subject_id))

        if len(splits) == 1:
            chosen(f"{splits[0].class_id}:{splits[0].subject_id}")
            return
        choices = [ClassChoice(f"{c.class_id}:{c.subject_id}", c.label, "") for c in splits]
        self.app.push_screen(ClassPickerDialog(choices), chosen)

    def action_other_class(self) -> None:
        if len(self.choices) < 2:
            return

        def chosen(class_id: str | None) -> None:
            if class_id:
                self.class_id = class_id
                self.set_status(_("Loading the class…"))
                self.load()
            elif self.class_id is None:
                self.app.pop_screen()

        self.app.push_screen(ClassPickerDialog(self.choices), chosen)

    # --- the list ----------------------------------------------------------------------

    def read(self, actor: Actor, today: dt.date) -> ClassRoster:
        assert self.class_id is not None
        return class_roster(actor, self.class_id, today)

    def show(self, roster: ClassRoster, done: str) -> None:
        first_load = self.roster is None
        self.roster = roster
        self.title = _("Class {label}").format(label=roster.label)
        current = [r for r in roster.rows if r.left_on is None or r.left_on >= roster.today]
        info = _("Class teacher: {teacher} · {count} students").format(
            teacher=roster.teacher or "—", count=len(current)
        )
        if roster.due:
            info += " · " + _("{count} profile(s) not verified for 30 days").format(
                count=len(roster.due)
            )
        self.query_one("#class-info", Static).update(info)
        table = self.query_one("#class-table", DataTable)
        row_index = table.cursor_row
        table.clear()
        for number, row in enumerate(roster.rows, start=1):
            table.add_row(
                str(number),
                row.name,
                short_day(row.enrolled_on),
                status_text(row),
                account_text(row.account),
                f"{row.guardian_accounts}/{row.guardians}",
                key=row.student_id,
            )
        if roster.rows:
            table.move_cursor(row=min(row_index, len(roster.rows) - 1))
        if done:
            self.set_status(done)
        elif first_load:
            self.set_status(
                _("Enter opens a profile, v marks it verified, g gives codes; F1 lists keys.")
            )

    def current(self) -> RosterRow | None:
        if self.roster is None or not self.roster.rows:
            return None
        table = self.query_one("#class-table", DataTable)
        return self.roster.rows[min(table.cursor_row, len(self.roster.rows) - 1)]

    # --- actions -----------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        if self.class_id is not None:
            self.load()

    @on(DataTable.RowSelected, "#class-table")
    def open_profile(self) -> None:
        from tui.screens.class_profile import ProfileScreen

        row = self.current()
        if row is not None:
            # back from the profile the list may have changed: read it again
            self.app.push_screen(ProfileScreen(row.student_id), lambda _none: self.load())

    def action_verify(self) -> None:
        row = self.current()
        if row is None:
            return
        actor = self.app.backend.actor
        student_id = row.student_id
        self.write(
            lambda: profiles.mark_verified(actor, student_id),
            _("{name}: data marked as verified today.").format(name=row.name),
        )

    def action_attendance(self) -> None:
        from tui.screens.class_attendance import AttendanceScreen

        if self.class_id is not None and self.roster is not None:
            self.app.push_screen(AttendanceScreen(self.class_id))

    def action_subgroups(self) -> None:
        from tui.screens.class_subgroups import SubgroupScreen

        if self.class_id is not None and self.roster is not None:
            self.app.push_screen(SubgroupScreen(self.class_id))

    # --- who is in the class [R 7.2: current class lists] -------------------------------

    def action_enrol(self) -> None:
        roster = self.roster
        if roster is None:
            return
        actor = self.app.backend.actor

        def save(new: NewStudent | None) -> None:
            if new is None:
                return
            self.write(
                lambda: classes.enrol_student(
                    actor,
                    roster.class_id,
                    new.last_name,
                    new.first_name,
                    new.middle_name,
                    birth_date=new.birth_date,
                    enrolled_on=new.enrolled_on,
                ),
                _("{name} was enrolled.").format(name=f"{new.last_name} {new.first_name}".strip()),
            )

        self.app.push_screen(StudentDialog(roster.label, self.app.backend.today()), save)

    def action_leaves(self) -> None:
        row = self.current()
        if row is None:
            return
        actor = self.app.backend.actor
        student_id = row.student_id

        def save(day: dt.date | None) -> None:
            if day is not None:
                self.write(
                    lambda: classes.student_leaves(actor, student_id, day),
                    _("{name} left the class; their marks stay.").format(name=row.name),
                )

        title = _("{name} leaves the class").format(name=row.name)
        self.app.push_screen(
            DateDialog(title, _("Last day in the class"), self.app.backend.today()), save
        )

    # --- access codes ------------------------------------------------------------------

    def action_codes_one(self) -> None:
        row = self.current()
        if row is None:
            return
        question = _(
            "Give access codes to {name} and their parents who have no account in use? "
            "Earlier unused codes stop working."
        ).format(name=row.name)
        self.confirm_codes(question, [row.student_id])

    def action_codes_all(self) -> None:
        if self.roster is None:
            return
        question = _(
            "Give access codes to every student and parent of {label} who has no account in "
            "use? Earlier unused codes stop working."
        ).format(label=self.roster.label)
        self.confirm_codes(question, None)

    def confirm_codes(self, question: str, student_ids: list[str] | None) -> None:
        def start() -> None:
            self.set_status(_("Issuing codes…"))
            self.issue(student_ids)

        ask_and_issue(self, question, start)

    @work(thread=True, group="screen-write")
    def issue(self, student_ids: list[str] | None) -> None:
        roster = self.roster
        assert roster is not None
        outcome, path = issue_with_slips(
            self.app.backend, roster.class_id, roster.label, student_ids
        )
        self.post_message(self.CodesIssued(outcome, path))

    @on(CodesIssued)
    def codes_issued(self, message: CodesIssued) -> None:
        if show_codes(self, message.outcome, message.path):
            self.write(None, _("Slips written to {path}.").format(path=message.path))
        else:
            self.set_status(message.outcome.error or "", error=True)
