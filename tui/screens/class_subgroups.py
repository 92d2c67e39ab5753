"""Subgroups of the class for one subject [R 4.3]: split the class, move a student.

``s`` chooses the subject, ``n`` adds a subgroup, a digit puts the highlighted student in
subgroup 1–9 (a move keeps their marks: marks belong to the student and the lesson), and
``0`` takes them out of the subject's subgroups.
"""

from __future__ import annotations

import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Select, Static

from node.i18n import N_, _
from node.services.base.actor import Actor
from node.services.school import subgroups
from node.services.students.class_subgroups import (
    SplitRow,
    SubgroupSplit,
    place_in_subgroup,
    subgroup_split,
)
from tui.screens.class_base import ServiceScreen
from tui.screens.class_dialogs import TextDialog
from tui.widgets.footer import Footer

MAX_GROUPS = 9


class SubgroupScreen(ServiceScreen):
    """Where each student of the class is, for one subject."""

    BINDINGS = [
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("s", "subject", N_("Subject"), id="subject"),
        Binding("n", "new_group", N_("New subgroup"), id="new-group"),
        *[
            Binding(str(n), f"place({n})", "", show=False, id=f"place-{n}")  # in HELP_KEYS
            for n in range(1, MAX_GROUPS + 1)
        ],
        Binding("0", "place(0)", N_("Out of the subgroups"), show=False, id="place-0"),
        Binding("r", "reload", N_("Reload"), show=False, id="reload"),
    ]
    HELP_KEYS = [(N_("1 … 9"), N_("Put the student into that subgroup (marks stay)"))]

    def __init__(self, class_id: str, subject_id: str | None = None) -> None:
        super().__init__()
        self.class_id = class_id
        self.subject_id = subject_id
        self.split: SubgroupSplit | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="split-bar"):
            yield Select[str]([], id="split-subject", compact=True, allow_blank=True, prompt="…")
            yield Static("", id="split-info", markup=False)
        table: DataTable[str] = DataTable(id="split-table", cursor_type="row", zebra_stripes=True)
        table.add_column("№", key="number", width=3)
        table.add_column(_("Student"), key="name", width=30)
        table.add_column(_("Subgroup"), key="group", width=30)
        yield table
        yield Static("", id="status", classes="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Subgroups")
        self.query_one("#split-table", DataTable).focus()
        self.set_status(_("Loading…"))
        self.load()

    # --- reading and writing -----------------------------------------------------------

    def read(self, actor: Actor, today: dt.date) -> SubgroupSplit:
        return subgroup_split(actor, self.class_id, self.subject_id, today)

    def show(self, split: SubgroupSplit, done: str) -> None:
        self.split = split
        self.subject_id = split.subject_id
        self.title = _("Subgroups — {label}").format(label=split.label)
        select = self.query_one("#split-subject", Select)
        with self.prevent(Select.Changed):
            select.set_options([(name, sid) for sid, name in split.subjects])
            if split.subject_id is not None:
                select.value = split.subject_id
        groups = " · ".join(
            f"{n}: {g.name} ({g.members})" for n, g in enumerate(split.subgroups, start=1)
        )
        self.query_one("#split-info", Static).update(groups or _("not split"))
        names = {g.subgroup_id: f"{n}: {g.name}" for n, g in enumerate(split.subgroups, start=1)}
        teachers = {g.subgroup_id: g.teacher for g in split.subgroups}
        table = self.query_one("#split-table", DataTable)
        row = table.cursor_row
        table.clear()
        for number, line in enumerate(split.rows, start=1):
            group = names.get(line.subgroup_id, "—") if line.subgroup_id else "—"
            teacher = teachers.get(line.subgroup_id or "", "")
            table.add_row(
                str(number),
                line.name,
                f"{group} ({teacher})" if teacher else group,
                key=line.student_id,
            )
        if split.rows:
            table.move_cursor(row=min(row, len(split.rows) - 1))
        if done:
            self.set_status(done)
        elif split.subgroups:
            self.set_status(_("A digit puts the student in that subgroup, 0 takes them out."))
        else:
            self.set_status(_("This subject is taught to the whole class; n adds a subgroup."))

    def current(self) -> SplitRow | None:
        if self.split is None or not self.split.rows:
            return None
        table = self.query_one("#split-table", DataTable)
        return self.split.rows[min(table.cursor_row, len(self.split.rows) - 1)]

    # --- actions -----------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def action_subject(self) -> None:
        self.query_one("#split-subject", Select).focus()

    @on(Select.Changed, "#split-subject")
    def subject_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.subject_id:
            self.subject_id = event.value
            self.load()
            self.query_one("#split-table", DataTable).focus()

    def action_new_group(self) -> None:
        split = self.split
        if split is None or split.subject_id is None:
            return
        actor = self.app.backend.actor
        subject_id = split.subject_id
        number = len(split.subgroups) + 1

        def save(name: str | None) -> None:
            if name is None:
                return
            self.write(
                lambda: subgroups.create_subgroup(actor, self.class_id, subject_id, name),
                _("The subgroup «{name}» was added.").format(name=name.strip()),
            )

        self.app.push_screen(
            TextDialog(
                _("New subgroup"),
                _("Name"),
                _("Group {number}").format(number=number),
                required=_("Enter the subgroup's name, e.g. «Group 1»."),
            ),
            save,
        )

    def action_place(self, number: int) -> None:
        split = self.split
        line = self.current()
        if split is None or line is None or split.subject_id is None:
            return
        if number > len(split.subgroups):
            self.set_status(
                _("There is no subgroup {number}; n adds one.").format(number=number), error=True
            )
            return
        target = split.subgroups[number - 1] if number else None
        actor = self.app.backend.actor
        subject_id = split.subject_id
        done = (
            _("{name} is now in «{group}».").format(name=line.name, group=target.name)
            if target
            else _("{name} is in no subgroup of this subject now.").format(name=line.name)
        )
        self.write(
            lambda: place_in_subgroup(
                actor, line.student_id, subject_id, target.subgroup_id if target else None
            ),
            done,
        )
        table = self.query_one("#split-table", DataTable)
        if table.cursor_row < len(split.rows) - 1:  # on to the next student, as in a journal
            table.move_cursor(row=table.cursor_row + 1)
