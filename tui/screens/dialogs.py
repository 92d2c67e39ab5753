"""The journal's dialogs: a final mark's justification, a lesson's form, a cell's history."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, SelectionList, Static

from node.i18n import N_, _
from node.services.gradebook.journal import CellChange
from node.services.gradebook.journal_entry import LessonForm
from tui.dialogs.form import FormDialog


class JustificationDialog(FormDialog):
    """Asks why a final mark differs from what the journal supports; None: cancelled."""

    def __init__(self, student: str, value: str, reasons: list[str], current: str = "") -> None:
        super().__init__()
        self.student = student
        self.value = value
        self.reasons = reasons
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                _("Final mark {value} for {student} needs a justification").format(
                    value=self.value, student=self.student
                ),
                classes="dialog-title",
            )
            yield Static("\n".join(f"• {reason}" for reason in self.reasons), classes="reasons")
            yield Input(
                self.current, id="justification", placeholder=_("Why this mark"), compact=True
            )
            yield from self.buttons(_("Save"))

    def on_mount(self) -> None:
        self.query_one("#justification", Input).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one("#justification", Input).value)


@dataclass(frozen=True)
class LessonEdit:
    """What the lesson dialog returns."""

    lesson_id: str
    topic: str
    plan_item_ids: list[str]
    homework: str
    work_type_id: str | None


class LessonDialog(FormDialog):
    """The lesson's topic (typed, or picked from the thematic plan), homework, work type."""

    def __init__(self, title: str, form: LessonForm) -> None:
        super().__init__()
        self.heading = title
        self.form = form

    def compose(self) -> ComposeResult:
        form = self.form
        with Vertical(classes="dialog", id="lesson-dialog"):
            yield Static(self.heading, classes="dialog-title")
            # «below» only when there is a plan to pick from (a new journal has none yet)
            yield Label(
                _("Topic (or pick plan items below; Space ticks)")
                if form.plan_items
                else _("Topic")
            )
            yield Input(form.topic, id="topic", compact=True)
            plan = SelectionList[str](
                *[
                    (f"{item.position}. {item.topic}", item.id, item.id in form.linked_ids)
                    for item in form.plan_items
                ],
                id="plan",
            )
            plan.border_title = _("Thematic plan")
            yield plan
            yield Label(_("Homework"))
            yield Input(form.homework, id="homework", compact=True)
            yield Select(
                [(f"{wt.name} ×{wt.weight:g}", wt.id) for wt in form.work_types],
                value=form.work_type_id if form.work_type_id else Select.NULL,
                prompt=_("Work type: the school's default"),
                id="work-type",
                compact=True,
            )
            yield from self.buttons(_("Save"))

    def on_mount(self) -> None:
        self.query_one("#topic", Input).focus()
        plan = self.query_one("#plan", SelectionList)
        if not self.form.plan_items:
            plan.display = False
            return
        linked = [
            i for i, item in enumerate(self.form.plan_items) if item.id in self.form.linked_ids
        ]
        plan.highlighted = linked[0] if linked else 0

    def action_save(self) -> None:
        plan: SelectionList[str] = self.query_one("#plan", SelectionList)
        work_type = self.query_one("#work-type", Select).value
        self.dismiss(
            LessonEdit(
                lesson_id=self.form.lesson_id,
                topic=self.query_one("#topic", Input).value,
                plan_item_ids=list(plan.selected),
                homework=self.query_one("#homework", Input).value,
                work_type_id=work_type if isinstance(work_type, str) else None,
            )
        )


def _shown(value: object) -> str:
    return "—" if value in (None, "") else str(value)


class HistoryDialog(ModalScreen[None]):
    """A cell's changes: when, who, what, old → new."""

    BINDINGS = [Binding("escape", "close", N_("Close"), id="close")]

    def __init__(self, title: str, changes: list[CellChange]) -> None:
        super().__init__()
        self.heading = title
        self.changes = changes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.heading, classes="dialog-title")
            table: DataTable[str] = DataTable(id="history", cursor_type="row")
            table.add_columns(_("When"), _("Who"), _("What"), _("Old → new"))
            for change in self.changes:
                table.add_row(
                    change.at.strftime("%d.%m.%Y %H:%M"),
                    change.actor_login,
                    change.field,
                    f"{_shown(change.old)} → {_shown(change.new)}",
                )
            if not self.changes:
                table.add_row("", "", _("No changes yet."), "")
            yield table
            with Horizontal(classes="buttons"):
                yield Button(_("Close"), id="close")

    def on_mount(self) -> None:
        self.query_one("#history", DataTable).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
