"""Internal mail in the TUI: the inbox, a conversation, writing, replying, summaries.

Opened with ``m`` from the home screen. Every service call runs in a thread worker and
posts its outcome back; a refused message reopens its dialog with the draft and the reason,
so nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from node.i18n import N_, _
from node.services.messaging import mail
from node.services.messaging.mail import RecipientChoice, SummaryClass, ThreadSummary, ThreadView
from tui.backend import Outcome
from tui.bindings import translate_bindings
from tui.screens.mail_dialogs import (
    ComposeDialog,
    Draft,
    ReplyDialog,
    SummariesDialog,
    SummaryRequest,
)
from tui.widgets.footer import Footer

#: How many conversations the inbox shows.
INBOX_SIZE = 100


def _when(moment: Any) -> str:
    return moment.strftime("%d.%m %H:%M")


def inbox_line(thread: ThreadSummary) -> str:
    """«● 25.11 14:00 Собрание — All parents of 7А (3)»; the dot marks unread."""
    mark = "●" if thread.unread else " "
    who = f" — {thread.participants}" if thread.participants else ""
    return f"{mark} {_when(thread.last_at)} {thread.subject}{who} ({thread.count})"


class _StatusMixin:
    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)  # type: ignore[attr-defined]
        status.update(text)
        status.set_class(error, "error")


class MailScreen(_StatusMixin, Screen[None]):
    """The inbox, newest first; Enter opens a conversation."""

    BINDINGS = [
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("n", "write", N_("Write"), id="write", tooltip=N_("New message")),
        Binding("h", "help_request", N_("Ask for help"), id="help-request"),
        Binding("s", "summaries", N_("Progress summaries"), show=False, id="summaries"),
        Binding("r", "reload", N_("Reload"), show=False, id="reload"),
    ]
    HELP_KEYS = [
        (N_("Enter"), N_("Open the conversation")),
        (N_("● in the list"), N_("The conversation has messages you have not read")),
    ]

    @dataclass
    class Loaded(Message):
        outcome: Outcome[list[ThreadSummary]]
        done: str = ""

    @dataclass
    class Composing(Message):
        outcome: Outcome[list[RecipientChoice]]
        draft: Draft
        error: str = ""

    @dataclass
    class Summaries(Message):
        outcome: Outcome[list[SummaryClass]]
        error: str = ""

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)
        self.threads: list[ThreadSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        inbox = OptionList(id="inbox")
        inbox.border_title = _("Inbox")
        yield inbox
        yield Static("", id="status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Mail")
        self.query_one("#inbox", OptionList).focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="mail-load")
    def load(self, done: str = "") -> None:
        backend = self.app.backend
        outcome = backend.attempt(mail.inbox, backend.actor, limit=INBOX_SIZE)
        self.post_message(self.Loaded(outcome, done))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        if message.outcome.value is None:
            self.say(message.outcome.error or "", error=True)
            return
        self.threads = message.outcome.value
        inbox = self.query_one("#inbox", OptionList)
        highlighted = inbox.highlighted
        inbox.clear_options()
        for thread in self.threads:
            inbox.add_option(Option(inbox_line(thread), id=thread.thread_id))
        if not self.threads:
            inbox.add_option(Option(_("No messages yet. Press n to write one."), disabled=True))
        elif inbox.option_count:
            inbox.highlighted = min(highlighted or 0, inbox.option_count - 1)
        unread = sum(1 for t in self.threads if t.unread)
        self.title = _("Mail — {count} unread").format(count=unread) if unread else _("Mail")
        self.say(message.done)

    @on(OptionList.OptionSelected, "#inbox")
    def open_thread(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.push_screen(ThreadScreen(event.option.id))

    # --- writing -------------------------------------------------------------------------

    def action_write(self) -> None:
        self.prepare(Draft())

    @work(thread=True, exclusive=True, group="mail")
    def prepare(self, draft: Draft, error: str = "") -> None:
        backend = self.app.backend
        outcome = backend.attempt(mail.allowed_recipients, backend.actor)
        self.post_message(self.Composing(outcome, draft, error))

    @on(Composing)
    def compose_message(self, message: Composing) -> None:
        choices = message.outcome.value
        if choices is None:
            self.say(message.outcome.error or "", error=True)
            return

        def sent(draft: Draft | None) -> None:
            if draft is not None:
                self.send(draft)

        dialog = ComposeDialog(_("New message"), choices, message.draft, message.error)
        self.app.push_screen(dialog, sent)

    @work(thread=True, exclusive=True, group="mail")
    def send(self, draft: Draft) -> None:
        backend = self.app.backend
        outcome = backend.attempt(
            mail.send_message, backend.actor, list(draft.recipients), draft.subject, draft.body
        )
        self.app.call_from_thread(self._sent, outcome, draft)

    def _sent(self, outcome: Outcome[ThreadView], draft: Draft) -> None:
        if outcome.ok:
            self.load(_("Sent."))
        else:
            self.prepare(draft, outcome.error or "")

    def action_help_request(self, draft: Draft | None = None, error: str = "") -> None:
        def sent(result: Draft | None) -> None:
            if result is not None:
                self.ask(result)

        dialog = ComposeDialog(_("Ask the system administrator for help"), None, draft, error)
        self.app.push_screen(dialog, sent)

    @work(thread=True, exclusive=True, group="mail")
    def ask(self, draft: Draft) -> None:
        backend = self.app.backend
        outcome = backend.attempt(mail.ask_for_help, backend.actor, draft.subject, draft.body)
        self.app.call_from_thread(self._asked, outcome, draft)

    def _asked(self, outcome: Outcome[ThreadView], draft: Draft) -> None:
        if outcome.ok:
            self.load(_("Sent to the system administrators."))
        else:
            self.action_help_request(draft, outcome.error or "")

    # --- progress summaries ----------------------------------------------------------------

    def action_summaries(self) -> None:
        self.prepare_summaries()

    @work(thread=True, exclusive=True, group="mail")
    def prepare_summaries(self, error: str = "") -> None:
        backend = self.app.backend
        outcome = backend.attempt(mail.summary_classes, backend.actor)
        self.post_message(self.Summaries(outcome, error))

    @on(Summaries)
    def choose_summaries(self, message: Summaries) -> None:
        classes = message.outcome.value
        if classes is None:
            self.say(message.outcome.error or "", error=True)
            return
        if not classes:
            self.say(
                _(
                    "Progress summaries are sent by a class teacher to their class, or by "
                    "the administration; you lead no class."
                ),
                error=True,
            )
            return

        def chosen(request: SummaryRequest | None) -> None:
            if request is not None:
                self.send_summaries(request)

        self.app.push_screen(SummariesDialog(classes, message.error), chosen)

    @work(thread=True, exclusive=True, group="mail")
    def send_summaries(self, request: SummaryRequest) -> None:
        backend = self.app.backend
        outcome = backend.attempt(
            mail.send_progress_summaries, backend.actor, request.class_id, request.period_id
        )
        self.app.call_from_thread(self._summaries_sent, outcome)

    def _summaries_sent(self, outcome: Outcome[int]) -> None:
        if outcome.value is not None:
            self.load(_("Progress summaries sent to {count} families.").format(count=outcome.value))
        else:
            self.prepare_summaries(outcome.error or "")


class ThreadScreen(_StatusMixin, Screen[None]):
    """One conversation, oldest message first; opening it marks it read."""

    BINDINGS = [
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("r", "reply", N_("Reply"), id="reply"),
    ]
    HELP_KEYS = [(N_("Up, Down, PgUp, PgDn"), N_("Scroll the conversation"))]

    @dataclass
    class Loaded(Message):
        outcome: Outcome[ThreadView]
        done: str = ""

    def __init__(self, thread_id: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.thread_id = thread_id
        self.view: ThreadView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="thread-info")
        yield VerticalScroll(id="messages")
        yield Static("", id="status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Mail")
        self.query_one("#messages", VerticalScroll).focus()
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="thread-load")
    def load(self, done: str = "") -> None:
        backend = self.app.backend
        outcome = backend.attempt(mail.open_thread, backend.actor, self.thread_id)
        self.post_message(self.Loaded(outcome, done))

    @on(Loaded)
    async def show(self, message: Loaded) -> None:
        view = message.outcome.value
        if view is None:
            self.say(message.outcome.error or "", error=True)
            return
        self.view = view
        self.title = view.subject
        self.query_one("#thread-info", Static).update(
            _("With: {participants}").format(participants=view.participants or "—")
        )
        box = self.query_one("#messages", VerticalScroll)
        await box.remove_children()
        widgets = []
        for item in view.messages:
            head = f"{item.author_name} ({item.author_role}) · {item.at.strftime('%d.%m.%Y %H:%M')}"
            widget = Static(f"{head}\n{item.body}", classes="mail-message", markup=False)
            widget.set_class(item.mine, "mine")
            widgets.append(widget)
        await box.mount_all(widgets)
        box.scroll_end(animate=False)
        self.say(message.done)

    def action_reply(self, body: str = "", error: str = "") -> None:
        if self.view is None:
            return

        def written(text: str | None) -> None:
            if text is not None:
                self.send_reply(text)

        self.app.push_screen(ReplyDialog(self.view.subject, body, error), written)

    @work(thread=True, exclusive=True, group="thread")
    def send_reply(self, body: str) -> None:
        backend = self.app.backend
        outcome = backend.attempt(mail.reply, backend.actor, self.thread_id, body)
        self.app.call_from_thread(self._replied, outcome, body)

    def _replied(self, outcome: Outcome[Any], body: str) -> None:
        if outcome.ok:
            self.load(_("Sent."))
        else:
            self.action_reply(body, outcome.error or "")
