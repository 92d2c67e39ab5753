"""A command group that imports a subcommand's module only when that subcommand runs.

Every ``ediary`` run used to import every subcommand's module, and with them aiohttp,
openpyxl, Jinja2 and Textual: half a second of CPU before ``ediary status`` did anything.
``LazyGroup`` (click's "lazily loading subcommands") knows its subcommands from a table of
``Subcommand`` entries: the module and attribute each lives at, and its help text, so that
``ediary --help`` lists every command in the user's language without importing any of them.
tests/node/test_cli_commands.py checks the table against the commands it names.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import click

from node.cli.translated import TranslatedCommand, TranslatedGroup


@dataclass(frozen=True)
class Subcommand:
    """Where a subcommand lives (``"package.module:attribute"``) and its help (an ``N_`` text,
    the same as the command's own)."""

    target: str
    help: str

    def load(self) -> click.Command:
        module, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return command


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands by name: every name of the table is there from the start, and its
    command is imported the first time it is looked up."""

    def __init__(self, table: Mapping[str, Subcommand]) -> None:
        self.table = dict(table)
        self.loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded:
            self.loaded[name] = self.table[name].load()
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self.table.pop(name, None)
        self.loaded.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self.table or name in self.loaded

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self.table, *self.loaded]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*self.table, *self.loaded]))

    def described(self, name: str) -> click.Command:
        """The command if it is imported already, else a stand-in carrying the table's help:
        enough for a list of commands, and costs no import."""
        if name in self.loaded:
            return self.loaded[name]
        return TranslatedCommand(name, help=self.table[name].help)


class LazyGroup(TranslatedGroup):
    """A translated group whose subcommands are named by a table and imported on first use."""

    commands: LazyCommands

    def __init__(self, *args: Any, subcommands: Mapping[str, Subcommand], **kwargs: Any) -> None:
        super().__init__(*args, commands=LazyCommands(subcommands), **kwargs)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own list of commands, drawn from the table: ``--help`` imports none."""
        names = self.list_commands(ctx)
        listed = click.Group(commands={name: self.commands.described(name) for name in names})
        listed.format_commands(ctx, formatter)
