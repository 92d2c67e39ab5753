"""Click commands and options whose help text is translated when it is shown.

Help strings are written in English and marked with ``N_`` for extraction; they are
translated at display time, after ``--lang`` and the settings have chosen the language.
"""

from __future__ import annotations

from typing import Any

import click

from node.i18n import gettext


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


class TranslatedCommand(click.Command):
    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _Swap(self):
            super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _Swap(self):
            return super().get_short_help_str(limit)


class TranslatedGroup(click.Group):
    command_class = TranslatedCommand

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _Swap(self):
            super().format_help_text(ctx, formatter)


def option(*decls: str, **attrs: Any) -> Any:
    """``click.option`` with a translated help text."""
    return click.option(*decls, cls=TranslatedOption, **attrs)
