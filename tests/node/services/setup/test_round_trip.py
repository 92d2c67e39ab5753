"""The template, the shipped example school, the export and LibreOffice, end to end.

template → the example school (the template filled in) → import → export → import again,
which reports every row unchanged; the same with CSV files; and an xlsx that LibreOffice
Calc saved from CSV files imports as well.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from node.i18n import use_language
from node.models import Guardian, SchoolClass, Student
from node.services.base.actor import Actor
from node.services.setup import writer
from node.services.setup.export import export_school
from node.services.setup.run import check_setup, import_setup
from node.services.setup.sheets import SHEETS
from node.services.students import classes
from node.spreadsheet import spreadsheet_text
from tests.node.services.setup.workbook import school, write_xlsx

ROOT = Path(__file__).resolve().parents[4]
EXAMPLE = ROOT / "examples" / "school-example.xlsx"
EXAMPLE_CSV = ROOT / "examples" / "csv"


def _all_unchanged(report) -> None:
    assert report.ok, [str(p) for p in report.problems]
    for kind, counts in report.counts.items():
        assert counts.created == counts.updated == counts.left == 0, (kind, counts)
    assert report.counts["students"].unchanged == 60


def test_the_example_is_the_template_filled_in():
    """Same tabs, same headers (the shipped workbook is Russian, as its school is)."""
    with use_language("ru"):
        template = load_workbook(io.BytesIO(writer.workbook_bytes(writer.template_rows())))
    example = load_workbook(EXAMPLE)
    assert example.sheetnames == template.sheetnames
    for sheet in SHEETS:
        title = sheet.title("ru")
        assert [c.value for c in example[title][1]] == [c.value for c in template[title][1]]
        assert example[title].max_row > 1, title


def test_example_import_export_import_again_changes_nothing(node: Actor, tmp_path: Path):
    first = import_setup(node, [EXAMPLE])
    assert first.written, [str(p) for p in first.problems]
    assert first.notes == []  # the guide tab is known, not «a tab ediary does not read»
    assert first.counts["classes"].created == 3
    assert first.counts["students"].created == 60
    assert first.lessons_created > 2000
    out = tmp_path / "school.xlsx"
    with use_language("en"):  # the export in the other language reads back the same
        out.write_bytes(writer.workbook_bytes(export_school(node)))
    again = import_setup(node, [out])
    _all_unchanged(again)
    assert again.lessons_created == 0


def test_the_shipped_csv_files_and_an_exported_csv_folder_read_the_same(
    node: Actor, tmp_path: Path
):
    assert import_setup(node, sorted(EXAMPLE_CSV.glob("*.csv"))).written
    _all_unchanged(check_setup(node, [EXAMPLE]))
    with use_language("ru"):
        files = writer.csv_files(export_school(node))
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    _all_unchanged(check_setup(node, sorted(tmp_path.glob("*.csv"))))


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (Debian's libreoffice-calc, which .ci/run installs) is not installed",
)
def test_an_xlsx_saved_by_libreoffice_imports(node: Actor, tmp_path: Path):
    """The example school as CSV files made here (as ediary writes them: phones as
    «'+7 913…»), opened as a Russian secretary's LibreOffice opens them (`;`, UTF-8, Russian
    locale: 01.09.2026 becomes a date), saved as .xlsx, one workbook per sheet, and
    imported into a new school."""
    csv_dir = tmp_path / "csv"
    csv_dir.mkdir()
    example = load_workbook(EXAMPLE)
    for sheet in SHEETS:
        title = sheet.title("ru")
        with (csv_dir / f"{title}.csv").open("w", encoding="utf-8", newline="") as out:
            table = csv.writer(out, delimiter=";")
            for row in example[title].iter_rows(values_only=True):
                table.writerow([_text(value) for value in row])
    out = tmp_path / "xlsx"
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--infilter=CSV:59,34,76,1,,1049",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *sorted(str(p) for p in csv_dir.glob("*.csv")),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "HOME": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    saved = sorted(out.glob("*.xlsx"))
    assert len(saved) == len(SHEETS), done.stdout + done.stderr
    students = load_workbook(out / "Ученики.xlsx").active
    assert students.cell(2, 5).is_date  # LibreOffice wrote a real date, not text
    report = import_setup(node, saved)
    assert report.written, [str(p) for p in report.problems]
    assert report.counts["students"].created == 60
    assert report.counts["timetable"].created == 69
    _all_unchanged(check_setup(node, [EXAMPLE]))


def _text(value: object) -> str:
    """A cell as ediary's CSV has it: dates as 01.09.2026, text formula-safe («'+7 913…»)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, str):
        return spreadsheet_text(value)
    return str(value)


def test_the_shipped_example_is_what_its_tool_builds(tmp_path: Path):
    """examples/ is rebuilt by tools/example_school.py: every cell the same."""
    spec = importlib.util.spec_from_file_location(
        "example_school", ROOT / "tools" / "example_school.py"
    )
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = tool  # its dataclasses look their module up
    try:
        spec.loader.exec_module(tool)
    finally:
        del sys.modules[spec.name]
    tool.main(["--out", str(tmp_path)])
    built, shipped = load_workbook(tmp_path / EXAMPLE.name), load_workbook(EXAMPLE)
    assert built.sheetnames == shipped.sheetnames
    for title in shipped.sheetnames:
        assert list(built[title].values) == list(shipped[title].values), title
    for path in EXAMPLE_CSV.iterdir():
        assert (tmp_path / "csv" / path.name).read_bytes() == path.read_bytes(), path.name


def _nothing_changes(report) -> None:
    assert report.ok, [str(p) for p in report.problems]
    for kind, counts in report.counts.items():
        assert counts.created == counts.updated == counts.left == 0, (kind, counts)


def test_a_parent_without_a_phone_is_exported_as_the_import_takes_it(node: Actor, tmp_path: Path):
    """The phone is not required (the services and the regulation do not require it), so
    a parent without one is imported, exported with an empty cell and read back unchanged;
    an empty phone cell keeps the phone ediary has, as an empty e-mail cell does."""
    sheets = school()
    sheets["parents"][3][3] = ""  # Кузнецов Пётр has no phone
    assert import_setup(node, [write_xlsx(tmp_path / "school.xlsx", sheets)]).written
    assert Guardian.get(Guardian.last_name == "Кузнецов").phone == ""
    rows = export_school(node)
    assert [r["phone"] for r in rows["parents"] if r["last_name"] == "Кузнецов"] == [""]
    exported = tmp_path / "export.xlsx"
    exported.write_bytes(writer.workbook_bytes(rows))
    _nothing_changes(import_setup(node, [exported]))
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, data in writer.csv_files(rows).items():
        (folder / name).write_bytes(data)
    _nothing_changes(check_setup(node, sorted(folder.glob("*.csv"))))
    sheets["parents"][1][3] = sheets["parents"][2][3] = None  # the mother's phone left out
    report = import_setup(node, [write_xlsx(tmp_path / "again.xlsx", sheets)])
    _nothing_changes(report)
    assert report.counts["parents"].unchanged == 3 and Guardian.select().count() == 2
    assert Guardian.get(Guardian.last_name == "Смирнова").phone == "+7 912 345-67-89"


def test_the_template_does_not_mark_the_phone_required():
    with use_language("ru"):
        template = load_workbook(io.BytesIO(writer.workbook_bytes(writer.template_rows())))
    headers = [c.value for c in template["Родители"][1]]
    assert "Телефон" in headers and "Фамилия *" in headers


def test_a_student_without_a_birth_date_is_exported_as_the_import_takes_it(
    node: Actor, tmp_path: Path
):
    """A class teacher may enrol a child whose birth date is not known yet; the export
    leaves the cell empty and reads back unchanged, and an empty cell keeps a birth date."""
    assert import_setup(node, [write_xlsx(tmp_path / "school.xlsx", school())]).written
    seventh = SchoolClass.get(SchoolClass.grade == 7)
    classes.enrol_student(node, seventh.id, "Орлова", "Вера", enrolled_on=dt.date(2026, 9, 1))
    rows = export_school(node)
    assert [r["birth_date"] for r in rows["students"] if r["last_name"] == "Орлова"] == [None]
    exported = tmp_path / "export.xlsx"
    exported.write_bytes(writer.workbook_bytes(rows))
    report = import_setup(node, [exported])
    _nothing_changes(report)
    assert report.counts["students"].unchanged == 4
    sheets = school()
    sheets["students"][1][4] = None  # Смирнов Дмитрий's birth date left out
    sheets["students"].append(["7А", "Орлова", "Вера", "", None, "01.09.2026"])
    report = import_setup(node, [write_xlsx(tmp_path / "again.xlsx", sheets)])
    _nothing_changes(report)
    assert Student.get(Student.first_name == "Дмитрий").birth_date == dt.date(2013, 3, 14)
    assert Student.select().count() == 4
