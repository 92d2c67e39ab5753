"""The passphrase is asked for last: every precondition that needs no secret is checked
first, so a typo in a file name is not answered with a passphrase prompt (issue 16)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from node.cli import main
from node.config import NodeConfig
from tests.backup.test_cli import PASSPHRASE, _init, keyfiles  # noqa: F401 — a fixture


def asked(node: NodeConfig, *args: str) -> tuple[int, str]:
    """Run with the passphrase ready on stdin; the output shows whether it was asked."""
    result = subprocess.run(
        [sys.executable, "-m", "node.cli", "--lang", "en", "--data-dir", str(node.data_dir), *args],
        input=PASSPHRASE + "\n",
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "LANG": "en_US.UTF-8", "HOME": str(node.data_dir)},
        cwd=Path(__file__).resolve().parents[2],
        start_new_session=True,  # no terminal: the prompt reads stdin
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def with_backups(capsys, node: NodeConfig, keyfiles: tuple[Path, Path]) -> list[Path]:  # noqa: F811
    identity, passfile = keyfiles
    home = ["--lang", "en", "--data-dir", str(node.data_dir)]
    assert main([*home, *_init(identity, passfile)]) == 0
    assert main([*home, "backup", "now"]) == 0
    assert main([*home, "users", "list"]) == 0  # a change, so the next backup is another
    assert main([*home, "backup", "now"]) == 0
    capsys.readouterr()
    return sorted((node.data_dir / "backups").glob("*.age"))


def test_restoring_a_missing_file_does_not_ask_for_the_passphrase(
    node: NodeConfig,
    keyfiles: tuple[Path, Path],  # noqa: F811
    with_backups: list[Path],
):
    identity, _passfile = keyfiles
    code, out = asked(node, "backup", "restore", "nope.age", "--identity", str(identity))
    assert code == 2 and "There is no backup file at nope.age" in out
    assert "Passphrase" not in out


def test_every_check_that_needs_no_secret_comes_before_the_passphrase(
    node: NodeConfig,
    keyfiles: tuple[Path, Path],  # noqa: F811
    with_backups: list[Path],
    tmp_path: Path,
):
    identity, _passfile = keyfiles
    older, newest = with_backups
    cases = {
        "is older than the newest one": ["backup", "restore", str(older)],
        "is not an ediary backup": ["backup", "restore", str(node.database_path)],
        "There is no identity file": ["backup", "restore", str(newest), "--identity", "no.key"],
        "There is no backup file at gone.age": [
            "backup", "verify", "gone.age", "--read-data", "--identity", str(identity),
        ],
        "already exists": ["backup", "keys", "init", "--identity", str(identity)],
    }  # fmt: skip
    for words, args in cases.items():
        if "--identity" not in args:
            args = [*args, "--identity", str(identity)]
        code, out = asked(node, *args)
        assert code != 0 and words in out, (args, out)
        assert "Passphrase" not in out, args
    # and with everything right, it is asked (and the restore goes on)
    code, out = asked(node, "backup", "restore", str(newest), "--identity", str(identity))
    assert "Passphrase" in out and code == 0, out
