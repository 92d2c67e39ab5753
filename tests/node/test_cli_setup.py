"""``ediary setup import`` from the shell: check, import, import again; problems in the
user's language with a non-zero exit and never a traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.node.services.setup.workbook import school, write_csvs, write_xlsx
from tests.node.shell import codes, run


def _count(data: Path, table: str) -> int:
    with sqlite3.connect(data / "ediary.db") as connection:
        return connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def test_check_then_import_then_import_again(school_dir: Path, tmp_path: Path):
    bad = school()
    bad["students"][1][4] = "31.02.2013"
    bad["load"][1][2] = "nobody"
    workbook = write_xlsx(tmp_path / "bad.xlsx", bad, language="en")
    result = run(school_dir, "setup", "import", "--check", str(workbook))
    assert result.returncode == 2, result.stderr
    assert "Students, row 2, column «Дата рождения»: «31.02.2013» is not a date" in result.stdout
    assert "Teaching load, row 2, column «Учитель»:" in result.stdout
    assert "2 problems found; nothing was written." in result.stderr
    assert "Traceback" not in result.stderr
    assert _count(school_dir, "student") == 0

    workbook = write_xlsx(tmp_path / "school.xlsx", school())
    checked = run(school_dir, "setup", "import", "--check", str(workbook))
    assert checked.returncode == 0, checked.stderr
    assert "The files have no problems. Nothing was written" in checked.stdout
    assert _count(school_dir, "student") == 0 and codes(checked.stdout) == {}

    imported = run(school_dir, "setup", "import", str(workbook))
    assert imported.returncode == 0, imported.stderr
    assert "Students: 3 new, 0 updated, 0 unchanged, 0 left as they were" in imported.stdout
    assert "ivanova.m  Иванова Мария Александровна: 2 journals, 105 lessons" in imported.stdout
    assert set(codes(imported.stdout)) == {"ivanova.m", "petrov.s", "smith.j"}
    assert _count(school_dir, "student") == 3

    again = run(
        school_dir, "--lang", "ru", "setup", "import", *map(str, write_csvs(tmp_path, school()))
    )
    assert again.returncode == 0, again.stderr
    assert "Ученики: новых — 0, обновлено — 0, без изменений — 3" in again.stdout
    assert codes(again.stdout) == {}


def test_problems_in_russian_and_unreadable_files(school_dir: Path, tmp_path: Path):
    sheets = school()
    sheets["parents"][3][3] = "позвонить маме"
    result = run(
        school_dir, "--lang", "ru", "setup", "import", str(write_xlsx(tmp_path / "s.xlsx", sheets))
    )
    assert result.returncode == 2
    assert "Родители, строка 4, столбец «Телефон»: «позвонить маме»" in result.stdout
    assert "Найдена 1 ошибка; ничего не записано." in result.stderr
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    odd = tmp_path / "school.ods"
    odd.write_bytes(b"")
    result = run(school_dir, "setup", "import", str(broken), str(odd), str(tmp_path / "none.csv"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "broken.xlsx: cannot be read as an Excel workbook" in result.stdout
    assert "school.ods: is neither .xlsx nor .csv" in result.stdout
    assert "none.csv: cannot be read" in result.stdout


def test_a_database_busy_with_another_import_is_said_so(
    school_dir: Path,
    tmp_path: Path,
):
    """While another process holds the write lock, commands that write wait SQLite's busy
    timeout (the data folder's setting, here short), then say the database is busy, in the
    user's language; nothing is written."""
    settings = school_dir / "ediary.toml"
    settings.write_text("database_busy_timeout_seconds = 0.3\n", encoding="utf-8")
    workbook = write_xlsx(tmp_path / "school.xlsx", school())
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "HOME": str(tmp_path),
        "EDIARY_DATA_DIR": str(school_dir),
    }
    commands = (
        ["--lang", "ru", "setup", "import", str(workbook)],
        ["users", "add", "--role", "teacher", "--login", "orlova", "--name", "Орлова Вера"],
    )
    holder = sqlite3.connect(school_dir / "ediary.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # as another `setup import` in its transaction
        waiting = [
            subprocess.Popen(
                [sys.executable, "-m", "node.cli", *args],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            for args in commands
        ]
        done = [process.communicate() for process in waiting]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    (ru_out, ru_err), (en_out, en_err) = done
    assert [process.returncode for process in waiting] == [5, 5], done
    assert "База данных занята другой операцией" in ru_err and "Повторите позже" in ru_err
    assert "The database is busy with another operation" in en_err
    for _out, err in done:
        assert "Traceback" not in err and "unexpected" not in err and "непредвиденн" not in err
    assert _count(school_dir, "student") == 0 and _count(school_dir, "academic_year") == 0
    assert _count(school_dir, "user") == 1  # the sysadmin only
    imported = run(school_dir, "setup", "import", str(workbook))  # the lock is free again
    assert imported.returncode == 0, imported.stderr
