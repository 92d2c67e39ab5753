"""``ediary year`` as a director's sysadmin runs it: check, close, verify, confirm."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from backup.age import Identity
from node.cli import main
from node.config import NodeConfig


def ediary(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str]:
    code = main(["--lang", "en", "--data-dir", str(data_dir), *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def year_statuses(node: NodeConfig) -> dict[str, str]:
    with sqlite3.connect(node.database_path) as conn:
        return dict(conn.execute("SELECT name, status FROM academic_year"))


def test_check_lists_gaps_and_close_refuses_them_writing_nothing(capsys, node, tmp_path):
    code, out = ediary(capsys, node.data_dir, "year", "check")
    assert code == 1 and "Lessons without a topic" in out
    records = tmp_path / "records"
    records.mkdir()
    code, out = ediary(capsys, node.data_dir, "year", "close", "--out", str(records))
    assert code != 0 and "--force" in out
    assert list(records.iterdir()) == []
    assert year_statuses(node) == {"2026/2027": "active"}


def test_close_writes_a_verifiable_archive_then_rolls_over(capsys, node, tmp_path):
    records = tmp_path / "records"
    records.mkdir()
    code, out = ediary(
        capsys, node.data_dir, "year", "close", "--out", str(records), "--force", "--yes"
    )
    assert code == 0, out
    assert "students promoted" in out and "Journals" in out
    (archive,) = records.iterdir()
    assert archive.name.startswith("ediary-year-2026-2027-") and archive.suffix == ".tar"
    assert year_statuses(node) == {"2026/2027": "closed", "2027/2028": "draft"}
    code, out = ediary(capsys, tmp_path / "elsewhere", "year", "verify", str(archive))
    assert code == 0 and "is intact" in out
    code, out = ediary(
        capsys, node.data_dir, "year", "close", "--out", str(records), "--force", "--yes"
    )
    assert code != 0 and "no active academic year" in out
    code, out = ediary(capsys, node.data_dir, "year", "confirm")
    assert code == 0 and "lessons generated" in out
    assert year_statuses(node)["2027/2028"] == "active"


def test_an_encrypted_archive_verifies_with_the_identity(
    capsys, node, tmp_path, identity: Identity
):
    records = tmp_path / "records"
    records.mkdir()
    args = ["year", "close", "--out", str(records), "--force", "--yes", "--encrypt"]
    code, out = ediary(capsys, node.data_dir, *args)
    assert code == 0, out
    (archive,) = records.iterdir()
    assert archive.name.endswith(".tar.age")
    code, out = ediary(capsys, node.data_dir, "year", "verify", str(archive))
    assert code != 0 and "--identity" in out
    key = tmp_path / "key.txt"
    key.write_text(f"{identity}\n")
    unpack = tmp_path / "unpacked"
    code, out = ediary(
        capsys,
        node.data_dir,
        "year",
        "verify",
        str(archive),
        "--identity",
        str(key),
        "--extract",
        str(unpack),
    )
    assert code == 0 and "is intact" in out, out
    (bag,) = unpack.iterdir()
    assert (bag / "data" / "index.html").is_file()


def test_bad_options_are_refused_before_anything_is_written(capsys, node, tmp_path):
    code, out = ediary(capsys, node.data_dir, "year", "close", "--out", str(tmp_path / "nope"))
    assert code != 0 and "does not exist" in out
    code, out = ediary(
        capsys,
        node.data_dir,
        "year",
        "close",
        "--out",
        str(tmp_path),
        "--force",
        "--next-start",
        "2026-10-01",
    )
    assert code != 0 and "must start after" in out
    assert [p for p in tmp_path.iterdir() if p.name.startswith("ediary-year")] == []
    assert year_statuses(node) == {"2026/2027": "active"}
