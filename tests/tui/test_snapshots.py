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

from tests.tui.test_journal_tui import PASSWORD, SIZE, settle
from tui.app import EdiaryApp

pytest.importorskip("pytest_textual_snapshot")


async def steady(pilot: Pilot[None]) -> None:
    """Workers done, then the cursor's scroll (an animation) and the table's column widths
    (worked out when the app is idle)."""
    await settle(pilot)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_home_screen(demo_db: Path, snap_compare):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    assert snap_compare(app, terminal_size=SIZE, run_before=steady)


def test_journal_screen(demo_db: Path, snap_compare):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))

    async def open_first_journal(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_first_journal)
