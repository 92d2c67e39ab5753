"""CSV for Excel in a Russian locale (its printable HTML: tests/node/render/test_report.py)."""

from __future__ import annotations

import csv
import io

from node.services.reports.export import format_cell, to_csv
from node.services.reports.table import Table

TABLE = Table(
    title="Контроль",
    subtitle="09.11.2026 – 25.11.2026",
    columns=("Учитель", "Доля, %", "Уроки"),
    rows=(("Иванова М. А.; <b>", 66.7, 5), ("Всего", None, 0), ("Ровно", 50.0, 2)),
)


def test_csv_is_utf8_with_bom_semicolons_decimal_comma_and_crlf():
    data = to_csv(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[2] == ["Учитель", "Доля, %", "Уроки"]
    assert rows[3] == ["Иванова М. А.; <b>", "66,7", "5"]  # quoted, not split
    assert rows[4] == ["Всего", "", "0"]
    assert rows[5][1] == "50"


def test_format_cell():
    assert [format_cell(v) for v in (None, 3, 4.25, 88.0, "x")] == ["", "3", "4,25", "88", "x"]


def test_text_that_a_spreadsheet_would_run_is_neutralised_numbers_stay_numbers():
    """OWASP's CSV injection advice: = + - @ tab CR (also after spaces) start a formula."""
    evil = ('=HYPERLINK("http://evil";"x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "  =1")
    table = Table(
        title="=title",
        subtitle="-sub",
        columns=("@who", "value"),
        rows=(*((text, -1.5) for text in evil), ("Петров-Водкин", -3), ("—", None)),
    )
    text = to_csv(table).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["'=title"] and rows[1] == ["'-sub"] and rows[2] == ["'@who", "value"]
    assert [row[0] for row in rows[3:10]] == ["'" + text for text in evil]
    assert {row[1] for row in rows[3:10]} == {"-1,5"}  # a negative number stays a number
    assert rows[10] == ["Петров-Водкин", "-3"] and rows[11] == ["—", ""]
