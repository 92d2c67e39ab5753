"""Text that a spreadsheet shows, never runs (OWASP "CSV injection").

A topic, a name or a comment is typed by a user; written to a CSV file as ``=HYPERLINK(…)``,
``+…``, ``-…`` or ``@…`` Excel and LibreOffice take it for a formula when the file is
opened. Every CSV writer in ediary passes its text cells through ``spreadsheet_text``, which
puts a ``'`` in front (the spreadsheet shows the text without it); a reader of files that
ediary wrote passes them back through ``from_spreadsheet_text``. A cell that is a number is
not text: writers keep it a number (a negative one too), so the spreadsheet can sum it.
"""

from __future__ import annotations

#: What makes a spreadsheet read a cell as a formula: these first, or after leading spaces
#: (which Excel and LibreOffice skip); a tab or a carriage return first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(("\t", "\r")) or text.lstrip(" ").startswith(FORMULA_STARTS)


def spreadsheet_text(text: str) -> str:
    """``text`` with a ``'`` in front when a spreadsheet would run it as a formula."""
    return "'" + text if looks_like_formula(text) else text


def from_spreadsheet_text(text: str) -> str:
    """The text ``spreadsheet_text`` was given (a reader of ediary's own CSV files)."""
    rest = text[1:]
    return rest if text.startswith("'") and looks_like_formula(rest) else text
