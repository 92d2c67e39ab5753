"""Text people type, made safe to store and to show anywhere: the one rule for free text.

Messages, topics, homework, comments, reasons and names are shown in a terminal (the TUI,
over SSH), on the web page, in printed journals and in CSV. A control character in them does
harm in the terminal: ESC starts an escape sequence that can recolour, move or hide what is
on the screen, BEL beeps, NUL cuts the text short in C tools; Unicode's bidirectional
overrides make text read differently from what it is. None of them is something a person
means to write, so they are dropped silently (a text pasted from elsewhere still goes in),
and line ends are made "\\n". Every service that stores typed text passes it through
``plain_text`` (several lines allowed) or ``plain_line`` (one line).
"""

from __future__ import annotations

import re
import unicodedata

#: Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_ENDS = re.compile(r"\r\n?|[\u0085\u2028\u2029]")
_KEPT = frozenset("\n\t")


def _unwanted(char: str) -> bool:
    if char in _KEPT:
        return False
    if char in _BIDI_CONTROLS:
        return True
    # Cc: C0 and C1 controls, DEL; Cs: lone surrogates (no encoder takes them)
    return unicodedata.category(char) in ("Cc", "Cs")


def plain_text(value: str | None) -> str:
    """``value`` with line ends made "\\n" and every control character but "\\n" and "\\t"
    (and every bidirectional override) removed."""
    text = _LINE_ENDS.sub("\n", value or "")
    if text.isprintable():  # the usual case: nothing to look at one by one
        return text
    return "".join(char for char in text if not _unwanted(char))


def plain_line(value: str | None) -> str:
    """``plain_text`` on one line: line ends and tabs become spaces."""
    return plain_text(value).replace("\n", " ").replace("\t", " ")


def has_controls(value: str) -> bool:
    """Does ``value`` hold anything ``plain_text`` would remove (for checks and tests)?"""
    return plain_text(value) != _LINE_ENDS.sub("\n", value)


def one_final_period(sentence: str) -> str:
    """A sentence that ends with a short name («… Мельник А. А.») ends with one period, not
    two: the initial's period closes the sentence too."""
    return sentence[:-1] if sentence.endswith("..") and not sentence.endswith("...") else sentence
