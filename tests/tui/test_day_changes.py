"""Pilot tests of the day's changes at 80×24 on the demo school: every key, from the keyboard.

The demo's one class, 7А, has six lessons on Wednesday 25.11.2026 (Рябов М. Д. teaches the
3rd and the 4th); the deputy works in Russian, so checks compare rows with the services.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import DataTable, Input, OptionList, Static

from node.models import Lesson, Mark, Substitution, User
from node.models.database import open_database
from node.services.base.actor import Actor
from node.services.school import substitutions
from node.services.school.school_day import school_day
from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import PASSWORD, SIZE, status
from tui.app import EdiaryApp
from tui.screens.admin_screen import AdminScreen
from tui.screens.day_changes import DayChangesScreen
from tui.screens.day_dialogs import CancelDialog, DateDialog, MoveDialog, SubstituteDialog
from tui.screens.help import HelpScreen, help_rows
from tui.screens.home import HomeScreen
from tui.screens.journal import JournalScreen
from tui.widgets.journal_table import JournalTable

TODAY = dt.date(2026, 11, 25)


def deputy() -> Actor:
    return Actor.from_user(User.get(User.login == "deputy"))


def day_table(app: EdiaryApp) -> DataTable:
    return app.screen.query_one("#day-table", DataTable)


def cells(app: EdiaryApp, row: int) -> list[str]:
    return [str(c) for c in day_table(app).get_row_at(row)]


def bar(app: EdiaryApp) -> str:
    return str(app.screen.query_one("#day-bar", Static).render())


async def open_day(pilot, app: EdiaryApp) -> None:
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    await press(pilot, "a")
    await settle(pilot)
    assert isinstance(app.screen, AdminScreen)
    await press(pilot, "c")
    await settle(pilot)
    assert isinstance(app.screen, DayChangesScreen)


async def to_row(pilot, row: int) -> None:
    for _step in range(row):
        await press(pilot, "down")


async def type_text(pilot, text: str) -> None:
    for char in text:
        await press(pilot, char)


def app_for(demo_db: Path, tmp_path: Path, login: str = "deputy") -> EdiaryApp:
    return EdiaryApp(demo_db, sign_in_as=(login, PASSWORD), data_dir=tmp_path)


async def test_the_screen_is_reached_from_administration_help_and_palette(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await settle(pilot)
        admin_keys = dict(help_rows(app.screen))
        assert "c" in admin_keys  # listed in F1 of the administration screen
        await press(pilot, "c")
        await settle(pilot)
        assert isinstance(app.screen, DayChangesScreen)
        open_database(demo_db)
        expected = school_day(deputy(), TODAY)
        assert day_table(app).row_count == len(expected) == 6
        assert cells(app, 2)[:4] == ["7А", "3", "Обществознание", "Рябов М. Д."]
        assert "25.11.2026" in bar(app)
        day_screen = app.screen
        own = {b.action for b in DayChangesScreen.BINDINGS}
        expected_rows = {
            active.binding.description
            for active in day_screen.active_bindings.values()
            if active.binding.action in own
        }
        assert len(expected_rows) == len(own)  # every key has its own description
        await press(pilot, "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert expected_rows <= {what for _key, what in app.screen.rows}
        await press(pilot, "escape")
        await settle(pilot)
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, AdminScreen)
        # the command palette offers it too, from any screen
        [command] = [
            c for c in app.get_system_commands(app.screen) if c.callback == app.day_changes
        ]
        command.callback()
        await settle(pilot)
        assert isinstance(app.screen, DayChangesScreen)


async def test_the_sysadmin_is_told_the_day_is_the_administrations(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path, "admin")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await settle(pilot)
        await press(pilot, "c")
        await settle(pilot)
        assert isinstance(app.screen, AdminScreen)
        assert str(status(app).render())
        assert not any(c.callback == app.day_changes for c in app.get_system_commands(app.screen))


async def test_days_step_back_and_forth_and_a_date_is_typed(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app)
        await press(pilot, "right_square_bracket")
        await settle(pilot)
        assert "26.11.2026" in bar(app)
        open_database(demo_db)
        assert day_table(app).row_count == len(school_day(deputy(), dt.date(2026, 11, 26)))
        await press(pilot, "left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert "24.11.2026" in bar(app)
        await press(pilot, "t")
        await settle(pilot)
        assert "25.11.2026" in bar(app)
        await press(pilot, "d")
        await settle(pilot)
        assert isinstance(app.screen, DateDialog)
        field = app.screen.query_one("#go-date", Input)
        field.value = ""
        await type_text(pilot, "31.12.2026")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DayChangesScreen)
        assert "31.12.2026" in bar(app) and day_table(app).row_count == 0  # winter holidays
        await press(pilot, "f5")
        await settle(pilot)
        assert "31.12.2026" in bar(app)


async def test_a_substitute_for_one_lesson_is_set_and_removed(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app)
        await to_row(pilot, 1)  # 2nd lesson, algebra, Павлова Е. Ю.
        await press(pilot, "s")
        await settle(pilot)
        assert isinstance(app.screen, SubstituteDialog)
        await type_text(pilot, "болезнь")
        await press(pilot, "enter")
        await type_text(pilot, "Волк")  # one teacher left: Enter chooses her
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DayChangesScreen)
        assert cells(app, 1)[4] == "Волкова С. Р."
        open_database(demo_db)
        [row] = Substitution.select()
        assert (row.teacher.login, row.reason) == ("volkova.sr", "болезнь")
        await press(pilot, "x")
        await settle(pilot)
        assert cells(app, 1)[4] == ""
        assert not Substitution.select().exists()
        await press(pilot, "x")  # nothing to remove: said, nothing done
        await settle(pilot)
        assert status(app).has_class("error")


async def test_an_absence_gives_all_the_teachers_lessons_and_ends(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app)
        await to_row(pilot, 2)  # Рябов М. Д., lessons 3 and 4
        await press(pilot, "a")
        await settle(pilot)
        assert isinstance(app.screen, SubstituteDialog)
        await press(pilot, "enter", "enter")  # from and to: this day
        await type_text(pilot, "болезнь")
        await press(pilot, "enter")
        await type_text(pilot, "Волк")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DayChangesScreen)
        assert [cells(app, i)[4] for i in range(6)] == ["", "", *["Волкова С. Р."] * 2, "", ""]
        assert "2" in str(status(app).render())
        await press(pilot, "e")
        await settle(pilot)
        await press(pilot, "enter", "enter")
        await settle(pilot)
        assert [cells(app, i)[4] for i in range(6)] == [""] * 6
        open_database(demo_db)
        assert not Substitution.select().exists()


async def test_a_lesson_is_moved_cancelled_with_a_reason_and_restored(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app)
        await press(pilot, "right_square_bracket")  # Thursday: no marks yet
        await settle(pilot)
        first = cells(app, 0)
        await press(pilot, "c")
        await settle(pilot)
        assert isinstance(app.screen, CancelDialog)
        await press(pilot, "enter")  # no reason: the dialog says so and stays
        await settle(pilot)
        assert isinstance(app.screen, CancelDialog)
        assert app.screen.query_one("#dialog-status", Static).has_class("error")
        await type_text(pilot, "экскурсия")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DayChangesScreen)
        assert "экскурсия" in cells(app, 0)[4]
        await press(pilot, "r")
        await settle(pilot)
        assert cells(app, 0)[4] == ""
        await press(pilot, "m")
        await settle(pilot)
        assert isinstance(app.screen, MoveDialog)
        await press(pilot, "enter")  # same date
        app.screen.query_one("#move-number", Input).value = ""
        await type_text(pilot, "8")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DayChangesScreen)
        numbers = [cells(app, i)[1] for i in range(day_table(app).row_count)]
        assert "8" in numbers and first[2] in [cells(app, i)[2] for i in range(len(numbers))]


async def test_bad_changes_are_refused_in_the_status_line_and_write_nothing(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app)
        open_database(demo_db)
        before = [(x.id, x.date, x.number, x.status) for x in Lesson.select()]
        await press(pilot, "c")  # today's 1st lesson holds marks: not cancelled
        await settle(pilot)
        await type_text(pilot, "карантин")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DayChangesScreen)
        assert status(app).has_class("error") and str(status(app).render())
        await press(pilot, "m")  # to a day after the year: refused
        await settle(pilot)
        app.screen.query_one("#move-date", Input).value = ""
        await type_text(pilot, "01.07.2027")
        await press(pilot, "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DayChangesScreen)
        assert status(app).has_class("error") and "2027" in str(status(app).render())
        await press(pilot, "r")  # not cancelled: nothing to restore
        await settle(pilot)
        assert status(app).has_class("error")
        assert [(x.id, x.date, x.number, x.status) for x in Lesson.select()] == before


async def test_enter_opens_the_lessons_journal(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app)
        await to_row(pilot, 1)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        open_database(demo_db)
        [lesson] = [x for x in school_day(deputy(), TODAY) if x.number == 2]
        assert app.screen.target.lesson_id == lesson.lesson_id


async def test_the_substitute_signs_in_and_marks_that_lesson_only(demo_db, tmp_path):
    open_database(demo_db)
    [algebra] = [x for x in school_day(deputy(), TODAY) if x.number == 2]
    volkova = User.get(User.login == "volkova.sr")
    substitutions.set_substitute(deputy(), algebra.lesson_id, volkova.id, "болезнь")
    app = app_for(demo_db, tmp_path, "volkova.sr")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        today = app.screen.query_one("#today", OptionList)
        texts = [str(today.get_option_at_index(i).prompt) for i in range(today.option_count)]
        [line] = [i for i, text in enumerate(texts) if "Павлова Е. Ю." in text]
        await press(pilot, "shift+tab")  # from her journals to today's lessons
        assert app.screen.focused is today
        today.highlighted = line
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        grid = app.screen.grid
        assert grid is not None and grid.one_lesson
        assert [lesson.id for lesson in grid.lessons] == [algebra.lesson_id]
        table = app.screen.query_one(JournalTable)
        student_id, lesson_id = table.cursor_keys()
        assert lesson_id == algebra.lesson_id
        cell = Mark.select().where(Mark.lesson == lesson_id, Mark.student == student_id)
        value = "3" if [m.value for m in cell] == ["2"] else "2"  # a change, whatever was there
        await press(pilot, value, "enter")
        await settle(pilot)
        [mark] = Mark.select().where(Mark.lesson == lesson_id, Mark.student == student_id)
        assert (mark.value, mark.updated_by_id) == (value, volkova.id)
        assert not status(app).has_class("error")


async def test_the_teachers_busy_at_that_time_come_last_with_their_lesson(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app)
        await press(pilot, "left_square_bracket", "left_square_bracket")  # Monday 23.11
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DayChangesScreen)
        groups = [i for i, x in enumerate(screen.lessons) if x.number == 3]
        assert len(groups) == 2  # English in two groups at once
        await to_row(pilot, groups[0])
        await press(pilot, "s")
        await settle(pilot)
        assert isinstance(app.screen, SubstituteDialog)
        options = app.screen.query_one("#sub-teachers", OptionList)
        last = str(options.get_option_at_index(options.option_count - 1).prompt)
        other = screen.lessons[groups[1]]
        assert last.startswith(other.teacher) and other.subject in last
        first = str(options.get_option_at_index(0).prompt)
        assert other.subject not in first


async def test_a_refused_absence_opens_again_as_typed_with_the_reason(demo_db, tmp_path):
    """The group-2 teacher cannot take the group-1 lesson they teach alongside: the dialog
    comes back with the dates, the reason and the teacher chosen, and says why."""
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(pilot, app)
        await press(pilot, "left_square_bracket", "left_square_bracket")  # Monday 23.11
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DayChangesScreen)
        groups = [i for i, x in enumerate(screen.lessons) if x.number == 3]
        busy = screen.lessons[groups[1]]
        await to_row(pilot, groups[0])
        await press(pilot, "a")
        await settle(pilot)
        await press(pilot, "enter", "enter")  # from and to: this day
        await type_text(pilot, "болезнь")
        await press(pilot, "enter")
        await type_text(pilot, busy.teacher.split()[0])
        await press(pilot, "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SubstituteDialog)
        refusal = str(dialog.query_one("#dialog-status", Static).render())
        assert busy.teacher in refusal and busy.subject in refusal
        assert dialog.query_one("#sub-reason", Input).value == "болезнь"
        assert dialog.query_one("#sub-from", Input).value == "23.11.2026"
        options = dialog.query_one("#sub-teachers", OptionList)
        assert options.has_focus and options.highlighted is not None
        chosen = str(options.get_option_at_index(options.highlighted).prompt)
        assert chosen.startswith(busy.teacher)
        await press(pilot, "home", "enter")  # the first in the list is free
        await settle(pilot)
        assert isinstance(app.screen, DayChangesScreen)
        open_database(demo_db)
        assert Substitution.select().count() >= 1
