"""Opening a node's database: pragmas, migrations, binding to the models, health checks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import peewee as pw

from node.errors import StorageError
from node.files import private_folder
from node.i18n import _
from node.models.base import db, make_database
from node.models.migrations import migrate


def open_database(path: Path | str, *, create: bool = False) -> pw.SqliteDatabase:
    """Open (or with ``create``, make) the database at ``path``, migrate it, and bind it.

    Raises ``StorageError`` with a readable message if the file is missing, not a database,
    or made by a newer ediary.
    """
    path = Path(path)
    if not create and not path.exists():
        raise StorageError(
            _(
                "No database at {path}. Build the demo school with 'ediary demo', "
                "or point --data-dir to the school's folder."
            ).format(path=path)
        )
    if create:
        private_folder(path.parent)
    database = make_database(path)
    try:
        database.connect(reuse_if_open=True)
        migrate(database)
    except (sqlite3.DatabaseError, pw.DatabaseError) as exc:
        database.close()
        raise StorageError(
            _("Cannot open the database {path}: {error}").format(path=path, error=exc)
        ) from exc
    except StorageError:
        database.close()
        raise
    db.initialize(database)
    return database


def quick_check(database: pw.SqliteDatabase) -> str:
    """SQLite's ``PRAGMA quick_check``: 'ok' or the first problems found."""
    rows = database.execute_sql("PRAGMA quick_check").fetchall()
    return "; ".join(str(r[0]) for r in rows)
