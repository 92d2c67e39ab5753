"""The set-up workbook as written: the template, words the reader takes, CSV for Excel."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from node.i18n import use_language
from node.services.access.logins import parse_roles
from node.services.setup import writer
from node.services.setup.export import export_school
from node.services.setup.sheets import SHEETS, ColumnType, fold


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_template_explains_itself_first_then_has_every_sheet(language):
    with use_language(language):
        book = load_workbook(
            io.BytesIO(writer.workbook_bytes(writer.template_rows(), example=True))
        )
        guide_title = writer.guide_title()
        titles = [sheet.title(language) for sheet in SHEETS]
    assert book.sheetnames == [guide_title, *titles]
    guide = [row[0] for row in book[guide_title].iter_rows(values_only=True)]
    assert any("--check" in str(line) for line in guide)
    for sheet in SHEETS:
        ws = book[sheet.title(language)]
        heads = [cell.value for cell in ws[1]]
        assert heads == [writer.header(c, language) for c in sheet.columns]
        required = [c.required for c in sheet.columns]
        assert [str(h).endswith(" *") for h in heads] == required
        assert all(cell.comment is not None for cell in ws[1])
        assert ws.max_row == 2  # one example row, greyed
        assert all(cell.font.italic for cell in ws[2])
        for cell, column in zip(ws[2], sheet.columns, strict=True):
            with use_language(language):
                example = column.example_text()
            if column.type is ColumnType.DATE:
                assert cell.value.date().strftime("%d.%m.%Y") == example
            else:
                assert str(cell.value if cell.value is not None else "") == example


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_word_written_is_one_the_reader_takes_back(language):
    for sheet in SHEETS:
        for column in sheet.columns:
            with use_language(language):
                words = writer._words(column)  # noqa: SLF001 — the words are the contract
            for value, word in words.items():
                if column.type is ColumnType.CHOICE:
                    assert column.choices[fold(word)] == value, (sheet.kind, word)
                elif column.key == "roles":
                    assert parse_roles(word) == {value}
                elif column.type is ColumnType.BOOL:
                    assert fold(word) in {"да", "нет", "yes", "no"}


def test_an_export_has_dates_as_dates_and_words_in_the_users_language(school):
    rows = export_school(school.actor(school.director))
    with use_language("ru"):
        book = load_workbook(io.BytesIO(writer.workbook_bytes(rows)))
    periods = book["Периоды"]
    assert [c.value for c in periods[2]][:3] == ["четверти", 1, "1 четверть"]
    assert periods.cell(2, 4).value == dt.datetime(2026, 9, 1)
    assert periods.cell(2, 4).number_format == writer.DATE_FORMAT
    staff = {row[0]: row for row in book["Сотрудники"].iter_rows(min_row=2, values_only=True)}
    assert staff["ivanova"][2] == "учитель, классный"
    timetable = list(book["Расписание"].iter_rows(min_row=2, values_only=True))
    assert timetable[0][:4] == ("7А", "Пн", 2, "Математика")
    subjects = {r[0]: r for r in book["Предметы"].iter_rows(min_row=2, values_only=True)}
    assert subjects["Физическая культура"][2:] == ("да", "нет")


def test_csv_is_what_excel_writes_as_csv_utf8(school):
    rows = export_school(school.actor(school.director))
    with use_language("ru"):
        files = writer.csv_files(rows)
    assert set(files) == {f"{sheet.title('ru')}.csv" for sheet in SHEETS}
    data = files["Периоды.csv"]
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Схема *;Номер *;Название;Начало *;Конец *"
    assert lines[1] == "четверти;1;1 четверть;01.09.2026;24.10.2026"
    work = files["Виды работ.csv"].decode("utf-8-sig")
    assert "Самостоятельная работа;1,5;письменная" in work
