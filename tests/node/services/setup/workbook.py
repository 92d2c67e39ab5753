"""A small real school as setup sheets, written by the tests themselves (openpyxl, csv).

Two classes (7А on quarters, 10Б on halves), three teachers, siblings in both classes
sharing a mother, a class split into English subgroups, its load and a week's timetable.
Each sheet is a header row (Russian headers) and data rows, so a test can change a cell
and see the problem named by sheet, row and column.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from node.services.setup.sheets import sheet_of_kind

Grid = list[list[Any]]

SCHOOL: dict[str, Grid] = {
    "year": [
        ["Название", "Начало", "Конец"],
        ["2026/2027", dt.date(2026, 9, 1), dt.date(2027, 5, 31)],
    ],
    "periods": [
        ["Схема", "Номер", "Название", "Начало", "Конец"],
        ["четверти", 1, "1 четверть", dt.date(2026, 9, 1), dt.date(2026, 10, 25)],
        ["четверти", 2, "2 четверть", dt.date(2026, 11, 4), dt.date(2026, 12, 28)],
        ["четверти", 3, "", "12.01.2027", "22.03.2027"],
        ["четверти", 4, "", "2027-03-31", "2027-05-31"],
        ["полугодия", 1, "", dt.date(2026, 9, 1), dt.date(2026, 12, 28)],
        ["полугодия", 2, "", dt.date(2027, 1, 12), dt.date(2027, 5, 31)],
    ],
    "holidays": [
        ["Название", "Начало", "Конец"],
        ["Осенние каникулы", dt.date(2026, 10, 26), dt.date(2026, 11, 3)],
        ["Зимние каникулы", dt.date(2026, 12, 29), dt.date(2027, 1, 11)],
    ],
    "bells": [
        ["Урок", "Начало", "Конец"],
        [1, dt.time(8, 30), dt.time(9, 15)],
        [2, "9:25", "10:10"],
        [3, "10:30", "11:15"],
    ],
    "subjects": [
        ["Предмет", "Сокращение", "Зачёт", "Письменные работы"],
        ["Математика", "Мат.", "нет", "да"],
        ["Русский язык", "Рус.", "", ""],
        ["Английский язык", "Англ.", "нет", "нет"],
    ],
    "work_types": [
        ["Вид работы", "Вес", "Тип"],
        ["Ответ на уроке", 1, "устная"],
        ["Контрольная работа", "2", "контрольная"],
    ],
    "classes": [
        ["Класс", "Классный руководитель", "Схема"],
        ["7А", "ivanova.m", "четверти"],
        ["10Б", "petrov.s", "полугодия"],
    ],
    "staff": [
        ["login", "name", "roles"],
        ["ivanova.m", "Иванова Мария Александровна", "учитель, классный"],
        ["petrov.s", "Петров Сергей Иванович", "teacher"],
        ["smith.j", "Смит Джон", "teacher"],
    ],
    "students": [
        ["Класс", "Фамилия", "Имя", "Отчество", "Дата рождения", "Дата зачисления"],
        ["7А", "Смирнов", "Дмитрий", "Олегович", dt.date(2013, 3, 14), None],
        ["7А", "Кузнецов", "Иван", "Петрович", "02.07.2013", None],
        ["10Б", "Смирнова", "Ольга", "Олеговна", "2010-05-20", "01.09.2026"],
    ],
    "parents": [
        ["Фамилия", "Имя", "Отчество", "Телефон", "Эл. почта", "Кем приходится", "Ученик",
         "Класс ученика"],
        ["Смирнова", "Елена", "Викторовна", "+7 912 345-67-89", "smirnova@example.ru", "мать",
         "Смирнов Дмитрий Олегович", "7А"],
        ["Смирнова", "Елена", "Викторовна", "+7 912 345-67-89", "smirnova@example.ru", "мать",
         "Смирнова Ольга Олеговна", "10Б"],
        ["Кузнецов", "Пётр", "", "8 (912) 000-11-22", "", "отец", "Кузнецов Иван Петрович",
         "7А"],
    ],
    "subgroups": [
        ["Класс", "Предмет", "Подгруппа", "Ученик"],
        ["7А", "Английский язык", "1 группа", "Смирнов Дмитрий Олегович"],
        ["7А", "Английский язык", "2 группа", "Кузнецов Иван Петрович"],
    ],
    "load": [
        ["Класс", "Предмет", "Учитель", "Подгруппа", "Часов в неделю"],
        ["7А", "Математика", "ivanova.m", "", 5],
        ["7А", "Английский язык", "smith.j", "1 группа", 3],
        ["7А", "Английский язык", "petrov.s", "2 группа", "1,5"],
        ["10Б", "Математика", "petrov.s", "", 4],
        ["10Б", "Русский язык", "ivanova.m", "", 3],
    ],
    "timetable": [
        ["Класс", "День", "Урок", "Предмет", "Подгруппа", "Учитель", "Кабинет"],
        ["7А", "Пн", 1, "Математика", "", "ivanova.m", 21],
        ["7А", "пн", 2, "Английский язык", "1 группа", "", "12"],
        ["7А", "понедельник", 2, "Английский язык", "2 группа", "petrov.s", "14"],
        ["10Б", 1, 1, "Математика", "", "", ""],
        ["10Б", "Вт", 1, "Русский язык", "", "ivanova.m", ""],
        ["7А", "Вт", 2, "Математика", "", "", "21"],
    ],
}  # fmt: skip


def school() -> dict[str, Grid]:
    """A fresh copy of the school's sheets, for a test to change."""
    return copy.deepcopy(SCHOOL)


def write_xlsx(path: Path, sheets: dict[str, Grid], *, language: str = "ru") -> Path:
    """One workbook, a tab per kind, tabs named in ``language``."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for kind, grid in sheets.items():
        worksheet = workbook.create_sheet(sheet_of_kind(kind).title(language))
        for row in grid:
            worksheet.append(row)
    workbook.save(path)
    return path


def _csv_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return "" if value is None else str(value)


def write_csvs(
    folder: Path, sheets: dict[str, Grid], *, delimiter: str = ";", bom: bool = True
) -> list[Path]:
    """One CSV per kind, as Excel writes «CSV UTF-8», named after the sheet's kind."""
    paths = []
    for kind, grid in sheets.items():
        path = folder / f"{kind}.csv"
        with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            for row in grid:
                writer.writerow([_csv_text(v) for v in row])
        paths.append(path)
    return paths
