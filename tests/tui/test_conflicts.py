"""Pilot tests of the sync conflicts screen, with a conflict made by the real merge: the
demo database is the hub, a laptop bootstraps from it, the same mark is typed on both, and
the laptop's push loses one of the two values.

The demo teacher works in Russian, so the checks look at ids, names and values, not words.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import OptionList, Static

from node.models import Lesson, Mark, Student, SyncPeer, TeachingAssignment, User
from node.models.changes import database_epoch
from node.services.base.actor import Actor
from node.services.gradebook.grid import load_grid
from node.services.gradebook.journal_entry import enter_cell
from node.services.gradebook.teacher_home import journal_periods
from tests.sync.nodes import Node, bootstrap, push
from tests.tui.conftest import TODAY
from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import PASSWORD, SIZE
from tui.app import EdiaryApp
from tui.screens.conflicts import ConflictsScreen
from tui.screens.home import HomeScreen
from tui.screens.journal import JournalScreen, choose_period
from tui.widgets.journal_table import JournalTable


def _conflict(
    demo_db: Path, tmp_path: Path, *, absence_of_last: bool = False
) -> tuple[Mark, Lesson, Student]:
    """The teacher types 5 on the school server, then 2 on their laptop, offline; the
    laptop syncs. Returns the mark's cell as it was, its lesson and its student.

    ``absence_of_last``: instead, the last student in the journal of that lesson is marked
    absent; then sick on the server and excused on the laptop, offline."""
    hub = Node.open_copy(demo_db.stem, demo_db.parent)
    (tmp_path / "laptop").mkdir()
    laptop = Node.create("laptop", tmp_path / "laptop")
    try:
        with hub.active():
            teacher = User.get(User.login == "teacher")
            mark = (
                Mark.select()
                .join(Lesson)
                .join(TeachingAssignment)
                .where(TeachingAssignment.teacher == teacher, Lesson.date < TODAY)
                .order_by(Lesson.date.desc())
                .first()
            )
            lesson, student = Lesson.get_by_id(mark.lesson_id), Student.get_by_id(mark.student_id)
            actor = Actor.from_user(teacher)
            if absence_of_last:
                period = choose_period(journal_periods(actor, lesson.assignment_id), lesson.date)
                grid = load_grid(actor, lesson.assignment_id, period.id)
                student = Student.get_by_id(grid.students[-1].id)
                enter_cell(actor, lesson.id, student.id, "н")
        bootstrap(hub, laptop)
        with hub.active():
            enter_cell(actor, lesson.id, student.id, "б" if absence_of_last else "5")
            SyncPeer.create(
                node_id="node-laptop",
                role="replica",
                public_key="00",
                login="teacher",
                user_id=teacher.id,
                paired_at=dt.datetime(2026, 11, 1),
                epoch=laptop.call(database_epoch),
            )
        with laptop.active():
            typed = "у" if absence_of_last else "2"
            enter_cell(Actor.from_user(User.get_by_id(teacher.id)), lesson.id, student.id, typed)
        assert push(laptop, hub) == []
        return mark, lesson, student
    finally:
        laptop.close()
        hub.close()


async def _open_conflicts(pilot, app: EdiaryApp) -> OptionList:
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    await press(pilot, "y")
    await settle(pilot)
    assert isinstance(app.screen, ConflictsScreen)
    return app.screen.query_one("#conflicts", OptionList)


async def test_a_conflict_from_a_real_merge_is_listed_in_words_and_opens_the_journal(
    demo_db: Path, tmp_path: Path
):
    mark, lesson, student = _conflict(demo_db, tmp_path)
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        attention = app.screen.query_one("#attention", OptionList)
        ids = [attention.get_option_at_index(i).id for i in range(attention.option_count)]
        assert "conflicts" in ids
        line = str(attention.get_option("conflicts").prompt)
        assert "1" in line
        conflicts = await _open_conflicts(pilot, app)
        assert conflicts.option_count == 1
        text = str(conflicts.get_option_at_index(0).prompt)
        assert student.last_name in text and lesson.date.strftime("%d.%m.%Y") in text
        assert "2 (" in text and "5 (" in text  # the kept and the lost value, with their source
        assert "teacher" in text  # the laptop is named by its user's login
        for raw in (mark.id, lesson.id, student.id, lesson.assignment_id, "mark_", "tbl"):
            assert str(raw) not in text
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        assert app.screen.target.lesson_id == lesson.id
        assert app.screen.lesson_under_cursor() == lesson.id
        cell = app.screen.query_one("#grid", JournalTable).cursor_keys()
        assert cell == (student.id, lesson.id)  # the very cell: the student's row too
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)


async def test_home_is_quiet_and_the_screen_says_nothing_was_lost_without_conflicts(
    demo_db: Path,
):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        attention = app.screen.query_one("#attention", OptionList)
        ids = [attention.get_option_at_index(i).id for i in range(attention.option_count)]
        assert "conflicts" not in ids
        conflicts = await _open_conflicts(pilot, app)
        assert conflicts.option_count == 1 and conflicts.get_option_at_index(0).disabled
        await press(pilot, "enter")
        assert isinstance(app.screen, ConflictsScreen)
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_the_home_line_opens_the_conflicts_and_the_director_sees_them_too(
    demo_db: Path, tmp_path: Path
):
    _conflict(demo_db, tmp_path)
    app = EdiaryApp(demo_db, sign_in_as=("director", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        attention = app.screen.query_one("#attention", OptionList)
        ids = [attention.get_option_at_index(i).id for i in range(attention.option_count)]
        attention.focus()
        attention.highlighted = ids.index("conflicts")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        assert app.screen.query_one("#conflicts", OptionList).option_count == 1
        assert not app.screen.query_one("#status", Static).has_class("error")


async def test_an_absence_conflict_opens_the_journal_on_the_students_row_scrolled_into_view(
    demo_db: Path, tmp_path: Path
):
    _mark, lesson, student = _conflict(demo_db, tmp_path, absence_of_last=True)
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        conflicts = await _open_conflicts(pilot, app)
        assert conflicts.option_count == 1
        assert student.last_name in str(conflicts.get_option_at_index(0).prompt)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        table = app.screen.query_one("#grid", JournalTable)
        assert table.cursor_keys() == (student.id, lesson.id)
        row, shown = table.cursor_row, table.scrollable_content_region.height - 1  # - header
        assert row == table.row_count - 1 and row >= shown  # below the first page...
        assert table.scroll_offset.y <= row < table.scroll_offset.y + shown  # ...scrolled to
