"""Children's data on disk is the node account's alone, whatever the umask (issue 16).

The data folder is 0700; the database with its WAL and SHM, the keys, certificates, logs,
reports and slips are 0600. ``ediary status`` names what is wider and the chmod that fixes it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from node import files
from node.cli import main
from node.models.database import open_database
from node.tls import ensure_self_signed, record_served
from tests.node.shell import SCHOOL_TOML

#: The usual umask, one that hides nothing, and a strange one that even hides from the owner.
UMASKS = [0o022, 0o000, 0o277]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def ediary(data_dir: Path, *args: str, mask: int) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "LANG": "en_US.UTF-8", "HOME": str(data_dir.parent)}
    return subprocess.run(
        [sys.executable, "-m", "node.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        umask=mask,
        start_new_session=True,
    )


def assert_private_tree(root: Path) -> None:
    found = {str(p.relative_to(root)): f"{mode(p):o}" for p in [root, *root.rglob("*")]}
    wanted = {name: "700" if (root / name).is_dir() else "600" for name in found}
    assert found == wanted


@pytest.mark.parametrize("mask", UMASKS)
def test_init_makes_the_data_folder_and_its_files_private(tmp_path: Path, mask: int):
    (tmp_path / "school.toml").write_text(SCHOOL_TOML, encoding="utf-8")
    data = tmp_path / "data"
    result = ediary(data, "init", "--config", str(tmp_path / "school.toml"), mask=mask)
    assert result.returncode == 0, result.stderr
    assert mode(data) == 0o700
    assert_private_tree(data)
    # the WAL and SHM SQLite makes while the database is in use follow the file's mode
    with umask(0):
        database = open_database(data / "ediary.db")
        try:
            database.execute_sql("CREATE TABLE scratch (x)")
            assert (data / "ediary.db-wal").exists() and (data / "ediary.db-shm").exists()
            assert_private_tree(data)
        finally:
            database.close()


def test_init_makes_an_existing_open_folder_private(tmp_path: Path):
    (tmp_path / "school.toml").write_text(SCHOOL_TOML, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    result = ediary(data, "init", "--config", str(tmp_path / "school.toml"), mask=0o022)
    assert result.returncode == 0, result.stderr
    assert_private_tree(data)


def test_demo_makes_its_folder_and_files_private(tmp_path: Path):
    data = tmp_path / "demo"
    result = ediary(data, "demo", "--build-only", mask=0)
    assert result.returncode == 0, result.stderr
    assert_private_tree(data)


def test_a_report_is_written_private(school, tmp_path: Path):
    out = tmp_path / "control.csv"
    with umask(0):
        code = main(
            [
                "--data-dir",
                str(tmp_path),
                "report",
                "control",
                "--month",
                "2026-11",
                "--out",
                str(out),
            ]
        )
    assert code == 0
    assert mode(out) == 0o600


def test_certificates_and_logs_are_private(tmp_path: Path):
    with umask(0):
        paths = ensure_self_signed(tmp_path, hostnames=["school.local"])
        record_served(tmp_path, paths.cert, "127.0.0.1:9443")
        with files.append_private(tmp_path / "ediary-error.log") as log:
            log.write(b"a line\n")
    assert_private_tree(tmp_path)


def test_an_existing_temp_file_does_not_lend_its_mode(tmp_path: Path):
    """A leftover temp file of an earlier crash (0644) must not make the new file 0644."""
    target = tmp_path / "slips.html"
    for leftover in tmp_path.glob(".*"):
        leftover.unlink()
    stale = tmp_path / f".slips.html.{os.getpid()}.tmp"
    stale.write_bytes(b"old")
    os.chmod(stale, 0o644)
    files.write_private(target, b"new")
    assert target.read_bytes() == b"new" and mode(target) == 0o600
    assert not stale.exists()


def test_status_names_open_files_and_the_chmod_that_fixes_them(tmp_path: Path):
    data = tmp_path / "demo"
    assert ediary(data, "demo", "--build-only", mask=0o022).returncode == 0
    assert "can be read by other accounts" not in ediary(data, "status", mask=0o022).stderr
    os.chmod(data, 0o755)
    os.chmod(data / "ediary.db", 0o644)
    result = ediary(data, "status", mask=0o022)
    assert result.returncode == 0, result.stderr
    assert "2 file(s) and folder(s) of this node can be read by other accounts" in result.stderr
    assert f"0644  {data / 'ediary.db'}" in result.stderr
    fix = result.stderr.split("Make them private with: ", 1)[1].strip()
    assert fix == f"chmod -R go-rwx {data}"
    subprocess.run(fix, shell=True, check=True)
    assert "can be read by other accounts" not in ediary(data, "status", mask=0o022).stderr


def test_the_readme_promises_what_these_tests_hold():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    promise = readme.split("**Security on disk.**", 1)[1].split("\n\n", 1)[0]
    assert f"`{files.PRIVATE_FOLDER:04o}`" in promise and f"`{files.PRIVATE_FILE:04o}`" in promise
    assert "chmod -R go-rwx" in promise and "`=`, `+`, `-`, `@`, a tab or a carriage" in promise


def test_the_schools_export_is_private(school, tmp_path: Path):
    """``ediary setup export``: a workbook, or a folder of CSV files, naming every child."""
    with umask(0):
        home = ["--lang", "en", "--data-dir", str(tmp_path)]
        assert main([*home, "setup", "export", "--out", str(tmp_path / "school.xlsx")]) == 0
        assert main([*home, "setup", "export", "--out", str(tmp_path / "csv")]) == 0
    assert mode(tmp_path / "school.xlsx") == 0o600
    assert_private_tree(tmp_path / "csv")
