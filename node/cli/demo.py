"""``ediary demo``: build a realistic demo school and say how to sign in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from node.cli.app import (
    Context,
    current_data_dir,
    current_database,
    parse_date,
    print_table,
    progress_printer,
)
from node.cli.demo_web import DemoWeb
from node.cli.translated import command, option
from node.cli.tui import run_tui
from node.config import default_demo_dir, load_config
from node.files import private_folder
from node.i18n import N_, _, gettext, ngettext
from node.identity import load_or_create_identity
from node.services.base import clock
from node.services.demo.summary import DEMO_LOGINS

#: The parent web page's log (the UI has the terminal), in the data folder.
WEB_LOG = "demo-web.log"


class _Sizes(click.Choice):
    """S, M, L as README writes them, in a refusal too (click would list 's', 'm', 'l')."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        listed = ", ".join(repr(choice) for choice in self.choices)
        return ngettext(
            "{value!r} is not {choice}.", "{value!r} is not one of {choices}.", len(self.choices)
        ).format(value=value, choice=listed, choices=listed)


@command(
    help=N_(
        "Build a realistic demo school and open the UI as its teacher, with the parent "
        "web page served on 127.0.0.1."
    )
)
@option(
    "--size",
    type=_Sizes(["S", "M", "L"], case_sensitive=False),
    metavar="[S|M|L]",  # click would show the case-folded [s|m|l]; README writes S|M|L
    default="S",
    show_default=True,
    help=N_("S: one class; M: about 600 students; L: 2,000 students, 70 classes, a full year."),
)
@option("--seed", type=int, default=1, show_default=True, help=N_("Same seed, same school."))
@option("--today", help=N_("Pretend today is this date (YYYY-MM-DD); default: today."))
@option(
    "--build-only",
    is_flag=True,
    help=N_(
        "Build the demo school and exit (without it the UI opens, signed in as the demo teacher)."
    ),
)
@click.pass_obj
def demo(obj: Context, size: str, seed: int, today: str | None, build_only: bool) -> None:
    day = parse_date(today)
    from node.services.demo import build_demo

    config = obj.config if obj.data_dir_given else load_config(default_demo_dir())
    current_data_dir[:] = [config.data_dir]
    current_database[:] = [config.database_path]
    private_folder(config.data_dir, tighten=True)  # even a demo school's folder is private
    _key, node_id = load_or_create_identity(config.identity_path)
    summary = build_demo(
        config.database_path,
        size=size.upper(),
        seed=seed,
        today=day,
        node_id=node_id,
        progress=progress_printer(),
    )
    if summary.built_now:
        click.echo(_("Demo school built in {path}").format(path=config.data_dir))
    else:
        click.echo(
            _("The demo school is already in {path}; nothing was changed.").format(
                path=config.data_dir
            )
        )
    print_table(_summary_rows(summary))
    click.echo(
        _("Sign in with any of these logins and the password «{password}»:").format(
            password=summary.password
        )
    )
    print_table([(_account_label(a), _account_text(a)) for a in summary.accounts])
    if build_only:
        return
    pinned = day or summary.today
    web = _start_web(config.data_dir, summary, None if pinned == dt.date.today() else pinned)
    try:
        _open_as_teacher(config.database_path, summary, pinned)
    finally:
        if web is not None:
            web.stop()


def _start_web(data_dir: Path, summary: Any, pinned: dt.date | None) -> DemoWeb | None:
    """Serve the parent web page on 127.0.0.1 beside the UI, and say how to sign in there.

    The UI is the demo: a page that does not come up is reported, not fatal.
    """
    log = data_dir / WEB_LOG
    web = DemoWeb(data_dir, pinned, log)
    if not web.wait_until_answering():
        web.stop()
        click.echo(
            _("The parent web page did not start (see {log}); the UI opens without it.").format(
                log=log
            ),
            err=True,
        )
        return None
    click.echo(
        _("The parent web page: {url} (sign in as «{login}», password «{password}»).").format(
            url=web.url, login=DEMO_LOGINS["parent"], password=summary.password
        )
    )
    return web


def _open_as_teacher(database_path: Path, summary: Any, pinned: dt.date) -> None:
    """Open the UI signed in (through the sign-in form) as the demo's teacher.

    The demo's day (``--today``, or the day it was built for) stays "today" in the UI, so
    a demo built last week still has its lessons of "today" and its open final marks.
    """
    login = DEMO_LOGINS["teacher"]
    if pinned == dt.date.today():
        run_tui(database_path, sign_in_as=(login, summary.password))
        return
    with clock.frozen_time(pinned):
        run_tui(database_path, sign_in_as=(login, summary.password))


#: How each demo account is introduced (the keys are DEMO_LOGINS' roles).
ROLE_LABELS = {
    "teacher": N_("teacher and class teacher"),
    "parent": N_("parent"),
    "student": N_("student"),
    "director": N_("director"),
    "deputy": N_("deputy director"),
    "sysadmin": N_("system administrator"),
}


def _account_label(account: Any) -> str:
    return gettext(ROLE_LABELS.get(account.role, account.role))


def _account_text(account: Any) -> str:
    text = f"{account.login:<9} {account.name}"
    return f"{text} ({account.detail})" if account.detail else text


def _summary_rows(summary: Any) -> list[tuple[str, Any]]:
    return [
        (_("size"), summary.size),
        (_("day"), summary.today.isoformat()),
        (_("classes"), summary.classes),
        (_("students"), summary.students),
        (_("teachers"), summary.teachers),
        (_("lessons"), summary.lessons),
        (_("marks"), summary.marks),
        (_("absences"), summary.absences),
        (_("final marks"), summary.final_marks),
    ]
