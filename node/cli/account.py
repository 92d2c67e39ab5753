"""``ediary activate``, ``ediary passwd`` and ``ediary signin``: a person's own account.

Until the Textual UI and the web page exist, these let a new user redeem their code, check
that they can sign in, and change their password from the school server's shell. They use
the same services (and the same throttling and activity log) as the UI and the web will.
"""

from __future__ import annotations

import sys

import click

from node.cli.app import Context
from node.cli.translated import command, option
from node.cli.users import opened
from node.errors import ValidationError
from node.i18n import N_, _
from node.models.people import STAFF_ROLES
from node.services.access import activation, auth
from node.services.base.role_names import role_names

CLIENT = "cli"


def ask(label: str) -> str:
    return str(click.prompt(label, err=True)).strip()


def ask_secret(label: str, *, confirm: bool = False) -> str:
    """Hidden input on a terminal; one line from stdin when piped (scripts, tests)."""
    if sys.stdin.isatty():
        return str(click.prompt(label, hide_input=True, confirmation_prompt=confirm, err=True))
    click.echo(f"{label}: ", err=True, nl=False)
    first = sys.stdin.readline()
    if not first:
        raise click.exceptions.Abort()
    value = first.rstrip("\r\n")
    if confirm:
        click.echo(_("Repeat for confirmation: "), err=True, nl=False)
        if sys.stdin.readline().rstrip("\r\n") != value:
            raise ValidationError(_("The two passwords differ; nothing was changed."))
    return value


@command(help=N_("Activate your account with the access code from your slip."))
@option("--login", help=N_("Your login (asked if not given)."))
@click.pass_obj
def activate(obj: Context, login: str | None) -> None:
    with opened(obj):
        name = login or ask(_("Login"))
        code = ask(_("Access code"))
        password = ask_secret(_("New password"), confirm=True)
        user = activation.activate(name, code, password, client=CLIENT)
        click.echo(activated_message(user.full_name, user.login, user.role_set))


def activated_message(name: str, login: str, roles: frozenset[str] | set[str]) -> str:
    """What to do next: staff keep the journal in the terminal, families use the web page."""
    if roles & set(STAFF_ROLES):
        text = _("Your password is set, {name} ({login}). Open the journal with 'ediary tui'.")
    else:
        text = _(
            "Your password is set, {name} ({login}). Sign in on the school's e-diary page, "
            "at the address on your slip."
        )
    return text.format(name=name, login=login)


@command(help=N_("Check your login and password: sign in, show your account, sign out."))
@option("--login", help=N_("Your login (asked if not given)."))
@click.pass_obj
def signin(obj: Context, login: str | None) -> None:
    with opened(obj):
        name = login or ask(_("Login"))
        password = ask_secret(_("Password"))
        session = auth.sign_in(name, password, client=CLIENT)
        try:
            roles = role_names(session.actor.roles)
            click.echo(
                _("Signed in as {login} ({roles}).").format(login=session.actor.login, roles=roles)
            )
        finally:
            auth.sign_out(session.token)


@command(help=N_("Change your password; your other sessions end."))
@option("--login", help=N_("Your login (asked if not given)."))
@click.pass_obj
def passwd(obj: Context, login: str | None) -> None:
    with opened(obj):
        name = login or ask(_("Login"))
        current = ask_secret(_("Current password"))
        session = auth.sign_in(name, current, client=CLIENT)
        try:
            new = ask_secret(_("New password"), confirm=True)
            activation.change_password(session.actor, current, new, keep_token=session.token)
        finally:
            auth.sign_out(session.token)
        click.echo(_("Your password is changed; you were signed out everywhere else."))
