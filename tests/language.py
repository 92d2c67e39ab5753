"""What may stay in Latin letters on a Russian screen: the one list, and the check that uses it.

A run of Latin letters on a Russian page is a word someone forgot to translate, unless it is
something the person types or reads as it is: a command, an option, a login, a file format,
a tool's name, a value from a fixed list. Those are allowed here, in one place.
"""

from __future__ import annotations

import re

#: Names and terms a Russian reader meets as they are (formats, tools, typed values).
ALLOWED_TERMS = frozenset(
    {
        # file formats, protocols and standards
        "CSV",
        "HTML",
        "HTTPS",
        "TLS",
        "PEM",
        "TOML",
        "UTF",
        "BOM",
        "xlsx",
        "csv",
        "html",
        "Excel",
        "LibreOffice",
        "BagIt",
        "SHA",
        "SQLite",
        "JSON",
        "API",
        "mDNS",
        "SVG",
        # SQLite's checks, named as the sysadmin looks them up
        "integrity_check",
        "quick_check",
        # keys as printed on the keyboard (the F1 list and the footers name them)
        "Esc",
        "Tab",
        "Shift",
        "Alt",
        "Ctrl",
        "Home",
        "End",
        "PgUp",
        "PgDn",
        "Del",
        "Ins",
        "Enter",
        "Backspace",
        # programs and services people run by name
        "ediary",
        "age",
        "cron",
        "systemd",
        "ssh",
        "tmux",
        "README",
        # values typed after an option (their lists are in the same help text)
        "seed",
        "ivanova",
        "login",
        "name",
        "roles",
        "school",
        "policy",
        "sysadmin",
        "director",
        "deputy",
        "teacher",
        "class",
        "control",
        "activity",
        "performance",
    }
)

#: Russian words an English page may show as they are: examples of what people type in a
#: Russian school (a name, a period's name), quoted in English messages.
RUSSIAN_EXAMPLES = frozenset(
    {"Иванова", "Мария", "Александровна", "Фамилия", "Имя", "Отчество", "четверть", "Год"}
)

_LATIN_WORD = re.compile(r"(?<![-\w/.$@])[A-Za-z][A-Za-z_]{2,}(?![\w/@])")
_CHOICES = re.compile(r"[\[{][\w|-]+[\]}]")  # [ru|en], {control|activity}: typed values
_OPTIONS = re.compile(r"--?[\w-]+")
_COMMAND_LINE = re.compile(r"'ediary [^']*'|«ediary [^»]*»|`[^`]*`")


def foreign_words(text: str, names: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """Latin-only words in ``text`` that are neither allowed terms nor ``names``."""
    for pattern in (_CHOICES, _COMMAND_LINE, _OPTIONS):
        text = pattern.sub(" ", text)
    return {
        word
        for word in _LATIN_WORD.findall(text)
        if word not in ALLOWED_TERMS and word not in names
    }


_CYRILLIC_WORD = re.compile(r"[А-Яа-яЁё]+")


def russian_words(text: str, names: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """Cyrillic words in ``text`` (an English page) that are neither ``names`` nor the
    start or end of one (a name cut by a column's width or by a dialog over it, an initial)."""
    allowed = set(names) | RUSSIAN_EXAMPLES
    for name in names:
        for end in range(1, len(name)):
            allowed |= {name[:end], name[end:]}
    return {word for word in _CYRILLIC_WORD.findall(text) if word not in allowed}


def words_of(text: str) -> set[str]:
    """Every word of ``text`` in either alphabet: what a set of names is made of."""
    return set(re.findall(r"[^\W\d_]+", text))
