"""The ``ediary`` command: the composition root that wires configuration, database and services.

A subcommand's module is imported only when that subcommand runs (``node.cli.lazy``; the
table is ``node.cli.app.COMMANDS``). Every command turns the project's errors into one clear
line and a non-zero exit; an unexpected failure is written with its traceback to
``ediary-error.log`` in the data directory, and the user sees one line saying where.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
import sys
import tempfile
import traceback
from pathlib import Path

import click
import peewee as pw

from node.cli import click_messages
from node.cli.app import cli, current_data_dir, current_database, language_from_environment
from node.errors import EdiaryError, StorageError
from node.files import append_private
from node.i18n import _, os_reason, set_language
from node.models.database import (
    DAMAGED_CODES,
    record_damage,
    sqlite_code,
    storage_error,
    writable_folder,
)

ERROR_LOG = "ediary-error.log"

__all__ = ["cli", "main"]


def _log_crash() -> str:
    """Where the traceback went: the log in the data folder, else (a read-only folder) one
    in the system's temporary folder; the message names the file it is really in."""
    directory = current_data_dir[0] if current_data_dir else Path.cwd()
    if not directory.is_dir():
        directory = Path.cwd()
    entry = f"--- {dt.datetime.now().isoformat()} {' '.join(sys.argv)}\n{traceback.format_exc()}"
    fallback = Path(tempfile.gettempdir()) / f"ediary-error-{os.getuid()}.log"
    for path in (directory / ERROR_LOG, fallback):
        try:
            with append_private(path) as log:
                log.write(entry.encode())
        except OSError:
            continue
        return str(path)
    return _("nowhere (neither {first} nor {second} could be written): {error}").format(
        first=directory / ERROR_LOG, second=fallback, error=entry.strip().splitlines()[-1]
    )


#: ``OSError`` numbers that mean "you may not write there" rather than a bug.
_NOT_WRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM)


def _not_writable(exc: OSError) -> str:
    """A write refused by the system, in words; the data folder named if it is read-only."""
    where = exc.filename or (current_data_dir[0] if current_data_dir else "?")
    text = _("Cannot write {path}: {reason}.").format(path=where, reason=os_reason(exc))
    folder = current_data_dir[0] if current_data_dir else None
    if folder is not None and folder.is_dir() and not writable_folder(folder):
        text += " " + _(
            "The data folder {path} is read-only: nothing was changed. Make it writable (or "
            "mount it read-write) to change anything."
        ).format(path=folder)
    return text


def _database_fault(exc: Exception) -> StorageError:
    """A fault SQLite reported in the middle of a command: what it means, what to do."""
    database = current_database[0] if current_database else Path("ediary.db")
    if sqlite_code(exc) in DAMAGED_CODES:
        record_damage(database, str(exc))
    return storage_error(database, exc)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    language = language_from_environment(args)
    set_language(language)
    with click_messages.speaking(language):
        return _run(args)


def _run(args: list[str]) -> int:
    try:
        result = cli.main(args=args, prog_name="ediary", standalone_mode=False)
    except EdiaryError as exc:
        click.echo(_("ediary: {message}").format(message=exc), err=True)
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo(_("ediary: cancelled."), err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        _say_where_global_options_go(exc)
        return exc.exit_code
    except (sqlite3.DatabaseError, pw.DatabaseError) as exc:
        error = _database_fault(exc)
        click.echo(_("ediary: {message}").format(message=error), err=True)
        return error.exit_code
    except OSError as exc:
        if exc.errno not in _NOT_WRITABLE:
            return _crashed()
        click.echo(_("ediary: {message}").format(message=_not_writable(exc)), err=True)
        return StorageError.exit_code
    except Exception:  # the last line of defence: never a traceback on screen
        return _crashed()
    return result if isinstance(result, int) else 0


#: Options of ``ediary`` itself, which click takes only before the command.
_GLOBAL_OPTIONS = ("--data-dir", "--lang")


def _say_where_global_options_go(exc: click.ClickException) -> None:
    """``ediary demo --data-dir /tmp/x`` is refused by click: say where the option goes."""
    if not isinstance(exc, click.NoSuchOption) or exc.option_name not in _GLOBAL_OPTIONS:
        return
    path = exc.ctx.command_path.split(" ", 1) if exc.ctx is not None else []
    command = path[1] if len(path) > 1 else ""
    click.echo(
        _(
            "{option} belongs to ediary itself: write it before the command, as in "
            "'ediary {option} … {command}'."
        ).format(option=exc.option_name, command=command),
        err=True,
    )


def _crashed() -> int:
    log = _log_crash()
    click.echo(
        _("ediary: an unexpected error happened; details were written to {log}.").format(log=log),
        err=True,
    )
    return 70


if __name__ == "__main__":
    sys.exit(main())
