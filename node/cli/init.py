"""``ediary init``: create the school in a data directory, interactively or from TOML.

Everything is asked (or read) and checked first; then the identity key, the database, the
school, the first sysadmin and their access code are written together. If anything fails,
what this run created is removed again, so a failed ``init`` can simply be run again.
An existing school is never overwritten.
"""

from __future__ import annotations

import tomllib
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from node.cli.app import Context
from node.cli.translated import TranslatedPath, command, option
from node.cli.users import operator, show_codes
from node.config import NodeConfig
from node.errors import Conflict, ValidationError
from node.files import private_folder
from node.i18n import LANGUAGES, N_, _, os_reason, toml_problem
from node.identity import load_or_create_identity
from node.models import Meta, School, db
from node.models.database import open_database
from node.services.access import slips
from node.services.access.codes import issue_code
from node.services.access.logins import clean_login, split_name
from node.services.access.staff import create_staff_user
from node.services.base import history
from node.services.base.lookup import required_text
from node.services.base.policy import policy_from_json
from node.services.demo.summary import DEMO_KEY
from node.services.school.school_setup import create_school

SECTIONS = {
    "school": {"name", "timezone", "locale", "web_address"},
    "policy": None,  # checked by the policy itself
    "sysadmin": {"name", "login"},
}


@dataclass
class Plan:
    """What ``init`` will write, all checked before anything is."""

    name: str
    timezone: str
    locale: str
    web_address: str
    admin_name: str
    admin_login: str
    policy: dict[str, Any] = field(default_factory=dict)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationError(
            _("Cannot read {path}: {error}.").format(path=path, error=os_reason(exc))
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(
            _("The file {path} is not valid TOML: {error}.").format(
                path=path, error=toml_problem(exc)
            )
        ) from exc
    for section, value in values.items():
        if section not in SECTIONS or not isinstance(value, dict):
            raise ValidationError(
                _(
                    "Unknown section [{section}] in {path}: use [school], [policy], [sysadmin]."
                ).format(section=section, path=path)
            )
        known = SECTIONS[section]
        unknown = sorted(set(value) - known) if known is not None else []
        if unknown:
            raise ValidationError(
                _("Unknown key(s) in [{section}] of {path}: {keys}.").format(
                    section=section, path=path, keys=", ".join(unknown)
                )
            )
    return values


def _from_toml(path: Path) -> Plan:
    values = _read_toml(path)
    school = values.get("school", {})
    admin = values.get("sysadmin", {})
    return Plan(
        name=str(school.get("name", "")),
        timezone=str(school.get("timezone", "Europe/Moscow")),
        locale=str(school.get("locale", "ru")),
        web_address=str(school.get("web_address", "")) or slips.default_web_address(),
        admin_name=str(admin.get("name", "")),
        admin_login=str(admin.get("login", "admin")),
        policy=dict(values.get("policy", {})),
    )


def _interactive() -> Plan:
    ask = click.prompt
    name = ask(_("School name"), err=True)
    timezone = ask(_("Time zone"), default="Europe/Moscow", err=True)
    locale = ask(_("Language of the school"), default="ru", type=click.Choice(LANGUAGES), err=True)
    mark_max = ask(_("Highest mark (5 or 10)"), default=5, type=int, err=True)
    threshold = ask(
        _("Round the average up from this fraction (e.g. 0.6)"), default="0.6", err=True
    )
    address = ask(
        _("Address of the school's web page, printed on slips"),
        default=slips.default_web_address(),
        err=True,
    )
    admin_name = ask(_("System administrator's full name (Фамилия Имя Отчество)"), err=True)
    admin_login = ask(_("System administrator's login"), default="admin", err=True)
    policy: dict[str, Any] = {}
    if mark_max != 5:
        policy["mark_max"] = mark_max
    if threshold.strip() != "0.6":
        policy["rounding_threshold"] = threshold.strip()
    return Plan(name, timezone, locale, address, admin_name, admin_login, policy)


def _check(plan: Plan) -> None:
    """Everything that can be checked without a database, so errors come before writes."""
    plan.name = required_text(plan.name, _("Enter the school's name."))
    policy_from_json(plan.policy)
    clean_login(plan.admin_login)
    split_name(plan.admin_name)
    if plan.locale not in LANGUAGES:
        raise ValidationError(
            _("Unsupported language «{locale}»: choose one of {choices}.").format(
                locale=plan.locale, choices=", ".join(LANGUAGES)
            )
        )


def _refuse_existing(config: NodeConfig) -> None:
    if not config.database_path.exists():
        return
    database = open_database(config.database_path)
    try:
        school = School.current()
        is_demo = Meta.get_value(DEMO_KEY) is not None
    finally:
        database.close()
    if school is not None and is_demo:
        raise Conflict(
            _(
                "{path} holds the demo school; ediary init never overwrites a school. To start "
                "the real school here, remove the demo first (rm -r {path}) or choose another "
                "--data-dir."
            ).format(path=config.data_dir)
        )
    if school is not None:
        raise Conflict(
            _(
                "{path} already holds the school «{name}»; ediary init never overwrites a school. "
                "Choose another --data-dir."
            ).format(path=config.data_dir, name=school.name)
        )


def _created_paths(config: NodeConfig) -> list[Path]:
    """Files and folders this run will create (so a failure can remove exactly those)."""
    db_path = config.database_path
    candidates = [
        config.identity_path,
        db_path,
        db_path.with_name(db_path.name + "-wal"),
        db_path.with_name(db_path.name + "-shm"),
    ]
    paths = [p for p in candidates if not p.exists()]
    for folder in (db_path.parent, config.data_dir):
        if not folder.exists():
            paths.append(folder)
    return paths


def _remove(paths: list[Path]) -> None:
    for path in paths:
        with suppress(OSError):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)


@command(help=N_("Create the school in the data directory (asks, or reads --config)."))
@option(
    "--config",
    "config_file",
    type=TranslatedPath(dir_okay=False, path_type=Path),
    help=N_("A TOML file with [school], [policy] and [sysadmin]; without it, ediary asks."),
)
@click.pass_obj
def init(obj: Context, config_file: Path | None) -> None:
    config = obj.config
    _refuse_existing(config)
    plan = _from_toml(config_file) if config_file else _interactive()
    _check(plan)
    created = _created_paths(config)
    database = None
    try:
        private_folder(config.data_dir, tighten=True)  # the children's data: this account's only
        _key, node_id = load_or_create_identity(config.identity_path)
        database = open_database(config.database_path, create=True)
        actor = operator()
        with db.atomic():
            Meta.set_value(history.NODE_ID_KEY, node_id)
            Meta.set_value(slips.WEB_ADDRESS_KEY, plan.web_address)
            school = create_school(
                actor, plan.name, timezone=plan.timezone, locale=plan.locale, policy=plan.policy
            )
            admin = create_staff_user(
                actor, plan.admin_login, plan.admin_name, ["sysadmin"], language=plan.locale
            )
            code = issue_code(actor, admin.id)
    except BaseException:
        if database is not None:
            database.close()
        _remove(created)
        raise
    click.echo(
        _("School «{name}» created in {path} (node {node}).").format(
            name=school.name, path=config.data_dir, node=node_id[:12]
        )
    )
    click.echo(_("The first system administrator's access code:"))
    show_codes([code], None)
    database.close()
