"""Pilot tests of the subgroup screen [R 4.3]: move a student, keep the marks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import DataTable, Input

from node.models import Mark, Subgroup, SubgroupMember
from tests.tui.drive import press, settle
from tests.tui.test_class_list import open_class
from tests.tui.test_journal_tui import PASSWORD, SIZE, status
from tui.app import EdiaryApp
from tui.screens.class_dialogs import TextDialog
from tui.screens.class_subgroups import SubgroupScreen


async def open_split(pilot, app: EdiaryApp) -> DataTable:
    await open_class(pilot, app)
    await press(pilot, "s")
    await settle(pilot)
    assert isinstance(app.screen, SubgroupScreen)
    return app.screen.query_one("#split-table", DataTable)


def group_of(student_id: str, subject_id: str) -> str | None:
    row = (
        SubgroupMember.select(SubgroupMember.subgroup)
        .join(Subgroup)
        .where(SubgroupMember.student == student_id, Subgroup.subject == subject_id)
        .first()
    )
    return row.subgroup_id if row else None


async def test_a_student_moves_between_subgroups_keeping_marks(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_split(pilot, app)
        split = app.screen.split
        assert split is not None and len(split.subgroups) == 2
        assert table.row_count == len(split.rows)
        student = split.rows[0]
        subject = split.subject_id
        marks = Mark.select().where(Mark.student == student.student_id).count()
        target = next(g for g in split.subgroups if g.subgroup_id != student.subgroup_id)
        number = split.subgroups.index(target) + 1
        await press(pilot, str(number))
        await settle(pilot)
        assert group_of(student.student_id, subject) == target.subgroup_id
        assert Mark.select().where(Mark.student == student.student_id).count() == marks
        assert table.cursor_row == 1  # on to the next student
        await press(pilot, "up", "0")
        await settle(pilot)
        assert group_of(student.student_id, subject) is None
        await press(pilot, "9")
        await settle(pilot)
        assert "error" in status(app).classes


async def test_a_new_subgroup_is_added(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await open_split(pilot, app)
        before = len(app.screen.split.subgroups)
        await press(pilot, "n")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        app.screen.query_one("#text", Input).value = ""
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)  # a name is required
        app.screen.query_one("#text", Input).value = "3 группа"
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, SubgroupScreen)
        assert len(app.screen.split.subgroups) == before + 1


async def test_a_subgroup_teacher_opens_the_split_of_their_subject(demo_db: Path):
    with sqlite3.connect(demo_db) as connection:
        login = connection.execute(
            "SELECT u.login FROM user u JOIN teaching_assignment a ON a.teacher_id = u.id "
            "WHERE a.subgroup_id IS NOT NULL AND u.roles = 'teacher' LIMIT 1"
        ).fetchone()[0]
        connection.execute(
            "UPDATE user SET password_hash = (SELECT password_hash FROM user "
            "WHERE login = 'teacher') WHERE login = ?",
            (login,),
        )
    app = EdiaryApp(demo_db, sign_in_as=(login, PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await settle(pilot)
        assert isinstance(app.screen, SubgroupScreen)
        split = app.screen.split
        assert split is not None and len(split.subjects) == 1 and split.subgroups
        student = split.rows[0]
        target = next(g for g in split.subgroups if g.subgroup_id != student.subgroup_id)
        await press(pilot, str(split.subgroups.index(target) + 1))
        await settle(pilot)
        assert group_of(student.student_id, split.subject_id) == target.subgroup_id
        await press(pilot, "n")  # splitting the class anew is the class teacher's
        await settle(pilot)
        app.screen.query_one("#text", Input).value = "3 группа"
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, SubgroupScreen)
        assert "error" in status(app).classes
