"""Numbered schema migrations and the recorded schema version.

Migration 1 is frozen SQL (``sql/0001_initial.sql``), never generated from the current
models, so an old database always upgrades the same way. Each later migration is a function
that runs inside its own transaction together with the version bump, so a crash leaves the
database at one version or the next, never between. A test checks that migrating an empty
database gives exactly the schema the models describe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from node.errors import StorageError
from node.i18n import _

SQL_DIR = Path(__file__).parent / "sql"
VERSION_KEY = "schema_version"


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[pw.SqliteDatabase], None]


def _run_sql_file(name: str) -> Callable[[pw.SqliteDatabase], None]:
    def apply(database: pw.SqliteDatabase) -> None:
        script = (SQL_DIR / name).read_text(encoding="utf-8")
        for statement in script.split(";\n"):
            if statement.strip():
                database.execute_sql(statement)

    return apply


def _mark_points(database: pw.SqliteDatabase) -> None:
    """v2: keep a mark's numeric value beside its text so averages are plain SQL."""
    for table in ("mark", "final_mark"):
        database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "points" INTEGER')
        database.execute_sql(
            f'UPDATE "{table}" SET points = CAST(value AS INTEGER) '
            "WHERE value GLOB '[0-9]' OR value GLOB '[0-9][0-9]'"
        )


#: v3, written out rather than generated so that it never changes with the models.
_ACCOUNTS_SQL = (
    'CREATE TABLE "access_code" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" TEXT NOT NULL, '
    '"code_hash" TEXT NOT NULL, "issued_by" TEXT NOT NULL, "issued_at" DATETIME NOT NULL, '
    '"expires_at" DATETIME NOT NULL, "used_at" DATETIME, "revoked_at" DATETIME, '
    'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "access_code_user_id" ON "access_code" ("user_id")',
    'CREATE TABLE "session" ("id" INTEGER NOT NULL PRIMARY KEY, "token_hash" TEXT NOT NULL, '
    '"user_id" TEXT NOT NULL, "created_at" DATETIME NOT NULL, "last_seen_at" DATETIME NOT NULL, '
    '"expires_at" DATETIME NOT NULL, "revoked_at" DATETIME, "client" TEXT NOT NULL, '
    'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "session_token_hash" ON "session" ("token_hash")',
    'CREATE INDEX "session_user_id" ON "session" ("user_id")',
    'CREATE TABLE "sign_in_throttle" ("key" TEXT NOT NULL PRIMARY KEY, '
    '"failures" INTEGER NOT NULL, "last_failure_at" DATETIME NOT NULL, "locked_until" DATETIME)',
    'CREATE INDEX "sign_in_throttle_last_failure_at" ON "sign_in_throttle" ("last_failure_at")',
    'CREATE TABLE "activity_log" ("id" TEXT NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL, '
    '"user_id" TEXT, "login" TEXT NOT NULL, "role" TEXT NOT NULL, "kind" TEXT NOT NULL, '
    '"detail" TEXT NOT NULL, "client" TEXT NOT NULL)',
    'CREATE INDEX "activity_log_at" ON "activity_log" ("at")',
    'CREATE INDEX "activity_log_user_id_at" ON "activity_log" ("user_id", "at")',
    'CREATE INDEX "activity_log_kind_at" ON "activity_log" ("kind", "at")',
)


def _accounts(database: pw.SqliteDatabase) -> None:
    """v3: access codes, sessions and sign-in throttles (node-local), the activity log."""
    for statement in _ACCOUNTS_SQL:
        database.execute_sql(statement)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _run_sql_file("0001_initial.sql")),
    Migration(2, "numeric points on marks and final marks", _mark_points),
    Migration(3, "access codes, sessions, sign-in throttles, activity log", _accounts),
)
LATEST_VERSION = MIGRATIONS[-1].version


def schema_version(database: pw.SqliteDatabase) -> int:
    """The version recorded in the database; 0 for an empty file."""
    tables = database.get_tables()
    if "meta" not in tables:
        if tables:
            raise StorageError(
                _("The file {path} is not an ediary database.").format(path=database.database)
            )
        return 0
    row = database.execute_sql("SELECT value FROM meta WHERE key = ?", (VERSION_KEY,)).fetchone()
    return int(row[0]) if row else 0


def migrate(database: pw.SqliteDatabase, target: int = LATEST_VERSION) -> list[int]:
    """Bring the database up to ``target``; returns the versions applied."""
    current = schema_version(database)
    if current > LATEST_VERSION:
        raise StorageError(
            _(
                "The database has schema version {found}, newer than this ediary knows "
                "({known}). Install the newer ediary that made it."
            ).format(found=current, known=LATEST_VERSION)
        )
    applied: list[int] = []
    for migration in MIGRATIONS:
        if current < migration.version <= target:
            with database.atomic():
                migration.apply(database)
                database.execute_sql(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    (VERSION_KEY, str(migration.version)),
                )
            applied.append(migration.version)
    return applied
