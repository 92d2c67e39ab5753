"""Snapshot of the timetable editor's grid at 80×24: the demo class 7А's week, in Russian.

Accept a deliberate change with ``pytest tests/tui/test_timetable_snapshot.py
--snapshot-update`` after looking at the new picture in __snapshots__/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from node.i18n import use_language
from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import PASSWORD, SIZE
from tui.app import EdiaryApp

pytest.importorskip("pytest_textual_snapshot")


@pytest.fixture(autouse=True)
def russian(english) -> Iterator[None]:
    with use_language("ru"):
        yield


def test_timetable_grid(demo_db: Path, tmp_path: Path, snap_compare):
    app = EdiaryApp(demo_db, sign_in_as=("deputy", PASSWORD), data_dir=tmp_path)

    async def open_the_week(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await press(pilot, "a")
        await settle(pilot)
        await press(pilot, "t")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_the_week)
