"""Exports of a report ``Table``: CSV for Excel in a Russian locale, and printable HTML.

CSV: UTF-8 with a BOM (so Excel detects the encoding), ``;`` between fields, a decimal
comma, CRLF line ends. HTML: one self-contained page, stdlib escaping, an A4 print style,
no scripts. Both read the same rows, so the numbers match.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from html import escape
from pathlib import Path

from node.errors import StorageError
from node.i18n import _
from node.services.reports.table import Cell, Table

_CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "PT Sans", Arial, sans-serif; font-size: 10pt; color: #000; }
h1 { font-size: 14pt; margin: 0 0 2mm; }
p { margin: 0 0 4mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #444; padding: 1mm 2mm; vertical-align: top; }
th { background: #eee; text-align: left; }
td.n { text-align: right; white-space: nowrap; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
"""


def format_cell(value: Cell) -> str:
    """A value as a Russian spreadsheet shows it: decimal comma, no trailing ",0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([table.title])
    if table.subtitle:
        writer.writerow([table.subtitle])
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([format_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_html(table: Table, *, school: str = "", lang: str = "ru") -> str:
    def cell(value: Cell) -> str:
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        css = ' class="n"' if numeric else ""
        return f"<td{css}>{escape(format_cell(value))}</td>"

    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "\n".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in table.rows)
    heading = f"{escape(school)}: {escape(table.title)}" if school else escape(table.title)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(table.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{heading}</h1>\n<p>{escape(table.subtitle)}</p>\n"
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"
        "</body>\n</html>\n"
    )


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written report."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise StorageError(
            _("Cannot write the report to {path}: {reason}").format(path=path, reason=exc.strerror)
        ) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise StorageError(
            _("Cannot write the report to {path}: {reason}").format(path=path, reason=exc.strerror)
        ) from None
