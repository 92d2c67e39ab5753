"""Pilot tests of a student's profile: edit with validation, verify, guardians."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import DataTable, Input, OptionList, Select

from node.models import Guardian, History, Student, StudentGuardian
from tests.tui.drive import press, settle
from tests.tui.test_class_list import open_class
from tests.tui.test_journal_tui import PASSWORD, SIZE, status
from tui.app import EdiaryApp
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.class_dialogs import (
    GuardianDialog,
    LinkGuardianDialog,
    family_name_for,
    parse_day,
)
from tui.screens.class_list import ClassScreen
from tui.screens.class_profile import ProfileScreen


async def open_profile(pilot, app: EdiaryApp) -> Student:
    await open_class(pilot, app)
    await press(pilot, "enter")
    await settle(pilot)
    assert isinstance(app.screen, ProfileScreen)
    return Student.get_by_id(app.screen.student_id)


def links(student: Student) -> int:
    return StudentGuardian.select().where(StudentGuardian.student == student.id).count()


def test_dates_are_read_as_a_russian_school_writes_them():
    assert parse_day("21.06.2013") == dt.date(2013, 6, 21)
    assert parse_day(" 2013-06-21 ") == dt.date(2013, 6, 21)
    assert parse_day("") is None
    assert parse_day("31.02.2013") == "31.02.2013"


async def test_the_profile_shows_and_saves_the_data(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        student = await open_profile(pilot, app)
        screen = app.screen
        assert screen.query_one("#last", Input).value == student.last_name
        assert screen.query_one("#guardians", DataTable).row_count == links(student)
        # a bad phone and a bad date are refused, nothing is written
        before = History.select().count()
        screen.query_one("#phone", Input).value = "call me"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert "error" in status(app).classes
        screen.query_one("#phone", Input).value = "8 900 111-22-33"
        screen.query_one("#birth", Input).value = "31.02.2013"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert "error" in status(app).classes
        assert History.select().count() == before
        screen.query_one("#birth", Input).value = "21.06.2013"
        screen.query_one("#address", Input).value = "ул. Новая, д. 1"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert "error" not in status(app).classes
        fresh = Student.get_by_id(student.id)
        assert (fresh.phone, fresh.address, fresh.birth_date.isoformat()) == (
            "8 900 111-22-33",
            "ул. Новая, д. 1",
            "2013-06-21",
        )
        assert fresh.verified_at == student.verified_at  # saving is not verifying
        await press(pilot, "ctrl+t")
        await settle(pilot)
        assert Student.get_by_id(student.id).verified_at.date().isoformat() == "2026-11-25"
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, ClassScreen)


async def test_a_parent_is_added_edited_and_unlinked(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        student = await open_profile(pilot, app)
        count = links(student)
        await press(pilot, "ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, GuardianDialog)
        app.screen.query_one("#g-first", Input).value = "Ольга"
        app.screen.query_one("#g-phone", Input).value = "abc"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert "error" in status(app).classes and links(student) == count
        await press(pilot, "ctrl+n")
        await settle(pilot)
        app.screen.query_one("#g-first", Input).value = "Ольга"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert links(student) == count + 1
        added = Guardian.get(Guardian.first_name == "Ольга")
        # the form starts with the child's family name, as a mother's
        assert added.last_name == family_name_for(student.last_name, "mother")
        table = app.screen.query_one("#guardians", DataTable)
        row = [line.guardian_id for line in app.screen.profile.guardians].index(added.id)
        table.focus()
        table.move_cursor(row=row)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, GuardianDialog)
        app.screen.query_one("#g-phone", Input).value = "+7 900 000-00-01"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert Guardian.get_by_id(added.id).phone == "+7 900 000-00-01"
        table.move_cursor(row=row)
        await press(pilot, "delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "y")
        await settle(pilot)
        assert links(student) == count
        assert Guardian.get_or_none(Guardian.id == added.id) is not None


async def test_a_siblings_parent_is_linked(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        student = await open_profile(pilot, app)
        other = (
            Guardian.select()
            .where(
                Guardian.id.not_in(
                    StudentGuardian.select(StudentGuardian.guardian).where(
                        StudentGuardian.student == student.id
                    )
                )
            )
            .order_by(Guardian.last_name)
            .first()
        )
        count = links(student)
        await press(pilot, "ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LinkGuardianDialog)
        await press(pilot, "x")  # one letter is too few: the search says so
        await press(pilot, "enter")
        await settle(pilot)
        assert app.screen.query_one("#found", OptionList).option_count == 0
        app.screen.query_one("#search", Input).value = other.last_name
        app.screen.query_one("#search", Input).focus()
        await press(pilot, "enter")
        await settle(pilot)
        found = app.screen.query_one("#found", OptionList)
        ids = [found.get_option_at_index(i).id for i in range(found.option_count)]
        assert other.id in ids
        found.highlighted = ids.index(other.id)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert links(student) == count + 1


def test_a_parents_family_name_takes_the_relations_form():
    assert family_name_for("Орлов", "mother") == "Орлова"
    assert family_name_for("Ильин", "grandmother") == "Ильина"
    assert family_name_for("Белинский", "mother") == "Белинская"
    assert family_name_for("Анисимова", "father") == "Анисимов"
    assert family_name_for("Белинская", "grandfather") == "Белинский"
    assert family_name_for("Анисимова", "mother") == "Анисимова"
    assert family_name_for("Орлов", "father") == "Орлов"
    for other in ("Ким", "Черных", "Шевчук", "Ов"):  # names that do not change
        assert family_name_for(other, "mother") == other
    assert family_name_for("Орлов", "guardian") == "Орлов"


async def test_the_new_parents_family_name_follows_the_relation_until_typed(demo_db):
    """A boy Орлов: the form offers «Орлова» for his mother, «Орлов» once «father» is
    chosen; a name typed over stays whatever the relation."""
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_profile(pilot, app)
        app.push_screen(GuardianDialog("Новый родитель", last_name="Орлов"))
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, GuardianDialog)
        last = dialog.query_one("#g-last", Input)
        assert last.value == "Орлова"
        dialog.query_one("#g-relation", Select).value = "father"
        await settle(pilot)
        assert last.value == "Орлов"
        last.value = "Смирнов"
        dialog.query_one("#g-relation", Select).value = "mother"
        await settle(pilot)
        assert last.value == "Смирнов"
