"""Benchmark: the journal grid in the TUI, against the service it shows.

``run`` copies a school database, signs the teacher of the biggest quarter journal in
(the same journal ``bench_grid`` picks) into the headless Textual app, and times with
the pilot:

- opening the journal grid: from pushing the screen to the table filled with every
  student's row (the grid is read in a thread worker, as in use);
- a typed mark to the updated cell: from "5"/"4" then Enter to the cell showing it;
- a typed mark to its row saved and redrawn: to the grid read back after the write (in a
  thread worker) being drawn in the row.

The keys are sent the way the terminal driver sends them. ``Pilot.press`` is not used for
the timing: after each key it waits until the process's CPU is idle, that is until the
write's worker thread has finished, whatever the screen showed meanwhile.

Beside them, ``load_grid`` alone in the same run, so the ratio shows what the UI adds.
Used by ``tests/bench/run.py`` (part ``tui``); not part of the timed test run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from node.models import TeachingAssignment, User
from node.models.database import open_database
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.demo.summary import DEMO_PASSWORD
from node.services.gradebook.grid import load_grid
from tests.bench.bench_grid import pick_journal
from tests.bench.figures import ratio

#: The goals of issue 4, for size L.
OPEN_GOAL_MS = 200.0
MARK_GOAL_MS = 50.0


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


async def _until(condition: Any, timeout: float = 10.0) -> None:
    """Wait, yielding to the app's loop, until ``condition()`` holds."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the TUI did not get there in time")
        await asyncio.sleep(0.0005)


def _type(app: Any, *keys: str) -> None:
    """Send key presses as the terminal driver does, without waiting for anything."""
    from textual import events

    assert app._driver is not None
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def _measure(
    db_path: Path, login: str, assignment_id: str, period_id: str, repeats: int
) -> tuple[list[float], list[float], list[float]]:
    from tui.app import EdiaryApp
    from tui.screens.home import HomeScreen
    from tui.screens.journal import JournalScreen, JournalTarget
    from tui.widgets.journal_table import JournalTable

    app = EdiaryApp(db_path, sign_in_as=(login, DEMO_PASSWORD))
    opens: list[float] = []
    marks: list[float] = []
    saves: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: isinstance(app.screen, HomeScreen))
        for attempt in range(repeats + 1):  # the first one warms up
            screen = JournalScreen(JournalTarget(assignment_id, period_id))
            started = time.perf_counter()
            app.push_screen(screen)
            await _until(
                lambda screen=screen: (
                    screen.grid is not None
                    and screen.query_one(JournalTable).row_count == len(screen.grid.students)
                )
            )
            elapsed = time.perf_counter() - started
            await pilot.pause()
            if attempt:
                opens.append(elapsed)
            if attempt < repeats:
                app.pop_screen()
                await pilot.pause()
        screen = app.screen
        table = screen.query_one(JournalTable)
        for attempt in range(repeats + 1):
            keys = table.cursor_keys()
            assert keys is not None
            value = "4" if str(table.get_cell(*keys)) == "5" else "5"
            before = screen.grid
            started = time.perf_counter()
            _type(app, value, "enter")
            try:
                await _until(lambda keys=keys, value=value: str(table.get_cell(*keys)) == value)
                shown = time.perf_counter() - started
                await _until(
                    lambda keys=keys, value=value, before=before: (
                        screen.grid is not before and str(table.get_cell(*keys)) == value
                    )
                )
                saved = time.perf_counter() - started
            except TimeoutError:
                status = screen.query_one("#status").render()
                raise TimeoutError(f"the mark was not shown: {status}") from None
            if attempt:
                marks.append(shown)
                saves.append(saved)
            await pilot.pause()
        await pilot.pause()
    return opens, marks, saves


def _last_school_day(conn: sqlite3.Connection) -> dt.date:
    """The demo's "today": the last day with a mark (the demo fills the journal up to it)."""
    row = conn.execute("SELECT MAX(l.date) FROM mark m JOIN lesson l ON l.id = m.lesson_id")
    return dt.date.fromisoformat(str(row.fetchone()[0])[:10])


def run(db_path: Path, repeats: int = 9, today: dt.date | None = None) -> dict[str, Any]:
    """Medians (ms) of opening the grid and of a typed mark, beside ``load_grid`` alone.

    The app's day is ``today`` (default: the last day with a mark), as the demo pins it.
    """
    with tempfile.TemporaryDirectory(prefix="ediary-bench-tui-") as work:
        copy = Path(work) / "ediary.db"
        with sqlite3.connect(str(db_path)) as source, sqlite3.connect(str(copy)) as target:
            source.backup(target)
        conn = sqlite3.connect(str(copy))
        try:
            assignment_id, period_id = pick_journal(conn)
            day = today or _last_school_day(conn)
        finally:
            conn.close()
        database = open_database(copy)
        try:
            teacher = TeachingAssignment.get_by_id(assignment_id).teacher_id
            login = User.get_by_id(teacher).login
            actor = Actor.for_system()
            load_grid(actor, assignment_id, period_id)
            service: list[float] = []
            for _ in range(repeats):
                started = time.perf_counter()
                grid = load_grid(actor, assignment_id, period_id)
                service.append(time.perf_counter() - started)
        finally:
            database.close()
        with clock.frozen_time(day):
            opens, marks, saves = asyncio.run(
                _measure(copy, login, assignment_id, period_id, repeats)
            )
        shutil.rmtree(work, ignore_errors=True)
    service_ms = statistics.median(service)
    open_ms = statistics.median(opens)
    mark_ms = statistics.median(marks)
    saved_ms = statistics.median(saves)
    return {
        "tui_journal": f"{len(grid.students)} students × {len(grid.lessons)} lessons",
        "tui_open_grid_ms_median": _ms(open_ms),
        "tui_typed_mark_ms_median": _ms(mark_ms),
        "tui_typed_mark_saved_ms_median": _ms(saved_ms),
        "tui_load_grid_ms_median": _ms(service_ms),
        "tui_open_ratio": ratio(open_ms, service_ms, 1),
        "tui_mark_ratio": ratio(mark_ms, service_ms, 1),
        "tui_mark_saved_ratio": ratio(saved_ms, service_ms, 1),
    }


if __name__ == "__main__":
    import json

    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("ediary.db")
    print(json.dumps(run(path), ensure_ascii=False, indent=2))
