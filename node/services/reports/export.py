"""Exports of a report ``Table``: CSV for Excel in a Russian locale, and the atomic write.

CSV: UTF-8 with a BOM (so Excel detects the encoding), ``;`` between fields, a decimal
comma, CRLF line ends. The printable HTML of the same rows is ``node.render.report``'s
(the core does not import Jinja2), so the numbers match.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from pathlib import Path

from node.errors import StorageError
from node.i18n import _
from node.services.reports.table import Cell, Table


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
