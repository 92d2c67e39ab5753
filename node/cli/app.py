"""The ``ediary`` command group and what every subcommand shares."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from node import __version__
from node.cli import click_messages
from node.cli.lazy import LazyGroup, Subcommand
from node.cli.translated import TranslatedPath, option
from node.config import DATA_DIR_ENV, NodeConfig, load_config
from node.errors import ValidationError
from node.i18n import LANGUAGES, N_, _, normalize_language, set_language
from node.models.base import busy_timeout
from node.models.database import damage_warning, recorded_damage, writable_folder


class Context:
    """What every subcommand needs: the resolved configuration."""

    def __init__(self, config: NodeConfig, *, data_dir_given: bool = True) -> None:
        self.config = config
        #: --data-dir or $EDIARY_DATA_DIR named the folder (the demo keeps its own otherwise)
        self.data_dir_given = data_dir_given


#: The data directory and database of the running command, for the crash log and for
#: the one message a database fault gets (``node.cli._run``).
current_data_dir: list[Path] = []
current_database: list[Path] = []


def language_from_environment(argv: list[str]) -> str:
    """``--lang`` if given (even before click parses it), else the locale of the shell."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return normalize_language(argv[i + 1])
        if arg.startswith("--lang="):
            return normalize_language(arg.split("=", 1)[1])
    return normalize_language(os.environ.get("LC_ALL") or os.environ.get("LANG"))


#: Every ``ediary`` command: the module it lives in and its help, so that a run imports only
#: the command it runs and ``ediary --help`` none (``node.cli.lazy``). The help is the
#: command's own: tests/node/test_cli_commands.py fails when the two disagree.
COMMANDS = {
    "activate": Subcommand(
        "node.cli.account:activate",
        N_("Activate your account with the access code from your slip."),
    ),
    "backup": Subcommand(
        "node.cli.backup:backup", N_("Encrypted backups of the database (age format).")
    ),
    "demo": Subcommand(
        "node.cli.demo:demo",
        N_(
            "Build a realistic demo school and open the UI as its teacher, with the parent "
            "web page served on 127.0.0.1."
        ),
    ),
    "init": Subcommand(
        "node.cli.init:init",
        N_("Create the school in the data directory (asks, or reads --config)."),
    ),
    "join": Subcommand(
        "node.cli.sync:join", N_("Pair this laptop with the school server, then fetch its data.")
    ),
    "nodes": Subcommand(
        "node.cli.sync:nodes", N_("Paired laptops (on the server) or the hub (on a laptop).")
    ),
    "pair": Subcommand(
        "node.cli.sync:pair",
        N_("Show a one-time code that pairs a teacher's laptop (valid 10 minutes)."),
    ),
    "passwd": Subcommand(
        "node.cli.account:passwd", N_("Change your password; your other sessions end.")
    ),
    "report": Subcommand(
        "node.cli.report:report",
        N_(
            "Write a report as CSV (for Excel) or printable HTML: journal control, user activity "
            "for a month, or performance and quality for a period."
        ),
    ),
    "serve": Subcommand(
        "node.cli.serve:serve", N_("Run the parent and student web page (and automatic backups).")
    ),
    "setup": Subcommand(
        "node.cli.setup:setup",
        N_(
            "Set the school up from its own files: year, periods, holidays, bells, subjects, "
            "classes, staff, students and parents, subgroups, teaching load and timetable."
        ),
    ),
    "signin": Subcommand(
        "node.cli.account:signin",
        N_("Check your login and password: sign in, show your account, sign out."),
    ),
    "status": Subcommand(
        "node.cli.status:status",
        N_("Show the school, its size, the schema version and database health."),
    ),
    "sync": Subcommand(
        "node.cli.sync:sync_now", N_("Sync this laptop with the school server now.")
    ),
    "tui": Subcommand(
        "node.cli.tui:tui",
        N_("Open the terminal UI: sign in, see today's lessons, keep the journal."),
    ),
    "users": Subcommand(
        "node.cli.users:users", N_("Staff accounts and their access codes [R 3.2].")
    ),
    "year": Subcommand(
        "node.cli.year:year", N_("Close the school year: check, archive, roll over.")
    ),
}


@click.group(
    cls=LazyGroup,
    subcommands=COMMANDS,
    help=N_("ediary — the school's electronic diary on its own network."),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@option(
    "--data-dir",
    type=TranslatedPath(file_okay=False, path_type=Path),
    envvar=DATA_DIR_ENV,
    help=N_("Folder with the database, keys and ediary.toml (or $EDIARY_DATA_DIR)."),
)
@option("--lang", type=click.Choice(LANGUAGES), help=N_("Language of messages."))
@option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _print_version(ctx, value),
    help=N_("Show the version and exit."),
)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, lang: str | None) -> None:
    config = load_config(data_dir)
    current_data_dir[:] = [config.data_dir]
    current_database[:] = [config.database_path]
    if not lang and config.language:
        set_language(config.language)
        click_messages.follow(config.language)
    ctx.with_resource(busy_timeout(config.busy_timeout_seconds))
    ctx.obj = Context(config, data_dir_given=data_dir is not None)
    if ctx.invoked_subcommand is not None and not _asks_for_help():
        # status checks the database itself and says what it finds
        warn_about_the_folder(config, damage=ctx.invoked_subcommand != "status")


def _print_version(ctx: click.Context, value: bool) -> None:
    """«ediary, версия 0.1.0»: click's own --version words are fixed at import time."""
    if not value or ctx.resilient_parsing:
        return
    click.echo(_("{program}, version {version}").format(program="ediary", version=__version__))
    ctx.exit()


def _asks_for_help() -> bool:
    return any(arg in ("-h", "--help") for arg in sys.argv[1:])


def warn_about_the_folder(config: NodeConfig, *, damage: bool = True) -> None:
    """Before any command: a read-only data folder, and a database known to be damaged."""
    folder = config.data_dir
    if folder.is_dir() and not writable_folder(folder):
        click.echo(
            _(
                "Note: the data folder {path} is read-only: ediary can show what is there, but "
                "cannot change or save anything in it."
            ).format(path=folder),
            err=True,
        )
    found = recorded_damage(config.database_path) if damage else None
    if found is not None:
        click.echo(damage_warning(config.database_path, found), err=True)


def progress_printer() -> Callable[[str, int, int], None]:
    """Show long work as it goes: one updating line on a terminal, a line per stage elsewhere."""
    interactive = sys.stderr.isatty()
    state: dict[str, Any] = {"stage": None}

    def report(stage: str, done: int, total: int) -> None:
        if interactive:
            percent = int(100 * done / total) if total else 100
            click.echo(f"\r{stage}: {percent:3d}%   ", nl=False, err=True)
            if done >= total:
                click.echo("", err=True)
        elif stage != state["stage"]:
            click.echo(f"{stage}…", err=True)
        state["stage"] = stage

    return report


def parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("«{value}» is not a date: write it as YYYY-MM-DD.").format(value=value)
        ) from None


def print_table(rows: list[tuple[str, Any]]) -> None:
    width = max(len(label) for label, _value in rows)
    for label, value in rows:
        click.echo(f"{label.ljust(width)}  {value}")
