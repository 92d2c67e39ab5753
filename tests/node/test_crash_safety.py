"""Nothing is lost: processes killed with SIGKILL in the middle of writing leave consistent data.

Each test runs the real code in a child process, kills it at a point the child reports it has
reached while it works, and then checks what is on disk.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from node.models import History, Mark
from node.models.database import open_database, quick_check

ROOT = Path(__file__).resolve().parents[2]


def _spawn(code: str, *args: str, stdin: bool = False) -> subprocess.Popen:
    """Run ``code`` in a child; its stdout is read by the test (``stdin``: and written)."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _kill(child: subprocess.Popen) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait()
    for stream in (child.stdin, child.stdout):
        if stream is not None:
            stream.close()


MARKING = """
import datetime as dt, itertools, sys
from node.models import Meta
from node.models.database import open_database
from node.services.base import clock
from node.services.gradebook import journal
from tests.factories import build_small_school

open_database(sys.argv[1], create=True)
Meta.set_value("node_id", "crash-test")
with clock.frozen_time(dt.date(2026, 11, 25)):
    s = build_small_school()
    teacher = s.actor(s.teacher)
    print("ready", flush=True)
    cells = itertools.cycle([(l, st) for l in s.maths_lessons for st in s.students])
    values = itertools.cycle([["5"], ["4", "3"], ["2"], []])
    for n, ((lesson, student), value) in enumerate(zip(cells, values)):
        journal.set_marks(teacher, lesson.id, student.id, value)
        if n % 50 == 0:
            print("wrote", n, flush=True)
"""


def test_a_teacher_killed_while_marking_leaves_marks_and_history_in_step(tmp_path: Path):
    path = tmp_path / "ediary.db"
    child = _spawn(MARKING, str(path))
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    for _ in range(4):  # let it write a few hundred marks, then pull the plug
        child.stdout.readline()
    _kill(child)

    database = open_database(path)
    assert quick_check(database) == "ok"
    assert Mark.select().count() > 0
    # every mark on disk is exactly what the latest history of its row says it is
    for mark in Mark.select():
        last = History.of("mark", mark.id).order_by(History.at.desc(), History.id.desc()).first()
        assert last is not None and last.action in ("create", "update")
        changes = last.change_map()
        if "value" in changes:
            assert changes["value"][1] == mark.value
    # and every mark history says which row; deleted rows have their delete recorded
    for entry in History.select().where(History.entity == "mark"):
        exists = Mark.select().where(Mark.id == entry.entity_id).exists()
        deleted = (
            History.select()
            .where(History.entity_id == entry.entity_id, History.action == "delete")
            .exists()
        )
        assert exists != deleted
    database.close()


#: The M demo; at its tenth progress report (lessons and marks are being written into the
#: half-built file) it says "midway" and waits there for the test's kill.
DEMO = """
import sys
from pathlib import Path
from node.services.demo import build_demo

building = Path(sys.argv[1] + ".building")
reports = []

def progress(stage, done, total):
    reports.append(stage)
    if len(reports) == 10 and building.exists():
        print("midway", flush=True)
        sys.stdin.readline()

build_demo(Path(sys.argv[1]), size="M", seed=3, today=None, node_id="crash-test",
           progress=progress)
print("built", flush=True)
"""


def test_a_demo_build_killed_midway_leaves_no_school_and_the_next_run_succeeds(tmp_path: Path):
    path = tmp_path / "ediary.db"
    child = _spawn(DEMO, str(path), stdin=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "midway"
    building = path.with_name(path.name + ".building")
    assert building.exists()
    _kill(child)
    assert not path.exists(), "a half-built school must never look complete"

    rerun = subprocess.run(
        [
            sys.executable,
            "-m",
            "node.cli",
            "--data-dir",
            str(tmp_path),
            "--lang",
            "en",
            "demo",
            "--size",
            "S",
            "--build-only",
            "--today",
            "2026-11-25",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert rerun.returncode == 0, rerun.stderr
    assert not building.exists()
    database = open_database(path)
    assert quick_check(database) == "ok"
    meta = json.loads(database.execute_sql("SELECT value FROM meta WHERE key='demo'").fetchone()[0])
    database.close()
    assert meta["size"] == "S"
