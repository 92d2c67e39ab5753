"""The plan screen's dialogs: one plan line's form and a CSV file to import."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from node.i18n import _
from node.models import PlanItem
from tui.dialogs.form import FormDialog


@dataclass(frozen=True)
class PlanLineEdit:
    """What the plan line dialog returns (``plan_item_id`` None: a new line)."""

    plan_item_id: str | None
    section: str
    topic: str
    hours: float
    planned_week: int | None


def _hours_text(hours: float) -> str:
    return f"{hours:g}"


def parse_hours(text: str) -> float | None:
    """Hours as typed ("2", "1,5"); None when it is not a number."""
    try:
        return float(text.strip().replace(",", ".")) if text.strip() else 1.0
    except ValueError:
        return None


def parse_week(text: str) -> int | None | str:
    """A week number, None for "no week", or the text itself when it is not a number."""
    if not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        return text


class PlanLineDialog(FormDialog):
    """Add or change one line of the plan; the numbers are checked before it closes."""

    def __init__(self, title: str, item: PlanItem | None = None) -> None:
        super().__init__()
        self.heading = title
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        with Vertical(classes="dialog", id="plan-line-dialog"):
            yield Static(self.heading, classes="dialog-title")
            yield Label(_("Section"))
            yield Input(
                item.section if item else "", id="section", compact=True, select_on_focus=False
            )
            yield Label(_("Topic"))
            yield Input(item.topic if item else "", id="topic", compact=True, select_on_focus=False)
            with Horizontal(id="plan-numbers"):
                yield Label(_("Hours"))
                yield Input(
                    _hours_text(item.hours) if item else "1",
                    id="hours",
                    compact=True,
                )
                yield Label(_("Week (empty: none)"))
                yield Input(
                    str(item.planned_week) if item and item.planned_week else "",
                    id="week",
                    compact=True,
                )
            yield self.status_line(error=True)
            yield from self.buttons(_("Save"))

    def on_mount(self) -> None:
        self.query_one("#topic" if self.item else "#section", Input).focus()

    def action_save(self) -> None:
        hours = parse_hours(self.query_one("#hours", Input).value)
        week = parse_week(self.query_one("#week", Input).value)
        if hours is None:
            self.say(_("Hours must be a number, such as 1 or 1.5."))
            self.query_one("#hours", Input).focus()
            return
        if isinstance(week, str):
            self.say(_("The week must be a whole number, or empty."))
            self.query_one("#week", Input).focus()
            return
        self.dismiss(
            PlanLineEdit(
                plan_item_id=self.item.id if self.item else None,
                section=self.query_one("#section", Input).value,
                topic=self.query_one("#topic", Input).value,
                hours=hours,
                planned_week=week,
            )
        )


class ImportDialog(FormDialog):
    """Asks for the CSV file to append to the plan."""

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("Import the plan from a CSV file"), classes="dialog-title")
            yield Static(
                _(
                    "Columns: section; topic; hours; week (as Excel saves «CSV UTF-8»). "
                    "The lines are added after the plan's last line."
                ),
                classes="hint",
            )
            yield Label(_("File"))
            yield Input(
                self.path,
                id="path",
                placeholder="/home/…/plan.csv",
                compact=True,
                select_on_focus=False,
            )
            yield self.status_line(error=True)
            yield from self.buttons(_("Import"))

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def action_save(self) -> None:
        path = self.query_one("#path", Input).value.strip()
        if not path:
            self.say(_("Type the path of the CSV file."))
            return
        self.dismiss(path)
