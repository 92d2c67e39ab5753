"""The table of ``ediary``'s commands (``node.cli.app.COMMANDS``) says what the commands are,
and a run imports only the command it runs (``node.cli.lazy``)."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import click

import node.cli
from node.cli.app import COMMANDS, cli
from node.cli.lazy import LazyGroup
from node.cli.setup import setup

#: What only some commands need: ``ediary status`` or ``--help`` must not pay for them.
HEAVY = ("aiohttp", "openpyxl", "textual", "jinja2")


def _reachable(command: click.Command) -> list[click.Command]:
    found = [command]
    if isinstance(command, click.Group):
        for name in command.commands:
            found += _reachable(command.commands[name])
    return found


def test_each_table_names_each_command_with_its_own_help():
    lazy = [group for group in _reachable(cli) if isinstance(group, LazyGroup)]
    assert cli in lazy and setup in lazy
    for group in lazy:
        for name, entry in group.commands.table.items():
            command = entry.load()
            assert command.name == name, entry.target
            assert command.help == entry.help, f"{name}: the table's help is not the command's"
            assert command.short_help is None and not command.hidden and not command.deprecated


def test_every_command_in_node_cli_is_reachable_from_ediary():
    """A command written in a module of node/cli but missing from the table would never run."""
    reachable = {id(command) for command in _reachable(cli)}
    for module in pkgutil.iter_modules(node.cli.__path__, "node.cli."):
        if module.name == "node.cli.__main__":  # runs ediary when imported
            continue
        for attribute, value in vars(importlib.import_module(module.name)).items():
            if isinstance(value, click.Command):
                assert id(value) in reachable, f"{module.name}:{attribute} is not in COMMANDS"
    assert set(cli.commands) == set(COMMANDS)


def test_a_run_imports_only_the_command_it_runs(tmp_path):
    """``ediary --help`` lists every command from the table; ``ediary status`` loads status
    and what it needs."""
    script = (
        "import json, sys\n"
        "from node.cli import main\n"
        "main(['--lang', 'en', '--help'])\n"
        "helped = sorted(m for m in sys.modules if m.startswith('node.cli.'))\n"
        f"main(['--lang', 'en', '--data-dir', {str(tmp_path)!r}, 'status'])\n"
        "print(json.dumps(helped))\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    *help_lines, helped, heavy = result.stdout.splitlines()
    for name in COMMANDS:
        assert any(line.strip().startswith(f"{name} ") for line in help_lines), name
    assert json.loads(helped) == [
        "node.cli.app",
        "node.cli.click_messages",
        "node.cli.lazy",
        "node.cli.translated",
    ]
    assert json.loads(heavy) == []
    assert "No database at" in result.stderr
