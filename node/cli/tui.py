"""``ediary tui``: the terminal UI for teachers; everyone signs in with their own login."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import click

from node.cli.app import Context
from node.cli.translated import command
from node.config import NodeConfig
from node.i18n import N_


def run_tui(
    database_path: Path,
    *,
    sign_in_as: tuple[str, str] | None = None,
    data_dir: Path | None = None,
    background: Callable[[], str | None] | None = None,
) -> None:
    """Run the Textual app until the user quits (imported late: other commands stay quick)."""
    from tui.app import EdiaryApp

    EdiaryApp(database_path, sign_in_as=sign_in_as, data_dir=data_dir, background=background).run()


def laptop_sync(config: NodeConfig) -> Callable[[], str | None]:
    """On a laptop paired with a hub: sync in the background and say how it went."""
    from sync.runner import sync_from_thread

    return partial(sync_from_thread, config.identity_path)


@command(help=N_("Open the terminal UI: sign in, see today's lessons, keep the journal."))
@click.pass_obj
def tui(obj: Context) -> None:
    run_tui(
        obj.config.database_path,
        data_dir=obj.config.data_dir,
        background=laptop_sync(obj.config),
    )
