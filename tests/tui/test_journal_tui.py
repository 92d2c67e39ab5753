"""Pilot tests of the teacher's TUI on the demo school: sign-in, home, the journal grid."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from node.models import FinalMark, History, Mark, Period
from node.services import clock
from tui.app import EdiaryApp
from tui.screens.dialogs import HistoryDialog, JustificationDialog, LessonDialog
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen
from tui.screens.journal import JournalScreen
from tui.screens.signin import SignInScreen
from tui.widgets.journal_table import FINAL, JournalTable

PASSWORD = "ediary-demo"
SIZE = (80, 24)


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and their messages be handled (twice quiet in a row)."""
    quiet = 0
    for _ in range(500):
        await pilot.pause(0.01)
        busy = any(
            worker.is_running or worker.state.name == "PENDING" for worker in pilot.app.workers
        )
        quiet = 0 if busy else quiet + 1
        if quiet >= 3:
            return


def status(app: EdiaryApp) -> Static:
    return app.screen.query_one("#status", Static)


async def open_journal(pilot: Pilot[None], app: EdiaryApp) -> JournalTable:
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    await pilot.press("enter")  # the first journal (the list has the focus)
    await settle(pilot)
    assert isinstance(app.screen, JournalScreen)
    return app.screen.query_one(JournalTable)


def first_cell(table: JournalTable) -> tuple[str, str]:
    keys = table.cursor_keys()
    assert keys is not None
    return keys


async def test_sign_in_with_the_right_password_opens_home(demo_db: Path):
    app = EdiaryApp(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await pilot.press(*"teacher", "enter", *PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        journals = app.screen.query_one("#journals", OptionList)
        assert journals.option_count == 2
        today = app.screen.query_one("#today", OptionList)
        assert "7А" in str(today.get_option_at_index(0).prompt)
        assert app.backend.session is not None


async def test_a_wrong_password_is_refused_on_the_sign_in_screen(demo_db: Path):
    app = EdiaryApp(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"teacher", "enter", *"wrong", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "Wrong login or password" in str(status(app).render())
        assert app.backend.session is None


async def test_home_lists_what_needs_attention(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        attention = app.screen.query_one("#attention", OptionList)
        texts = [
            str(attention.get_option_at_index(i).prompt) for i in range(attention.option_count)
        ]
        assert any("no homework" in text or "no topic" in text for text in texts)


async def test_a_typed_mark_is_saved_with_its_history(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        student_id, lesson_id = first_cell(table)
        await pilot.press("4", "/", "5", "enter")
        await settle(pilot)
        values = [
            m.value
            for m in Mark.select()
            .where(Mark.lesson == lesson_id, Mark.student == student_id)
            .order_by(Mark.position)
        ]
        assert values == ["4", "5"]
        assert History.of_cell(lesson_id, student_id).count() >= 1
        assert str(table.get_cell(student_id, lesson_id)) == "4/5"
        assert table.cursor_row == 1  # Enter moved down to the next student
        # "н" marks the next student absent
        next_student, _lesson = first_cell(table)
        await pilot.press("н", "enter")
        await settle(pilot)
        assert "н" in str(table.get_cell(next_student, lesson_id))
        # the cell's history dialog
        await pilot.press("up", "h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryDialog)
        assert app.screen.changes
        await pilot.press("escape")


async def test_a_refused_mark_writes_nothing_and_says_why(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        marks, changes = Mark.select().count(), History.select().count()
        await pilot.press("7", "enter")
        await settle(pilot)
        assert status(app).has_class("error")
        assert "7" in str(status(app).render())
        assert (Mark.select().count(), History.select().count()) == (marks, changes)
        # a lesson that has not taken place yet refuses too
        table.move_cursor(column=table.column_index(FINAL) - 1)
        await pilot.press("5", "enter")
        await settle(pilot)
        assert status(app).has_class("error")
        assert (Mark.select().count(), History.select().count()) == (marks, changes)


async def test_final_marks_after_the_deadline_are_locked(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_journal(pilot, app)
        first = Period.get(Period.name == "1 четверть")
        app.screen.load(first.id)
        await settle(pilot)
        table = app.screen.query_one(JournalTable)
        assert "🔒" in str(
            table.columns[table.coordinate_to_cell_key((0, 0)).column_key].label
        ) or ("🔒" in str(table.ordered_columns[table.column_index(FINAL)].label))
        finals = FinalMark.select().count()
        table.move_cursor(column=table.column_index(FINAL))
        await pilot.press("5", "enter")
        await settle(pilot)
        assert status(app).has_class("error")
        assert FinalMark.select().count() == finals


async def test_a_final_mark_off_the_suggestion_asks_for_a_justification(demo_db: Path):
    with clock.frozen_time(dt.date(2026, 10, 24)):  # the day after the first quarter
        app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        await pilot.press("f")
        student_id, column = first_cell(table)
        assert column == FINAL
        assert table.grid is not None
        suggested = table.grid.suggested[student_id]
        value = "2" if suggested is None or suggested >= 4 else "5"
        await pilot.press(value, "enter")
        await settle(pilot)
        assert isinstance(app.screen, JustificationDialog)
        assert app.screen.reasons
        app.screen.query_one("#justification", Input).value = "Не сдал ни одной работы"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        assert not status(app).has_class("error"), status(app).render()
        final = FinalMark.get(
            FinalMark.student == student_id,
            FinalMark.period == table.grid.period_id,
            FinalMark.assignment == table.grid.assignment_id,
        )
        assert (final.value, final.justification) == (value, "Не сдал ни одной работы")
        assert str(table.get_cell(student_id, FINAL)) == value
        # h on the final cell (Enter moved down a row): its history
        await pilot.press("up", "h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryDialog)
        assert [c.new for c in app.screen.changes if c.field == "value"] == [value]
        await pilot.press("escape")


async def test_the_lesson_dialog_saves_the_homework(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        _student, lesson_id = first_cell(table)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, LessonDialog)
        app.screen.query_one("#homework").value = "§ 12, упр. 3"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        from node.models import Lesson

        assert Lesson.get_by_id(lesson_id).homework == "§ 12, упр. 3"


async def test_the_help_screen_lists_the_keys_of_the_journal(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_journal(pilot, app)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        described = {text for _key, text in app.screen.rows}
        assert {"Topic/homework", "History", "Back", "Quit", "Thematic plan"} <= described
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)


async def test_quitting_signs_out(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        token = app.backend.session.token if app.backend.session else ""
        await pilot.press("ctrl+q")
        await settle(pilot)
    from node.models import Session
    from node.services.auth import token_hash

    assert Session.get(Session.token_hash == token_hash(token)).revoked_at is not None


async def test_columns_scrolled_into_view_are_drawn(demo_db: Path, monkeypatch):
    """Off-screen cells are drawn as blanks (speed): every scroll position must look as
    the stock DataTable draws it."""
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        for keys in (["f"], ["right", "right"], ["home"], ["end"], [20]):
            if keys == [20]:  # the mouse wheel scrolls without moving the cursor
                table.scroll_to(x=20, animate=False)
            else:
                await pilot.press(*keys)
            await settle(pilot)
            ours = [table.render_line(y).text for y in range(6)]
            with monkeypatch.context() as patch:
                patch.setattr(table, "_render_cell", partial(DataTable._render_cell, table))
                table._row_render_cache.clear()
                table._line_cache.clear()
                stock = [table.render_line(y).text for y in range(6)]
            table._row_render_cache.clear()
            table._line_cache.clear()
            assert ours == stock, keys
            for y in range(6):  # cache our rows here: the next scroll must not reuse them
                table.render_line(y)


async def test_a_lost_database_is_reported_not_a_crash(demo_db: Path, tmp_path: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        student_id, lesson_id = first_cell(table)
        before = str(table.get_cell(student_id, lesson_id))
        demo_db.rename(tmp_path / "moved.db")  # the disk went away under the app
        try:
            await pilot.press("5", "enter")
            await settle(pilot)
            assert isinstance(app.screen, JournalScreen)
            assert status(app).has_class("error")
            assert "moved" not in str(status(app).render())
            assert str(table.get_cell(student_id, lesson_id)) == before
            await pilot.press("r")  # reloading says so too
            await settle(pilot)
            assert status(app).has_class("error")
        finally:
            demo_db.unlink(missing_ok=True)
            (tmp_path / "moved.db").rename(demo_db)
