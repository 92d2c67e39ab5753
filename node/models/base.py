"""Database handle, base models and the id scheme shared by every table.

The database is bound at run time through ``db`` (a ``DatabaseProxy``), so the CLI, the web
app, the TUI and the tests each open their own file. Syncable tables get UUID primary keys
(stored as 32 hex characters); new ids are UUIDv7 (time ordered), which keeps SQLite's
B-tree inserts local even for a million marks.
"""

from __future__ import annotations

import contextlib
import enum
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import peewee as pw

from node.files import private_database_file
from node.models.identifiers import ident, idents

db = pw.DatabaseProxy()

#: Pragmas every connection gets: WAL so readers never block the writer, foreign keys on,
#: a busy timeout so several processes (serve, tui, CLI) can share one file, and
#: ``synchronous=FULL`` because a committed mark must survive a power cut.
PRAGMAS: dict[str, Any] = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "full",
    "cache_size": -32000,
    "temp_store": "memory",
}


@contextlib.contextmanager
def busy_timeout(seconds: float) -> Iterator[None]:
    """Within the block, new connections wait ``seconds`` for another process's write lock
    before SQLite says the database is busy (10 s otherwise). The command line and the web
    page use the data folder's ``database_busy_timeout_seconds``."""
    previous = PRAGMAS["busy_timeout"]
    PRAGMAS["busy_timeout"] = round(seconds * 1000)
    try:
        yield
    finally:
        PRAGMAS["busy_timeout"] = previous


_TAIL_BITS = 74  # rand_a (12) + rand_b (62)
_last_id: list[int] = [0, 0]  # (millis, tail) of the last id made in this process
_id_lock = threading.Lock()


def new_id() -> str:
    """A fresh UUIDv7 (RFC 9562) as 32 hex characters, increasing within this process.

    Within one millisecond the 74-bit tail counts up from a random start (RFC 9562's
    "monotonic random" method), so rows written in one instant keep their order — history
    sorted by (time, id) shows a cell's edits in the order they were made.
    """
    millis = time.time_ns() // 1_000_000
    with _id_lock:
        last_millis, last_tail = _last_id
        if millis > last_millis:
            # a random start with the top bit clear leaves room to count up
            tail = int.from_bytes(os.urandom(10), "big") & ((1 << (_TAIL_BITS - 1)) - 1)
        else:
            millis, tail = last_millis, last_tail + 1
        _last_id[:] = [millis, tail]
    return uuid7_hex(millis, (tail >> 62) << 68 | (tail & ((1 << 62) - 1)))


def uuid7_hex(millis: int, rand80: int) -> str:
    """Build a UUIDv7 from a millisecond timestamp and 80 random bits (used by the demo too)."""
    rand_a = (rand80 >> 68) & 0xFFF
    rand_b = rand80 & ((1 << 62) - 1)
    value = (millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return f"{value:032x}"


class IdField(pw.TextField):
    """A UUID kept as 32 lowercase hex characters, in Python and in SQLite alike."""

    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        if hasattr(value, "hex") and not isinstance(value, str | bytes):
            return value.hex
        return str(value).replace("-", "").lower()


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False


class Reach(enum.Enum):
    """What a replicated row belongs to: the one description of the tables that decides who
    receives a row (``sync.scope``) and whose write rule applies (``may_write_row`` in the
    services' permissions). Every ``SyncModel`` states its own."""

    #: The school's reference data (years, periods, bells, subjects, classes…): every
    #: replica receives it, only the administration writes it.
    SCHOOL = "school"
    #: One journal's: the row's ``assignment_id`` names its teaching assignment.
    ASSIGNMENT = "assignment"
    #: One lesson's: the row's ``lesson_id`` names its lesson (and so its journal).
    LESSON = "lesson"
    #: One mail thread's: the row's ``thread_id`` names it.
    THREAD = "thread"
    #: A rule of its own, written table by table in both places (people, accounts,
    #: subgroups, history…); a replica receives nothing of it until such a rule exists.
    OWN_RULE = "own rule"


class SyncModel(BaseModel):
    """A table whose rows are replicated between nodes (see docs/ARCHITECTURE.md §4)."""

    id = IdField(primary_key=True, default=new_id)
    #: Whose the rows are; every subclass must say (``__init_subclass__`` checks).
    reach: ClassVar[Reach]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not isinstance(cls.__dict__.get("reach"), Reach):
            raise TypeError(
                f"{cls.__name__} is replicated: say what its rows belong to with "
                "reach = Reach.… (node.models.base.Reach)"
            )

    class Meta:
        legacy_table_names = False


class Meta(BaseModel):
    """Node-local key/value facts (schema version, node id); never synced."""

    key = pw.TextField(primary_key=True)
    value = pw.TextField()

    @classmethod
    def get_value(cls, key: str, default: str | None = None) -> str | None:
        row = cls.get_or_none(cls.key == key)
        return row.value if row else default

    @classmethod
    def set_value(cls, key: str, value: str) -> None:
        cls.insert(key=key, value=value).on_conflict_replace().execute()


def make_database(path: Path | str, *, pragmas: dict[str, Any] | None = None) -> pw.SqliteDatabase:
    """A peewee SQLite database with our pragmas; write transactions take the lock up front.

    ``BEGIN IMMEDIATE`` matters with several processes: a deferred transaction that reads and
    then writes can fail with "database is locked" instead of waiting its turn. A new file
    is made 0600 first (``node.files``): SQLite gives the WAL and SHM the same mode.
    """
    if str(path) != ":memory:" and not os.path.exists(path):
        with contextlib.suppress(OSError):  # SQLite says why it cannot create it
            private_database_file(path)
    return pw.SqliteDatabase(
        str(path),
        pragmas=pragmas if pragmas is not None else PRAGMAS,
        lock_type="IMMEDIATE",
        timeout=10,
        check_same_thread=False,
    )


#: Bound values per statement of ``bulk_insert``: under SQLite's oldest default limit (999).
_BULK_VALUES = 999


def bulk_insert(
    model: type[BaseModel], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert many plain tuples, many rows per statement (the fast path for imports).

    ``columns`` are field names of ``model``; values must already be in database form.
    Runs inside the caller's transaction. Rows go in as multi-row ``INSERT … VALUES``
    statements rather than one ``executemany`` statement per row: inside a transaction
    that has written much already, with savepoints open (an import's ``db.atomic()``), SQLite
    pays at the end of every statement in proportion to what is dirty, so 80,000 lessons
    one statement each took minutes; in statements of ~140 rows they take seconds.
    """
    fields = [model._meta.fields[name] for name in columns]
    table = model._meta.table_name
    names = idents(f.column_name for f in fields)
    one_row = "(" + ", ".join("?" for _ in fields) + ")"
    per_statement = max(1, _BULK_VALUES // len(fields))
    conn: sqlite3.Connection = db.connection()
    pending = list(rows)
    inserted = 0
    for start in range(0, len(pending), per_statement):
        chunk = pending[start : start + per_statement]
        sql = f"INSERT INTO {ident(table)} ({names}) VALUES {', '.join([one_row] * len(chunk))}"
        inserted += conn.execute(sql, [value for row in chunk for value in row]).rowcount
    return inserted
