"""Reading setup files as Excel and LibreOffice write them: xlsx tabs or one file per sheet,
CSV with ``;`` or ``,``, with or without a BOM; rows numbered as Excel shows them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from node.i18n import use_language
from node.services.base.actor import Actor
from node.services.setup import reader
from node.services.setup.reader import read_files
from node.services.setup.rows import typed_rows
from node.services.setup.run import import_setup
from node.services.setup.writer import template_rows, workbook_bytes
from tests.node.services.setup.workbook import school, write_csvs, write_xlsx


@pytest.mark.parametrize(
    ("delimiter", "bom"), [(";", True), (";", False), (",", True), (",", False)]
)
def test_csv_files_as_excel_writes_them_import(
    node: Actor, tmp_path: Path, delimiter: str, bom: bool
):
    paths = write_csvs(tmp_path, school(), delimiter=delimiter, bom=bom)
    report = import_setup(node, paths)
    assert report.ok and report.written, [str(p) for p in report.problems]
    assert report.counts["students"].created == 3 and report.counts["timetable"].created == 6
    assert all(load.lessons > 0 for load in report.teachers)


def test_an_english_workbook_and_a_workbook_per_sheet(node: Actor, tmp_path: Path):
    sheets = school()
    english = {kind: grid for kind, grid in sheets.items() if kind not in ("students", "parents")}
    paths = [write_xlsx(tmp_path / "school.xlsx", english, language="en")]
    for kind in ("students", "parents"):  # each its own file, a single tab named «Лист1»
        book = Workbook()
        book.active.title = "Лист1"
        for row in sheets[kind]:
            book.active.append(row)
        book.save(tmp_path / f"{kind}.xlsx")
        paths.append(tmp_path / f"{kind}.xlsx")
    report = import_setup(node, paths)
    assert report.ok, [str(p) for p in report.problems]
    assert report.counts["parents"].created == 3


def test_headers_any_case_titles_comments_and_excel_row_numbers(tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.title = "УЧЕНИКИ"
    sheet.append(["Список учащихся на 2026/2027 учебный год"])  # a title above the header
    sheet.append([" класс ", "ФАМИЛИЯ", "имя", "Отчество", "дата  рождения", "Примечание"])
    sheet.append(["# 7А", "Пример", "Строки", "с решёткой", "не читаются"])
    sheet.append(["7А", "Смирнов", "Дмитрий", "Олегович", dt.datetime(2013, 3, 14)])
    sheet.append([])
    sheet.append([None, None])
    sheet.append(["7А", "Кузнецов", "Иван", None, "02.07.2013", "новенький"])
    book.create_sheet("Пояснения").append(["Как заполнять"])
    book.save(tmp_path / "list.xlsx")
    bundle = read_files([tmp_path / "list.xlsx"])
    rows = typed_rows(bundle).of("students")
    assert [(r.number, r["last_name"], r["birth_date"]) for r in rows] == [
        (4, "Смирнов", dt.date(2013, 3, 14)),
        (7, "Кузнецов", dt.date(2013, 7, 2)),
    ]
    assert rows[0].source.header("birth_date") == "дата рождения"
    assert not bundle.problems
    assert any("«Примечание»" in note for note in bundle.notes)
    assert any("«Пояснения»" in note for note in bundle.notes)


def test_both_readers_give_the_same_cells_and_a_broken_cell_is_reported(tmp_path: Path):
    sheets = school()
    sheets["bells"][1][1] = dt.time(8, 30)
    path = write_xlsx(tmp_path / "school.xlsx", sheets)
    assert not reader._for_openpyxl(path)  # the fast reader's workbook
    fast, full = reader._calamine_grids(path), reader._openpyxl_grids(path)
    assert [(tab, [_trimmed(row) for row in grid]) for tab, grid in fast] == [
        (tab, [_trimmed(row) for row in grid]) for tab, grid in full
    ]
    # an error cell (a lookup that found nothing) is its text, not an empty cell
    sheets["parents"][1][4] = "#N/A"
    broken = write_xlsx(tmp_path / "broken.xlsx", sheets)
    book = load_workbook(broken)
    book[book.sheetnames[list(sheets).index("parents")]]["E2"].data_type = "e"
    book.save(broken)
    assert reader._for_openpyxl(broken)
    problems = [str(p) for p in typed_rows(read_files([broken])).problems.items]
    assert problems == [], problems  # read as text: the e-mail check speaks later
    rows = typed_rows(read_files([broken])).of("parents")
    assert rows[0]["email"] == "#N/A"


def _trimmed(row: tuple[object, ...]) -> tuple[object, ...]:
    """A row without its empty cells at the end (each reader pads rows its own way)."""
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row[:end]


def test_a_csv_named_anyhow_is_known_by_its_header(tmp_path: Path):
    path = tmp_path / "Список 7А.csv"
    path.write_text(
        "Класс;Фамилия;Имя;Дата рождения\r\n7А;Смирнов;Дмитрий;14.03.2013\r\n",
        encoding="utf-8-sig",
    )
    bundle = read_files([path])
    assert [source.sheet.kind for source in bundle.sources] == ["students"]
    assert bundle.sources[0].label == "Список 7А.csv"


def test_files_that_cannot_be_read_are_problems_not_errors(tmp_path: Path):
    cp1251 = tmp_path / "students.csv"
    cp1251.write_bytes(
        "Класс;Фамилия;Имя;Дата рождения\n7А;Смирнов;Дмитрий;14.03.2013\n".encode("cp1251")
    )
    unknown = tmp_path / "заметки.csv"
    unknown.write_text("что;где\n1;2\n", encoding="utf-8")
    missing = tmp_path / "staff.csv"
    missing.write_text("login;roles\nivanova;teacher\n", encoding="utf-8")
    bundle = read_files([cp1251, unknown, missing, tmp_path / "nowhere.xlsx"])
    problems = [str(p) for p in bundle.problems.items]
    assert problems[0].startswith("students.csv: is not in UTF-8")
    assert problems[1].startswith("заметки.csv: cannot tell which sheet this is")
    assert problems[2].startswith("staff.csv, row 1: the column «Name» is missing")
    assert problems[3].startswith("nowhere.xlsx: cannot be read")


def test_the_users_import_csv_still_imports_on_its_own(node: Actor, tmp_path: Path):
    path = tmp_path / "учителя.csv"
    path.write_bytes("\ufefflogin;name;roles\npetrov;Петров Олег;teacher\n".encode())
    report = import_setup(node, [path])
    assert report.ok and report.written, [str(p) for p in report.problems]
    assert [code.login for code in report.codes] == ["petrov"]
    assert report.teachers == [] and report.lessons_created == 0


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_empty_template_reads_without_a_word_about_its_guide(tmp_path: Path, language: str):
    with use_language(language):
        path = tmp_path / "template.xlsx"
        path.write_bytes(workbook_bytes(template_rows(), example=True))
        bundle = read_files([path])
    assert bundle.notes == [] and not bundle.problems
    assert len(bundle.sources) == 13
