"""Docs that tests keep honest: README opens with the two commands CI runs, and documents
every command and setting."""

from __future__ import annotations

import re
from pathlib import Path

from node.cli import cli
from node.config import CONFIG_KEYS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```sh\n(.*?)```", text, flags=re.S)]


def test_readme_opens_with_the_main_job_and_the_test_command():
    main_job, tests = _code_blocks(README)[:2]
    assert "ediary demo" in main_job and "python3 -m venv" in main_job
    assert "pytest" in tests and "'.[test]'" in tests


def test_ci_runs_exactly_the_readme_test_command():
    tests = _code_blocks(README)[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_every_command_is_documented():
    for name in cli.commands:
        assert f"`ediary {name}" in README, f"README does not document 'ediary {name}'"


def test_every_setting_is_documented():
    for key in CONFIG_KEYS:
        assert f"| `{key}` |" in README, f"README does not document the setting {key!r}"
