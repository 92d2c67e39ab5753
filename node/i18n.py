"""Translation of user-visible strings through gettext.

The active language is a context variable, so a web request, a TUI session and a CLI run
each speak their user's language without passing it through every call. Catalogs live in
``node/locale/<lang>/LC_MESSAGES/ediary.mo`` (compiled from the ``.po`` beside them).
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
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
