"""Pilot tests of the School section at 80×24 on the demo school, from the keyboard:
every tab and key, adding, editing and removing, and refusals that write nothing."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Select

from node.models import Bell, SchoolClass, Subject, TeachingAssignment, WorkType
from node.models.database import open_database
from tests.helpers import history_of, nothing_written
from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import PASSWORD, SIZE, status
from tui.app import EdiaryApp
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.admin_screen import AdminScreen
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen
from tui.screens.school import SchoolScreen
from tui.screens.school_dialogs import FieldsDialog
from tui.screens.school_sections import SECTIONS


def app_for(demo_db: Path, tmp_path: Path, login: str = "deputy") -> EdiaryApp:
    return EdiaryApp(demo_db, sign_in_as=(login, PASSWORD), data_dir=tmp_path)


def table(app: EdiaryApp, tab: str) -> DataTable:
    return app.screen.query_one(f"#table-{tab}", DataTable)


def column(app: EdiaryApp, tab: str, index: int = 0) -> list[str]:
    grid = table(app, tab)
    return [str(grid.get_row_at(row)[index]) for row in range(grid.row_count)]


def said(app: EdiaryApp) -> str:
    return str(status(app).render())


async def type_text(pilot, text: str) -> None:
    for char in text:
        await press(pilot, char if char != " " else "space")


async def open_school(pilot, app: EdiaryApp) -> None:
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    await press(pilot, "s")
    await settle(pilot)
    assert isinstance(app.screen, SchoolScreen)


async def test_reached_from_home_administration_help_and_palette(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        open_database(demo_db)
        assert column(app, "classes") == [c.label for c in SchoolClass.select()]
        assert len(column(app, "subjects")) == Subject.select().count()
        own = {b.action for b in SchoolScreen.BINDINGS}
        described = {
            a.binding.description
            for a in app.screen.active_bindings.values()
            if a.binding.action in own
        }
        await press(pilot, "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert described <= {what for _key, what in app.screen.rows}
        await press(pilot, "escape")
        await settle(pilot)
        for number, section in enumerate(SECTIONS, start=1):  # each tab has its number key
            await press(pilot, str(number))
            await settle(pilot)
            assert app.screen.section().id == section.id
            assert app.focused is table(app, section.id)
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await press(pilot, "a")
        await settle(pilot)
        assert isinstance(app.screen, AdminScreen)
        await press(pilot, "s")
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen)
        await press(pilot, "escape")
        await settle(pilot)
        [command] = [c for c in app.get_system_commands(app.screen) if c.callback == app.school]
        command.callback()
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen)


async def test_home_help_lists_the_school_key(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "f1")
        await settle(pilot)
        assert ("s", "School") in app.screen.rows


async def test_a_subject_is_added_and_its_flags_edited(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        await press(pilot, "4", "n")
        await settle(pilot)
        assert isinstance(app.screen, FieldsDialog)
        await type_text(pilot, "Астрономия")
        await press(pilot, "enter")
        await type_text(pilot, "Астр")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen)
        subject = Subject.get(Subject.name == "Астрономия")
        assert (subject.short_name, subject.pass_fail) == ("Астр", False)
        assert "Астрономия" in column(app, "subjects")
        assert said(app) == "The subject is added."
        # edit: highlight it, Enter, make it pass/fail through its choice list
        row = column(app, "subjects").index("Астрономия")
        table(app, "subjects").move_cursor(row=row)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, FieldsDialog)
        app.screen.query_one("#f-pass_fail", Select).focus()
        await press(pilot, "enter", "down", "enter")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert Subject.get_by_id(subject.id).pass_fail is True
        assert [h.action for h in history_of(subject)] == ["create", "update"]


async def test_bad_input_is_refused_and_nothing_is_written(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        with nothing_written():
            await press(pilot, "3", "n")
            await settle(pilot)
            await type_text(pilot, "девять")
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, FieldsDialog)  # the form stays, with the reason
            assert "whole number" in str(app.screen.query_one("#dialog-status").render())
            number = app.screen.query_one("#f-number", Input)
            number.value = "9"
            app.screen.query_one("#f-starts", Input).value = "25:00"
            app.screen.query_one("#f-ends", Input).value = "09:00"
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, SchoolScreen)
            assert "25:00" in said(app) and status(app).has_class("error")
        assert not Bell.select().where(Bell.number == 9).exists()


async def test_a_class_with_marks_is_not_removed_and_the_status_says_why(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        await press(pilot, "6")
        await settle(pilot)
        with nothing_written():
            await press(pilot, "delete")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog)
            await press(pilot, "y")
            await settle(pilot)
        assert "7А" in said(app) and "marks" in said(app)
        assert SchoolClass.select().count() == 1


async def test_a_class_and_its_load_are_built_edited_and_removed(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        await press(pilot, "6", "n")
        await settle(pilot)
        await type_text(pilot, "9")
        await press(pilot, "enter")
        await type_text(pilot, "б")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        new = SchoolClass.get(SchoolClass.grade == 9)
        assert new.letter == "Б" and column(app, "classes") == ["7А", "9Б"]
        await press(pilot, "7")
        await settle(pilot)
        before = table(app, "load").row_count
        await press(pilot, "n")
        await settle(pilot)
        assert isinstance(app.screen, FieldsDialog)
        await press(pilot, "enter", "down", "enter")  # the class: from 7А to 9Б
        app.screen.query_one("#f-hours", Input).value = "2,5"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        journal = TeachingAssignment.get(TeachingAssignment.school_class == new)
        assert journal.hours_per_week == 2.5
        assert table(app, "load").row_count == before + 1
        table(app, "load").move_cursor(row=table(app, "load").get_row_index(journal.id))
        await press(pilot, "e")
        await settle(pilot)
        hours = app.screen.query_one("#f-hours", Input)
        hours.value = "3"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert TeachingAssignment.get_by_id(journal.id).hours_per_week == 3
        await press(pilot, "delete")
        await settle(pilot)
        await press(pilot, "y")
        await settle(pilot)
        assert TeachingAssignment.get_or_none(TeachingAssignment.id == journal.id) is None
        assert [h.action for h in history_of(journal)] == ["create", "update", "delete"]


async def test_a_work_types_weight_is_changed(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        await press(pilot, "5", "e")
        await settle(pilot)
        app.screen.query_one("#f-weight", Input).value = "1,5"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        name = column(app, "work")[0]
        assert WorkType.get(WorkType.name == name).weight == 1.5


async def test_the_sysadmin_looks_but_does_not_change(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path, "admin")
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        assert table(app, "periods").row_count > 0
        with nothing_written():
            for key in ("n", "e", "delete"):
                await press(pilot, key)
                await settle(pilot)
                assert isinstance(app.screen, SchoolScreen)
                assert "director" in said(app)


async def test_a_teacher_is_told_the_section_is_the_administrations(demo_db, tmp_path):
    login = "teacher"
    app = app_for(demo_db, tmp_path, login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "School section" in said(app)


async def test_a_class_with_final_marks_keeps_its_scheme_and_gets_a_new_teacher(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        await press(pilot, "6", "e")
        await settle(pilot)
        assert isinstance(app.screen, FieldsDialog)
        with nothing_written():
            await press(pilot, "enter", "down", "enter")  # quarters → halves
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, SchoolScreen)
            assert "final marks" in said(app) and status(app).has_class("error")
        await press(pilot, "e")
        await settle(pilot)
        app.screen.query_one("#f-teacher", Select).focus()
        await press(pilot, "enter", "down", "enter")  # another class teacher
        await press(pilot, "ctrl+s")
        await settle(pilot)
        class_7a = SchoolClass.get()
        assert class_7a.period_scheme == "quarters"
        assert [h.action for h in history_of(class_7a)][-1] == "update"
        assert said(app) == "The class is changed."


async def test_t_opens_the_week_of_the_highlighted_class(demo_db, tmp_path):
    from tui.screens.timetable import TimetableScreen

    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        await press(pilot, "7", "t")
        await settle(pilot)
        assert isinstance(app.screen, TimetableScreen)
        assert (app.screen.owner, app.screen.owner_id) == ("class", SchoolClass.get().id)
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, SchoolScreen)
