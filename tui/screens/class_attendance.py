"""The weekly attendance correction [R 4.2]: one week of the class, all subjects.

Each row is one missed (or late) lesson, student by student. A digit sets its code —
1 н (absent, not excused), 2 б (sick), 3 у (excused), 4 оп (late) — ``e`` writes the
reason (a doctor's note, the parents' request), Delete removes a record entered by
mistake. ``[`` and ``]`` go to the previous and the next week.
"""

from __future__ import annotations

import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from node.i18n import N_, _, gettext
from node.services.base.actor import Actor
from node.services.gradebook import journal
from node.services.gradebook.class_attendance import WeekAttendance, attendance_week, monday_of
from node.services.gradebook.journal import WeekAbsence
from node.services.gradebook.journal_entry import ATTENDANCE_LETTERS
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.class_base import ServiceScreen
from tui.screens.class_dialogs import TextDialog
from tui.widgets.footer import Footer

#: The digit keys and the codes they set, in the journal's order.
CODE_KEYS = {"1": "absent", "2": "sick", "3": "excused", "4": "late"}
_WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def weekday_day(day: dt.date) -> str:
    return f"{gettext(_WEEKDAYS[day.weekday()])} {day.strftime('%d.%m')}"


class AttendanceScreen(ServiceScreen):
    """One class's absences of one week, to correct their codes and reasons."""

    BINDINGS = [
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding("escape", "back", N_("Back"), id="back"),
        # the footer names the codes a teacher knows; their meaning is in F1 and the tooltip
        Binding("1", "code('absent')", N_("н"), id="code-absent", tooltip=N_("н absent")),
        Binding("2", "code('sick')", N_("б"), id="code-sick", tooltip=N_("б sick")),
        Binding("3", "code('excused')", N_("у"), id="code-excused", tooltip=N_("у excused")),
        Binding("4", "code('late')", N_("оп"), id="code-late", tooltip=N_("оп late")),
        Binding("e", "reason", N_("Reason"), id="reason"),
        Binding("delete", "remove", N_("Was present"), show=False, id="remove"),
        Binding("left_square_bracket", "week(-1)", N_("Previous week"), show=False, id="week-prev"),
        Binding("right_square_bracket", "week(1)", N_("Next week"), show=False, id="week-next"),
        Binding("t", "this_week", N_("This week"), show=False, id="this-week"),
        Binding("r", "reload", N_("Reload"), show=False, id="reload"),
    ]
    HELP_KEYS = [(N_("Enter"), N_("Write the reason of the absence"))]

    def __init__(self, class_id: str, monday: dt.date | None = None) -> None:
        super().__init__()
        self.class_id = class_id
        self.monday = monday
        self.week: WeekAttendance | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="week-info", markup=False)
        table: DataTable[str] = DataTable(id="week-table", cursor_type="row", zebra_stripes=True)
        table.add_column(_("Student"), key="student", width=16)
        table.add_column(_("Day"), key="day", width=9)
        table.add_column("№", key="number", width=2)
        table.add_column(_("Subject"), key="subject", width=16)
        table.add_column(_("Code"), key="code", width=4)
        table.add_column(_("Reason"), key="reason", width=20)
        yield table
        yield Static("", id="status", classes="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Attendance")
        if self.monday is None:
            self.monday = monday_of(self.app.backend.today())
        self.query_one("#week-table", DataTable).focus()
        self.set_status(_("Loading the week…"))
        self.load()

    # --- reading and writing -----------------------------------------------------------

    def read(self, actor: Actor, today: dt.date) -> WeekAttendance:
        return attendance_week(actor, self.class_id, self.monday or today)

    def show(self, week: WeekAttendance, done: str) -> None:
        same_week = self.week is not None and self.week.monday == week.monday
        self.week = week
        self.title = _("Attendance — {label}").format(label=week.label)
        absences = week.absences
        info = _("Week {start}–{end}: {count} absence(s), {open} not explained").format(
            start=week.monday.strftime("%d.%m"),
            end=week.sunday.strftime("%d.%m.%Y"),
            count=len(absences),
            open=week.unexplained,
        )
        self.query_one("#week-info", Static).update(info)
        table = self.query_one("#week-table", DataTable)
        row = table.cursor_row if same_week else 0
        table.clear()
        for student in week.students:
            for number, absence in enumerate(student.absences):
                table.add_row(
                    student.name if number == 0 else "",
                    weekday_day(absence.date),
                    str(absence.lesson_number),
                    absence.subject,
                    ATTENDANCE_LETTERS.get(absence.code, absence.code),
                    absence.reason,
                    key=absence.attendance_id,
                )
        if absences:
            table.move_cursor(row=min(row, len(absences) - 1))
        if done:
            self.set_status(done)
        elif absences:
            self.set_status(_("1 н, 2 б, 3 у, 4 оп set the code; e the reason; [ ] weeks."))
        else:
            self.set_status(_("No absences this week; [ and ] go to other weeks."))

    def current(self) -> WeekAbsence | None:
        if self.week is None:
            return None
        absences = self.week.absences
        if not absences:
            return None
        return absences[min(self.query_one("#week-table", DataTable).cursor_row, len(absences) - 1)]

    # --- actions -----------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def action_week(self, step: int) -> None:
        assert self.monday is not None
        self.monday += dt.timedelta(days=7 * step)
        self.set_status(_("Loading the week…"))
        self.load()

    def action_this_week(self) -> None:
        self.monday = monday_of(self.app.backend.today())
        self.load()

    def action_code(self, code: str) -> None:
        absence = self.current()
        if absence is None:
            return
        actor = self.app.backend.actor
        self.write(
            lambda: journal.correct_attendance(actor, absence.attendance_id, code, absence.reason),
            _("{name}, {day}: {code}.").format(
                name=absence.student_name,
                day=weekday_day(absence.date),
                code=ATTENDANCE_LETTERS.get(code, code),
            ),
        )

    @on(DataTable.RowSelected, "#week-table")
    def action_reason(self) -> None:
        absence = self.current()
        if absence is None:
            return
        title = f"{absence.student_name} · {weekday_day(absence.date)} · {absence.subject}"

        def save(reason: str | None) -> None:
            if reason is None:
                return
            actor = self.app.backend.actor
            self.write(
                lambda: journal.correct_attendance(
                    actor, absence.attendance_id, absence.code, reason
                ),
                _("The reason was saved."),
            )

        self.app.push_screen(TextDialog(title, _("Reason"), absence.reason), save)

    def action_remove(self) -> None:
        absence = self.current()
        if absence is None:
            return
        actor = self.app.backend.actor

        def answered(yes: bool | None) -> None:
            if yes:
                self.write(
                    lambda: journal.correct_attendance(actor, absence.attendance_id, None, ""),
                    _("The absence was removed."),
                )
            else:
                self.set_status(_("Cancelled."))

        question = _("{name} was present at {subject} on {day}: remove the absence?").format(
            name=absence.student_name, subject=absence.subject, day=weekday_day(absence.date)
        )
        self.app.push_screen(ConfirmDialog(question, _("Remove"), destructive=True), answered)
