"""Numbered schema migrations and the recorded schema version.

Migration 1 is frozen SQL (``sql/0001_initial.sql``), never generated from the current
models, so an old database always upgrades the same way. Each later migration is a function
that runs inside its own transaction together with the version bump, so a crash leaves the
database at one version or the next, never between. A test checks that migrating an empty
database gives exactly the schema the models describe.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from node.errors import StorageError
from node.i18n import _
from node.models.identifiers import ident

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
        database.execute_sql(f'ALTER TABLE {ident(table)} ADD COLUMN "points" INTEGER')
        database.execute_sql(
            f"UPDATE {ident(table)} SET points = CAST(value AS INTEGER) "
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


#: v4, written out rather than generated so that it never changes with the models.
_MAIL_SQL = (
    'CREATE TABLE "mail_thread" ("id" TEXT NOT NULL PRIMARY KEY, "subject" TEXT NOT NULL, '
    '"kind" TEXT NOT NULL, "created_by_id" TEXT NOT NULL, "created_at" DATETIME NOT NULL, '
    '"groups" TEXT NOT NULL, "last_message_at" DATETIME NOT NULL, "last_author_id" TEXT, '
    'FOREIGN KEY ("created_by_id") REFERENCES "user" ("id"), '
    'FOREIGN KEY ("last_author_id") REFERENCES "user" ("id"))',
    'CREATE TABLE "mail_message" ("id" TEXT NOT NULL PRIMARY KEY, "thread_id" TEXT NOT NULL, '
    '"author_id" TEXT NOT NULL, "body" TEXT NOT NULL, "sent_at" DATETIME NOT NULL, '
    'FOREIGN KEY ("thread_id") REFERENCES "mail_thread" ("id") ON DELETE CASCADE, '
    'FOREIGN KEY ("author_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "mail_message_thread_id_sent_at" ON "mail_message" ("thread_id", "sent_at")',
    'CREATE TABLE "mail_participant" ("id" TEXT NOT NULL PRIMARY KEY, '
    '"thread_id" TEXT NOT NULL, "user_id" TEXT NOT NULL, "direct" INTEGER NOT NULL, '
    '"last_read_at" DATETIME, '
    'FOREIGN KEY ("thread_id") REFERENCES "mail_thread" ("id") ON DELETE CASCADE, '
    'FOREIGN KEY ("user_id") REFERENCES "user" ("id"))',
    'CREATE UNIQUE INDEX "mail_participant_thread_id_user_id" '
    'ON "mail_participant" ("thread_id", "user_id")',
    'CREATE INDEX "mail_participant_user_id" ON "mail_participant" ("user_id")',
)


def _mail(database: pw.SqliteDatabase) -> None:
    """v4: internal mail — threads, messages, participants with their read state."""
    for statement in _MAIL_SQL:
        database.execute_sql(statement)


#: v7, written out: the nodes this node trusts and the hub's one-time pairing codes.
_PEERS_SQL = (
    'CREATE TABLE "sync_peer" ("node_id" TEXT NOT NULL PRIMARY KEY, "role" TEXT NOT NULL, '
    '"public_key" TEXT NOT NULL, "cert_fingerprint" TEXT NOT NULL, "address" TEXT NOT NULL, '
    '"user_id" TEXT, "login" TEXT NOT NULL, "scope" TEXT NOT NULL, '
    '"paired_at" DATETIME NOT NULL, "revoked_at" DATETIME, "epoch" TEXT, '
    '"last_sync_at" DATETIME, "last_error" TEXT NOT NULL)',
    'CREATE TABLE "pairing_code" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" TEXT NOT NULL, '
    '"code_hash" TEXT NOT NULL, "issued_by" TEXT NOT NULL, "issued_at" DATETIME NOT NULL, '
    '"expires_at" DATETIME NOT NULL, "used_at" DATETIME, "used_by" TEXT, '
    'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "pairing_code_user_id" ON "pairing_code" ("user_id")',
)


def _peers(database: pw.SqliteDatabase) -> None:
    """v7: sync peers (pinned keys, scope, revocation) and pairing codes, node-local."""
    for statement in _PEERS_SQL:
        database.execute_sql(statement)


#: v5, written out: the change log, the clock, the version vector, the conflicts log; the
#: capture triggers are frozen in sql/0005_sync_triggers.sql (see node/models/changes.py).
_SYNC_SQL = (
    'CREATE TABLE "sync_clock" ("id" INTEGER NOT NULL PRIMARY KEY, "hlc" INTEGER NOT NULL, '
    '"origin" TEXT NOT NULL, "epoch_started_at" DATETIME, "applying" INTEGER NOT NULL)',
    'CREATE TABLE "sync_change" ("seq" INTEGER NOT NULL PRIMARY KEY, "tbl" TEXT NOT NULL, '
    '"row_id" TEXT NOT NULL, "op" TEXT NOT NULL, "fields" TEXT NOT NULL, '
    '"hlc" INTEGER NOT NULL, "origin" TEXT NOT NULL, "base" INTEGER NOT NULL)',
    'CREATE UNIQUE INDEX "sync_change_origin_hlc" ON "sync_change" ("origin", "hlc")',
    'CREATE INDEX "sync_change_row_id_hlc" ON "sync_change" ("row_id", "hlc")',
    'CREATE TABLE "sync_vector" ("origin" TEXT NOT NULL PRIMARY KEY, "hlc" INTEGER NOT NULL)',
    'CREATE TABLE "sync_conflict" ("id" INTEGER NOT NULL PRIMARY KEY, '
    '"detected_at" DATETIME NOT NULL, "kind" TEXT NOT NULL, "tbl" TEXT NOT NULL, '
    '"row_id" TEXT NOT NULL, "grp" TEXT NOT NULL, "loser_values" TEXT NOT NULL, '
    '"loser_hlc" INTEGER NOT NULL, "loser_origin" TEXT NOT NULL, '
    '"winner_values" TEXT NOT NULL, "winner_hlc" INTEGER NOT NULL, '
    '"winner_origin" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "sync_conflict_tbl_row_id_grp_loser_origin_loser_hlc" '
    'ON "sync_conflict" ("tbl", "row_id", "grp", "loser_origin", "loser_hlc")',
    'CREATE INDEX "sync_conflict_detected_at" ON "sync_conflict" ("detected_at")',
)


def _sync_capture(database: pw.SqliteDatabase) -> None:
    """v5: change capture. Rows already present become the baseline (version 0); the
    database's epoch (the origin of its changes) is the one backup gave it, or a new one."""
    for statement in _SYNC_SQL:
        database.execute_sql(statement)
    row = database.execute_sql("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
    epoch = row[0] if row and row[0] else os.urandom(16).hex()
    database.execute_sql(
        "INSERT INTO sync_clock (id, hlc, origin, epoch_started_at, applying) "
        "VALUES (1, 0, ?, datetime('now'), 0)",
        (epoch,),
    )
    database.execute_sql("INSERT OR REPLACE INTO meta (key, value) VALUES ('epoch', ?)", (epoch,))
    _run_sql_file("0005_sync_triggers.sql")(database)


#: v8: an update's ``base`` is the version of its field group it overwrote (was: the row's
#: newest change), so merge can follow a group's history (see node/models/changes.py).
GROUP_BASE_SQL = "0008_sync_group_base.sql"

#: v9: substitutions (замены), with their capture triggers frozen beside the table.
SUBSTITUTION_SQL = "0009_substitution.sql"

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _run_sql_file("0001_initial.sql")),
    Migration(2, "numeric points on marks and final marks", _mark_points),
    Migration(3, "access codes, sessions, sign-in throttles, activity log", _accounts),
    Migration(4, "internal mail: threads, messages, participants", _mail),
    Migration(5, "sync change log, clock and capture triggers", _sync_capture),
    Migration(7, "sync peers and pairing codes", _peers),
    Migration(
        8, "sync update triggers record their field group's base", _run_sql_file(GROUP_BASE_SQL)
    ),
    Migration(9, "substitutions: another teacher takes a lesson", _run_sql_file(SUBSTITUTION_SQL)),
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
