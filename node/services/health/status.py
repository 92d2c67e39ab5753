"""What `ediary status` reports: the school, its size, the schema version and database health."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from node.models import (
    AcademicYear,
    Attendance,
    FinalMark,
    Lesson,
    Mark,
    School,
    SchoolClass,
    Student,
    User,
)
from node.models.database import quick_check
from node.models.migrations import schema_version
from node.models.people import STAFF_ROLES
from node.services.base.history import node_id


@dataclass(frozen=True)
class NodeStatus:
    school: str | None
    academic_year: str | None
    node_id: str
    schema_version: int
    database_path: str
    database_bytes: int
    health: str
    counts: dict[str, int]


def node_status(database: pw.SqliteDatabase, path: Path) -> NodeStatus:
    """Counts only — no personal data — so any operator of the node may see it.

    The health check comes first: on a damaged database the counts would fail on the
    broken pages, so they are left out and the status says what the check found.
    """
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    health = quick_check(database)
    if health != "ok":
        return NodeStatus(None, None, "?", 0, str(path), size, health, {})
    school = School.current()
    year = AcademicYear.active()
    counts = {
        "classes": SchoolClass.select().count(),
        "students": Student.select().where(Student.left_on.is_null()).count(),
        "staff": sum(
            1
            for (roles,) in User.select(User.roles).tuples()
            if set(roles.split()) & set(STAFF_ROLES)
        ),
        "users": User.select().count(),
        "lessons": Lesson.select().count(),
        "marks": Mark.select().count(),
        "absences": Attendance.select().count(),
        "final_marks": FinalMark.select().count(),
    }
    return NodeStatus(
        school=school.name if school else None,
        academic_year=year.name if year else None,
        node_id=node_id(),
        schema_version=schema_version(database),
        database_path=str(path),
        database_bytes=size,
        health=health,
        counts=counts,
    )
