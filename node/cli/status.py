"""``ediary status``: the school, its size, the schema version and database health."""

from __future__ import annotations

from typing import Any

import click

from backup.settings import backup_settings
from node.cli.app import Context, cli, print_table
from node.cli.backup import warn_if_stale
from node.errors import StorageError
from node.i18n import N_, _
from node.models.database import open_database
from node.services.backup_status import describe_age, read_backup_status
from node.services.status import node_status


@cli.command(help=N_("Show the school, its size, the schema version and database health."))
@click.pass_obj
def status(obj: Context) -> None:
    database = open_database(obj.config.database_path)
    try:
        info = node_status(database)
    finally:
        database.close()
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
    settings = backup_settings(obj.config)
    backups = read_backup_status(settings.data_dir)
    rows.append((_("last verified backup"), describe_age(backups.age)))
    print_table(rows)
    warn_if_stale(settings)
    if info.health != "ok":
        raise StorageError(
            _("The database failed its health check: {health}").format(health=info.health)
        )
