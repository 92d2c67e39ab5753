"""Pilot tests of the weekly attendance correction [R 4.2]."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import DataTable, Input

from node.models import Attendance
from tests.tui.drive import press, settle
from tests.tui.test_class_list import open_class
from tests.tui.test_journal_tui import PASSWORD, SIZE
from tui.app import EdiaryApp
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.class_attendance import AttendanceScreen
from tui.screens.class_dialogs import TextDialog
from tui.screens.help import HelpScreen


async def open_week(pilot, app: EdiaryApp) -> DataTable:
    await open_class(pilot, app)
    await press(pilot, "w")
    await settle(pilot)
    assert isinstance(app.screen, AttendanceScreen)
    return app.screen.query_one("#week-table", DataTable)


async def test_the_week_lists_every_absence_and_codes_are_set_by_digits(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_week(pilot, app)
        week = app.screen.week
        assert week is not None and week.monday == dt.date(2026, 11, 23)
        assert table.row_count == len(week.absences) > 0
        first = week.absences[0]
        await press(pilot, "2")
        await settle(pilot)
        assert Attendance.get_by_id(first.attendance_id).code == "sick"
        await press(pilot, "e")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        app.screen.query_one("#text", Input).value = "справка от врача"
        await press(pilot, "enter")
        await settle(pilot)
        row = Attendance.get_by_id(first.attendance_id)
        assert (row.code, row.reason) == ("sick", "справка от врача")
        await press(pilot, "4")
        await settle(pilot)
        row = Attendance.get_by_id(first.attendance_id)
        assert (row.code, row.reason) == ("late", "справка от врача")  # the reason stays
        await press(pilot, "delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "y")
        await settle(pilot)
        assert Attendance.get_or_none(Attendance.id == first.attendance_id) is None
        assert len(app.screen.week.absences) == len(week.absences) - 1


async def test_weeks_go_back_and_forth(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        await press(pilot, "left_square_bracket")
        await settle(pilot)
        assert app.screen.week.monday == dt.date(2026, 11, 16)
        await press(pilot, "right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert app.screen.week.monday == dt.date(2026, 11, 30)
        assert app.screen.week.absences == []  # not yet happened
        await press(pilot, "t")
        await settle(pilot)
        assert app.screen.week.monday == dt.date(2026, 11, 23)
        await press(pilot, "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = {key for key, _text in app.screen.rows}
        assert {"1", "2", "3", "4", "e", "[", "]"} <= keys
