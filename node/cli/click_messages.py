"""Click's own words (usage lines, its errors, ``--help``) in the user's language.

Click translates its messages with the standard library's ``gettext.gettext``, which reads
the process's default text domain and the ``LANGUAGE`` environment variable, not ediary's
per-context language. ``speaking`` points both at ediary's catalog for one command, so that
"Missing option '--user'" reaches a Russian sysadmin as «Не указан параметр». The messages
are listed below (as in click 8) so that ``tools/i18n.py`` extracts them; any click message
not listed stays in English.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager

from node.i18n import DOMAIN, LOCALE_DIR, N_, ngettext, normalize_language

#: The click messages people meet: help pages, usage errors, prompts.
MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Aborted!"),
    N_("Missing command."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Could not open file {filename!r}: {message}"),
    N_("Option {name!r} does not take a value."),
    N_("Do you want to continue?"),
    N_("Confirm the action without prompting."),
    N_("Repeat for confirmation"),
    N_("Error: The two entered values do not match."),
    N_("Error: invalid input"),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("default: {default}"),
    N_("required"),
)


def _plural_messages() -> None:  # never called: marks click's plural messages for extraction
    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1)
    ngettext(
        "Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.", 1
    )
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1)
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1)
    ngettext(
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
        1,
    )


def follow(language: str) -> None:
    """Let click speak ``language`` from now on (a data folder's setting, read late)."""
    os.environ["LANGUAGE"] = normalize_language(language)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Click speaks ``language`` through ediary's catalog within the block."""
    previous = (gettext.textdomain(), os.environ.get("LANGUAGE"))
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    follow(language)
    try:
        yield
    finally:
        gettext.textdomain(previous[0])
        if previous[1] is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = previous[1]
