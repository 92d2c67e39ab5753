"""Journal control [R 3.5, 6.2] on the administration screen, with drill-down.

Teachers (or classes, ``v``) → Enter → their journals → Enter → one journal's gaps: lessons
without a topic or homework, students with no or one mark → Enter (or ``o``) opens that
journal on the lesson. Escape goes back up. The numbers are ``control_report``'s.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from node.i18n import _
from node.models import Period
from node.services.base import clock
from node.services.reports.control import (
    ControlReport,
    ControlRow,
    by_class,
    by_teacher,
    control_report,
    control_table,
)
from node.services.reports.journal_problems import JournalProblems, journal_problems
from node.services.reports.performance import year_periods
from node.services.reports.period_step import step_period
from node.services.reports.table import Table
from tui.backend import Outcome
from tui.dialogs.dates import show_day
from tui.screens.admin_pane import AdminPane, cell
from tui.screens.journal import JournalScreen, JournalTarget

TEACHERS, CLASSES = "teacher", "class"


@dataclass(frozen=True)
class ControlData:
    periods: list[Period]
    start: dt.date
    end: dt.date  # as asked: the report itself stops at today
    report: ControlReport


def period_of(periods: list[Period], day: dt.date) -> Period | None:
    """The first period (quarters come first) containing ``day``."""
    return next((p for p in periods if p.start <= day <= p.end), None)


class ControlPane(AdminPane):
    ACTIONS = frozenset({"shift", "dates", "view", "open_journal", "export", "refresh"})

    @dataclass
    class Loaded(Message):
        outcome: Outcome[ControlData]

    @dataclass
    class ProblemsLoaded(Message):
        row: ControlRow
        outcome: Outcome[JournalProblems]

    def __init__(self) -> None:
        super().__init__("control")
        self.periods: list[Period] = []
        self.start: dt.date | None = None
        self.end: dt.date | None = None
        self.report: ControlReport | None = None
        self.view = TEACHERS
        self.level = 0
        self.group_key: str | None = None  # the teacher id or class label opened
        self.journal: ControlRow | None = None
        self.problems: JournalProblems | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="control-info", classes="admin-info", markup=False)
        yield DataTable(id="control-table", cursor_type="row", zebra_stripes=True)

    # --- loading --------------------------------------------------------------------------

    def load(self) -> None:
        self.loaded = True
        self.say(_("Computing the journal control report…"))
        self._load(self.start, self.end)

    @work(thread=True, exclusive=True, group="admin-control")
    def _load(self, start: dt.date | None, end: dt.date | None) -> None:
        backend = self.app.backend
        actor = backend.actor

        def compute() -> ControlData:
            periods = year_periods(actor)
            first, last = start, end
            if first is None or last is None:
                today = clock.today()
                period = period_of(periods, today)
                first, last = (period.start, period.end) if period else (today, today)
            return ControlData(periods, first, last, control_report(actor, first, last))

        self.post_message(self.Loaded(backend.attempt(compute)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        data = self.unwrap(message.outcome)
        if data is None:
            return
        self.periods, self.report = data.periods, data.report
        self.start, self.end = data.start, data.end
        self.level, self.group_key, self.journal = 0, None, None
        self.say("")
        self.show()

    # --- showing --------------------------------------------------------------------------

    def _info(self) -> str:
        report = self.report
        assert report is not None
        text = _("{start} – {end}; teachers who made entries: {active} of {teachers}").format(
            start=show_day(report.start),
            end=show_day(report.end),
            active=report.active_teachers,
            teachers=report.teachers,
        )
        if self.level >= 1 and self.group_key is not None:
            text += " › " + self._group_name()
        if self.level == 2 and self.journal is not None:
            text += " › " + f"{self.journal.class_label} {self.journal.subject}"
        return text

    def _group_name(self) -> str:
        assert self.report is not None
        if self.view == CLASSES:
            return self.group_key or ""
        row = next((r for r in self.report.rows if r.teacher_id == self.group_key), None)
        return row.teacher if row else ""

    def show(self) -> None:
        if self.report is None:
            return
        self.query_one("#control-info", Static).update(self._info())
        if self.level == 2 and self.problems is not None:
            self._show_problems(self.problems)
            return
        if self.level == 1:
            rows = [
                r
                for r in self.report.rows
                if (r.teacher_id if self.view == TEACHERS else r.class_label) == self.group_key
            ]
            first = _("Journal")
            named = [(r.assignment_id, f"{r.class_label} {r.subject}", r) for r in rows]
        else:
            grouped = by_teacher(self.report) if self.view == TEACHERS else by_class(self.report)
            first = _("Teacher") if self.view == TEACHERS else _("Class")
            named = [
                (
                    r.teacher_id if self.view == TEACHERS else r.class_label,
                    r.teacher if self.view == TEACHERS else r.class_label,
                    r,
                )
                for r in grouped
            ]
        columns = (
            first,
            _("Lessons"),
            _("Topic %"),
            _("HW %"),
            _("Pupils"),
            _("0 marks %"),
            _("1 mark %"),
            _("Plan %"),
            _("In time %"),
        )
        self.fill(columns, [(key, (name, *self._numbers(r))) for key, name, r in named])

    @staticmethod
    def _numbers(r: ControlRow) -> tuple[str, ...]:
        return tuple(
            cell(v)
            for v in (
                r.lessons,
                r.share("with_topic"),
                r.share("with_homework"),
                r.students,
                r.share("no_marks"),
                r.share("one_mark"),
                r.coverage,
                r.share("in_time"),
            )
        )

    def _show_problems(self, problems: JournalProblems) -> None:
        rows: list[tuple[str | None, tuple]] = []
        for gap in problems.lessons:
            missing = [
                text
                for flag, text in (
                    (gap.no_topic, _("no topic")),
                    (gap.no_homework, _("no homework")),
                )
                if flag
            ]
            rows.append(
                (
                    f"lesson:{gap.lesson_id}",
                    (
                        _("Lesson {day}, No. {number}").format(
                            day=gap.date.strftime("%d.%m"), number=gap.number
                        ),
                        ", ".join(missing),
                    ),
                )
            )
        for student in problems.students:
            rows.append(
                (
                    f"student:{student.student_id}",
                    (
                        student.name,
                        _("no marks") if student.marks == 0 else _("one mark"),
                    ),
                )
            )
        if not rows:
            rows.append((None, (_("Nothing is missing in this journal."), "")))
        self.fill((_("What"), _("Missing")), rows)

    # --- keys -----------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#control-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is None or self.report is None:
            return
        if self.level == 0:
            self.level, self.group_key = 1, key
            self.show()
        elif self.level == 1:
            row = next((r for r in self.report.rows if r.assignment_id == key), None)
            if row is not None:
                self.journal = row
                self._load_problems(row)
        else:
            self.open_journal()

    @work(thread=True, exclusive=True, group="admin-control")
    def _load_problems(self, row: ControlRow) -> None:
        backend = self.app.backend
        assert self.start is not None and self.end is not None
        outcome = backend.attempt(
            journal_problems, backend.actor, row.assignment_id, self.start, self.end
        )
        self.post_message(self.ProblemsLoaded(row, outcome))

    @on(ProblemsLoaded)
    def _problems_loaded(self, message: ProblemsLoaded) -> None:
        problems = self.unwrap(message.outcome)
        if problems is None:
            return
        self.level, self.journal, self.problems = 2, message.row, problems
        self.show()

    def open_journal(self) -> None:
        """The journal under the cursor (level 1) or being looked at (level 2), read as is."""
        key = self.current_key()
        if self.level == 1 and key:
            self.app.push_screen(JournalScreen(JournalTarget(key, None)))
        elif self.level == 2 and self.journal is not None:
            lesson = key[len("lesson:") :] if key and key.startswith("lesson:") else None
            target = JournalTarget(self.journal.assignment_id, None, lesson_id=lesson)
            self.app.push_screen(JournalScreen(target))
        else:
            self.say(_("Choose a journal first: Enter on a teacher or a class."))

    def toggle_view(self) -> None:
        self.view = CLASSES if self.view == TEACHERS else TEACHERS
        self.level, self.group_key, self.journal = 0, None, None
        self.show()

    def back(self) -> bool:
        if self.level == 0:
            return False
        self.level -= 1
        if self.level == 0:
            self.group_key = None
        self.problems = None if self.level < 2 else self.problems
        self.show()
        return True

    def shift(self, step: int) -> None:
        """The previous or next period of the same kind (quarter, half), if it has begun."""
        if not self.periods or self.start is None or self.end is None:
            return
        today = self.app.backend.today()
        found = step_period(self.periods, self.start, self.end, step, today)
        if found.period is None:
            self.say(found.refusal)
            return
        self.set_range(found.period.start, found.period.end)

    def set_range(self, start: dt.date, end: dt.date) -> None:
        """Show ``start``–``end``; they become the pane's range once the report is made (a
        refused range leaves the report shown and its range as they were)."""
        self.loaded = True
        self.say(_("Computing the journal control report…"))
        self._load(start, end)

    def export_table(self) -> tuple[str, Table] | None:
        if self.report is None:
            return None
        return "control", control_table(self.report)
