"""The school's data is a plain SQLite file: the standard sqlite3 shell opens and checks it."""

from __future__ import annotations

import shutil
import subprocess

from node.models import Student


def test_the_sqlite3_shell_reads_the_database(school, database):
    sqlite3_shell = shutil.which("sqlite3")
    assert sqlite3_shell, "install the Debian package sqlite3 (.ci/run does)"
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    result = subprocess.run(
        [sqlite3_shell, database.database, "PRAGMA integrity_check; SELECT count(*) FROM student;"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["ok", str(Student.select().count())]
