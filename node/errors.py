"""The project's own exceptions.

Every error a person can cause carries a message that says what was wrong and what to do,
already translated into the language active when it was raised (see ``node.i18n``). Entry
points (CLI, TUI, web) show ``str(error)`` and never a traceback.
"""

from __future__ import annotations


class EdiaryError(Exception):
    """Base for every error the user may see; ``str()`` is the message to show."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(EdiaryError):
    """The input is not acceptable; nothing was written."""

    exit_code = 2


class NotFound(EdiaryError):
    """The thing asked for does not exist (or the actor may not know it exists)."""

    exit_code = 3


class Forbidden(EdiaryError):
    """The acting user may not do this."""

    exit_code = 4


class Locked(EdiaryError):
    """The record is closed for changes (a final mark after its deadline, a closed year)."""

    exit_code = 5


class Conflict(EdiaryError):
    """The change clashes with existing data (a duplicate class, an occupied slot)."""

    exit_code = 6


class StorageError(EdiaryError):
    """The database could not be opened or is damaged."""

    exit_code = 7


class DatabaseBusy(StorageError):
    """Another process holds the database's write lock (another import, a backup, a long
    sync) for longer than the busy timeout: nothing was written, and the same command will
    work once the other one is done. Exit code 5, as for anything else that is locked."""

    exit_code = 5
