"""What a demo database holds, read back from the file: sizes, parameters, sign-in logins.

Read with a plain ``sqlite3`` connection that cannot write, so checking an existing file
never binds, migrates or changes anything (the file might not even be ours).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node.errors import Conflict
from node.i18n import _

DEMO_KEY = "demo"
#: The one password of every demo account; the demo prints it, so it is no secret.
DEMO_PASSWORD = "ediary-demo"
#: Fixed logins of the accounts people sign in with to look around, by role ("teacher"
#: teaches and is a class teacher; "parent" is a parent of "student").
DEMO_LOGINS: dict[str, str] = {
    "teacher": "teacher",
    "parent": "parent",
    "student": "student",
    "director": "director",
    "deputy": "deputy",
    "sysadmin": "admin",
}


@dataclass(frozen=True)
class DemoLogin:
    """An account to sign in with: ``role`` is one of ``DEMO_LOGINS``' keys; ``detail``
    says whose it is (the class of a teacher or student, the child of a parent)."""

    role: str
    login: str
    name: str
    detail: str = ""


@dataclass(frozen=True)
class DemoSummary:
    path: Path
    size: str
    seed: int
    today: dt.date
    built_now: bool
    school: str
    year: str
    students: int
    classes: int
    teachers: int
    lessons: int
    marks: int
    absences: int
    final_marks: int
    #: role → login, for every key of ``DEMO_LOGINS``
    logins: dict[str, str]
    #: the same accounts with names and whose they are
    accounts: tuple[DemoLogin, ...]
    password: str = DEMO_PASSWORD


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write. Not SQLite's ``mode=ro``: a read-only connection
    to a WAL database leaves its -wal and -shm files behind, a normal one removes them."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA query_only = 1")
    return conn


def read_demo_parameters(path: Path) -> dict[str, Any]:
    """The size/seed/today the demo at ``path`` was built with; ``Conflict`` if the file
    is not a demo school (the demo never overwrites anything)."""
    try:
        conn = _connect_read_only(path)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            row = None
            if "meta" in tables:
                row = conn.execute("SELECT value FROM meta WHERE key = ?", (DEMO_KEY,)).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise Conflict(
            _(
                "{path} exists but is not an ediary database ({error}). The demo will not "
                "overwrite it: move the file away or choose another data directory."
            ).format(path=path, error=exc)
        ) from exc
    if row is None:
        raise Conflict(
            _(
                "{path} already holds a school that is not a demo, and the demo will not "
                "overwrite it. Choose another data directory for the demo."
            ).format(path=path)
        )
    return json.loads(row[0])


def _count(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def _accounts(conn: sqlite3.Connection) -> tuple[DemoLogin, ...]:
    found = []
    for role, login in DEMO_LOGINS.items():
        row = conn.execute(
            "SELECT id, last_name || ' ' || first_name || ' ' || middle_name FROM user "
            "WHERE login = ?",
            (login,),
        ).fetchone()
        if row is None:
            continue
        user_id, name = row
        detail = ""
        if role == "teacher":
            label = conn.execute(
                "SELECT grade || letter FROM school_class WHERE class_teacher_id = ? LIMIT 1",
                (user_id,),
            ).fetchone()
            detail = label[0] if label else ""
        elif role == "student":
            label = conn.execute(
                "SELECT c.grade || c.letter FROM student s "
                "JOIN school_class c ON c.id = s.school_class_id WHERE s.user_id = ?",
                (user_id,),
            ).fetchone()
            detail = label[0] if label else ""
        elif role == "parent":
            children = conn.execute(
                "SELECT s.last_name || ' ' || s.first_name FROM guardian g "
                "JOIN student_guardian sg ON sg.guardian_id = g.id "
                "JOIN student s ON s.id = sg.student_id WHERE g.user_id = ? "
                "ORDER BY s.last_name, s.first_name",
                (user_id,),
            ).fetchall()
            detail = ", ".join(c[0] for c in children)
        found.append(DemoLogin(role, login, name.strip(), detail))
    return tuple(found)


def read_summary(path: Path, *, built_now: bool) -> DemoSummary:
    """The summary of the demo database at ``path``."""
    params = read_demo_parameters(path)
    conn = _connect_read_only(path)
    try:
        accounts = _accounts(conn)
        school = conn.execute("SELECT name FROM school ORDER BY id LIMIT 1").fetchone()
        year = conn.execute("SELECT name FROM academic_year ORDER BY start DESC LIMIT 1").fetchone()
        return DemoSummary(
            path=path,
            size=str(params["size"]),
            seed=int(params["seed"]),
            today=dt.date.fromisoformat(params["today"]),
            built_now=built_now,
            school=school[0] if school else "",
            year=year[0] if year else "",
            students=_count(conn, "SELECT COUNT(*) FROM student"),
            classes=_count(conn, "SELECT COUNT(*) FROM school_class"),
            teachers=_count(
                conn, "SELECT COUNT(*) FROM user WHERE ' ' || roles || ' ' LIKE '% teacher %'"
            ),
            lessons=_count(conn, "SELECT COUNT(*) FROM lesson"),
            marks=_count(conn, "SELECT COUNT(*) FROM mark"),
            absences=_count(conn, "SELECT COUNT(*) FROM attendance"),
            final_marks=_count(conn, "SELECT COUNT(*) FROM final_mark"),
            logins={a.role: a.login for a in accounts},
            accounts=accounts,
        )
    finally:
        conn.close()
