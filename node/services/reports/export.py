"""Exports of a report ``Table``: CSV for Excel in a Russian locale, and the atomic write.

CSV: UTF-8 with a BOM (so Excel detects the encoding), ``;`` between fields, a decimal
comma, CRLF line ends. Every text cell goes through ``node.spreadsheet``: a topic or a name
a user typed as ``=HYPERLINK(…)`` must not become a formula when the file is opened. A
cell the report holds as a number (int/float) is written as a number, a negative one too:
it cannot carry a formula, and it must stay a number for the spreadsheet to sum it.

The printable HTML of the same rows is ``node.render.report``'s
(the core does not import Jinja2), so the numbers match.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from node.errors import StorageError
from node.files import write_private
from node.i18n import _, os_reason
from node.services.reports.table import Cell, Table
from node.spreadsheet import spreadsheet_text


def format_cell(value: Cell) -> str:
    """A value as a Russian spreadsheet shows it: decimal comma, no trailing ",0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def csv_cell(value: Cell) -> str:
    """One CSV cell: numbers as numbers (a decimal comma), text made formula-safe."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_cell(value)
    return spreadsheet_text(format_cell(value))


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(table.title)])
    if table.subtitle:
        writer.writerow([csv_cell(table.subtitle)])
    writer.writerow([csv_cell(column) for column in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_atomically(path: Path, data: bytes) -> None:
    """Never a half-written report, and 0600: a report names children (``node.files``)."""
    try:
        write_private(path, data)
    except OSError as exc:
        raise StorageError(
            _("Cannot write the report to {path}: {reason}").format(
                path=path, reason=os_reason(exc)
            )
        ) from None
