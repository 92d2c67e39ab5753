"""Reading setup files: an ``.xlsx`` workbook (a tab per kind, or a file per kind) or
``.csv`` files as Excel writes «CSV UTF-8» (``;`` or ``,``, with or without a BOM).

A tab or file is matched to its sheet by its name, or else by its header row. Rows keep the
number Excel shows for them. Nothing here knows the database: it turns files into rows and
says, for each thing it cannot read, where it is and what to do.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from python_calamine import CalamineWorkbook, SheetTypeEnum

from node.i18n import LANGUAGES, N_, _, current_language, gettext, os_reason, use_language
from node.services.setup.cells import Cell, cell_text
from node.services.setup.problems import Problems
from node.services.setup.sheets import SHEETS, Sheet, fold, sheet_named
from node.spreadsheet import from_spreadsheet_text

#: The title of the template's guide sheet (``writer.guide_title``): skipped without a note.
GUIDE = N_("How to fill in")
#: How many rows above the header may hold a title or a note.
HEADER_SEARCH_ROWS = 10
#: A row whose first filled cell starts with this is a comment: the template's example row
#: is written so («# 7А»), and a user may keep notes the same way.
COMMENT = "#"


@dataclass(frozen=True)
class RawRow:
    """A row of cells by column key, with the row number Excel shows."""

    number: int
    cells: dict[str, Cell]


@dataclass
class Source:
    """One tab or one CSV file holding rows of one sheet."""

    sheet: Sheet
    label: str
    headers: dict[str, str]  # column key → the header as written
    rows: list[RawRow] = field(default_factory=list)

    def header(self, key: str) -> str:
        """The column's header as written in this file, or its name in the user's language."""
        return self.headers.get(key) or self.sheet.column(key).header(current_language())


@dataclass
class Bundle:
    """Everything read from the files given, with what could not be read."""

    sources: list[Source] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    notes: list[str] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Source]:
        return [source for source in self.sources if source.sheet.kind == kind]


# --- files → grids of cells ------------------------------------------------------------------


def _xlsx_grids(path: Path, problems: Problems) -> Iterator[tuple[str, list[tuple[Cell, ...]]]]:
    """(tab name, rows of cells) for every tab of a workbook.

    python-calamine reads the cells (a whole school's workbook in a fifth of a second, five
    times faster than openpyxl's reader, which was the slowest part of an import). A
    workbook holding error cells (#N/A, #REF!…) or negative numbers is read by openpyxl
    instead: it keeps an error as its text and a date before 1900 (a typo like 1013) as a
    date, so the check reports what is wrong with them; calamine reads the one as an empty
    cell and the other as a time.
    """
    try:
        grids = _openpyxl_grids(path) if _for_openpyxl(path) else _calamine_grids(path)
    # Any failure of the parser on a damaged or foreign file is the file's problem, to be
    # reported as such, never a crash of the import.
    except Exception:
        problems.add(
            path.name,
            None,
            None,
            _(
                "cannot be read as an Excel workbook; save it again as .xlsx "
                "(Excel workbook) or as «CSV UTF-8»."
            ),
        )
        return
    yield from grids


#: How a cell of type error starts in a sheet's XML, as Excel, LibreOffice and openpyxl write it.
_ERROR_CELL = re.compile(rb"""<(?:\w+:)?c\b[^>]*\bt=["']e["']""")
#: A cell's value that is a negative number.
_NEGATIVE = re.compile(rb"<(?:\w+:)?v>\s*-")


def _for_openpyxl(path: Path) -> bool:
    """Does a sheet of the workbook hold an error cell or a negative number?"""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                data = archive.read(name)
                maybe = b't="e"' in data or b"t='e'" in data  # a quick look before the exact one
                if (maybe and _ERROR_CELL.search(data)) or _NEGATIVE.search(data):
                    return True
    return False


def _calamine_grids(path: Path) -> list[tuple[str, list[tuple[Cell, ...]]]]:
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        return [
            (
                sheet.name,
                [
                    tuple(_calamine_cell(cell) for cell in row)
                    for row in workbook.get_sheet_by_name(sheet.name).to_python(
                        skip_empty_area=False
                    )
                ],
            )
            for sheet in workbook.sheets_metadata
            if sheet.typ == SheetTypeEnum.WorkSheet
        ]
    finally:
        workbook.close()


def _calamine_cell(value: object) -> Cell:
    """A cell as openpyxl gives it, which the rest of the reader expects: an empty cell is
    ``None``, a whole number an ``int``, a date a ``datetime`` at midnight."""
    if isinstance(value, str):
        return _unquoted(value) if value else None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return cast(Cell, value)


def _openpyxl_grids(path: Path) -> list[tuple[str, list[tuple[Cell, ...]]]]:
    from openpyxl import load_workbook  # a few hundred milliseconds: only when it is needed

    grids: list[tuple[str, list[tuple[Cell, ...]]]] = []
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for worksheet in workbook.worksheets:
            rows = [
                tuple(_unquoted(cast(Cell, cell)) for cell in row)
                for row in worksheet.iter_rows(values_only=True)
            ]
            # formulas are read as their values (data_only): only plain cell values come
            grids.append((worksheet.title, rows))
    finally:
        workbook.close()
    return grids


def _unquoted(cell: Cell) -> Cell:
    """A text cell as ediary wrote it: «'+7 912…» (formula-safe, ``node.spreadsheet``) is
    «+7 912…», also after a spreadsheet opened ediary's CSV and saved it as a workbook."""
    return from_spreadsheet_text(cell) if isinstance(cell, str) else cell


def _csv_grid(path: Path, data: bytes, problems: Problems) -> list[tuple[Cell, ...]] | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.add(
            path.name,
            None,
            None,
            _("is not in UTF-8: in Excel save it as «CSV UTF-8», then try again."),
        )
        return None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        # ediary's own CSV (an export, the template) writes «'+7 912…» so that no spreadsheet
        # runs a cell as a formula; the value is what follows the «'»
        return [tuple(_unquoted(cell) for cell in row) for row in rows]
    except csv.Error as exc:
        problems.add(
            path.name,
            None,
            None,
            _(
                "is not a CSV file Excel would write ({error}); save it again as «CSV UTF-8»."
            ).format(error=exc),
        )
        return None


# --- grids → sources -------------------------------------------------------------------------


def _find_header(
    grid: Sequence[tuple[Cell, ...]], candidates: Iterable[Sheet]
) -> tuple[Sheet, int] | None:
    """The sheet whose columns best match one of the first rows, and that row's index.

    With one candidate (the tab or file is named), the first row naming any of its columns
    is the header. Otherwise a sheet must be named by all its required columns.
    """
    candidates = list(candidates)
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        texts = [cell_text(cell) for cell in row if cell_text(cell)]
        if not texts:
            continue
        best: list[tuple[int, Sheet]] = []
        for sheet in candidates:
            found = {c.key for t in texts if (c := sheet.column_for_header(t)) is not None}
            required = {c.key for c in sheet.columns if c.required}
            if len(candidates) == 1 and found:
                return sheet, index
            if required <= found and len(found) == len(texts):
                best.append((len(found), sheet))
        if best:
            best.sort(key=lambda item: -item[0])
            if len(best) == 1 or best[0][0] > best[1][0]:
                return best[0][1], index
    return None


def _source(
    sheet: Sheet, label: str, grid: Sequence[tuple[Cell, ...]], header_index: int, bundle: Bundle
) -> Source:
    header_row = grid[header_index]
    positions: dict[int, str] = {}
    headers: dict[str, str] = {}
    for position, cell in enumerate(header_row):
        text = cell_text(cell)
        if not text:
            continue
        column = sheet.column_for_header(text)
        if column is None:
            bundle.notes.append(
                _("{sheet}: the column «{column}» is not one ediary reads; it was skipped.").format(
                    sheet=label, column=text
                )
            )
        elif column.key in headers:
            bundle.problems.add(
                label,
                header_index + 1,
                text,
                _("the column «{first}» appears twice; keep one of them.").format(
                    first=headers[column.key]
                ),
            )
        else:
            positions[position] = column.key
            headers[column.key] = text
    source = Source(sheet, label, headers)
    for column in sheet.columns:
        if column.required and column.key not in headers:
            bundle.problems.add(
                label,
                header_index + 1,
                None,
                _("the column «{column}» is missing; add it to the header row. {help}").format(
                    column=column.header(current_language()), help=column.explanation()
                ),
            )
    for index in range(header_index + 1, len(grid)):
        row = grid[index]
        cells = {key: row[pos] for pos, key in positions.items() if pos < len(row)}
        first = next((cell_text(c) for c in row if cell_text(c)), "")
        if not first or first.startswith(COMMENT):
            continue
        source.rows.append(RawRow(index + 1, cells))
    return source


def _is_guide(tab: str) -> bool:
    """The template's first sheet, which explains how to fill it in (see ``writer``)."""
    for language in LANGUAGES:
        with use_language(language):
            if fold(tab) == fold(gettext(GUIDE)):
                return True
    return False


def _add_grid(
    bundle: Bundle, label: str, name: str, grid: Sequence[tuple[Cell, ...]], *, named_by: str
) -> None:
    """Match a grid to a sheet by ``name`` (a tab or file name), else by its header."""
    if not any(cell_text(c) for row in grid for c in row):
        return  # an empty tab (a new workbook's «Лист1»)
    named = sheet_named(name)
    found = _find_header(grid, [named] if named else SHEETS)
    if found is None:
        if named is None and named_by == "tab":
            if _is_guide(name):
                return
            bundle.notes.append(
                _("The tab «{tab}» is not a sheet ediary reads; it was skipped.").format(tab=label)
            )
            return
        bundle.problems.add(
            label,
            None,
            None,
            _(
                "cannot tell which sheet this is: name it like one of the template's sheets "
                "({names}) and put the column names in its first row."
            ).format(names=", ".join(s.title(current_language()) for s in SHEETS)),
        )
        return
    sheet, header_index = found
    bundle.sources.append(_source(sheet, label, grid, header_index, bundle))


def read_files(paths: Sequence[Path]) -> Bundle:
    """Read every file given; what cannot be read becomes a problem, never an exception."""
    bundle = Bundle()
    for path in paths:
        path = Path(path)
        suffix = path.suffix.lower()
        try:
            data = path.read_bytes() if suffix != ".xlsx" else b""
            if suffix == ".xlsx" and not path.is_file():
                raise FileNotFoundError(errno.ENOENT, "", str(path))
        except OSError as exc:
            bundle.problems.add(
                path.name,
                None,
                None,
                _("cannot be read ({error}); check the file's name and folder.").format(
                    error=os_reason(exc)
                ),
            )
            continue
        if suffix == ".xlsx":
            grids = list(_xlsx_grids(path, bundle.problems))
            for tab, grid in grids:
                # a workbook of one tab with a default name («Лист1») is named by its file
                name = tab if sheet_named(tab) or len(grids) > 1 else path.stem
                _add_grid(bundle, tab, name, grid, named_by="tab" if len(grids) > 1 else "file")
        elif suffix in (".csv", ".txt"):
            csv_grid = _csv_grid(path, data, bundle.problems)
            if csv_grid is not None:
                _add_grid(bundle, path.name, path.stem, csv_grid, named_by="file")
        else:
            bundle.problems.add(
                path.name,
                None,
                None,
                _(
                    "is neither .xlsx nor .csv; in Excel or LibreOffice save it as an Excel "
                    "workbook (.xlsx) or as «CSV UTF-8»."
                ),
            )
    return bundle
