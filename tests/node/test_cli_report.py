"""``ediary report`` on the small school: files Excel and a browser open, and clear errors."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from node.cli import main
from node.cli import report as report_cli
from node.models import FinalMark


@pytest.fixture
def data_dir(school, tmp_path: Path) -> Path:
    """The small school's database is ``tmp_path/ediary.db``: the data directory."""
    for student, value in zip(school.students, ["5", "4", "3", "2", "осв"], strict=True):
        FinalMark.create(
            student=student,
            assignment=school.maths,
            period=school.quarters[0],
            value=value,
            points=int(value) if value.isdigit() else None,
            set_at=dt.datetime(2026, 10, 24, 9),
        )
    return tmp_path


def ediary(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), "--lang", "en", "report", *args])


def test_control_as_csv_for_excel(data_dir, capsys):
    out = data_dir / "control.csv"
    assert ediary(data_dir, "control", "--month", "2026-11", "--out", str(out)) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Journal control"
    assert lines[2].startswith("Teacher;Class;Subject;Lessons;")
    assert any(line.startswith("Иванова М. А.;7А;Математика;6;") for line in lines)
    assert "rows written to" in capsys.readouterr().out
    assert [p.name for p in data_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_performance_as_html_and_by_dates(data_dir):
    out = data_dir / "perf.html"
    assert (
        ediary(data_dir, "performance", "--period", "q1", "--format", "html", "--out", str(out))
        == 0
    )
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    # 4 counted (осв is not): succeeding 3 of 4 = 75 %
    assert '<td class="n">75</td>' in page
    out2 = data_dir / "c.html"
    args = ("control", "--from", "2026-11-09", "--to", "2026-11-25", "--format", "html")
    assert ediary(data_dir, *args, "--out", str(out2)) == 0
    assert "Школа № 1: Journal control" in out2.read_text(encoding="utf-8")


def test_activity_works_with_no_page_views(data_dir):
    out = data_dir / "activity.csv"
    assert ediary(data_dir, "activity", "--month", "2026-11", "--out", str(out)) == 0
    assert "0 of 2 opened their page" in out.read_bytes().decode("utf-8-sig")


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (("control", "--from", "2026-11-31", "--to", "2026-12-01"), "is not a date", 2),
        (("control", "--from", "2026-11-01"), "Give both --from and --to", 2),
        (
            ("control", "--from", "2026-11-01", "--to", "2026-11-30", "--period", "q2"),
            "only one",
            2,
        ),
        (("control",), "Say which time", 2),
        (("performance", "--period", "q9"), "There is no period", 3),
        (("performance", "--month", "2026-11"), "takes --period", 2),
        (("activity", "--month", "2026-13"), "is not a month", 2),
        (("activity", "--month", "ноябрь"), "is not a month", 2),
        (("activity", "--from", "2026-11-01", "--to", "2026-11-30"), "takes --month", 2),
    ],
)
def test_bad_input_writes_nothing(data_dir, capsys, args, message, code):
    out = data_dir / "out.csv"
    assert ediary(data_dir, *args, "--out", str(out)) == code
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_an_unwritable_out_is_refused_and_nothing_is_half_written(data_dir, capsys, monkeypatch):
    assert (
        ediary(data_dir, "control", "--month", "2026-11", "--out", str(data_dir / "no" / "x.csv"))
        == 2
    )
    assert "does not exist" in capsys.readouterr().err
    assert ediary(data_dir, "control", "--month", "2026-11", "--out", str(data_dir)) == 2
    assert "is a folder" in capsys.readouterr().err

    out = data_dir / "control.csv"
    out.write_text("the old report", encoding="utf-8")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_cli.os, "replace", failing_replace)
    assert ediary(data_dir, "control", "--month", "2026-11", "--out", str(out)) == 7
    assert "the disk is full" in capsys.readouterr().err  # the system's reason, in words
    assert out.read_text(encoding="utf-8") == "the old report"
    assert [p for p in os.listdir(data_dir) if p.endswith(".tmp")] == []
