"""Reading one cell as its column's type, however Excel, LibreOffice or a CSV wrote it.

An ``.xlsx`` cell arrives as a number, a date, a time or text; a CSV cell always as text.
Every function returns the value or raises ``ValidationError`` whose message says what to
write instead (the caller adds the sheet, row and column).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from node.errors import ValidationError
from node.i18n import _
from node.services.base.text import plain_line
from node.services.setup.sheets import Column, ColumnType, fold

Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | None

_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::\d{2})?$")
_YES = frozenset({"да", "yes", "y", "1", "+", "true", "истина", "д", "x", "х", "v"})
_NO = frozenset({"нет", "no", "n", "0", "-", "false", "ложь", "н"})
_LIST_SEPARATORS = re.compile(r"[,;\n]+")


def cell_text(value: Cell) -> str:
    """The cell as the user reads it: a whole number without «.0», a date as dd.mm.yyyy."""
    if type(value) is str and value.isprintable():  # most cells: nothing for plain_line to do
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return " ".join(plain_line(str(value)).split())  # names and topics typed in a workbook


def is_blank(value: Cell) -> bool:
    return cell_text(value) == ""


def to_date(value: Cell) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    parts: tuple[int, int, int] | None = None
    if match := _DOTTED.match(text):
        day, month, year = (int(g) for g in match.groups())
        parts = (year, month, day)
    elif match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
        parts = (year, month, day)
    if parts is not None:
        try:
            return dt.date(*parts)
        except ValueError:
            pass
    raise ValidationError(
        _("«{value}» is not a date: write it as 14.03.2013 (day.month.year).").format(value=text)
    )


def to_int(value: Cell) -> int:
    if isinstance(value, bool):
        raise ValidationError(_("Write a whole number here, not «{value}».").format(value=value))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value)
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise ValidationError(
        _("«{value}» is not a whole number: write digits only, e.g. 3.").format(value=text)
    )


def to_number(value: Cell) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = cell_text(value).replace(",", ".").replace(" ", "")
        try:
            number = float(text)
        except ValueError:
            number = math.nan
    if not math.isfinite(number):
        raise ValidationError(
            _("«{value}» is not a number: write e.g. 2 or 1,5.").format(value=cell_text(value))
        )
    return number


def to_bool(value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    folded = fold(cell_text(value))
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise ValidationError(
        _("«{value}» is not a yes or no: write «да» or «нет» (yes or no).").format(
            value=cell_text(value)
        )
    )


def to_time(value: Cell) -> str:
    """A time as HH:MM text, the way the bell schedule stores it."""
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and 0 <= value < 1:  # an Excel time left as a plain number
        minutes = round(value * 24 * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    text = cell_text(value)
    if match := _TIME.match(text):
        return f"{int(match.group(1)):02d}:{match.group(2)}"
    raise ValidationError(
        _("«{value}» is not a time: write it as HH:MM, e.g. 08:30.").format(value=text)
    )


def to_list(value: Cell) -> tuple[str, ...]:
    return tuple(p.strip() for p in _LIST_SEPARATORS.split(cell_text(value)) if p.strip())


def to_choice(value: Cell, column: Column) -> str:
    text = cell_text(value)
    choice = column.choices.get(fold(text))
    if choice is None:
        raise ValidationError(
            _("«{value}» is not one of the choices here: {explanation}").format(
                value=text, explanation=column.explanation()
            )
        )
    return choice


_READERS: dict[ColumnType, Any] = {
    ColumnType.TEXT: cell_text,
    ColumnType.INT: to_int,
    ColumnType.NUMBER: to_number,
    ColumnType.DATE: to_date,
    ColumnType.BOOL: to_bool,
    ColumnType.TIME: to_time,
    ColumnType.LIST: to_list,
}


def read_cell(value: Cell, column: Column) -> Any:
    """The cell as its column's type; ``None`` for an empty cell (required is checked later)."""
    text = cell_text(value)
    if text == "":
        return None
    if column.type is ColumnType.TEXT:
        return text
    if column.type is ColumnType.CHOICE:
        return to_choice(value, column)
    return _READERS[column.type](value)
