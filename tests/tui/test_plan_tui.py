"""Pilot tests of the thematic plan screen: open, add, edit, delete, import, coverage.

The demo teacher works in Russian, so the checks look at numbers and state, not words.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Static

from node.models import History, LessonPlanItem, PlanItem
from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import PASSWORD, SIZE, open_journal, status
from tui.app import EdiaryApp
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.home import HomeScreen
from tui.screens.journal import JournalScreen
from tui.screens.plan import PlanScreen
from tui.screens.plan_dialogs import ImportDialog, PlanLineDialog


async def open_plan(pilot, app: EdiaryApp) -> DataTable:
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    await press(pilot, "k")  # the highlighted journal of the home screen
    await settle(pilot)
    assert isinstance(app.screen, PlanScreen)
    return app.screen.query_one("#plan-table", DataTable)


def plan_count(app: EdiaryApp) -> int:
    assert isinstance(app.screen, PlanScreen)
    return PlanItem.select().where(PlanItem.assignment == app.screen.assignment_id).count()


async def test_the_plan_opens_from_the_journal_and_shows_coverage(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_journal(pilot, app)
        assert isinstance(app.screen, JournalScreen)
        assignment_id = app.screen.target.assignment_id
        await press(pilot, "k")
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        assert app.screen.assignment_id == assignment_id
        table = app.screen.query_one("#plan-table", DataTable)
        assert table.row_count == plan_count(app) > 0
        view = app.screen.view
        coverage = str(app.screen.query_one("#coverage", Static).render())
        assert "25.11" in coverage
        assert f"{view.coverage.planned_hours:g}" in coverage
        assert f"{view.coverage.taught_hours:g}" in coverage
        linked = app.screen.view.lines[0].lessons
        assert (
            linked
            == LessonPlanItem.select()
            .where(LessonPlanItem.plan_item == app.screen.view.lines[0].item.id)
            .count()
        )
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)


async def test_a_line_is_added_and_edited(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_plan(pilot, app)
        before = plan_count(app)
        await press(pilot, "a")
        await settle(pilot)
        assert isinstance(app.screen, PlanLineDialog)
        app.screen.query_one("#section", Input).value = "Повторение"
        app.screen.query_one("#topic", Input).value = "Итоговое повторение"
        app.screen.query_one("#hours", Input).value = "2"
        app.screen.query_one("#week", Input).value = "33"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        assert plan_count(app) == before + 1
        item = PlanItem.get(PlanItem.topic == "Итоговое повторение")
        assert (item.section, item.hours, item.planned_week) == ("Повторение", 2.0, 33)
        assert table.row_count == before + 1
        # Enter on the first line edits it
        table.move_cursor(row=0)
        first = app.screen.view.lines[0].item
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, PlanLineDialog)
        assert app.screen.query_one("#topic", Input).value == first.topic
        app.screen.query_one("#topic", Input).value = "Вводный урок"
        await press(pilot, "enter")
        await settle(pilot)
        assert PlanItem.get_by_id(first.id).topic == "Вводный урок"
        assert not status(app).has_class("error")


async def test_bad_numbers_keep_the_dialog_open_and_a_refusal_writes_nothing(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_plan(pilot, app)
        before, changes = plan_count(app), History.select().count()
        await press(pilot, "a")
        await settle(pilot)
        app.screen.query_one("#topic", Input).value = "Тема"
        app.screen.query_one("#hours", Input).value = "два"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PlanLineDialog)
        assert str(app.screen.query_one(".status", Static).render())  # says what is wrong
        # an empty topic: the service refuses, the status line says so
        app.screen.query_one("#hours", Input).value = "1"
        app.screen.query_one("#topic", Input).value = ""
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        assert status(app).has_class("error")
        assert (plan_count(app), History.select().count()) == (before, changes)


async def test_a_line_is_deleted_after_confirmation_unless_lessons_use_it(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_plan(pilot, app)
        screen = app.screen
        assert isinstance(screen, PlanScreen)
        before = plan_count(app)
        # the first line is linked to a lesson: refused
        assert screen.view.lines[0].lessons
        await press(pilot, "delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "y")
        await settle(pilot)
        assert status(app).has_class("error")
        assert plan_count(app) == before
        # a line no lesson covers: deleted; "n" keeps it
        free = [i for i, line in enumerate(screen.view.lines) if not line.lessons]
        assert free
        table.move_cursor(row=free[0])
        item_id = screen.view.lines[free[0]].item.id
        await press(pilot, "delete")
        await settle(pilot)
        await press(pilot, "n")
        await settle(pilot)
        assert plan_count(app) == before
        await press(pilot, "delete")
        await settle(pilot)
        await press(pilot, "y")
        await settle(pilot)
        assert plan_count(app) == before - 1
        assert PlanItem.get_or_none(PlanItem.id == item_id) is None
        assert table.row_count == before - 1


async def test_a_csv_file_is_imported_and_bad_lines_are_named(demo_db: Path, tmp_path: Path):
    good = tmp_path / "plan.csv"
    good.write_text("Раздел;Тема;Часы;Неделя\nПовторение;Тема А;1;30\n;Тема Б;2;31\n", "utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("Повторение;Тема А;1;30\nПовторение;Тема Б;много;31\n", "utf-8")
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_plan(pilot, app)
        before, changes = plan_count(app), History.select().count()
        for path in (bad, tmp_path / "missing.csv"):
            await press(pilot, "i")
            await settle(pilot)
            assert isinstance(app.screen, ImportDialog)
            app.screen.query_one("#path", Input).value = str(path)
            await press(pilot, "enter")
            await settle(pilot)
            assert isinstance(app.screen, PlanScreen)
            assert status(app).has_class("error")
            assert (plan_count(app), History.select().count()) == (before, changes)
        assert "missing.csv" in str(status(app).render())
        await press(pilot, "i")
        await settle(pilot)
        app.screen.query_one("#path", Input).value = str(bad)
        await press(pilot, "enter")
        await settle(pilot)
        assert " 2" in str(status(app).render())  # the line of the bad row
        await press(pilot, "i")
        await settle(pilot)
        app.screen.query_one("#path", Input).value = str(good)
        await press(pilot, "enter")
        await settle(pilot)
        assert not status(app).has_class("error")
        assert "2" in str(status(app).render())
        assert plan_count(app) == before + 2
        assert table.row_count == before + 2
        assert PlanItem.get(PlanItem.topic == "Тема Б").section == "Повторение"
