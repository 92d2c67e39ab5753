"""``ediary setup import`` from the shell: check, import, import again; problems in the
user's language with a non-zero exit and never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.node.services.setup.workbook import school, write_csvs, write_xlsx
from tests.node.test_cli_accounts import codes, run, school_dir  # noqa: F401 — the fixture


def _count(data: Path, table: str) -> int:
    with sqlite3.connect(data / "ediary.db") as connection:
        return connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def test_check_then_import_then_import_again(school_dir: Path, tmp_path: Path):  # noqa: F811
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


def test_problems_in_russian_and_unreadable_files(school_dir: Path, tmp_path: Path):  # noqa: F811
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
