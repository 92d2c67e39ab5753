"""Pilot tests of the academic year in the School section at 80×24: y changes the year's name
and dates, Shift+Y makes a new year, the palette opens the form; bad dates are refused in
the status line and write nothing."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input, Select

from node.models import AcademicYear, Period
from node.models.database import open_database
from tests.helpers import history_of, nothing_written
from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import SIZE, status
from tests.tui.test_school import app_for, open_school, said
from tui.screens.help import HelpScreen
from tui.screens.school import SchoolScreen
from tui.screens.school_dialogs import FieldsDialog


def fill(app, **values: str) -> None:
    for key, value in values.items():
        app.screen.query_one(f"#f-{key}", Input).value = value


async def test_y_changes_the_years_name_and_dates_and_refuses_bad_ones(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        open_database(demo_db)
        year = AcademicYear.active()
        await press(pilot, "y")
        await settle(pilot)
        assert isinstance(app.screen, FieldsDialog)
        assert app.screen.query_one("#f-name", Input).value == year.name
        with nothing_written():
            fill(app, end="31.13.2027")  # not a date: the form says so and stays
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, FieldsDialog)
            assert "dd.mm.yyyy" in str(app.screen.query_one("#dialog-status").render())
            fill(app, end=year.start.strftime("%d.%m.%Y"))  # ends as it starts: the service
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, SchoolScreen)
            assert "end after it starts" in said(app) and status(app).has_class("error")
            await press(pilot, "y")
            await settle(pilot)
            fill(app, start=(year.start + dt.timedelta(days=1)).strftime("%d.%m.%Y"))
            await press(pilot, "ctrl+s")  # the first quarter would be outside the year
            await settle(pilot)
            assert "outside the year" in said(app) and status(app).has_class("error")
        await press(pilot, "y")
        await settle(pilot)
        fill(app, name="2026–2027")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert AcademicYear.get_by_id(year.id).name == "2026–2027"
        assert "2026–2027" in str(app.screen.query_one("#school-year").render())
        [change] = history_of(year)
        assert (change.action, change.actor_login) == ("update", "deputy")


async def test_shift_y_makes_a_new_year_with_its_whole_year_period(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        await press(pilot, "Y")
        await settle(pilot)
        assert isinstance(app.screen, FieldsDialog)  # the year after the current, to start from
        assert app.screen.query_one("#f-name", Input).value == "2027/2028"
        assert app.screen.query_one("#f-start", Input).value == "01.09.2027"
        with nothing_written():  # overlapping the current year: refused, nothing made
            fill(app, name="2027/2028", start="01.05.2027", end="31.05.2028")
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert "overlap" in said(app) and status(app).has_class("error")
        await press(pilot, "Y")
        await settle(pilot)
        fill(app, name="2027/2028", start="01.09.2027", end="31.05.2028")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        year = AcademicYear.get(AcademicYear.name == "2027/2028")
        [period] = Period.select().where(Period.year == year)
        assert (period.scheme, period.start, period.end) == (
            "year",
            dt.date(2027, 9, 1),
            dt.date(2028, 5, 31),
        )
        assert "Periods tab" in said(app)


async def test_the_year_keys_are_in_help_and_the_palette_opens_the_form(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        [command] = [
            c for c in app.get_system_commands(app.screen) if c.callback == app.academic_year
        ]
        assert command.title == "Academic year"
        command.callback()
        await settle(pilot)
        assert isinstance(app.screen, FieldsDialog)
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen)
        await press(pilot, "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = dict(app.screen.rows)
        assert rows["y"] == "Academic year"
        assert rows["Y"] == "A new academic year"


async def test_the_sysadmin_may_look_but_not_change_the_year(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path, login="admin")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        await settle(pilot)
        with nothing_written():
            await press(pilot, "y")
            await settle(pilot)
            assert isinstance(app.screen, SchoolScreen)
            assert "director and the deputies" in said(app)


async def test_g_sets_a_grades_scheme(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        open_database(demo_db)
        await press(pilot, "g")
        await settle(pilot)
        assert isinstance(app.screen, FieldsDialog)
        with nothing_written():  # 7А has final marks: its scheme stays
            app.screen.query_one("#f-scheme", Select).value = "halves"
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, SchoolScreen)
            assert "final marks" in said(app) and status(app).has_class("error")
