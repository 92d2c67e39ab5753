"""Final marks on the administration screen [R 5.4]: who has not set them, days left, unlock.

Enter opens the journal on its final-marks column; ``u`` unlocks a locked line with a
reason (``finals.unlock_finals`` records it) and the list is computed again.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static

from node.i18n import _
from node.models import FinalMarkUnlock
from node.services.gradebook.finals import unlock_finals
from node.services.reports.finals_progress import FinalsProgress, finals_progress, finals_table
from node.services.reports.table import Table
from tui.backend import Outcome
from tui.dialogs.dates import show_day
from tui.screens.admin_dialogs import UnlockDialog, UnlockRequest
from tui.screens.admin_pane import AdminPane
from tui.screens.journal import JournalScreen, JournalTarget


class FinalsPane(AdminPane):
    ACTIONS = frozenset({"unlock", "open_journal", "export", "refresh"})

    @dataclass
    class Loaded(Message):
        outcome: Outcome[list[FinalsProgress]]

    @dataclass
    class Unlocked(Message):
        outcome: Outcome[FinalMarkUnlock]

    def __init__(self) -> None:
        super().__init__("finals")
        self.rows: list[FinalsProgress] = []
        self.notice = ""  # what the last unlock did, shown once the list is computed again

    def compose(self) -> ComposeResult:
        yield Static(
            _("Journals with final marks missing, nearest deadline first."),
            id="finals-info",
            classes="admin-info",
        )
        yield DataTable(id="finals-table", cursor_type="row", zebra_stripes=True)

    def load(self) -> None:
        self.loaded = True
        self.say(_("Looking for missing final marks…"))
        self._load()

    @work(thread=True, exclusive=True, group="admin-finals")
    def _load(self) -> None:
        backend = self.app.backend
        self.post_message(self.Loaded(backend.attempt(finals_progress, backend.actor)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        rows = self.unwrap(message.outcome)
        if rows is None:
            return
        self.rows = rows
        self.say(self.notice or ("" if rows else _("Every final mark due so far is set.")))
        self.notice = ""
        table_rows: list[tuple[str | None, tuple]] = []
        for i, r in enumerate(rows):
            if r.is_locked:
                left = _("locked")
            elif not r.is_open:
                left = _("opens {day}").format(day=r.opens.strftime("%d.%m"))
            else:
                left = _("{days} d").format(days=r.days_left)
            table_rows.append(
                (
                    str(i),
                    (
                        r.teacher,
                        r.journal,
                        r.period_name,
                        f"{r.set_count}/{r.students}",
                        show_day(r.closes),
                        left,
                    ),
                )
            )
        self.fill(
            (_("Teacher"), _("Journal"), _("Period"), _("Set"), _("Deadline"), _("Days left")),
            table_rows,
        )

    def _current(self) -> FinalsProgress | None:
        key = self.current_key()
        return self.rows[int(key)] if key is not None and key.isdigit() else None

    @on(DataTable.RowSelected, "#finals-table")
    def _selected(self) -> None:
        self.open_journal()

    def open_journal(self) -> None:
        row = self._current()
        if row is not None:
            target = JournalTarget(row.assignment_id, row.period_id, finals=True)
            self.app.push_screen(JournalScreen(target))

    def unlock(self) -> None:
        row = self._current()
        if row is None:
            return
        if not row.is_locked:
            self.say(
                _("{journal}: final marks for {period} are not locked; nothing to unlock.").format(
                    journal=row.journal, period=row.period_name
                )
            )
            return

        def done(request: UnlockRequest | None) -> None:
            if request is not None:
                self._unlock(row, request)

        self.app.push_screen(UnlockDialog(row.journal, row.period_name), done)

    @work(thread=True, exclusive=True, group="admin-finals")
    def _unlock(self, row: FinalsProgress, request: UnlockRequest) -> None:
        backend = self.app.backend
        outcome = backend.attempt(
            lambda: unlock_finals(
                backend.actor,
                row.assignment_id,
                row.period_id,
                reason=request.reason,
                until=request.until,
            )
        )
        self.post_message(self.Unlocked(outcome))

    @on(Unlocked)
    def _unlocked(self, message: Unlocked) -> None:
        unlock = self.unwrap(message.outcome)
        if unlock is None:
            return
        self.notice = _("Unlocked until {day}; the teacher can set the final marks again.").format(
            day=show_day(unlock.until)
        )
        self.load()

    def export_table(self) -> tuple[str, Table] | None:
        return "finals", finals_table(self.rows, self.app.backend.today())
