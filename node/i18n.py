"""Translation of user-visible strings through gettext.

The active language is a context variable, so a web request, a TUI session and a CLI run
each speak their user's language without passing it through every call. Catalogs live in
``node/locale/<lang>/LC_MESSAGES/ediary.mo`` (compiled from the ``.po`` beside them).
"""

from __future__ import annotations

import contextvars
import errno
import gettext as _gettext
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

DOMAIN = "ediary"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

_current: contextvars.ContextVar[str] = contextvars.ContextVar(
    "ediary_language", default=DEFAULT_LANGUAGE
)


def normalize_language(value: str | None) -> str:
    """Map 'ru_RU.UTF-8', 'en-GB', 'EN' and the like to a shipped language code."""
    if not value:
        return DEFAULT_LANGUAGE
    code = value.replace("-", "_").split("_")[0].split(".")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def _translations(language: str) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True)


def set_language(language: str | None) -> contextvars.Token[str]:
    """Make ``language`` active for the current context; returns a token for ``reset``."""
    return _current.set(normalize_language(language))


def current_language() -> str:
    return _current.get()


@contextmanager
def use_language(language: str | None) -> Iterator[None]:
    """Speak ``language`` inside the block (used per request, per test, per command)."""
    token = set_language(language)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """Translate ``message`` into the active language."""
    return _translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Translate a short string whose meaning depends on ``context`` (e.g. a mark code)."""
    return _translations(_current.get()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (translated when shown)."""
    return message


def NP_(context: str, message: str) -> str:
    """``N_`` for a string translated later with ``pgettext(context, message)``."""
    return message


_ = gettext

#: The language of the server's log lines a sysadmin acts on (start, address, backups,
#: discovery, errors needing action): the server's own, chosen once when it starts, never a
#: web visitor's. Routine debug lines stay English.
_log_language = [DEFAULT_LANGUAGE]


def set_log_language(language: str | None) -> None:
    _log_language[0] = normalize_language(language)


def log_language() -> str:
    return _log_language[0]


def log_text(message: str) -> str:
    """``message`` (marked with ``N_``) in the log's language, whatever the request's."""
    return _translations(_log_language[0]).gettext(message)


#: What the system's own error numbers mean, in words people read (``strerror`` is English).
_OS_REASONS = {
    errno.ENOENT: N_("there is no such file or folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("the operation is not permitted"),
    errno.EISDIR: N_("it is a folder, not a file"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.EEXIST: N_("it already exists"),
    errno.ENOSPC: N_("the disk is full"),
    errno.EROFS: N_("the disk is read-only"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.EIO: N_("the disk reported an input/output error"),
    errno.ENOTEMPTY: N_("the folder is not empty"),
    errno.EMFILE: N_("too many files are open"),
    errno.ENODEV: N_("there is no such device"),
    errno.ENXIO: N_("there is no such device"),
}


def os_reason(exc: OSError) -> str:
    """Why the system refused a file operation, in the user's language."""
    reason = _OS_REASONS.get(exc.errno or 0)
    if reason is not None:
        return gettext(reason)
    return _("the system reported error {number}").format(number=exc.errno or "?")


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def toml_problem(exc: ValueError) -> str:
    """Where a TOML file stops being TOML, in the user's language (the parser speaks English)."""
    found = _TOML_POSITION.search(str(exc))
    if found is None:
        return _("the text is not in UTF-8 or breaks the TOML rules")
    return _("a mistake at line {line}, column {column}").format(
        line=found.group(1), column=found.group(2)
    )
