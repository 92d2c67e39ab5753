"""``ediary status``: the school, its size, the schema version and database health."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any, NoReturn

import click

from backup.settings import BackupSettings, backup_settings
from backup.store import newest_entry
from node.cli.app import Context, print_table
from node.cli.backup import warn_if_stale
from node.cli.translated import command
from node.errors import StorageError
from node.files import fix_command, loose_files
from node.i18n import N_, _
from node.models.database import clear_damage, open_database, record_damage, restore_advice
from node.services.health.backup_status import describe_age, read_backup_status
from node.services.health.status import NodeStatus, node_status

#: How many of the too-open files ``status`` names (the fix covers them all).
SHOWN_LOOSE = 5


def warn_if_loose(data_dir: Path, database: Path) -> None:
    """Say which of the node's files other accounts may read, and the one chmod that fixes it.

    The data folder (with ``backups/``) and the database's folder are checked; an extra
    backup destination is not: it is often a FAT drive, which has no modes to fix, and it
    holds only encrypted backups.
    """
    roots = [data_dir, *([database.parent] if not database.is_relative_to(data_dir) else [])]
    loose = loose_files(roots)
    if not loose:
        return
    click.echo(
        _(
            "Warning: {n} file(s) and folder(s) of this node can be read by other accounts on "
            "this machine; they hold children's personal data:"
        ).format(n=len(loose)),
        err=True,
    )
    for found in loose[:SHOWN_LOOSE]:
        click.echo(f"  {found.mode_text}  {found.path}", err=True)
    if len(loose) > SHOWN_LOOSE:
        click.echo(_("  … and {n} more").format(n=len(loose) - SHOWN_LOOSE), err=True)
    click.echo(_("Make them private with: {command}").format(command=fix_command(roots)), err=True)


@command(help=N_("Show the school, its size, the schema version and database health."))
@click.pass_obj
def status(obj: Context) -> None:
    path = obj.config.database_path
    database = open_database(path)
    try:
        info = node_status(database, path)
    finally:
        database.close()
    settings = backup_settings(obj.config)
    if info.health != "ok":
        record_damage(path, info.health)
        _report_damage(info, settings)
    clear_damage(path)
    labels = {
        "classes": _("classes"),
        "students": _("students"),
        "staff": _("staff"),
        "users": _("accounts"),
        "lessons": _("lessons"),
        "marks": _("marks"),
        "absences": _("absences"),
        "final_marks": _("final marks"),
    }
    rows: list[tuple[str, Any]] = [
        (_("school"), info.school or _("(none)")),
        (_("academic year"), info.academic_year or _("(none)")),
        (_("node id"), info.node_id),
        (_("database"), info.database_path),
        (_("database size"), _("{size:.1f} MB").format(size=info.database_bytes / 1e6)),
        (_("schema version"), info.schema_version),
        (_("health"), info.health),
    ]
    rows += [(labels[key], value) for key, value in info.counts.items()]
    backups = read_backup_status(settings.data_dir)
    rows.append((_("last verified backup"), describe_age(backups.age)))
    print_table(rows)
    warn_if_stale(settings)
    warn_if_loose(obj.config.data_dir, path)


def _report_damage(info: NodeStatus, settings: BackupSettings) -> NoReturn:
    """The failed check, and the one command that brings the school back."""
    print_table(
        [
            (_("database"), info.database_path),
            (_("health"), info.health),
        ]
    )
    newest = newest_entry(settings)
    if newest is None:
        advice = restore_advice()
    else:
        advice = _(
            "Restore the newest backup ({made}): ediary backup restore {file} --identity KEY "
            "(KEY: the identity file kept off this machine)."
        ).format(
            made=newest.manifest.created if newest.manifest else "?",
            file=shlex.quote(str(newest.path)),
        )
    raise StorageError(
        _(
            "The database failed its health check (SQLite's quick_check: {health}): it is "
            "damaged. Change nothing more in it. {advice}"
        ).format(health=info.health, advice=advice)
    )
