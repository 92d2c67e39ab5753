"""A report's printable HTML page, from the same rows as its CSV."""

from __future__ import annotations

from node.render.report import to_html
from node.services.reports.table import Table

TABLE = Table(
    title="Контроль",
    subtitle="09.11.2026 – 25.11.2026",
    columns=("Учитель", "Доля, %", "Уроки"),
    rows=(("Иванова М. А.; <b>", 66.7, 5), ("Всего", None, 0), ("Ровно", 50.0, 2)),
)


def test_html_is_escaped_printable_and_has_no_script():
    page = to_html(TABLE, school="Школа № 1")
    assert "&lt;b&gt;" in page and "<b>" not in page
    assert "@page { size: A4" in page and "<script" not in page.lower()
    assert '<td class="n">66,7</td>' in page
    assert page.count("<tr>") == 4
