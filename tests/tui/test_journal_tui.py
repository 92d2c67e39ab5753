"""Pilot tests of the teacher's TUI on the demo school: sign-in, home, the journal grid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList, Static

from node.models import FinalMark, History, Mark, Period
from node.services.base import clock
from tests.tui.drive import press, settle
from tui.app import EdiaryApp
from tui.screens.dialogs import HistoryDialog, JustificationDialog, LessonDialog
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen
from tui.screens.journal import JournalScreen, PeriodDialog
from tui.screens.signin import SignInScreen
from tui.widgets.journal_table import FINAL, JournalTable

PASSWORD = "ediary-demo"
SIZE = (80, 24)


def status(app: EdiaryApp) -> Static:
    return app.screen.query_one("#status", Static)


async def open_journal(pilot: Pilot[None], app: EdiaryApp) -> JournalTable:
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    await press(pilot, "enter")  # the first journal (the list has the focus)
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
        await press(pilot, *"teacher", "enter", *PASSWORD, "enter")
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
        await press(pilot, *"teacher", "enter", *"wrong", "enter")
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
        await press(pilot, "4", "/", "5", "enter")
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
        await press(pilot, "н", "enter")
        await settle(pilot)
        assert "н" in str(table.get_cell(next_student, lesson_id))
        # the cell's history dialog
        await press(pilot, "up", "h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryDialog)
        assert app.screen.changes
        await press(pilot, "escape")


async def test_a_refused_mark_writes_nothing_and_says_why(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        marks, changes = Mark.select().count(), History.select().count()
        await press(pilot, "7", "enter")
        await settle(pilot)
        assert status(app).has_class("error")
        assert "7" in str(status(app).render())
        assert (Mark.select().count(), History.select().count()) == (marks, changes)
        # a lesson that has not taken place yet refuses too
        table.move_cursor(column=table.column_index(FINAL) - 1)
        await press(pilot, "5", "enter")
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
        assert "🔒" in table.column_label(FINAL)
        finals = FinalMark.select().count()
        table.move_cursor(column=table.column_index(FINAL))
        await press(pilot, "5", "enter")
        await settle(pilot)
        assert status(app).has_class("error")
        assert FinalMark.select().count() == finals


async def test_a_final_mark_off_the_suggestion_asks_for_a_justification(demo_db: Path):
    with clock.frozen_time(dt.date(2026, 10, 24)):  # the day after the first quarter
        app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        await press(pilot, "f")
        student_id, column = first_cell(table)
        assert column == FINAL
        assert table.grid is not None
        suggested = table.grid.suggested[student_id]
        value = "2" if suggested is None or suggested >= 4 else "5"
        await press(pilot, value, "enter")
        await settle(pilot)
        assert isinstance(app.screen, JustificationDialog)
        assert app.screen.reasons
        app.screen.query_one("#justification", Input).value = "Не сдал ни одной работы"
        await press(pilot, "enter")
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
        await press(pilot, "up", "h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryDialog)
        assert [c.new for c in app.screen.changes if c.field == "value"] == [value]
        await press(pilot, "escape")


async def test_p_picks_another_period(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        assert table.grid is not None
        current = table.grid.period_id
        await press(pilot, "p")
        await settle(pilot)
        assert isinstance(app.screen, PeriodDialog)
        await press(pilot, "escape")  # cancelled: the same journal
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        assert table.grid.period_id == current
        await press(pilot, "p", "up", "enter")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        first = Period.get(Period.name == "1 четверть")
        assert table.grid.period_id == first.id != current
        assert "1 четверть" in str(app.screen.query_one("#period", Static).render())


async def test_a_click_puts_the_cursor_on_a_cell(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        await press(pilot, "home")
        name_width = table.ordered_columns[0].render_width
        await pilot.click(JournalTable, offset=(name_width + 1, 3))  # the third student
        assert table.cursor_coordinate == (2, 1)
        await pilot.click(JournalTable, offset=(1, 0))  # the header: nothing moves
        assert table.cursor_coordinate == (2, 1)


HOMEWORK = "Упр. 3: Съёмка, жюри, хлеб"


async def test_the_lesson_dialog_saves_the_homework(demo_db: Path):
    """Typed in the Russian layout: «е» opens the dialog as t does, and the homework typed
    into it keeps its Cyrillic letters (none of them fires a key of the screen)."""
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        _student, lesson_id = first_cell(table)
        await press(pilot, "е")
        await settle(pilot)
        assert isinstance(app.screen, LessonDialog)
        homework = app.screen.query_one("#homework", Input)
        homework.value = ""
        homework.focus()
        await press(pilot, *HOMEWORK)  # ё ж х б ю ъ are punctuation keys in the US layout
        assert homework.value == HOMEWORK
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        from node.models import Lesson

        assert Lesson.get_by_id(lesson_id).homework == HOMEWORK


async def test_the_lesson_dialog_offers_the_plan_only_when_there_is_one(demo_db: Path):
    """A new class's journal has no thematic plan yet: the topic's label does not send the
    teacher to a list «below» that is not there."""
    from node.models import LessonPlanItem, PlanItem

    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_journal(pilot, app)
        await press(pilot, "t")
        await settle(pilot)
        labels = [str(label.render()) for label in app.screen.query(Label)]
        assert "Topic (or pick plan items below; Space ticks)" in labels
        await press(pilot, "escape")
        await settle(pilot)
        journal = app.screen.target.assignment_id
        plan = PlanItem.select(PlanItem.id).where(PlanItem.assignment == journal)
        LessonPlanItem.delete().where(LessonPlanItem.plan_item.in_(plan)).execute()
        PlanItem.delete().where(PlanItem.assignment == journal).execute()
        await press(pilot, "escape")
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        await press(pilot, "t")
        await settle(pilot)
        labels = [str(label.render()) for label in app.screen.query(Label)]
        assert "Topic" in labels and not any("below" in text for text in labels)


async def test_the_help_screen_lists_the_keys_of_the_journal(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_journal(pilot, app)
        await press(pilot, "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        described = {text for _key, text in app.screen.rows}
        assert {"Topic/homework", "History", "Back", "Quit", "Plan"} <= described
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)


async def test_quitting_signs_out(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        token = app.backend.session.token if app.backend.session else ""
        await press(pilot, "ctrl+q")
        await settle(pilot)
    from node.models import Session
    from node.services.access.auth import token_hash

    assert Session.get(Session.token_hash == token_hash(token)).revoked_at is not None


def expected_line(table: JournalTable, y: int) -> str:
    """Line ``y`` drawn the simple way: every cell padded, then the scrolled part cut out."""
    cells = table._header if y == 0 else table._cells[table.scroll_offset.y + y - 1]
    texts = [
        " " + text + " " * (column.width - cell_len(text)) + " "
        for (text, _style), column in zip(cells, table.ordered_columns, strict=True)
    ]
    fixed, rest = texts[0], "".join(texts[1:])
    x, width = table.scroll_offset.x, table.size.width
    line = fixed + rest[x : x + width - cell_len(fixed)]
    return line + " " * (width - cell_len(line))


async def test_columns_scrolled_into_view_are_drawn(demo_db: Path):
    """Only the cells on screen are drawn: every scroll position must show the right ones,
    with the header and the students' column in place."""
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        for keys in (["f"], ["right", "right"], ["home"], ["end"], [20], ["down"] * 12):
            if keys == [20]:  # the mouse wheel scrolls without moving the cursor
                table.scroll_to(x=20, animate=False)
            else:
                await press(pilot, *keys)
            await settle(pilot)
            for y in range(8):
                assert table.render_line(y).text == expected_line(table, y), (keys, y)
            row, column = table.cursor_coordinate
            drawn = table.render_line(row + 1 - table.scroll_offset.y).text
            text = str(table.get_cell(*first_cell(table)))
            assert text in drawn, keys  # the cursor's cell is in view


async def test_a_mark_shows_at_once_and_a_refusal_puts_the_cell_back(demo_db: Path, monkeypatch):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        table.move_cursor(column=table.column_index(FINAL) - 1)  # a lesson still to come
        student_id, lesson_id = first_cell(table)
        before = str(table.get_cell(student_id, lesson_id))
        writes: list[tuple[str, ...]] = []
        with monkeypatch.context() as patch:  # the write is held back: the cell shows it
            patch.setattr(app.screen, "write", lambda *args: writes.append(args))
            await press(pilot, "3", "enter")
            assert writes == [(student_id, lesson_id, "3")]
            assert str(table.get_cell(student_id, lesson_id)) == "3"
        await press(pilot, "up", "3", "enter")  # now written, and refused
        await settle(pilot)
        assert status(app).has_class("error")
        assert str(table.get_cell(student_id, lesson_id)) == before


async def test_a_lost_database_is_reported_not_a_crash(demo_db: Path, tmp_path: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_journal(pilot, app)
        student_id, lesson_id = first_cell(table)
        before = str(table.get_cell(student_id, lesson_id))
        demo_db.rename(tmp_path / "moved.db")  # the disk went away under the app
        try:
            await press(pilot, "5", "enter")
            await settle(pilot)
            assert isinstance(app.screen, JournalScreen)
            assert status(app).has_class("error")
            assert "moved" not in str(status(app).render())
            assert str(table.get_cell(student_id, lesson_id)) == before
            await press(pilot, "r")  # reloading says so too
            await settle(pilot)
            assert status(app).has_class("error")
        finally:
            demo_db.unlink(missing_ok=True)
            (tmp_path / "moved.db").rename(demo_db)
