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
    """CI installs once: the README's command up to pytest is one line of .ci/run, its pytest
    part a later one, so CI runs exactly what the README says, without a second install."""
    tests = _code_blocks(README)[1]
    install, pytest_part = tests.rsplit(" && ", 1)
    assert pytest_part.startswith(".venv/bin/python -m pytest"), tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert install in ci and pytest_part in ci
    assert ci.index(install) < ci.index(pytest_part)


def test_every_command_is_documented():
    for name in cli.commands:
        assert f"`ediary {name}" in README, f"README does not document 'ediary {name}'"


def test_every_setting_is_documented():
    for key in CONFIG_KEYS:
        assert f"| `{key}` |" in README, f"README does not document the setting {key!r}"


def test_the_setup_sheets_and_columns_are_documented():
    """README's «Setting up the school» names every sheet and column, in both languages."""
    from node.services.setup.sheets import SHEETS

    section = README.split("## Setting up the school", 1)[1].split("\n## ", 1)[0]
    for sheet in SHEETS:
        assert f"**{sheet.ru}** ({sheet.en})" in section, sheet.kind
        for column in sheet.columns:
            assert f"{column.ru} ({column.en})" in section, (sheet.kind, column.key)
    for command in ("import", "template", "export", "slips"):
        assert f"ediary setup {command}" in section
