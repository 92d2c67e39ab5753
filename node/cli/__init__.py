"""The ``ediary`` command: the composition root that wires configuration, database and services.

Every command turns the project's errors into one clear line and a non-zero exit; an
unexpected failure is written with its traceback to ``ediary-error.log`` in the data
directory, and the user sees one line saying where.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from pathlib import Path

import click

from node.cli import account as _account  # noqa: F401 — registers the subcommand
from node.cli import backup as _backup  # noqa: F401 — registers the subcommand
from node.cli import click_messages
from node.cli import demo as _demo  # noqa: F401 — registers the subcommand
from node.cli import init as _init  # noqa: F401 — registers the subcommand
from node.cli import report as _report  # noqa: F401 — registers the subcommand
from node.cli import serve as _serve  # noqa: F401 — registers the subcommand
from node.cli import setup as _setup  # noqa: F401 — registers the subcommand
from node.cli import setup_files as _setup_files  # noqa: F401 — registers the subcommands
from node.cli import status as _status  # noqa: F401 — registers the subcommand
from node.cli import sync as _sync  # noqa: F401 — registers the subcommand
from node.cli import tui as _tui  # noqa: F401 — registers the subcommand
from node.cli import users as _users  # noqa: F401 — registers the subcommand
from node.cli import year as _year  # noqa: F401 — registers the subcommand
from node.cli.app import cli, current_data_dir, language_from_environment
from node.errors import EdiaryError
from node.files import append_private
from node.i18n import _, set_language

ERROR_LOG = "ediary-error.log"

__all__ = ["cli", "main"]


def _log_crash() -> Path:
    directory = current_data_dir[0] if current_data_dir else Path.cwd()
    if not directory.is_dir():
        directory = Path.cwd()
    path = directory / ERROR_LOG
    try:
        with append_private(path) as log:
            log.write(f"--- {dt.datetime.now().isoformat()} {' '.join(sys.argv)}\n".encode())
            log.write(traceback.format_exc().encode())
    except OSError:
        return Path(os.devnull)
    return path


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
        return exc.exit_code
    except Exception:  # the last line of defence: never a traceback on screen
        log = _log_crash()
        click.echo(
            _("ediary: an unexpected error happened; details were written to {log}.").format(
                log=log
            ),
            err=True,
        )
        return 70
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
