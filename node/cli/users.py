"""``ediary users``: staff accounts and their access codes, run by the machine's operator.

These commands act as the node itself (``Actor.for_system``), named after the operating
system account that runs them, and do not ask for a sysadmin's password: whoever can run
them can already read and write the database file, so a password prompt would protect
nothing and would only break scripted imports. The real boundary is the file permissions
of the data directory; history records the OS account (``system:<name>``) for
accountability [R 7.2].
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from node.cli.app import Context
from node.cli.translated import TranslatedPath, argument, group, option
from node.errors import ValidationError
from node.i18n import N_, _, os_reason
from node.models.database import open_database
from node.services.access.codes import CODE_VALID_DAYS, IssuedCode, issue_code
from node.services.access.logins import find_user, parse_role, role_words
from node.services.access.slips import activation_address
from node.services.access.staff import (
    create_staff_user,
    disable_user,
    enable_user,
    import_staff,
    list_users,
)
from node.services.base.actor import Actor
from node.services.base.role_names import role_names, status_name


def operator() -> Actor:
    """The node acting for the person at the server's shell."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "operator"
    return Actor(user_id=None, login=f"system:{name}", roles=frozenset(), system=True)


@contextmanager
def opened(obj: Context) -> Iterator[None]:
    database = open_database(obj.config.database_path)
    try:
        yield
    finally:
        database.close()


def check_slips_path(path: Path | None) -> None:
    """Refuse a slips file we could not write *before* issuing codes that would be lost."""
    if path is not None:
        from node.render.slips import check_slips_folder  # Jinja2: only for slips

        check_slips_folder(path)


def show_codes(codes: Sequence[IssuedCode], slips_path: Path | None) -> None:
    """Codes are shown once: on screen, or only in the slips file when one is asked for."""
    if slips_path is not None:
        from node.render.slips import write_slips  # Jinja2: only for slips

        write_slips(slips_path, codes)
        click.echo(
            _(
                "Slips for {count} people written to {path}: print them on A4 and cut along the "
                "dashed lines. The codes are not shown anywhere else."
            ).format(count=len(codes), path=slips_path)
        )
        return
    for code in codes:
        click.echo(
            _("{login}  {code}  valid until {date}  ({name})").format(
                login=code.login,
                code=code.code,
                date=code.expires_at.date().isoformat(),
                name=code.name,
            )
        )
    click.echo(
        _(
            "Give each code to its owner: they open {address}, enter their login and the code, "
            "and choose a password. The codes are shown only this once."
        ).format(address=activation_address())
    )


class RoleWord(click.ParamType):
    """A role typed in either language (``учитель`` or ``teacher``); the choices are shown
    in the user's language."""

    name = "role"

    def __init__(self, *, staff_only: bool = True) -> None:
        self.staff_only = staff_only

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(role_words(staff_only=self.staff_only)) + "]"

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return parse_role(value, staff_only=self.staff_only)
        except ValidationError as exc:
            self.fail(str(exc), param, ctx)


SLIPS_HELP = N_("Write printable A4 slips to this HTML file instead of showing the codes.")


@group(help=N_("Staff accounts and their access codes [R 3.2]."))
def users() -> None:
    pass


@users.command(help=N_("Add a staff account and give it an access code."))
@option("--login", required=True, help=N_("Login, e.g. ivanova."))
@option("--name", required=True, help=N_('Full name: "Фамилия Имя Отчество".'))
@option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=RoleWord(),
    help=N_("A role; repeat for several."),
)
@option(
    "--slips", "slips_path", type=TranslatedPath(dir_okay=False, path_type=Path), help=SLIPS_HELP
)
@click.pass_obj
def add(
    obj: Context, login: str, name: str, roles: tuple[str, ...], slips_path: Path | None
) -> None:
    check_slips_path(slips_path)
    with opened(obj):
        actor = operator()
        user = create_staff_user(actor, login, name, roles)
        code = issue_code(actor, user.id)
        click.echo(_("Account {login} added for {name}.").format(login=user.login, name=name))
        show_codes([code], slips_path)


@users.command(name="list", help=N_("List every account with its roles and status."))
@option("--role", type=RoleWord(staff_only=False), help=N_("Only accounts with this role."))
@click.pass_obj
def list_(obj: Context, role: str | None) -> None:
    with opened(obj):
        rows = [
            (user.login, status_name(user.status), role_names(user.role_set), user.full_name)
            for user in list_users(operator(), role=role)
        ]
    if not rows:
        return
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for login, status, roles, name in rows:
        click.echo(
            f"{login:<{widths[0]}}  {status:<{widths[1]}}  {roles:<{widths[2]}}  {name}".rstrip()
        )


@users.command(help=N_("Give an account a new access code (older codes stop working)."))
@argument("login")
@option(
    "--slips", "slips_path", type=TranslatedPath(dir_okay=False, path_type=Path), help=SLIPS_HELP
)
@option(
    "--days",
    type=int,
    default=CODE_VALID_DAYS,
    show_default=True,
    help=N_("Days the code stays valid."),
)
@click.pass_obj
def code(obj: Context, login: str, slips_path: Path | None, days: int) -> None:
    check_slips_path(slips_path)
    with opened(obj):
        user = find_user(login)
        issued = issue_code(operator(), user.id, valid_days=days)
        show_codes([issued], slips_path)


@users.command(help=N_("Disable an account: it cannot sign in, and its sessions end."))
@argument("login")
@click.pass_obj
def disable(obj: Context, login: str) -> None:
    with opened(obj):
        user = disable_user(operator(), find_user(login).id)
        click.echo(
            _("Account {login} is disabled; its sessions have ended.").format(login=user.login)
        )


@users.command(help=N_("Enable a disabled account again."))
@argument("login")
@click.pass_obj
def enable(obj: Context, login: str) -> None:
    with opened(obj):
        user = enable_user(operator(), find_user(login).id)
        click.echo(_("Account {login} is enabled.").format(login=user.login))


@users.command(
    name="import", help=N_("Add staff from a CSV file (login;name;roles) and give codes.")
)
@argument("csv_file", type=TranslatedPath(dir_okay=False, path_type=Path))
@option(
    "--slips", "slips_path", type=TranslatedPath(dir_okay=False, path_type=Path), help=SLIPS_HELP
)
@click.pass_obj
def import_(obj: Context, csv_file: Path, slips_path: Path | None) -> None:
    check_slips_path(slips_path)
    try:
        data = csv_file.read_bytes()
    except OSError as exc:
        raise ValidationError(
            _("Cannot read {path}: {error}.").format(path=csv_file, error=os_reason(exc))
        ) from exc
    with opened(obj):
        issued = import_staff(operator(), data)
        click.echo(_("{count} accounts added.").format(count=len(issued)))
        show_codes(issued, slips_path)
