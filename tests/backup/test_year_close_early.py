"""Closing a year before its last period ends is asked for, or refused without a terminal
(``--yes`` for scripts): it cannot be undone (issue 16)."""

from __future__ import annotations

import datetime as dt
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from node.cli import main
from node.config import NodeConfig
from node.services.base import clock
from tests.backup.test_cli_year import year_statuses

#: The small school's last quarter ends on this day.
LAST_DAY = "31.05.2027"


def close_on_a_terminal(node: NodeConfig, records: Path, answer: str) -> tuple[int, str]:
    """``year close --force`` with a real terminal (a pty) on stdin, answering ``answer``."""
    main_end, child_end = pty.openpty()
    env = {"PATH": "/usr/bin:/bin", "LANG": "en_US.UTF-8", "HOME": str(node.data_dir)}
    args = ["--lang", "en", "--data-dir", str(node.data_dir), "year", "close", "--force"]
    with subprocess.Popen(
        [sys.executable, "-m", "node.cli", *args, "--out", str(records)],
        stdin=child_end,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        text=True,
    ) as child:
        os.close(child_end)
        os.write(main_end, answer.encode() + b"\n")
        out, err = child.communicate(timeout=240)
    os.close(main_end)
    return child.returncode, out + err


@pytest.fixture
def records(tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    folder.mkdir()
    return folder


def test_without_a_terminal_and_without_yes_it_is_refused(capsys, node, records):
    code = main(["--lang", "en", "--data-dir", str(node.data_dir), "year", "close", "--force",
                 "--out", str(records)])  # fmt: skip
    out = capsys.readouterr().err
    assert code == 2 and f"runs until {LAST_DAY}" in out and "--yes" in out
    assert list(records.iterdir()) == []
    assert year_statuses(node) == {"2026/2027": "active"}


def test_on_a_terminal_it_is_asked_and_no_means_nothing_happens(node, records):
    code, out = close_on_a_terminal(node, records, "n")
    assert f"runs until {LAST_DAY}" in out and "Close it now anyway?" in out
    assert code == 130 and "cancelled" in out
    assert list(records.iterdir()) == [] and year_statuses(node) == {"2026/2027": "active"}
    code, out = close_on_a_terminal(node, records, "y")
    assert code == 0, out
    assert year_statuses(node) == {"2026/2027": "closed", "2027/2028": "draft"}


def test_after_the_last_period_nothing_is_asked(capsys, node, records):
    check = ["--lang", "en", "--data-dir", str(node.data_dir), "year", "check"]
    main(check)
    assert f"runs until {LAST_DAY}" in capsys.readouterr().out
    with clock.frozen_time(dt.date(2027, 6, 5)):
        main(check)
        assert "runs until" not in capsys.readouterr().out
        code = main([*check[:-1], "close", "--force", "--out", str(records)])
    assert code == 0, capsys.readouterr()
    assert year_statuses(node)["2026/2027"] == "closed"
