"""Pilot tests of the class teacher's class list: open from home, verify, codes, help.

The demo school has one class, 7А, led by the demo teacher; checks look at numbers and
database state rather than (Russian) words.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from textual.widgets import DataTable, Input, OptionList, Static

from node.models import AccessCode, Student
from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import PASSWORD, SIZE, status
from tui.app import EdiaryApp
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.class_dialogs import CodesDialog, DateDialog, StudentDialog
from tui.screens.class_list import ClassScreen
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen


async def open_class(pilot, app: EdiaryApp) -> DataTable:
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    await press(pilot, "c")
    await settle(pilot)
    assert isinstance(app.screen, ClassScreen)
    return app.screen.query_one("#class-table", DataTable)


def edit_database(path: Path, sql: str, *args: object) -> None:
    """Change the demo file before the app opens it."""
    with sqlite3.connect(path) as connection:
        connection.execute(sql, args)


async def test_the_class_teacher_opens_their_class_from_home(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_class(pilot, app)
        roster = app.screen.roster
        assert roster is not None and roster.label == "7А"
        assert table.row_count == len(roster.rows) == Student.select().count()
        await press(pilot, "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = {key for key, _text in app.screen.rows}
        assert {"v", "g", "G", "w", "s", "Esc"} <= keys
        assert any("Enter" in key for key, _text in app.screen.rows)
        await press(pilot, "escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_mark_verified_from_the_list(demo_db: Path):
    edit_database(demo_db, "UPDATE student SET verified_at = NULL")
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_class(pilot, app)
        assert len(app.screen.roster.due) == table.row_count
        await press(pilot, "down", "v")
        await settle(pilot)
        second = app.screen.roster.rows[1]
        assert Student.get_by_id(second.student_id).verified_at is not None
        assert not second.due
        assert len(app.screen.roster.due) == table.row_count - 1


async def test_codes_for_one_student_are_shown_once_and_written_as_slips(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_class(pilot, app)
        row = app.screen.roster.rows[0]
        Student.update(user=None).where(Student.id == row.student_id).execute()
        await press(pilot, "g")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        # a dialog has no footer: it says its keys
        hint = str(app.screen.query_one(".hint", Static).render())
        assert hint == "y — give codes, Esc — cancel"
        await press(pilot, "y")
        await settle(pilot)
        assert isinstance(app.screen, CodesDialog)
        [code] = app.screen.codes
        slips = app.screen.path
        assert slips.parent == demo_db.parent / "slips" and slips.exists()
        assert code.code in slips.read_text(encoding="utf-8")
        assert AccessCode.select().where(AccessCode.user == code.user_id).count() == 1
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, ClassScreen)
        assert app.screen.roster.rows[0].account == "pending"
        assert str(slips) in str(status(app).render())


async def test_enter_gives_the_codes_asked_for_and_a_cancel_says_so(demo_db: Path):
    """Codes were asked for with a key: Enter in the question confirms it [issue 18]."""
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_class(pilot, app)
        row = app.screen.roster.rows[0]
        Student.update(user=None).where(Student.id == row.student_id).execute()
        await press(pilot, "g")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert app.focused is not None and app.focused.id == "save"
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, ClassScreen)
        assert "no codes were given" in str(status(app).render())
        await press(pilot, "g")
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, CodesDialog)
        assert len(app.screen.codes) == 1


async def test_codes_when_everyone_has_an_account_say_so(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_class(pilot, app)
        before = AccessCode.select().count()
        await press(pilot, "G")
        await settle(pilot)
        await press(pilot, "y")
        await settle(pilot)
        assert isinstance(app.screen, ClassScreen)
        assert "error" in status(app).classes
        assert AccessCode.select().count() == before


async def test_a_deputy_sees_the_class_but_codes_are_the_class_teachers(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("deputy", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_class(pilot, app)
        assert app.screen.roster.label == "7А"
        Student.update(user=None).where(
            Student.id == app.screen.roster.rows[0].student_id
        ).execute()
        await press(pilot, "g")
        await settle(pilot)
        await press(pilot, "y")
        await settle(pilot)
        assert isinstance(app.screen, ClassScreen)
        assert "error" in status(app).classes
        # who gives codes, not the permission's name
        assert str(status(app).render()).startswith("Access codes are given by the class teacher")
        assert AccessCode.select().where(AccessCode.issued_by == "deputy").count() == 0


async def test_a_plain_teacher_is_told_they_lead_no_class(demo_db: Path):
    with sqlite3.connect(demo_db) as connection:
        login = connection.execute(
            "SELECT login FROM user WHERE roles = 'teacher' AND status = 'active' AND id NOT IN "
            "(SELECT teacher_id FROM teaching_assignment WHERE subgroup_id IS NOT NULL) LIMIT 1"
        ).fetchone()[0]
        connection.execute(
            "UPDATE user SET password_hash = (SELECT password_hash FROM user "
            "WHERE login = 'teacher') WHERE login = ?",
            (login,),
        )
    app = EdiaryApp(demo_db, sign_in_as=(login, PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_class(pilot, app)
        assert table.row_count == 0
        assert "error" in status(app).classes
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_home_reminds_of_profiles_not_verified_for_a_month(demo_db: Path):
    old = dt.datetime(2026, 10, 1, 9, 0).isoformat(sep=" ")
    edit_database(demo_db, "UPDATE student SET verified_at = ?", old)
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        attention = app.screen.query_one("#attention", OptionList)
        ids = [attention.get_option_at_index(i).id for i in range(attention.option_count)]
        assert "profiles-0" in ids
        attention.focus()
        attention.highlighted = ids.index("profiles-0")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ClassScreen)
        assert app.screen.roster is not None and app.screen.roster.label == "7А"


async def test_a_student_is_enrolled_and_leaves(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_class(pilot, app)
        count = table.row_count
        await press(pilot, "n")
        await settle(pilot)
        assert isinstance(app.screen, StudentDialog)
        app.screen.query_one("#s-last", Input).value = "Яковлева"
        app.screen.query_one("#s-first", Input).value = "Ульяна"
        app.screen.query_one("#s-birth", Input).value = "31.13.2013"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StudentDialog)  # not a date: the dialog says so
        app.screen.query_one("#s-birth", Input).value = "02.03.2013"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ClassScreen)
        assert table.row_count == count + 1
        new = Student.get(Student.last_name == "Яковлева")
        assert (new.birth_date, new.enrolled_on) == (dt.date(2013, 3, 2), dt.date(2026, 11, 25))
        row = [r.student_id for r in app.screen.roster.rows].index(new.id)
        table.move_cursor(row=row)
        await press(pilot, "x")
        await settle(pilot)
        assert isinstance(app.screen, DateDialog)
        await press(pilot, "enter")
        await settle(pilot)
        assert Student.get_by_id(new.id).left_on == dt.date(2026, 11, 25)
        assert app.screen.roster.rows[row].left_on == dt.date(2026, 11, 25)
        await press(pilot, "x")  # leaving twice is refused and explained
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ClassScreen)
        assert "error" in status(app).classes
