"""Snapshot tests of the home and journal screens at 80×24 on the S demo (pinned day).

The SVGs live in __snapshots__/; after a deliberate change of the screens, look at the
new pictures and accept them with ``pytest tests/tui/test_snapshots.py --snapshot-update``.
Deterministic because the demo is seeded, the day is pinned (conftest), the header shows
no clock and no text cursor is on screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import PASSWORD, SIZE
from tui.app import EdiaryApp

pytest.importorskip("pytest_textual_snapshot")


def test_home_screen(demo_db: Path, snap_compare):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_journal_screen(demo_db: Path, snap_compare):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))

    async def open_first_journal(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_first_journal)
