"""Opening a node's database: pragmas, migrations, binding to the models, health checks.

This is the one place that turns SQLite's own words («file is not a database», «database
disk image is malformed», «attempt to write a readonly database») into a message in the
user's language saying what it means and what to do (``storage_error``): ``open_database``
raises it, and the command line's last line of defence uses it for a fault found later.
A damaged database is remembered beside it (``record_damage``), so every later command
warns until a health check passes again or a backup is restored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

import peewee as pw

from node.config import default_demo_dir
from node.errors import DatabaseBusy, StorageError
from node.files import private_folder, write_private
from node.i18n import _
from node.models.base import PRAGMAS, db, make_database
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
                "No database at {path}. Start a school here with 'ediary init', build and open "
                "the demo school with 'ediary demo' (it keeps its own folder, {demo}), or point "
                "--data-dir to the school's folder."
            ).format(path=path, demo=default_demo_dir())
        )
    if create:
        private_folder(path.parent)
    database = _read_only(path) if not create and not writable_folder(path.parent) else None
    database = database or make_database(path)
    try:
        database.connect(reuse_if_open=True)
        migrate(database)
    except (sqlite3.DatabaseError, pw.DatabaseError) as exc:
        database.close()
        raise storage_error(path, exc) from exc
    except StorageError:
        database.close()
        raise
    db.initialize(database)
    return database


def writable_folder(folder: Path) -> bool:
    """Whether this account may create files in ``folder`` (a read-only mount says no even
    to root: ``access`` reports ``EROFS``)."""
    return os.access(folder, os.W_OK)


def _read_only(path: Path) -> pw.SqliteDatabase:
    """The database in a folder we cannot write, opened read-only so it can still be read.

    SQLite needs to create the ``-shm`` file to read a WAL database; in a read-only folder
    without one, ``immutable=1`` reads the file as it is. That is exact only while there is
    no ``-wal`` file with changes to fold in; with one, ``mode=ro`` uses the ``-shm`` there.
    """
    wal = Path(f"{path}-wal")
    has_changes = wal.exists() and wal.stat().st_size > 0
    option = "mode=ro" if has_changes else "immutable=1"
    pragmas = {k: v for k, v in PRAGMAS.items() if k not in ("journal_mode", "synchronous")}
    return pw.SqliteDatabase(
        f"file:{quote(str(path.resolve()))}?{option}",
        pragmas=pragmas,
        uri=True,
        timeout=10,
        check_same_thread=False,
    )


#: SQLite's primary result codes that mean something to a person (the low byte of
#: ``sqlite_errorcode``; see sqlite.org/rescode.html).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
DAMAGED_CODES = frozenset({_CORRUPT, _NOTADB})
#: Another connection holds the lock (SQLITE_BUSY, SQLITE_LOCKED): a wait, not a fault.
BUSY_CODES = frozenset({_BUSY, _LOCKED})


def sqlite_code(exc: BaseException) -> int | None:
    """SQLite's primary result code behind ``exc`` (peewee wraps sqlite3's exceptions)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        code = getattr(current, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code & 0xFF
        pending += [a for a in current.args if isinstance(a, BaseException)]
        pending += [current.__cause__, current.__context__]
    return None


def restore_advice() -> str:
    return _(
        "Restore the last verified backup: 'ediary backup list' shows them, "
        "'ediary backup restore FILE --identity KEY' restores one."
    )


def storage_error(path: Path | str, exc: BaseException) -> StorageError:
    """What SQLite's error ``exc`` on the database ``path`` means, and what to do."""
    code = sqlite_code(exc)
    if code in BUSY_CODES:
        return DatabaseBusy(
            _(
                "The database is busy with another operation (another import, a backup or a "
                "sync is writing to it); nothing was changed. Try again later, when it is done."
            )
        )
    if code == _NOTADB:
        text = _(
            "{path} is not a database ediary can read: the file is damaged, or it is not an "
            "ediary database at all. {advice}"
        )
    elif code == _CORRUPT:
        text = _(
            "The database {path} is damaged (SQLite found broken pages: {error}). Change "
            "nothing more in it. {advice}"
        )
    elif code == _READONLY or not writable_folder(Path(path).parent):
        text = _(
            "Cannot save to the database {path}: its folder is read-only ({error}). Nothing "
            "was changed; what only shows data still works. Make the folder writable (or "
            "mount it read-write) to change anything."
        )
    elif code == _FULL:
        text = _("The disk holding the database {path} is full: free some space, then try again.")
    elif code in (_CANTOPEN, _IOERR):
        text = _(
            "Cannot read or write the database {path} ({error}): check that the file and its "
            "folder are there and readable, and that the disk works."
        )
    else:
        text = _("Cannot open the database {path}: {error}")
    return StorageError(text.format(path=path, error=exc, advice=restore_advice()))


def quick_check(database: pw.SqliteDatabase) -> str:
    """SQLite's ``PRAGMA quick_check``: 'ok' or the first problems found (a database too
    damaged to check says why)."""
    try:
        rows = database.execute_sql("PRAGMA quick_check").fetchall()
    except (sqlite3.DatabaseError, pw.DatabaseError) as exc:
        return str(exc)
    return "; ".join(str(r[0]) for r in rows)


# --- the memory of damage ---------------------------------------------------------------


def _damage_path(database_path: Path | str) -> Path:
    return Path(f"{database_path}.damaged.json")


def record_damage(database_path: Path | str, detail: str) -> None:
    """Remember that a check found the database damaged (best effort: the folder may be
    read-only, and the error that led here is reported anyway)."""
    found = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    data = json.dumps({"found_at": found, "detail": detail}, ensure_ascii=False).encode()
    with contextlib.suppress(OSError):
        write_private(_damage_path(database_path), data)


def recorded_damage(database_path: Path | str) -> str | None:
    """What the last failed check found, while no check has passed since; else None."""
    try:
        data = json.loads(_damage_path(database_path).read_text(encoding="utf-8"))
        return str(data.get("detail") or "?")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, AttributeError):
        return "?"


def clear_damage(database_path: Path | str) -> None:
    """A check passed (or a backup was restored): stop warning."""
    with contextlib.suppress(OSError):
        _damage_path(database_path).unlink(missing_ok=True)


def damage_warning(database_path: Path | str, detail: str) -> str:
    """The warning every command shows while the database is known to be damaged."""
    return _(
        "Warning: the database {path} failed its last health check ({detail}); what you see "
        "may be incomplete and changes may be lost. {advice}"
    ).format(path=database_path, detail=detail, advice=restore_advice())
