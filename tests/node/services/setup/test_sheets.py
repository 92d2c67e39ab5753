"""The sheet descriptions: names that cannot collide, headers found in either language."""

from __future__ import annotations

import pytest

from node.i18n import use_language
from node.services.setup.sheets import SHEETS, ColumnType, fold, sheet_named, sheet_of_kind

KINDS = (
    "year",
    "periods",
    "holidays",
    "bells",
    "subjects",
    "work_types",
    "classes",
    "staff",
    "students",
    "parents",
    "subgroups",
    "load",
    "timetable",
)


def test_every_kind_of_the_issue_in_its_order() -> None:
    assert tuple(sheet.kind for sheet in SHEETS) == KINDS


def test_sheet_names_do_not_collide() -> None:
    seen: dict[str, str] = {}
    for sheet in SHEETS:
        for name in sheet.names():
            assert seen.setdefault(name, sheet.kind) == sheet.kind, name
        assert len(sheet.ru) <= 31 and len(sheet.en) <= 31  # Excel's limit for a tab name


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s.kind)
def test_column_names_do_not_collide_within_a_sheet(sheet) -> None:
    seen: dict[str, str] = {}
    for column in sheet.columns:
        for name in column.names():
            assert seen.setdefault(name, column.key) == column.key, (sheet.kind, name)
    assert set(sheet.key) <= {c.key for c in sheet.columns}


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s.kind)
def test_headers_are_found_in_russian_and_english_whatever_the_case(sheet) -> None:
    for column in sheet.columns:
        assert sheet.column_for_header(column.ru.upper()) is column
        assert sheet.column_for_header(f"  {column.en.lower()} ") is column
    assert sheet.column_for_header("no such column") is None
    assert sheet_named(sheet.ru.lower()) is sheet
    assert sheet_named(sheet.en) is sheet
    assert sheet_of_kind(sheet.kind) is sheet


def test_staff_sheet_keeps_the_users_import_columns() -> None:
    staff = sheet_of_kind("staff")
    for header, key in {
        "login": "login",
        "логин": "login",
        "name": "name",
        "ФИО": "name",
        "roles": "roles",
        "роль": "roles",
    }.items():
        assert staff.column_for_header(header).key == key


def test_choice_examples_are_accepted_spellings_in_both_languages() -> None:
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.type is not ColumnType.CHOICE:
                continue
            for language in ("ru", "en"):
                with use_language(language):
                    assert fold(column.example_text()) in column.choices, (sheet.kind, language)


def test_explanations_are_translated() -> None:
    with use_language("ru"):
        for sheet in SHEETS:
            assert sheet.explanation() != sheet.help
            for column in sheet.columns:
                assert column.explanation() != column.help, (sheet.kind, column.key)
