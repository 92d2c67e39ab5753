"""``ediary setup template | export | slips`` from the shell, on the small school."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from node.cli import main
from node.models import User


def ediary(data_dir: Path, *args: str, lang: str = "en") -> int:
    return main(["--data-dir", str(data_dir), "--lang", lang, "setup", *args])


def test_template_as_a_workbook_and_as_csv_files(tmp_path: Path, capsys):
    out = tmp_path / "school.xlsx"
    assert ediary(tmp_path, "template", "--out", str(out), lang="ru") == 0
    assert load_workbook(out).sheetnames[:3] == ["Как заполнять", "Учебный год", "Периоды"]
    assert "ediary setup import" in capsys.readouterr().out
    folder = tmp_path / "csv"
    assert ediary(tmp_path, "template", "--out", str(folder)) == 0
    assert "Students.csv" in {p.name for p in folder.iterdir()}
    assert ediary(tmp_path, "template", "--out", str(tmp_path / "school.ods")) == 2
    assert "not to «school.ods»" in capsys.readouterr().err


def test_export_writes_the_school_readable_by_its_owner_only(school, tmp_path: Path, capsys):
    out = tmp_path / "school.xlsx"
    assert ediary(tmp_path, "export", "--out", str(out)) == 0
    said = capsys.readouterr().out
    assert "2026/2027" in said and "2 classes, 8 students" in said
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    book = load_workbook(out)
    students = list(book["Students"].iter_rows(min_row=2, values_only=True))
    assert len(students) == 8
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert ediary(tmp_path, "export", "--out", str(out), "--year", "1999/2000") == 3
    assert "no academic year «1999/2000»" in capsys.readouterr().err


def test_slips_for_a_class_and_for_the_staff(school, tmp_path: Path, capsys):
    out = tmp_path / "7a.html"
    assert ediary(tmp_path, "slips", "--class", "7а", "--out", str(out)) == 0
    assert "Slips for 4 people" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8").count('class="slip"') == 4
    User.update(status="pending").where(User.login == "petrov").execute()
    staff = tmp_path / "staff.html"
    assert ediary(tmp_path, "slips", "--staff", "--out", str(staff)) == 0
    assert "A slip for 1 person" in capsys.readouterr().out
    assert ediary(tmp_path, "slips", "--out", str(staff)) == 2
    assert "--class 5А, or --staff" in capsys.readouterr().err
    assert ediary(tmp_path, "slips", "--class", "11Я", "--out", str(staff)) == 3
    assert "no class 11Я" in capsys.readouterr().err
