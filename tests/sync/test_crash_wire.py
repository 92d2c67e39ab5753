"""Kill -9 of either side during sync over the real wire, again and again (DESIGN.md §4).

The hub is ``ediary serve`` in its own process (its sync port, its self-signed certificate,
pinned at pairing); the laptop is ``ediary join`` / ``ediary sync`` in its own process with
its own data folder, on 127.0.0.1 only. A seeded random picks which chunk a process is
killed after and how long after, so a failure reproduces. After the restarts everything
converges, nothing is lost, and no chunk its receiver had committed is ever sent again: at
most the one in flight at the kill is. Each side's receiver says, per committed chunk, how
many of its changes it already held (the ``ediary.sync`` debug lines of ``sync.runner``; a
laptop learns the hub's count from the push's answer).
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from node.models import Mark, User, db
from node.services import clock, journal
from node.services.actor import Actor
from sync import engine
from sync.client import HubAddress, fetch_fingerprint
from tests.conftest import SCHOOL_TODAY
from tests.sync.net_support import free_port
from tests.sync.test_net_end_to_end import Hub, _build_hub, on, pair_code

ROOT = Path(__file__).resolve().parents[2]
#: Changes per chunk on this hub (its ``sync_chunk_changes``): many chunks per sync.
CHUNK = 4
SEED = 20261128
#: No step of these tests takes this long unless something hangs.
TIMEOUT = 30.0

#: ``ediary ARGS`` as the console script runs it, with the sync debug lines on stderr. It
#: loads, then waits for "go" (the next run loads while the test works: Python's start-up
#: is most of a short sync's time).
LAPTOP = """
import logging, sys
logging.basicConfig(level=logging.WARNING, format="%(name)s %(message)s")
logging.getLogger("ediary.sync").setLevel(logging.DEBUG)
from node.cli import main
if sys.stdin.readline() != "go\\n":
    sys.exit(0)
sys.exit(main(sys.argv[1:]))
"""
#: A sync is cut after a random number of chunks sent this way: twice in a push (the second
#: one also carries what the first did not send), twice in a pull.
WAYS = ("pushed", "pushed", "pulled", "pulled")
STARTED = re.compile(r"pull (bootstrap|changes) since")
COMMITTED = re.compile(r"(pulled|pushed) (bootstrap|changes) chunk: (\d+) applied, (\d+) already")

#: What a cut sync may say went wrong (sync/client.py ``_reason``), in the test's language.
PLAIN_REASONS = ("the connection broke off", "no program listens on that port", "no answer in time")


class Output:
    """A process's merged output, read by a thread so a test can wait for a line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._done = False
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        with process.stdout:
            for line in process.stdout:
                with self._changed:
                    self.lines.append(line.rstrip("\n"))
                    self._changed.notify_all()
        with self._changed:
            self._done = True
            self._changed.notify_all()

    def wait_for(self, enough: Callable[[list[str]], bool]) -> bool:
        """Until ``enough(lines)`` (True) or the output ends (False)."""
        deadline = time.monotonic() + TIMEOUT
        with self._changed:
            while not enough(self.lines):
                if self._done:
                    return False
                left = deadline - time.monotonic()
                assert left > 0, "\n".join(self.lines)
                self._changed.wait(left)
            return True

    def text(self) -> str:
        self._thread.join(TIMEOUT)
        return "\n".join(self.lines)


@dataclass
class Served:
    """``ediary serve`` on the hub's data folder; killed and started again by the tests."""

    hub: Hub
    web_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        self.spawn()
        self.ready()

    def spawn(self) -> None:
        """Start the process (it takes a second to listen: the test works meanwhile)."""
        self.starts += 1
        log = (self.hub.data_dir.parent / f"serve-{self.starts}.log").open("wb")
        args = ["serve", "--port", str(self.web_port), "--sync-port", str(self.hub.port)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "node.cli", "--lang", "en", *args, "--workers", "1"],
            env=os.environ | {"EDIARY_DATA_DIR": str(self.hub.data_dir)},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.hub.port), timeout=1):
                    return
            except OSError:
                assert self.process.poll() is None, self.logs()
                assert time.monotonic() < deadline, self.logs()
                time.sleep(0.05)

    def kill(self) -> bool:
        """Kill -9; whether it was still running (else nothing was cut)."""
        assert self.process is not None
        alive = self.process.poll() is None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(TIMEOUT)
        self.process = None
        return alive

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(TIMEOUT)
            self.process = None

    def logs(self) -> str:
        files = sorted(self.hub.data_dir.parent.glob("serve-*.log"))
        return "\n".join(path.read_text(errors="replace") for path in files)


@dataclass
class Laptop:
    folder: Path
    runs: list[str] = field(default_factory=list)
    loaded: subprocess.Popen[str] | None = None  # the next ``ediary sync``, waiting

    def _spawn(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", LAPTOP, "--lang", "en", "--data-dir", str(self.folder), *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def launch(self, *args: str, answers: str = "") -> tuple[subprocess.Popen[str], Output]:
        """Run ``ediary ARGS``; a ``sync`` uses the process loaded meanwhile."""
        if args == ("sync",) and self.loaded is not None:
            process, self.loaded = self.loaded, None
        else:
            process = self._spawn(*args)
        assert process.stdin is not None
        process.stdin.write("go\n" + answers)
        process.stdin.close()
        output = Output(process)
        self.loaded = self._spawn("sync")
        return process, output

    def close(self) -> None:
        """End the process loaded for a sync that did not come."""
        if self.loaded is not None:
            assert self.loaded.stdin is not None and self.loaded.stdout is not None
            self.loaded.stdin.close()
            self.loaded.wait(TIMEOUT)
            self.loaded.stdout.close()
            self.loaded = None

    def finish(self, process: subprocess.Popen[str], output: Output) -> tuple[int, str]:
        code = process.wait(TIMEOUT)
        text = output.text()
        self.runs.append(text)
        return code, text

    def sync(self) -> str:
        code, out = self.finish(*self.launch("sync"))
        assert code == 0, out
        return out

    def committed(self) -> list[tuple[str, str, int, int]]:
        """Every chunk committed on its receiver, over all runs: (way, kind, applied, held)."""
        return [
            (m[1], m[2], int(m[3]), int(m[4])) for run in self.runs for m in COMMITTED.finditer(run)
        ]


def _chunks(way: str, count: int, kind: str = "changes") -> Callable[[list[str]], bool]:
    """Enough output once ``count`` chunks of ``kind`` went ``way`` ("pushed", "pulled")."""

    def enough(lines: list[str]) -> bool:
        found = [m for m in map(COMMITTED.search, lines) if m and (m[1], m[2]) == (way, kind)]
        return len(found) >= count

    return enough


def _started(kind: str) -> Callable[[list[str]], bool]:
    return lambda lines: any((m := STARTED.search(line)) and m[1] == kind for line in lines)


@dataclass
class Setup:
    served: Served
    laptop: Laptop
    rng: random.Random
    expected: dict[tuple[str, str], str] = field(default_factory=dict)
    kills: int = 0
    fill_chunks: int = 0  # of the laptop's first fill, uninterrupted

    @property
    def hub(self) -> Hub:
        return self.served.hub

    def edit(self, folder: Path, lessons: list[str], round_: int) -> None:
        """The maths teacher rewrites marks of ``lessons`` a few times (many changes)."""
        school = self.hub.school
        with on(folder), clock.frozen_time(SCHOOL_TODAY):
            teacher = Actor.from_user(User.get_by_id(school.teacher.id))
            for rewrite in range(2):
                for lesson in lessons:
                    for number, student in enumerate(school.students):
                        value = str(2 + (round_ + rewrite + number) % 4)
                        journal.set_marks(teacher, lesson, student.id, [value])
                        self.expected[(lesson, student.id)] = value

    def edit_for(self, way: str, round_: int) -> None:
        """Edits for the laptop to push or to pull, each side in its own lessons (so each
        side's last value stands, and the test knows it)."""
        lessons = [lesson.id for lesson in self.hub.school.maths_lessons]
        if way == "pushed":
            self.edit(self.laptop.folder, lessons[:2], round_)
        else:
            self.edit(self.hub.data_dir, lessons[-2:], round_)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    data_dir = tmp_path / "hub"
    school, english = _build_hub(data_dir)
    (data_dir / "ediary.toml").write_text(f"sync_chunk_changes = {CHUNK}\n", encoding="utf-8")
    served = Served(Hub(data_dir, free_port(), school, english))
    served.start()
    laptop = Laptop(tmp_path / "laptop")
    try:
        yield Setup(served, laptop, random.Random(SEED))
    finally:
        laptop.close()
        served.stop()


def _join(setup: Setup) -> tuple[subprocess.Popen[str], Output]:
    """``ediary join`` as a script gives it: the address, the fingerprint, the code."""
    fingerprint = fetch_fingerprint(HubAddress("127.0.0.1", setup.hub.port))
    code = pair_code(setup.hub, "ivanova")
    return setup.laptop.launch(
        "join", setup.hub.address, "--fingerprint", fingerprint, answers=f"{code}\n"
    )


def _count_fill(setup: Setup) -> None:
    """How many chunks the laptop's first fill takes uncut (the data has not changed)."""
    with on(setup.hub.data_dir):
        scope = engine.scope_for_user(setup.hub.school.teacher.id)
        setup.fill_chunks = sum(1 for _chunk in engine.bootstrap(scope, max_rows=CHUNK))
    assert setup.fill_chunks > 10


def _kill_laptop(setup: Setup, process: subprocess.Popen[str], output: Output) -> None:
    alive = process.poll() is None
    process.send_signal(signal.SIGKILL)
    code, out = setup.laptop.finish(process, output)
    assert code in (0, -signal.SIGKILL), out
    setup.kills += alive


def _assert_converged(setup: Setup) -> None:
    """Both hold every change, the same marks, the same vectors; no chunk came twice."""
    lessons = [lesson.id for lesson in setup.hub.school.maths_lessons]
    found = {}
    for folder in (setup.hub.data_dir, setup.laptop.folder):
        with on(folder):
            assert db.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
            marks = Mark.select().where(Mark.lesson.in_(lessons)).order_by(Mark.id)
            rows = [sorted(m.__data__.items()) for m in marks]
            values = {(m.lesson_id, m.student_id): m.value for m in marks}
            changes = set(db.execute_sql("SELECT origin, hlc FROM sync_change"))
            found[folder] = (rows, values, engine.version_vector(), changes)
    hub, laptop = found[setup.hub.data_dir], found[setup.laptop.folder]
    assert laptop[1] == hub[1] == setup.expected  # every last write, on both sides
    assert laptop[0] == hub[0]
    assert laptop[2] == hub[2]  # each has every change the other has
    assert laptop[3] <= hub[3]  # the laptop's changes all reached the hub
    # a committed chunk is never sent again (only the one cut off by a kill is): none held
    # a change its receiver had, and the first fill took no more chunks than it would uncut
    # (fewer lines when a kill fell between a chunk's commit and its line)
    committed = setup.laptop.committed()
    assert [chunk for chunk in committed if chunk[3]] == [], committed
    fill = [chunk for chunk in committed if chunk[1] == "bootstrap"]
    assert setup.fill_chunks - setup.kills <= len(fill) <= setup.fill_chunks, committed
    assert sum(applied for way, kind, applied, _held in committed if kind == "changes") > 0
    assert not (setup.laptop.folder / "ediary-error.log").exists()
    assert "Traceback" not in setup.served.logs()


def test_killing_the_laptops_sync_again_and_again_loses_nothing(setup: Setup):
    rng = setup.rng
    # the first fill is cut twice (join, then the sync that resumes it), then completes
    process, output = _join(setup)
    for _attempt in range(2):
        if output.wait_for(_chunks("pulled", rng.randint(1, 8), "bootstrap")):
            time.sleep(rng.uniform(0, 0.02))
        _kill_laptop(setup, process, output)
        process, output = setup.laptop.launch("sync")
    code, out = setup.laptop.finish(process, output)
    assert code == 0, out
    _count_fill(setup)

    for round_, way in enumerate(WAYS):
        setup.edit_for(way, round_)
        process, output = setup.laptop.launch("sync")
        if output.wait_for(_chunks(way, rng.randint(1, 5))):
            time.sleep(rng.uniform(0, 0.02))
        _kill_laptop(setup, process, output)
    assert setup.kills >= 4, setup.laptop.runs

    out = setup.laptop.sync()
    assert "Synced with the school server" in out
    _assert_converged(setup)


def test_killing_the_hub_again_and_again_loses_nothing(setup: Setup):
    rng = setup.rng
    served = setup.served

    def cut(
        process: subprocess.Popen[str],
        output: Output,
        enough: Callable[[list[str]], bool],
        within: float,
    ) -> None:
        """Kill the hub up to ``within`` s after the laptop got ``enough``; the laptop's
        sync then says so."""
        if output.wait_for(enough):
            time.sleep(rng.uniform(0, within))
        setup.kills += served.kill()
        served.spawn()
        code, out = setup.laptop.finish(process, output)
        if code != 0:  # it was cut: one line saying what to check, nothing else
            assert code == 8 and "does not answer" in out, out
            assert "Traceback" not in out and "unexpected" not in out, out
            assert any(reason in out for reason in PLAIN_REASONS), out  # not aiohttp's words

    # the first fill is cut twice (join, then the sync that resumes it), then completes
    process, output = _join(setup)
    cut(process, output, _started("bootstrap"), 0.1)
    served.ready()
    process, output = setup.laptop.launch("sync")
    cut(process, output, _started("bootstrap"), 0.1)
    served.ready()
    setup.laptop.sync()
    _count_fill(setup)

    for round_, way in enumerate(WAYS):
        setup.edit_for(way, round_)
        served.ready()
        process, output = setup.laptop.launch("sync")
        # a hub sends a pull's small chunks faster than the laptop takes them: it is cut
        # while it still exports only when killed soon after the pull starts
        started = _chunks(way, rng.randint(1, 5)) if way == "pushed" else _started("changes")
        cut(process, output, started, 0.04)
    assert setup.kills >= 4, setup.laptop.runs

    served.ready()
    out = setup.laptop.sync()
    assert "Synced with the school server" in out
    _assert_converged(setup)
