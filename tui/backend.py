"""Service calls from the TUI: in a worker thread, with a connection of the thread's own.

peewee keeps one SQLite connection per thread and Textual's thread workers run in a pool,
so each call opens a connection and closes it afterwards (cheap for SQLite, and nothing is
left open in a thread that may never run again). ``asyncio`` does not hand context
variables to executor threads, so the pinned clock and language of the code that made the
app (the CLI, a test) are carried over explicitly.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, ParamSpec, TypeVar

import peewee as pw

from node.errors import EdiaryError
from node.i18n import _, current_language, use_language
from node.models import db
from node.models.database import (
    DAMAGED_CODES,
    open_database,
    record_damage,
    sqlite_code,
    storage_error,
)
from node.services.access.auth import SignedIn
from node.services.base import clock
from node.services.base.actor import Actor

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a service call gave: its value, or the message to show instead."""

    value: T | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def describe(error: Exception, database: Path | None = None) -> str:
    """The one line the status bar shows for a failed call (never a traceback); a fault
    SQLite reports is said as the command line says it (``storage_error``)."""
    if isinstance(error, EdiaryError):
        return str(error)
    if database is not None and isinstance(error, pw.DatabaseError | sqlite3.Error):
        if sqlite_code(error) in DAMAGED_CODES:
            record_damage(database, str(error))
        return str(storage_error(database, error))
    return _(
        "The database cannot be used right now ({error}); nothing was saved. "
        "Check the disk and the data folder, then try again."
    ).format(error=error)


class Backend:
    """The app's way to the database and the signed-in user."""

    def __init__(self, database_path: Path | str, data_dir: Path | str | None = None) -> None:
        self.database_path = Path(database_path)
        #: the node's data directory (backup state, exported reports); the database's folder
        #: unless ``ediary.toml`` moved the database elsewhere
        self.data_dir = Path(data_dir) if data_dir is not None else self.database_path.parent
        self._context = contextvars.copy_context()
        self.language = current_language()
        self.session: SignedIn | None = None

    @property
    def actor(self) -> Actor:
        if self.session is None:
            raise RuntimeError("nobody is signed in")
        return self.session.actor

    def call(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``function`` here (a worker thread) on a fresh connection; errors propagate."""

        def run() -> T:
            with use_language(self.language):
                if not db.is_closed():  # this thread already has one (a test's own thread)
                    return function(*args, **kwargs)
                with db.connection_context():
                    return function(*args, **kwargs)

        return self._context.copy().run(run)

    def today(self) -> dt.date:
        """The app's today (pinned by the demo's --today or a test), without the database."""
        return self._context.copy().run(clock.today)

    def attempt(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Outcome[T]:
        """``call`` that turns the project's and the database's errors into a message."""
        try:
            return Outcome(value=self.call(function, *args, **kwargs))
        except (EdiaryError, pw.DatabaseError, sqlite3.Error, OSError) as error:
            return Outcome(error=describe(error, self.database_path))

    def open(self) -> Outcome[None]:
        """Open (and migrate) the database once, binding it for every thread."""

        def run() -> None:
            open_database(self.database_path).close()

        try:
            self._context.copy().run(run)
        except (EdiaryError, pw.DatabaseError, sqlite3.Error, OSError) as error:
            return Outcome(error=describe(error, self.database_path))
        return Outcome()
