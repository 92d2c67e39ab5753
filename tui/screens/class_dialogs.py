"""The class teacher's dialogs: pick a class, a guardian's form, link a guardian, an
absence's reason, a subgroup's name, and the access codes shown once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from node.i18n import N_, _, gettext
from node.services.access.codes import IssuedCode
from node.services.students import guardians
from node.services.students.class_roster import ClassChoice
from node.services.students.guardians import RELATIONS, FoundGuardian, GuardianData
from node.services.students.profiles import GuardianLine
from tui.backend import Outcome
from tui.dialogs.form import FormDialog

_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y")


def parse_day(text: str) -> dt.date | None | str:
    """A date as typed (25.11.2013 or 2013-11-25); None for empty; the text if unreadable."""
    value = text.strip()
    if not value:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return value


def relation_options() -> list[tuple[str, str]]:
    return [(gettext(label), key) for key, label in RELATIONS.items()]


def relation_name(key: str) -> str:
    return gettext(RELATIONS[key]) if key in RELATIONS else key


class ClassPickerDialog(FormDialog):
    """Deputies and the director choose which class to open."""

    def __init__(self, choices: list[ClassChoice]) -> None:
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="class-picker"):
            yield Static(_("Which class?"), classes="dialog-title")
            yield OptionList(
                *[
                    Option(f"{c.label}  {c.teacher}" if c.teacher else c.label, id=c.class_id)
                    for c in self.choices
                ],
                id="classes",
            )
            yield self.status_line()

    def on_mount(self) -> None:
        self.query_one("#classes", OptionList).focus()

    @on(OptionList.OptionSelected, "#classes")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_save(self) -> None:
        option_list = self.query_one("#classes", OptionList)
        if option_list.highlighted is not None:
            self.dismiss(option_list.get_option_at_index(option_list.highlighted).id)


class TextDialog(FormDialog):
    """One line of text: an absence's reason, a new subgroup's name."""

    def __init__(self, title: str, label: str, value: str = "", *, required: str = "") -> None:
        super().__init__()
        self.heading = title
        self.label = label
        self.value = value
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.heading, classes="dialog-title", markup=False)
            yield Label(self.label)
            yield Input(self.value, id="text", compact=True, select_on_focus=False)
            yield self.status_line(error=True)
            yield from self.buttons(_("Save"))

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def action_save(self) -> None:
        value = self.query_one("#text", Input).value
        if self.required and not value.strip():
            self.say(self.required)
            return
        self.dismiss(value)


@dataclass(frozen=True)
class GuardianEdit:
    """What the guardian dialog returns (``guardian_id`` None: a new guardian)."""

    guardian_id: str | None
    data: GuardianData
    relation: str


#: Relations whose holder takes the feminine or the masculine form of a family name.
_WOMEN, _MEN = frozenset({"mother", "grandmother"}), frozenset({"father", "grandfather"})
#: Russian family names that change with gender (Орлов/Орлова, Белинский/Белинская).
_FORMS = (("ова", "ов"), ("ева", "ев"), ("ёва", "ёв"), ("ина", "ин"), ("ына", "ын"))
_ADJECTIVES = (("ская", "ский"), ("цкая", "цкий"))


def family_name_for(last_name: str, relation: str) -> str:
    """The student's family name as a mother's or a father's (Орлов → Орлова for the
    mother); a name of another kind (Ким, Черных) as it is."""
    if relation not in _WOMEN | _MEN:
        return last_name
    women = relation in _WOMEN
    for feminine, masculine in _ADJECTIVES + _FORMS:
        have, want = (masculine, feminine) if women else (feminine, masculine)
        if last_name.endswith(have) and len(last_name) > len(have) + 1:
            return last_name[: -len(have)] + want
    return last_name


class GuardianDialog(FormDialog):
    """A guardian's name, contacts and relation to the student. A new parent's family name
    is the student's, in the form the relation takes (and follows the relation until it is
    typed over)."""

    def __init__(self, title: str, line: GuardianLine | None = None, last_name: str = "") -> None:
        super().__init__()
        self.heading = title
        self.line = line
        self.last_name = last_name
        self.suggested = family_name_for(last_name, "mother") if line is None else ""

    def compose(self) -> ComposeResult:
        line = self.line
        parts = (line.name.split(maxsplit=2) if line else []) + ["", "", ""]
        with Vertical(classes="dialog", id="guardian-dialog"):
            yield Static(self.heading, classes="dialog-title", markup=False)
            with Horizontal(classes="form-row"):
                yield Label(_("Last name"))
                yield Input(parts[0] or self.suggested, id="g-last", compact=True)
                yield Label(_("First name"))
                yield Input(parts[1], id="g-first", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(_("Middle name"))
                yield Input(parts[2], id="g-middle", compact=True)
                yield Label(_("Relation"))
                yield Select(
                    relation_options(),
                    value=line.relation if line and line.relation in RELATIONS else "mother",
                    allow_blank=False,
                    id="g-relation",
                    compact=True,
                )
            with Horizontal(classes="form-row"):
                yield Label(_("Phone"))
                yield Input(line.phone if line else "", id="g-phone", compact=True)
                yield Label(_("E-mail"))
                yield Input(line.email if line else "", id="g-email", compact=True)
            yield self.status_line(error=True)
            yield from self.buttons(_("Save"))

    def on_mount(self) -> None:
        self.query_one("#g-last", Input).focus()

    @on(Select.Changed, "#g-relation")
    def _relation_changed(self, event: Select.Changed) -> None:
        last = self.query_one("#g-last", Input)
        if self.line is None and last.value == self.suggested and isinstance(event.value, str):
            self.suggested = family_name_for(self.last_name, event.value)
            last.value = self.suggested

    def action_save(self) -> None:
        def value(name: str) -> str:
            return self.query_one(f"#g-{name}", Input).value

        relation = self.query_one("#g-relation", Select).value
        self.dismiss(
            GuardianEdit(
                guardian_id=self.line.guardian_id if self.line else None,
                data=GuardianData(
                    value("last"), value("first"), value("middle"), value("phone"), value("email")
                ),
                relation=relation if isinstance(relation, str) else "other",
            )
        )


@dataclass(frozen=True)
class GuardianLink:
    guardian_id: str
    relation: str


class LinkGuardianDialog(FormDialog):
    """Find a parent already at the school (a sibling's) by last name and link them."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="cancel"),
        Binding("ctrl+s", "save", N_("Link"), id="save"),
    ]

    @dataclass
    class Found(Message):
        outcome: Outcome[list[FoundGuardian]]

    def __init__(self, student_id: str) -> None:
        super().__init__()
        self.student_id = student_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="link-dialog"):
            yield Static(_("Link a parent already at the school"), classes="dialog-title")
            yield Label(_("Last name (Enter searches)"))
            yield Input(id="search", compact=True)
            yield OptionList(id="found")
            with Horizontal(classes="form-row"):
                yield Label(_("Relation"))
                yield Select(
                    relation_options(),
                    value="mother",
                    allow_blank=False,
                    id="link-relation",
                    compact=True,
                )
            yield self.status_line(_("Type a last name and press Enter."))
            yield from self.buttons(_("Link"))

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()

    @on(Input.Submitted, "#search")
    def search(self, event: Input.Submitted) -> None:
        event.prevent_default()  # Enter searches here; the base dialog's Enter would save
        self.say(_("Searching…"))
        self.find(event.value)

    @work(thread=True, exclusive=True, group="guardian-search")
    def find(self, text: str) -> None:
        backend = self.app.backend
        actor = backend.actor
        outcome = backend.attempt(guardians.find_guardians, actor, self.student_id, text)
        self.post_message(self.Found(outcome))

    @on(Found)
    def found(self, message: Found) -> None:
        option_list = self.query_one("#found", OptionList)
        option_list.clear_options()
        people = message.outcome.value
        if people is None:
            self.say(message.outcome.error or "")
            return
        for person in people:
            children = ", ".join(person.children)
            option_list.add_option(Option(f"{person.name} — {children}", id=person.guardian_id))
        if people:
            option_list.highlighted = 0
            option_list.focus()
            self.say(_("Choose with the arrows; Enter or Ctrl+S links."))
        else:
            self.say(_("Nobody found; check the spelling or add a new parent instead."))

    @on(OptionList.OptionSelected, "#found")
    def picked(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        option_list = self.query_one("#found", OptionList)
        if option_list.highlighted is None or not option_list.option_count:
            self.say(_("Search for the parent first."))
            return
        relation = self.query_one("#link-relation", Select).value
        option = option_list.get_option_at_index(option_list.highlighted)
        self.dismiss(
            GuardianLink(
                guardian_id=option.id or "",
                relation=relation if isinstance(relation, str) else "other",
            )
        )


class CodesDialog(FormDialog):
    """The codes just issued, shown this once, and where their slips were written."""

    BINDINGS = [Binding("escape", "cancel", N_("Close"), id="close")]

    def __init__(self, codes: list[IssuedCode], path: Path) -> None:
        super().__init__()
        self.codes = codes
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="codes-dialog"):
            yield Static(
                _("Access codes: {count}, shown only this once").format(count=len(self.codes)),
                classes="dialog-title",
            )
            table: DataTable[str] = DataTable(id="codes", cursor_type="row")
            table.add_columns(_("Full name"), _("Login"), _("Access code"))
            for code in self.codes:
                table.add_row(code.name, code.login, code.code)
            yield table
            yield Static(
                _(
                    "Slips to print (A4, cut along the dashed lines): {path}. "
                    "The codes are valid until {date}."
                ).format(
                    path=self.path,
                    date=self.codes[0].expires_at.strftime("%d.%m.%Y") if self.codes else "",
                ),
                classes="hint",
                markup=False,
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Close"), id="cancel", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#codes", DataTable).focus()


@dataclass(frozen=True)
class NewStudent:
    last_name: str
    first_name: str
    middle_name: str
    birth_date: dt.date | None
    enrolled_on: dt.date


class StudentDialog(FormDialog):
    """A student joining the class: names, birth date, the day they join."""

    def __init__(self, label: str, today: dt.date) -> None:
        super().__init__()
        self.label = label
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="student-dialog"):
            yield Static(
                _("A new student of {label}").format(label=self.label),
                classes="dialog-title",
                markup=False,
            )
            with Horizontal(classes="form-row"):
                yield Label(_("Last name"))
                yield Input(id="s-last", compact=True)
                yield Label(_("First name"))
                yield Input(id="s-first", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(_("Middle name"))
                yield Input(id="s-middle", compact=True)
                yield Label(_("Birth date"))
                yield Input(id="s-birth", compact=True, placeholder="25.11.2013")
            with Horizontal(classes="form-row"):
                yield Label(_("Enrolled"))
                yield Input(self.today.strftime("%d.%m.%Y"), id="s-enrolled", compact=True)
            yield self.status_line(error=True)
            yield from self.buttons(_("Enrol"))

    def on_mount(self) -> None:
        self.query_one("#s-last", Input).focus()

    def action_save(self) -> None:
        def value(name: str) -> str:
            return self.query_one(f"#s-{name}", Input).value

        birth = parse_day(value("birth"))
        enrolled = parse_day(value("enrolled"))
        for day in (birth, enrolled):
            if isinstance(day, str):
                self.say(_("«{text}» is not a date: type it as 25.11.2013.").format(text=day))
                return
        if not isinstance(enrolled, dt.date):
            self.say(_("Type the day the student joins the class."))
            return
        self.dismiss(NewStudent(value("last"), value("first"), value("middle"), birth, enrolled))


class DateDialog(FormDialog):
    """One date, e.g. the day a student leaves."""

    def __init__(self, title: str, label: str, value: dt.date) -> None:
        super().__init__()
        self.heading = title
        self.label = label
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.heading, classes="dialog-title", markup=False)
            yield Label(self.label)
            yield Input(self.value.strftime("%d.%m.%Y"), id="date", compact=True)
            yield self.status_line(error=True)
            yield from self.buttons(_("Save"))

    def on_mount(self) -> None:
        self.query_one("#date", Input).focus()

    def action_save(self) -> None:
        day = parse_day(self.query_one("#date", Input).value)
        if not isinstance(day, dt.date):
            self.say(_("Type a date as 25.11.2013."))
            return
        self.dismiss(day)
