"""Click commands and options whose help text is translated when it is shown.

Help strings are written in English and marked with ``N_`` for extraction; they are
translated at display time, after ``--lang`` and the settings have chosen the language.
"""

from __future__ import annotations

import re
from typing import Any

import click

from node.i18n import N_, gettext

#: Words click builds metavars and usage lines from, translated when shown.
_WORDS = {
    "TEXT": N_("TEXT"),
    "INTEGER": N_("INTEGER"),
    "FLOAT": N_("NUMBER"),
    "BOOLEAN": N_("YES/NO"),
    "FILE": N_("FILE"),
    "FILES": N_("FILES"),
    "DIRECTORY": N_("FOLDER"),
    "PATH": N_("PATH"),
    "FILENAME": N_("FILE"),
    "DATE": N_("DATE"),
    "RECIPIENT": N_("RECIPIENT"),
    "KIND": N_("KIND"),
    "ADDRESS": N_("ADDRESS"),
    "NODE": N_("NODE"),
    "LOGIN": N_("LOGIN"),
    "CSV_FILE": N_("CSV_FILE"),
    "ARCHIVE": N_("ARCHIVE"),
    "OPTIONS": N_("OPTIONS"),
    "COMMAND": N_("COMMAND"),
    "ARGS": N_("ARGS"),
    "NAME": N_("NAME"),
    "GRADES": N_("GRADES"),
}
#: Phrases click writes as several words, translated as one.
_PHRASES = {
    "INTEGER RANGE": N_("NUMBER IN RANGE"),
    "FLOAT RANGE": N_("NUMBER IN RANGE"),
    "YYYY-MM-DD": N_("YYYY-MM-DD"),
    "YYYY-MM": N_("YYYY-MM"),
}
_WORD = re.compile(r"\b[A-Z][A-Z_]*\b")


def translate_metavar(text: str) -> str:
    """«FILE...», «[OPTIONS]», «COMMAND [ARGS]...» in the user's language; other words kept."""
    for phrase, words in _PHRASES.items():
        text = text.replace(phrase, gettext(words))
    return _WORD.sub(
        lambda m: gettext(_WORDS[m.group(0)]) if m.group(0) in _WORDS else m.group(0), text
    )


class _Swap:
    """Temporarily replace an object's ``help`` with its translation."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __enter__(self) -> None:
        self.original = self.obj.help
        if self.original:
            self.obj.help = gettext(self.original)

    def __exit__(self, *exc: object) -> None:
        self.obj.help = self.original


class TranslatedOption(click.Option):
    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        with _Swap(self):
            return super().get_help_record(ctx)

    def make_metavar(self, ctx: click.Context) -> str:
        return translate_metavar(super().make_metavar(ctx))


class TranslatedArgument(click.Argument):
    def make_metavar(self, ctx: click.Context) -> str:
        return translate_metavar(super().make_metavar(ctx))


def _usage_pieces(pieces: list[str]) -> list[str]:
    return [translate_metavar(piece) for piece in pieces]


class TranslatedPath(click.Path):
    """``click.Path`` whose «file»/«folder» in error messages follows the user's language.

    click names the kind once, at import time, before ``--lang`` is known.
    """

    @property  # type: ignore[override]
    def name(self) -> str:
        return gettext(self._english_name)

    @name.setter
    def name(self, value: str) -> None:
        self._english_name = {"file": N_("file"), "directory": N_("folder")}.get(value, N_("path"))


def _translated_help_option(option: click.Option | None) -> click.Option | None:
    """click builds ``--help`` once per command and keeps its words: translate them per use."""
    if option is not None:
        option.help = gettext("Show this message and exit.")
    return option


class TranslatedCommand(click.Command):
    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _translated_help_option(super().get_help_option(ctx))

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _Swap(self):
            super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _Swap(self):
            return super().get_short_help_str(limit)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return _usage_pieces(super().collect_usage_pieces(ctx))


class TranslatedGroup(click.Group):
    command_class = TranslatedCommand

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _translated_help_option(super().get_help_option(ctx))

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _Swap(self):
            super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _Swap(self):
            return super().get_short_help_str(limit)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return _usage_pieces(super().collect_usage_pieces(ctx))


TranslatedGroup.group_class = TranslatedGroup


def option(*decls: str, **attrs: Any) -> Any:
    """``click.option`` with a translated help text."""
    return click.option(*decls, cls=TranslatedOption, **attrs)


def argument(*decls: str, **attrs: Any) -> Any:
    """``click.argument`` whose metavar in the usage line is translated."""
    return click.argument(*decls, cls=TranslatedArgument, **attrs)


def command(name: str | None = None, **attrs: Any) -> Any:
    """``click.command`` making a ``TranslatedCommand``: a subcommand that a group's table
    names (``node.cli.lazy``), or that a group adds itself."""
    return click.command(name, cls=TranslatedCommand, **attrs)


def group(name: str | None = None, **attrs: Any) -> Any:
    """``click.group`` making a ``TranslatedGroup`` (or the ``cls`` given)."""
    attrs.setdefault("cls", TranslatedGroup)
    return click.group(name, **attrs)
