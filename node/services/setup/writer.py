"""Writing set-up sheets: the empty template, an export, the example school.

One writer for all three, driven by ``sheets.SHEETS`` (no second description of columns):
sheet tabs and column headers in the user's language (a required column ends in «*», which
the reader ignores), each header cell carrying its explanation as a note, stored values
turned into the words the reader accepts (``quarters`` → «четверти», ``True`` → «да»), dates
as real dates. The first sheet explains how to fill the workbook in; the reader skips it.

openpyxl writes the workbook: it is the reader's library too (see setup.cfg), so one
library both reads and writes the format. CSV files are written as Excel's «CSV UTF-8»
(BOM, ``;``, CRLF), one file per sheet, named after the sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from node.i18n import _, current_language, pgettext
from node.services.setup.export import Row, SchoolRows, Value
from node.services.setup.sheets import SHEETS, Column, ColumnType, Sheet
from node.services.students.guardians import RELATIONS
from node.spreadsheet import spreadsheet_text

#: How dates look in cells and in CSV, as a Russian spreadsheet shows them.
DATE_FORMAT = "DD.MM.YYYY"
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_MAX_WIDTH = 48
#: Characters of a guide paragraph that fit one line across its five columns.
_GUIDE_LINE = 130
_STAFF_ROLE_ORDER = ("sysadmin", "director", "deputy", "teacher", "class_teacher")


def _words(column: Column) -> dict[str, str]:
    """Stored value → the word written for it, in the current language (the reader takes
    these in both languages; tests/node/services/setup holds them to that)."""
    if column.type is ColumnType.BOOL:
        return {"True": _("yes"), "False": _("no")}
    if column.key == "scheme":
        return {
            "quarters": pgettext("sheet word", "quarters"),
            "halves": pgettext("sheet word", "halves"),
        }
    if column.key == "kind":
        return {
            "oral": pgettext("kind of work", "oral"),
            "written": pgettext("kind of work", "written"),
            "lab": pgettext("kind of work", "lab"),
            "practical": pgettext("kind of work", "practical"),
            "test": pgettext("kind of work", "test"),
            "homework": pgettext("kind of work", "homework"),
            "other": pgettext("kind of work", "other"),
        }
    if column.key == "relation":
        return {value: _(label) for value, label in RELATIONS.items()}
    if column.key == "weekday":
        names = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
        return {str(number): name for number, name in enumerate(names, 1)}
    if column.key == "roles":
        return {
            "sysadmin": pgettext("staff role", "sysadmin"),
            "director": pgettext("staff role", "director"),
            "deputy": pgettext("staff role", "deputy"),
            "teacher": pgettext("staff role", "teacher"),
            "class_teacher": pgettext("staff role", "class-teacher"),
        }
    return {}


def cell_value(column: Column, value: Value, words: Mapping[str, str]) -> Value:
    """What goes into the cell for a stored value: a word, a number, a date or text."""
    if value is None or value == "":
        return None
    if isinstance(value, tuple):
        ordered = sorted(value, key=lambda v: (_order(v), v))
        return ", ".join(words.get(v, v) for v in ordered)
    if isinstance(value, bool):
        return words[str(value)]
    if column.type is ColumnType.CHOICE:
        return words.get(str(value), str(value))
    return value


def _order(role: str) -> int:
    return _STAFF_ROLE_ORDER.index(role) if role in _STAFF_ROLE_ORDER else len(_STAFF_ROLE_ORDER)


def header(column: Column, language: str) -> str:
    """The header as written: the column's name, with «*» when it must be filled."""
    name = column.header(language)
    return f"{name} *" if column.required else name


def _as_text(value: Value) -> str:
    """A cell as CSV text: dates as 01.09.2026, numbers with a decimal comma."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _csv_text(value: Value) -> str:
    """A CSV cell: typed text made formula-safe (``node.spreadsheet``); numbers and dates
    as they are, so a spreadsheet still reads them as numbers and dates."""
    if isinstance(value, str):
        return spreadsheet_text(value)
    return _as_text(value)


def sheet_cells(sheet: Sheet, rows: Iterable[Row]) -> list[list[Value]]:
    """The sheet's data rows as cell values, in column order."""
    words = {column.key: _words(column) for column in sheet.columns}
    return [
        [cell_value(column, row.get(column.key), words[column.key]) for column in sheet.columns]
        for row in rows
    ]


# --- xlsx -----------------------------------------------------------------------------------


def guide_title() -> str:
    return _("How to fill in")


def _guide(book: Workbook, language: str) -> None:
    """The first sheet: what the workbook is, the order, the commands, every column."""
    ws = book.worksheets[0]  # a new workbook has this one sheet
    ws.title = guide_title()
    lines = [
        _("ediary: the school's set-up workbook"),
        "",
        _(
            "Each sheet is one kind of data, one row per item; fill them in the order of the "
            "tabs. Columns marked * must be filled, the others may stay empty. Column names "
            "may be Russian or English; extra columns and this sheet are not read."
        ),
        _(
            "Dates as 01.09.2026, times as 08:30, yes/no as да/нет. People and classes are "
            "named the same way on every sheet: a class as 5А, a teacher by login, a student "
            "by full name."
        ),
        _(
            "The grey row on a sheet of the empty template is an example: write over it or "
            "delete it."
        ),
        _("Check first (nothing is written): ediary setup import school.xlsx --check"),
        _("Then import: ediary setup import school.xlsx"),
        _(
            "Later, import the corrected or extended file again: what changed is updated, "
            "what is new is added, nobody is duplicated and no mark is lost. "
            "'ediary setup export --out school.xlsx' writes the school as it is now."
        ),
        "",
    ]
    for line in lines:
        ws.append([line])
        row = ws.max_row
        if line and row > 1:  # a paragraph across the table's width, wrapped
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
            ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[row].height = 15 * (1 + len(line) // _GUIDE_LINE)
    ws["A1"].font = Font(bold=True, size=14)
    heads = [_("Sheet"), _("Column"), _("Required"), _("What to write"), _("Example")]
    ws.append(heads)
    head_row = ws.max_row
    for cell in ws[head_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for sheet in SHEETS:
        ws.append([sheet.title(language), "", "", sheet.explanation(), ""])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        for column in sheet.columns:
            ws.append(
                [
                    "",
                    column.header(language),
                    _("yes") if column.required else "",
                    column.explanation(),
                    column.example_text(),
                ]
            )
    for letter, width in zip("ABCDE", (22, 26, 12, 70, 28), strict=True):
        ws.column_dimensions[letter].width = width
    for cells in ws.iter_rows(min_row=head_row + 1):
        cells[3].alignment = Alignment(wrap_text=True, vertical="top")


def _data_sheet(
    book: Workbook, sheet: Sheet, cells: list[list[Value]], language: str, *, example: bool
) -> None:
    ws: Worksheet = book.create_sheet(sheet.title(language))
    ws.append([header(column, language) for column in sheet.columns])
    for index, column in enumerate(sheet.columns, 1):
        cell = ws.cell(1, index)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.comment = Comment(column.explanation(), "ediary", width=320, height=90)
    for number, values in enumerate(cells, 2):
        ws.append(list(values))
        for index, value in enumerate(values, 1):
            if isinstance(value, str) and value.startswith("="):
                # a name typed as «=…» is text, never a formula (``ws.max_row`` would look
                # at every cell written so far, for every row: minutes for a big school)
                ws.cell(number, index).data_type = "s"
    for index, column in enumerate(sheet.columns, 1):
        letter = get_column_letter(index)
        if column.type is ColumnType.DATE:
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = DATE_FORMAT
        widest = max(
            [len(header(column, language))] + [len(_as_text(row[index - 1])) for row in cells]
        )
        ws.column_dimensions[letter].width = min(_MAX_WIDTH, widest + 3)
        words = _words(column)
        if column.type in (ColumnType.CHOICE, ColumnType.BOOL) and words:
            choice = DataValidation(
                type="list", formula1='"' + ",".join(words.values()) + '"', allow_blank=True
            )
            choice.add(f"{letter}2:{letter}{max(len(cells) + 1, 1000)}")
            ws.add_data_validation(choice)
    if example:
        for row in ws.iter_rows(min_row=2, max_row=len(cells) + 1):
            for cell in row:
                cell.font = _EXAMPLE_FONT
    ws.freeze_panes = "A2"


def workbook_bytes(rows: SchoolRows, *, example: bool = False) -> bytes:
    """The whole workbook: the guide first, then every sheet in import order."""
    language = current_language()
    book = Workbook()
    _guide(book, language)
    for sheet in SHEETS:
        _data_sheet(
            book, sheet, sheet_cells(sheet, rows.get(sheet.kind, [])), language, example=example
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- CSV ------------------------------------------------------------------------------------


def csv_bytes(sheet: Sheet, rows: Iterable[Row]) -> bytes:
    """One sheet as Excel's «CSV UTF-8»: a BOM, ``;`` between fields, CRLF line ends."""
    language = current_language()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([header(column, language) for column in sheet.columns])
    for values in sheet_cells(sheet, rows):
        writer.writerow([_csv_text(value) for value in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_file_names() -> dict[str, str]:
    """Sheet kind → file name: «Ученики.csv» (the reader knows a sheet by its file's name)."""
    language = current_language()
    return {sheet.kind: f"{sheet.title(language)}.csv" for sheet in SHEETS}


def csv_files(rows: SchoolRows) -> dict[str, bytes]:
    """Every sheet as its own CSV file: file name → content."""
    names = csv_file_names()
    return {names[sheet.kind]: csv_bytes(sheet, rows.get(sheet.kind, [])) for sheet in SHEETS}


# --- the template ---------------------------------------------------------------------------


def _typed_example(column: Column) -> Value:
    """The example of a column as a value: a date as a date, a number as a number."""
    text = column.example_text()
    if not text:
        return None
    if column.type is ColumnType.DATE:
        return dt.datetime.strptime(text, "%d.%m.%Y").date()
    if column.type is ColumnType.INT:
        return int(text)
    if column.type is ColumnType.NUMBER:
        number = float(text.replace(",", "."))
        return int(number) if number.is_integer() else number
    return text


def template_rows() -> SchoolRows:
    """Each sheet with its one example row, in the current language."""
    return {
        sheet.kind: [{column.key: _typed_example(column) for column in sheet.columns}]
        for sheet in SHEETS
    }
