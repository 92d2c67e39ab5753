"""A student's profile: personal data, the monthly check, guardians [R 3.2, 3.3, 4.1].

The form is saved with Ctrl+S; "mark verified" (Ctrl+T) is the explicit monthly check,
separate from saving. Guardians are added, corrected, unlinked and linked from the table
below the form; Ctrl+G gives codes to the student and their parents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Label, Select, Static

from node.i18n import N_, _
from node.services.access.codes import IssuedCode
from node.services.base.actor import Actor
from node.services.students import guardians, profiles
from node.services.students.profiles import StudentProfile, student_profile
from tui.backend import Outcome
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.class_accounts import (
    account_text,
    ask_and_issue,
    day,
    issue_with_slips,
    show_codes,
)
from tui.screens.class_base import ServiceScreen
from tui.screens.class_dialogs import (
    GuardianDialog,
    GuardianEdit,
    GuardianLink,
    LinkGuardianDialog,
    parse_day,
    relation_name,
)
from tui.widgets.footer import Footer


def gender_options() -> list[tuple[str, str]]:
    return [(_("not given"), ""), (_("male"), "m"), (_("female"), "f")]


class ProfileScreen(ServiceScreen):
    """One student's data and guardians."""

    # Letters are typed into the form, so the screen's own keys are Ctrl+letters that an
    # input field leaves alone (Ctrl+A/E/U/V/... edit text there).
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("ctrl+s", "save", N_("Save data"), id="save"),
        Binding("ctrl+t", "verify", N_("Mark verified"), id="verify"),
        Binding("ctrl+n", "add_guardian", N_("New parent"), show=False, id="add-guardian"),
        Binding("ctrl+l", "link_guardian", N_("Link parent"), show=False, id="link-guardian"),
        Binding("ctrl+g", "codes", N_("Codes"), show=False, id="codes"),
        Binding("delete", "unlink_guardian", N_("Unlink parent"), show=False, id="unlink"),
        Binding("ctrl+r", "reload", N_("Reload"), show=False, id="reload"),
    ]
    HELP_KEYS = [
        (N_("Tab, Shift+Tab"), N_("Move between the fields and the parents' table")),
        (N_("Enter in the parents' table"), N_("Edit the parent")),
        (N_("Delete in the parents' table"), N_("Unlink the parent from this student")),
        (N_("Dates"), N_("Type 25.11.2013 or 2013-11-25")),
    ]

    @dataclass
    class CodesIssued(Message):
        outcome: Outcome[list[IssuedCode]]
        path: str

    def __init__(self, student_id: str) -> None:
        super().__init__()
        self.student_id = student_id
        self.profile: StudentProfile | None = None
        self.refill = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="form-row"):
            yield Label(_("Last name"))
            yield Input(id="last", compact=True)
            yield Label(_("First name"))
            yield Input(id="first", compact=True)
        with Horizontal(classes="form-row"):
            yield Label(_("Middle name"))
            yield Input(id="middle", compact=True)
            yield Label(_("Birth date"))
            yield Input(id="birth", compact=True, placeholder="25.11.2013")
        with Horizontal(classes="form-row"):
            yield Label(_("Gender"))
            yield Select(gender_options(), id="gender", allow_blank=False, value="", compact=True)
            yield Label(_("Phone"))
            yield Input(id="phone", compact=True)
        with Horizontal(classes="form-row"):
            yield Label(_("Address"))
            yield Input(id="address", compact=True)
        yield Static("", id="profile-info", markup=False)
        table: DataTable[str] = DataTable(id="guardians", cursor_type="row")
        table.add_column(_("Parent"), key="name", width=22)
        table.add_column(_("Relation"), key="relation", width=8)
        table.add_column(_("Phone"), key="phone", width=16)
        table.add_column(_("Account"), key="account", width=9)
        table.add_column(_("Other children"), key="children", width=12)
        yield table
        yield Static("", id="status", classes="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Student")
        self.set_status(_("Loading…"))
        self.load()

    # --- reading and writing -----------------------------------------------------------

    def read(self, actor: Actor, today: dt.date) -> StudentProfile:
        return student_profile(actor, self.student_id, today)

    def show(self, profile: StudentProfile, done: str) -> None:
        first_load = self.profile is None
        self.profile = profile
        student = profile.student
        self.title = f"{student.full_name} · {profile.class_label}"
        if first_load or self.refill:  # a guardian's change keeps unsaved typing
            self.fill_form(profile)
            self.refill = False
        info = [_("enrolled {date}").format(date=day(student.enrolled_on))]
        if student.left_on:
            info.append(_("left {date}").format(date=day(student.left_on)))
        account = account_text(profile.account)
        info.append(
            _("account: {state}").format(
                state=f"{account} ({profile.login})" if profile.login else account
            )
        )
        if student.verified_at:
            info.append(_("verified {date}").format(date=day(student.verified_at)))
        else:
            info.append(_("never verified"))
        if profile.due:
            info.append(_("due for the monthly check (Ctrl+T)"))
        self.query_one("#profile-info", Static).update(" · ".join(info))
        table = self.query_one("#guardians", DataTable)
        row = table.cursor_row
        table.clear()
        for line in profile.guardians:
            table.add_row(
                line.name,
                relation_name(line.relation),
                line.phone,
                account_text(line.account),
                ", ".join(line.other_children),
                key=line.guardian_id,
            )
        if profile.guardians:
            table.move_cursor(row=min(row, len(profile.guardians) - 1))
        if first_load:
            self.query_one("#last", Input).focus()
        self.set_status(
            done or _("Ctrl+S saves the data, Ctrl+T marks it verified; F1 lists every key.")
        )

    def fill_form(self, profile: StudentProfile) -> None:
        student = profile.student
        values = {
            "#last": student.last_name,
            "#first": student.first_name,
            "#middle": student.middle_name,
            "#birth": day(student.birth_date) if student.birth_date else "",
            "#phone": student.phone,
            "#address": student.address,
        }
        for selector, value in values.items():
            self.query_one(selector, Input).value = value or ""
        gender = self.query_one("#gender", Select)
        gender.value = student.gender if student.gender in ("m", "f") else ""

    # --- the student's data ------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self.load()

    def action_save(self) -> None:
        def value(selector: str) -> str:
            return self.query_one(selector, Input).value

        birth = parse_day(value("#birth"))
        if isinstance(birth, str):
            self.set_status(
                _("«{text}» is not a date: type it as 25.11.2013.").format(text=birth), error=True
            )
            self.query_one("#birth", Input).focus()
            return
        gender = self.query_one("#gender", Select).value
        actor = self.app.backend.actor
        student_id = self.student_id
        fields = dict(
            last_name=value("#last"),
            first_name=value("#first"),
            middle_name=value("#middle"),
            birth_date=birth,
            gender=gender if isinstance(gender, str) else "",
            address=value("#address"),
            phone=value("#phone"),
        )

        def save() -> None:  # in the worker; only a saved form is read back into the fields
            profiles.update_student(actor, student_id, **fields)
            self.refill = True

        self.write(save, _("The data was saved."))

    def action_verify(self) -> None:
        actor = self.app.backend.actor
        student_id = self.student_id
        self.write(
            lambda: profiles.mark_verified(actor, student_id),
            _("The data is marked as verified today."),
        )

    # --- guardians ---------------------------------------------------------------------

    def current_guardian(self):
        if self.profile is None or not self.profile.guardians:
            return None
        table = self.query_one("#guardians", DataTable)
        return self.profile.guardians[min(table.cursor_row, len(self.profile.guardians) - 1)]

    def action_add_guardian(self) -> None:
        last = self.profile.student.last_name if self.profile else ""
        self.app.push_screen(GuardianDialog(_("New parent"), last_name=last), self.save_guardian)

    @on(DataTable.RowSelected, "#guardians")
    def action_edit_guardian(self) -> None:
        line = self.current_guardian()
        if line is None:
            self.action_add_guardian()
            return
        self.app.push_screen(GuardianDialog(line.name, line), self.save_guardian)

    def save_guardian(self, edit: GuardianEdit | None) -> None:
        if edit is None:
            return
        actor = self.app.backend.actor
        student_id = self.student_id
        if edit.guardian_id is None:
            self.write(
                lambda: guardians.add_guardian(actor, student_id, edit.data, edit.relation),
                _("The parent was added."),
            )
        else:
            guardian_id = edit.guardian_id
            self.write(
                lambda: guardians.update_guardian(
                    actor, student_id, guardian_id, edit.data, edit.relation
                ),
                _("The parent's data was saved."),
            )

    def action_unlink_guardian(self) -> None:
        line = self.current_guardian()
        if line is None:
            return
        actor = self.app.backend.actor
        student_id = self.student_id
        guardian_id = line.guardian_id

        def answered(yes: bool | None) -> None:
            if yes:
                self.write(
                    lambda: guardians.unlink_guardian(actor, student_id, guardian_id),
                    _("The parent was unlinked; their account and other children stay."),
                )
            else:
                self.set_status(_("Cancelled."))

        question = _("Unlink {name} from this student?").format(name=line.name)
        self.app.push_screen(ConfirmDialog(question, _("Unlink"), destructive=True), answered)

    def action_link_guardian(self) -> None:
        self.app.push_screen(LinkGuardianDialog(self.student_id), self.link)

    def link(self, choice: GuardianLink | None) -> None:
        if choice is None:
            return
        actor = self.app.backend.actor
        student_id = self.student_id
        self.write(
            lambda: guardians.link_guardian(actor, student_id, choice.guardian_id, choice.relation),
            _("The parent was linked."),
        )

    # --- access codes ------------------------------------------------------------------

    def action_codes(self) -> None:
        if self.profile is None:
            return
        question = _(
            "Give access codes to {name} and their parents who have no account in use? "
            "Earlier unused codes stop working."
        ).format(name=self.profile.student.full_name)
        ask_and_issue(self, question, self.issue)

    @work(thread=True, group="screen-write")
    def issue(self) -> None:
        profile = self.profile
        assert profile is not None
        outcome, path = issue_with_slips(
            self.app.backend,
            profile.student.school_class_id,
            profile.class_label,
            [self.student_id],
        )
        self.post_message(self.CodesIssued(outcome, path))

    @on(CodesIssued)
    def codes_issued(self, message: CodesIssued) -> None:
        if show_codes(self, message.outcome, message.path):
            self.write(None, _("Slips written to {path}.").format(path=message.path))
        else:
            self.set_status(message.outcome.error or "", error=True)
