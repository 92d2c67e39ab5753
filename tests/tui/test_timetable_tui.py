"""Pilot tests of the timetable editor at 80×24 on the demo school, in Russian: every key.

The demo's one class, 7А, has 8 bells; on Monday: 1 Музыка (Королёва, 211), 2 Русский язык,
3 English in two groups (rooms 202 and 203). Павлова teaches algebra and geometry and is free
on Monday. «Today» is Wednesday 25.11.2026, so «tomorrow» is 26.11.2026.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from node.i18n import use_language
from node.models import Lesson, TimetableSlot, User
from node.models.database import open_database
from tests.helpers import nothing_written
from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import PASSWORD, SIZE, status
from tui.app import EdiaryApp
from tui.screens.admin_screen import AdminScreen
from tui.screens.day_dialogs import CancelDialog, MoveDialog
from tui.screens.help import HelpScreen, help_rows
from tui.screens.home import HomeScreen
from tui.screens.timetable import TimetableScreen
from tui.screens.timetable_dialogs import ApplyDialog, ChooseDialog, PlaceDialog
from tui.screens.timetable_report import KeptLessonsScreen

MONDAY = dt.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def russian(english) -> Iterator[None]:
    """The deputy's screen speaks Russian, as at the school (after the suite's English)."""
    with use_language("ru"):
        yield


def app_for(demo_db: Path, tmp_path: Path, login: str = "deputy") -> EdiaryApp:
    return EdiaryApp(demo_db, sign_in_as=(login, PASSWORD), data_dir=tmp_path)


def grid(app: EdiaryApp) -> DataTable:
    return app.screen.query_one("#tt-grid", DataTable)


def cell(app: EdiaryApp, weekday: int, number: int) -> str:
    return str(grid(app).get_cell(str(number), str(weekday)))


def said(app: EdiaryApp) -> str:
    return str(status(app).render())


def bar(app: EdiaryApp) -> str:
    return str(app.screen.query_one("#tt-bar", Static).render())


async def type_text(pilot, text: str) -> None:
    for char in text:
        await press(pilot, char)


async def open_timetable(pilot, app: EdiaryApp) -> None:
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    await press(pilot, "a")
    await settle(pilot)
    assert isinstance(app.screen, AdminScreen)
    await press(pilot, "t")
    await settle(pilot)
    assert isinstance(app.screen, TimetableScreen)


def slots_at(weekday: int, number: int) -> list[tuple[str, str]]:
    query = TimetableSlot.select().where(
        TimetableSlot.weekday == weekday, TimetableSlot.number == number
    )
    return sorted((s.assignment.subject.name, s.room) for s in query)


async def test_reached_from_administration_help_and_palette(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await settle(pilot)
        assert "t" in dict(help_rows(app.screen))
        await press(pilot, "t")
        await settle(pilot)
        assert isinstance(app.screen, TimetableScreen)
        assert "7А" in bar(app)
        table = grid(app)
        assert table.row_count == 8
        assert [str(c.label) for c in table.columns.values()] == [
            "№",
            "Пн",
            "Вт",
            "Ср",
            "Чт",
            "Пт",
            "Сб",
        ]
        assert cell(app, 1, 1) == "Муз 211\nКоролёва"
        assert cell(app, 1, 3) == "Англ/Англ 202/203\nВолкова/Анисимова"
        assert "Музыка — Королёва Е. И., каб. 211" in said(app)  # the cursor's cell in full
        own = {b.action for b in TimetableScreen.BINDINGS}
        descriptions = {
            active.binding.description
            for active in app.screen.active_bindings.values()
            if active.binding.action in own
        }
        assert len(descriptions) == len(own)
        await press(pilot, "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = {what for _key, what in app.screen.rows}
        assert descriptions <= rows and "Поставить в клетку урок из нагрузки, с кабинетом" in rows
        await press(pilot, "escape")
        await settle(pilot)
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, AdminScreen)
        [command] = [c for c in app.get_system_commands(app.screen) if c.callback == app.timetable]
        command.callback()
        await settle(pilot)
        assert isinstance(app.screen, TimetableScreen)


async def test_the_sysadmin_is_told_the_timetable_is_the_administrations(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path, "admin")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await settle(pilot)
        await press(pilot, "t")
        await settle(pilot)
        assert isinstance(app.screen, AdminScreen)
        assert "расписание" in str(status(app).render()).lower()
        assert not any(c.callback == app.timetable for c in app.get_system_commands(app.screen))


async def test_enter_puts_a_lesson_of_the_load_in_a_cell_with_its_room(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_timetable(pilot, app)
        await press(pilot, "enter")  # Monday, lesson 1: Музыка
        await settle(pilot)
        assert isinstance(app.screen, PlaceDialog)
        options = app.screen.query_one("#place-load", OptionList)
        assert str(options.get_option_at_index(options.highlighted).prompt).startswith("Музыка")
        await type_text(pilot, "изоб")
        assert options.option_count == 1
        await press(pilot, "enter")  # the one left: on to the room
        app.screen.query_one("#place-room", Input).value = ""
        await type_text(pilot, "212")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, TimetableScreen)
        assert cell(app, 1, 1) == "ИЗО 212\nПетрова"
        assert "Изобразительное искусство" in said(app)
        open_database(demo_db)
        assert slots_at(1, 1) == [("Изобразительное искусство", "212")]


async def test_a_clash_is_refused_naming_the_lesson_and_nothing_changes(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_timetable(pilot, app)
        open_database(demo_db)
        with nothing_written():
            await press(pilot, "down", "down")  # Monday, lesson 3: English in two groups
            await press(pilot, "enter")
            await settle(pilot)
            await type_text(pilot, "филип")  # informatics, group 1, in room 203 (group 2's)
            await press(pilot, "enter")
            app.screen.query_one("#place-room", Input).value = "203"
            await press(pilot, "enter")
            await settle(pilot)
            assert isinstance(app.screen, TimetableScreen)
            assert status(app).has_class("error")
            assert "203" in said(app) and "Английский язык, 7А (2 группа)" in said(app)
            # Павлова's week: algebra on Monday 1 would overlap 7А's music
            await press(pilot, "t")
            await settle(pilot)
            assert isinstance(app.screen, ChooseDialog)
            await type_text(pilot, "павл")
            await press(pilot, "enter")
            await settle(pilot)
            assert "Павлова" in bar(app)
            await press(pilot, "up", "up")  # back to lesson 1
            await press(pilot, "enter")
            await settle(pilot)
            await type_text(pilot, "алгеб")
            await press(pilot, "enter", "enter")
            await settle(pilot)
            assert status(app).has_class("error") and "Музыка, 7А" in said(app)
        assert cell(app, 1, 1) == ""


async def test_delete_clears_a_cell_and_a_free_cell_says_so(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_timetable(pilot, app)
        await press(pilot, "down", "down")
        await press(pilot, "delete")
        await settle(pilot)
        assert cell(app, 1, 3) == ""
        open_database(demo_db)
        assert slots_at(1, 3) == []
        await press(pilot, "delete")
        await settle(pilot)
        assert status(app).has_class("error")
        await press(pilot, "left")  # the numbers' column: not a cell
        await press(pilot, "delete")
        assert status(app).has_class("error")


async def test_weeks_of_classes_and_teachers_and_refresh(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_timetable(pilot, app)
        await press(pilot, "t")
        await settle(pilot)
        await type_text(pilot, "мельн")
        await press(pilot, "enter")
        await settle(pilot)
        assert "Мельник" in bar(app)
        assert cell(app, 1, 2) == "7А Рус\n201"
        await press(pilot, "right_square_bracket")
        await settle(pilot)
        assert "Мельник" not in bar(app)
        await press(pilot, "left_square_bracket")
        await settle(pilot)
        assert "Мельник" in bar(app)
        await press(pilot, "c")
        await settle(pilot)
        assert isinstance(app.screen, ChooseDialog)
        await press(pilot, "enter")
        await settle(pilot)
        assert "7А" in bar(app) and cell(app, 1, 1) == "Муз 211\nКоролёва"
        await press(pilot, "f5")
        await settle(pilot)
        assert cell(app, 1, 1) == "Муз 211\nКоролёва"
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, AdminScreen)


async def test_applying_from_a_date_keeps_lessons_with_data_and_the_deputy_decides(
    demo_db, tmp_path
):
    open_database(demo_db)
    music = [
        x
        for x in Lesson.select().where(Lesson.number == 1, Lesson.date >= MONDAY)
        if x.date.isoweekday() == 1
    ]
    with_topic, with_homework = music[0], music[1]
    with_topic.topic = "Песни о Родине"
    with_topic.save()
    with_homework.homework = "Выучить песню"
    with_homework.save()
    past = Lesson.select().where(Lesson.date <= dt.date(2026, 11, 25)).count()
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_timetable(pilot, app)
        await press(pilot, "delete")  # Monday 1: no music any more
        await settle(pilot)
        await press(pilot, "g")
        await settle(pilot)
        assert isinstance(app.screen, ApplyDialog)
        field = app.screen.query_one("#apply-date", Input)
        assert field.value == "26.11.2026"  # tomorrow
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, KeptLessonsScreen)
        table = app.screen.query_one("#kept-table", DataTable)
        assert table.row_count == 2
        assert [str(c) for c in table.get_row_at(0)][:3] == [
            with_topic.date.strftime("%d.%m"),
            "1",
            "7А",
        ]
        assert str(table.get_row_at(0)[4]) == "тема"
        assert str(table.get_row_at(1)[4]) == "домашнее задание"
        await press(pilot, "c")
        await settle(pilot)
        assert isinstance(app.screen, CancelDialog)
        await type_text(pilot, "нет музыки")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, KeptLessonsScreen)
        assert str(table.get_row_at(0)[4]) == "отменён"
        await press(pilot, "c")  # done already: said, nothing else
        assert status(app).has_class("error")
        await press(pilot, "down", "m")
        await settle(pilot)
        assert isinstance(app.screen, MoveDialog)
        await press(pilot, "enter")
        app.screen.query_one("#move-number", Input).value = "8"
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, KeptLessonsScreen)
        assert "8-й урок" in str(table.get_row_at(1)[4])
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, TimetableScreen)
        assert "2" in said(app)
    assert Lesson.get_by_id(with_topic.id).status == "cancelled"
    assert Lesson.get_by_id(with_homework.id).number == 8
    others = [
        x
        for x in Lesson.select().where(Lesson.number == 1, Lesson.date >= MONDAY)
        if x.date.isoweekday() == 1
    ]
    assert {x.id for x in others} == {with_topic.id}  # the rest of Monday's music is gone
    assert Lesson.select().where(Lesson.date <= dt.date(2026, 11, 25)).count() == past


async def test_a_bad_date_is_refused_and_nothing_is_written(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_timetable(pilot, app)
        open_database(demo_db)
        with nothing_written():
            await press(pilot, "g")
            await settle(pilot)
            field = app.screen.query_one("#apply-date", Input)
            field.value = "32.13.2026"
            await press(pilot, "enter")
            await settle(pilot)
            assert isinstance(app.screen, ApplyDialog)
            assert app.screen.query_one("#dialog-status", Static).has_class("error")
            field.value = "01.07.2030"
            await press(pilot, "enter")
            await settle(pilot)
            assert isinstance(app.screen, TimetableScreen)
            assert status(app).has_class("error") and "учебный год" in said(app)
            await press(pilot, "enter")  # the cell picker, then Escape: nothing
            await settle(pilot)
            await press(pilot, "escape")
            await settle(pilot)
            assert isinstance(app.screen, TimetableScreen)
    assert User.select().count()
