"""A report ``Table`` as one printable HTML page: self-contained, A4 landscape, no scripts.

It reads the same rows as the CSV export (``node.services.reports.export.to_csv``), so the
numbers match.
"""

from __future__ import annotations

from node.render.environment import render
from node.services.reports.table import Table


def to_html(table: Table, *, school: str = "", lang: str = "ru") -> str:
    return render("report.html", table=table, school=school, lang=lang)
