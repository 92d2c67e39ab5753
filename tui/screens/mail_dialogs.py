"""The mail screen's dialogs: write a message (or a request for help), reply, send summaries.

A dialog only collects what the user typed and returns it; the screen calls the service.
When the service refuses, the screen opens the dialog again with the same draft and the
message, so nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Select, SelectionList, Static, TextArea

from node.i18n import N_, _
from node.services.messaging.mail import Recipient, RecipientChoice, SummaryClass
from tui.dialogs.form import FormDialog


@dataclass(frozen=True)
class Draft:
    """A message being written; ``recipients`` is empty for a request for help."""

    recipients: tuple[Recipient, ...] = ()
    subject: str = ""
    body: str = ""


@dataclass(frozen=True)
class SummaryRequest:
    class_id: str
    period_id: str


class _MailDialog(FormDialog):
    """A form whose Ctrl+S and button send; opened again with the service's refusal shown."""

    BINDINGS = [Binding("ctrl+s", "save", N_("Send"), id="send")]

    def __init__(self, error: str = "") -> None:
        super().__init__()
        self.error = error

    def send_buttons(self) -> ComposeResult:
        yield self.status_line(self.error, error=bool(self.error))
        yield from self.buttons(_("Send"), compact=True)


class ComposeDialog(_MailDialog):
    """Recipients (ticked with Space, narrowed by typing in the filter), subject and text.

    Without ``choices`` it is a request for help to the system administrators.
    """

    def __init__(
        self,
        title: str,
        choices: list[RecipientChoice] | None,
        draft: Draft | None = None,
        error: str = "",
    ) -> None:
        super().__init__(error)
        self.heading = title
        self.choices = choices
        self.draft = draft or Draft()
        self.ticked: set[Recipient] = set(self.draft.recipients)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="compose-dialog"):
            yield Static(self.heading, classes="dialog-title")
            if self.choices is not None:
                yield Input(
                    id="filter",
                    placeholder=_("Type to find a recipient; Space ticks"),
                    compact=True,
                )
                recipients = SelectionList[int](id="recipients")
                recipients.border_title = _("To")
                yield recipients
            yield Input(self.draft.subject, id="subject", placeholder=_("Subject"), compact=True)
            yield TextArea(
                self.draft.body,
                id="body",
                compact=True,
                placeholder=_("Message text; Ctrl+S sends, Esc cancels"),
            )
            yield from self.send_buttons()

    def on_mount(self) -> None:
        if self.choices is not None:
            self._fill("")
            self.query_one("#filter", Input).focus()
        else:
            self.query_one("#subject", Input).focus()

    def _fill(self, text: str) -> None:
        assert self.choices is not None
        recipients: SelectionList[int] = self.query_one("#recipients", SelectionList)
        recipients.clear_options()
        needle = text.strip().casefold()
        recipients.add_options(
            [
                (choice.label, i, choice.recipient in self.ticked)
                for i, choice in enumerate(self.choices)
                if needle in choice.label.casefold()
            ]
        )
        if recipients.option_count:
            recipients.highlighted = 0

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#filter")
    def _to_list(self, event: Input.Submitted) -> None:
        event.prevent_default()  # Enter does not send: on to the list
        self.query_one("#recipients", SelectionList).focus()

    @on(Input.Submitted, "#subject")
    def _to_body(self, event: Input.Submitted) -> None:
        event.prevent_default()  # Enter does not send: on to the text
        self.query_one("#body", TextArea).focus()

    @on(SelectionList.SelectionToggled, "#recipients")
    def _toggled(self, event: SelectionList.SelectionToggled) -> None:
        assert self.choices is not None
        recipient = self.choices[event.selection.value].recipient
        if recipient in self.ticked:
            self.ticked.discard(recipient)
        else:
            self.ticked.add(recipient)

    def action_save(self) -> None:
        order = [c.recipient for c in self.choices or [] if c.recipient in self.ticked]
        self.dismiss(
            Draft(
                recipients=tuple(order),
                subject=self.query_one("#subject", Input).value,
                body=self.query_one("#body", TextArea).text,
            )
        )


class ReplyDialog(_MailDialog):
    """The text of a reply; returns it, or None when cancelled."""

    def __init__(self, subject: str, body: str = "", error: str = "") -> None:
        super().__init__(error)
        self.subject = subject
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="reply-dialog"):
            yield Static(_("Reply: {subject}").format(subject=self.subject), classes="dialog-title")
            yield TextArea(
                self.body,
                id="body",
                compact=True,
                placeholder=_("Message text; Ctrl+S sends, Esc cancels"),
            )
            yield from self.send_buttons()

    def on_mount(self) -> None:
        self.query_one("#body", TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one("#body", TextArea).text)


class SummariesDialog(_MailDialog):
    """Which class and period to send each family their child's progress for."""

    def __init__(self, classes: list[SummaryClass], error: str = "") -> None:
        super().__init__(error)
        self.targets = classes

    def compose(self) -> ComposeResult:
        first = self.targets[0]
        with Vertical(classes="dialog", id="summaries-dialog"):
            yield Static(_("Send progress summaries to parents"), classes="dialog-title")
            yield Static(
                _(
                    "Each family gets one message with their own child's marks, averages, "
                    "final marks and absences for the period."
                ),
                classes="hint",
            )
            yield Select(
                [(_("Class {label}").format(label=c.label), c.class_id) for c in self.targets],
                value=first.class_id,
                allow_blank=False,
                id="summary-class",
                compact=True,
            )
            yield Select(
                [(name, pid) for pid, name in first.periods],
                value=first.current or Select.NULL,
                prompt=_("Period"),
                id="summary-period",
                compact=True,
            )
            yield from self.send_buttons()

    def on_mount(self) -> None:
        self.query_one("#summary-period", Select).focus()

    @on(Select.Changed, "#summary-class")
    def _class_changed(self, event: Select.Changed) -> None:
        target = next((c for c in self.targets if c.class_id == event.value), None)
        select = self.query_one("#summary-period", Select)
        if target is None or select.value == target.current:
            return
        select.set_options([(name, pid) for pid, name in target.periods])
        if target.current:
            select.value = target.current

    def action_save(self) -> None:
        class_id = self.query_one("#summary-class", Select).value
        period_id = self.query_one("#summary-period", Select).value
        if not isinstance(class_id, str) or not isinstance(period_id, str):
            self.refuse(_("Choose a class and a period first."))
            return
        self.dismiss(SummaryRequest(class_id, period_id))
