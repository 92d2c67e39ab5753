"""Signing in: login, hidden password, Enter."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from node.i18n import _
from node.services.access import auth
from tui.backend import Outcome
from tui.bindings import translate_bindings
from tui.widgets.footer import Footer


class SignInScreen(Screen[None]):
    """The first screen. ``prefill`` (login, password) signs in at once (the demo)."""

    @dataclass
    class Finished(Message):
        outcome: Outcome[auth.SignedIn]

    @dataclass
    class Opened(Message):
        outcome: Outcome[None]

    def __init__(self, prefill: tuple[str, str] | None = None) -> None:
        super().__init__()
        translate_bindings(self)
        self.prefill = prefill
        self.ready = False

    def compose(self) -> ComposeResult:
        with Vertical(id="signin-box"):
            yield Static(_("ediary — sign in"), classes="dialog-title")
            yield Label(_("Login"))
            yield Input(id="login", placeholder=_("your login"))
            yield Label(_("Password"))
            yield Input(id="password", password=True, placeholder=_("your password"))
            yield Button(_("Sign in"), id="sign-in", variant="primary")
            yield Static("", id="status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#login", Input).focus()
        self.set_status(_("Opening the database…"))
        self.open_database()

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    @work(thread=True, exclusive=True, group="database")
    def open_database(self) -> None:
        self.post_message(self.Opened(self.app.backend.open()))

    @on(Opened)
    def database_opened(self, message: Opened) -> None:
        if not message.outcome.ok:
            self.set_status(message.outcome.error or "", error=True)
            return
        self.ready = True
        self.set_status("")
        if self.prefill is not None:
            login, password = self.prefill
            self.query_one("#login", Input).value = login
            self.query_one("#password", Input).value = password
            self.submit()

    @on(Input.Submitted, "#login")
    def login_entered(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#sign-in")
    def submit(self) -> None:
        if not self.ready:
            return
        login = self.query_one("#login", Input).value
        password = self.query_one("#password", Input).value
        if not login.strip():
            self.query_one("#login", Input).focus()
            self.set_status(_("Type your login first."), error=True)
            return
        self.set_status(_("Signing in…"))
        self.query_one("#sign-in", Button).disabled = True
        self.sign_in(login, password)

    @work(thread=True, exclusive=True, group="signin")
    def sign_in(self, login: str, password: str) -> None:
        outcome = self.app.backend.attempt(auth.sign_in, login, password, client="tui")
        self.post_message(self.Finished(outcome))

    @on(Finished)
    def finished(self, message: Finished) -> None:
        self.query_one("#sign-in", Button).disabled = False
        if message.outcome.value is None:
            self.set_status(message.outcome.error or "", error=True)
            password = self.query_one("#password", Input)
            password.value = ""
            password.focus()
            return
        self.app.signed_in(message.outcome.value)
