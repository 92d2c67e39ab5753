"""Pilot tests of a journal handed on from the School section's Load tab at 80×24: another
teacher (one leaves mid-year) keeps the marks; a clash is refused in the status line and
writes nothing; the system administrator may hand a journal on and change nothing else."""

from __future__ import annotations

from textual.widgets import Select

from node.models import Lesson, Mark, Subject, TeachingAssignment, User
from node.models.database import open_database
from tests.helpers import history_of, nothing_written
from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import SIZE, status
from tests.tui.test_school import app_for, open_school, said, table
from tui.screens.school import SchoolScreen
from tui.screens.school_dialogs import FieldsDialog


def journal_of(subject: str, group: str | None = None) -> TeachingAssignment:
    query = TeachingAssignment.select().join(Subject).where(Subject.name == subject)
    journals = [j for j in query if group is None or (j.subgroup and j.subgroup.name == group)]
    return journals[0]


def marks_of(journal: TeachingAssignment) -> int:
    return Mark.select().join(Lesson).where(Lesson.assignment == journal.id).count()


async def edit_journal(pilot, app, journal: TeachingAssignment, teacher_login: str) -> None:
    await press(pilot, "7")
    await settle(pilot)
    table(app, "load").move_cursor(row=table(app, "load").get_row_index(journal.id))
    await press(pilot, "e")
    await settle(pilot)
    assert isinstance(app.screen, FieldsDialog)
    teacher = app.screen.query_one("#f-teacher", Select)
    assert teacher.value == journal.teacher_id
    teacher.value = User.get(User.login == teacher_login).id
    await press(pilot, "ctrl+s")
    await settle(pilot)
    assert isinstance(app.screen, SchoolScreen)


async def test_a_journal_goes_to_another_teacher_with_its_marks(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        open_database(demo_db)
        physics = journal_of("Физика")
        marks = marks_of(physics)
        assert marks > 0
        await edit_journal(pilot, app, physics, "koroleva.ei")
        assert said(app).startswith("The journal is changed")
        physics = TeachingAssignment.get_by_id(physics.id)
        assert physics.teacher.login == "koroleva.ei" and marks_of(physics) == marks
        [change] = history_of(physics)
        assert (change.action, change.actor_login) == ("update", "deputy")
        row = table(app, "load").get_row(physics.id)
        assert str(row[3]) == physics.teacher.display_name


async def test_a_teacher_busy_at_the_journals_time_is_refused(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        open_database(demo_db)
        group1 = journal_of("Английский язык", "1 группа")
        with nothing_written():  # group 2's teacher teaches at the same time
            await edit_journal(pilot, app, group1, "anisimova.aiu")
            assert status(app).has_class("error")
            assert "already" in said(app) and "Анисимова" in said(app)


async def test_the_sysadmin_hands_a_journal_on_and_changes_nothing_else(demo_db, tmp_path):
    app = app_for(demo_db, tmp_path, "admin")
    async with app.run_test(size=SIZE) as pilot:
        await open_school(pilot, app)
        open_database(demo_db)
        await press(pilot, "7")
        await settle(pilot)
        assert "another teacher" in said(app)
        with nothing_written():
            await press(pilot, "n")
            await settle(pilot)
            assert isinstance(app.screen, SchoolScreen) and "director" in said(app)
        music = journal_of("Музыка")
        await edit_journal(pilot, app, music, "petrova.ep")
        assert TeachingAssignment.get_by_id(music.id).teacher.login == "petrova.ep"
        assert history_of(music)[-1].actor_login == "admin"
