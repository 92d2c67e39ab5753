"""One form for every row of the School section: labelled fields (typed text or a choice).

The tab that opens it says what the fields are and how to read them (``Form.read``): a bad
date or number is refused in the dialog, which keeps what was typed; the service's own
refusal comes back in the screen's status line once it is called.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from node.errors import ValidationError
from node.i18n import _
from node.services.base.actor import Actor
from tui.dialogs.dates import parse_day, show_day
from tui.dialogs.form import FormDialog

#: What a form's ``read`` returns: the service call to run with the acting user.
Call = Callable[[Actor], object]


@dataclass(frozen=True)
class Field:
    """A labelled field: free text, or one of ``choices`` ((shown name, value) pairs)."""

    key: str
    label: str
    value: str = ""
    choices: tuple[tuple[str, str], ...] | None = None


@dataclass
class Form:
    """A form's title, its fields and how its answers become a service call."""

    title: str
    fields: list[Field]
    read: Callable[[dict[str, str]], Call]
    notice: str = ""
    hint: str = ""
    save: str = field(default_factory=lambda: _("Save"))


def day_field(key: str, label: str, day: dt.date | None) -> Field:
    return Field(key, label, show_day(day) if day else "")


def read_day(text: str, what: str) -> dt.date:
    """A date as dd.mm.yyyy, or a refusal naming the field."""
    day = parse_day(text)
    if day is None:
        raise ValidationError(
            _("{what}: write the date as dd.mm.yyyy, e.g. 25.11.2026.").format(what=what)
        )
    return day


def read_number(text: str, what: str) -> int:
    """A whole number, or a refusal naming the field."""
    text = text.strip()
    if not text.isdigit():
        raise ValidationError(_("{what}: write a whole number, e.g. 3.").format(what=what))
    return int(text)


def yes_no() -> tuple[tuple[str, str], ...]:
    return ((_("no"), "no"), (_("yes"), "yes"))


class FieldsDialog(FormDialog):
    """The form; dismissed with the service call its answers make, or None."""

    def __init__(self, form: Form) -> None:
        super().__init__()
        self.form = form

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog school-form"):
            yield Static(self.form.title, classes="dialog-title", markup=False)
            if self.form.hint:
                yield Static(self.form.hint, classes="hint", markup=False)
            for item in self.form.fields:
                with Horizontal(classes="form-row"):
                    yield Label(item.label)
                    if item.choices is None:
                        yield Input(item.value, id=f"f-{item.key}", compact=True)
                    else:
                        yield Select(
                            item.choices,
                            value=item.value or item.choices[0][1],
                            allow_blank=False,
                            id=f"f-{item.key}",
                            compact=True,
                        )
            yield self.status_line()
            yield from self.buttons(self.form.save)

    def on_mount(self) -> None:
        first = self.query(".form-row Input, .form-row Select").first()
        first.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter goes to the next field; in the last one it saves."""
        event.stop()
        event.prevent_default()  # this decides, not the base's «Enter saves»
        fields = list(self.query(".form-row Input, .form-row Select"))
        if event.input is fields[-1]:
            self.action_save()
        else:
            self.focus_next()

    def answers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in self.form.fields:
            widget = self.query_one(f"#f-{item.key}")
            value = widget.value if isinstance(widget, Input | Select) else ""
            out[item.key] = value if isinstance(value, str) else ""
        return out

    def action_save(self) -> None:
        try:
            call = self.form.read(self.answers())
        except ValidationError as exc:
            self.refuse(str(exc))
            return
        self.dismiss(call)
