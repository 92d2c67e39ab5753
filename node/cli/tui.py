"""``ediary tui``: the terminal UI for teachers; everyone signs in with their own login."""

from __future__ import annotations

from pathlib import Path

import click

from node.cli.app import Context, cli
from node.i18n import N_


def run_tui(database_path: Path, *, sign_in_as: tuple[str, str] | None = None) -> None:
    """Run the Textual app until the user quits (imported late: other commands stay quick)."""
    from tui.app import EdiaryApp

    EdiaryApp(database_path, sign_in_as=sign_in_as).run()


@cli.command(help=N_("Open the terminal UI: sign in, see today's lessons, keep the journal."))
@click.pass_obj
def tui(obj: Context) -> None:
    run_tui(obj.config.database_path)
