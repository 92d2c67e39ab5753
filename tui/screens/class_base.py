"""What the class teacher's screens share: one service read shown on the screen, read
again after every write, with a status line.

A screen defines ``read`` (runs in a worker thread, calls services only) and ``show``
(runs on the event loop, updates widgets). ``write(change, done)`` runs ``change`` and the
read in one worker, so the screen always shows what is in the database; a refused change
shows its message in the status line and rings the bell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from node.services.base.actor import Actor
from tui.backend import Outcome
from tui.bindings import translate_bindings


class ServiceScreen(Screen[None]):
    """A screen over one service read (see the module's docstring)."""

    @dataclass
    class Loaded(Message):
        outcome: Outcome[Any]
        done: str = ""

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)

    # --- what each screen defines -------------------------------------------------------

    def read(self, actor: Actor, today: dt.date) -> Any:
        """The screen's data, read by services (in a worker thread)."""
        raise NotImplementedError

    def show(self, value: Any, done: str) -> None:
        """Show what ``read`` returned; ``done`` says what a write just did."""
        raise NotImplementedError

    # --- status line --------------------------------------------------------------------

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    # --- reading and writing ------------------------------------------------------------

    def _run(self, change: object, done: str) -> None:
        backend = self.app.backend
        actor = backend.actor
        today = backend.today()

        def run() -> Any:
            if callable(change):
                change()
            return self.read(actor, today)

        self.post_message(self.Loaded(backend.attempt(run), done))

    @work(thread=True, exclusive=True, group="screen-load")
    def load(self) -> None:
        self._run(None, "")

    # Writes are not exclusive: a second change made while the first is saved must not
    # cancel it.
    @work(thread=True, group="screen-write")
    def write(self, change: object, done: str) -> None:
        self._run(change, done)

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        outcome = message.outcome
        if outcome.value is None:
            self.set_status(outcome.error or "", error=True)
            self.app.bell()
            return
        self.show(outcome.value, message.done)
