"""Kill -9 of either side during sync over the real wire, again and again (docs/ARCHITECTURE.md §4).

The hub is ``ediary serve`` in its own process (its sync port, its self-signed certificate,
pinned at pairing); the laptop is ``ediary join`` / ``ediary sync`` in its own process with
its own data folder, on 127.0.0.1 only. Each process stops for good right after a chosen
``ediary.sync`` debug line (the laptop's "pulled changes chunk", the hub's "sent changes
chunk 3", ...) and says so; the test kills it there. A seeded random picks which chunk, so
every run makes the kills it counts and a failure reproduces. After the restarts everything
converges, nothing is lost, and no chunk its receiver had committed is ever sent again: at
most the one in flight at the kill is. Each side's receiver says, per committed chunk, how
many of its changes it already held (the debug lines of ``sync.runner``; a laptop learns the
hub's count from the push's answer).
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from node.models import Mark, User, db
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.gradebook import journal
from sync import engine
from sync.client import HubAddress, fetch_fingerprint
from tests.conftest import SCHOOL_TODAY
from tests.ports import free_port
from tests.processes import TIMEOUT, Output
from tests.sync.net_support import HubFolder, on
from tests.sync.test_net_end_to_end import Hub, pair_code

ROOT = Path(__file__).resolve().parents[2]
#: Changes per chunk on this hub (its ``sync_chunk_changes``): many chunks per sync.
CHUNK = 4
SEED = 20261128

#: ``ediary ARGS`` as the console script runs it, with the sync debug lines on stderr and a
#: gate: told "COUNT PATTERN", the process stops for good right after the COUNT-th log line
#: matching PATTERN, once it has said STOPPED (the test kills it there). A laptop loads, then
#: waits for "go" or "go COUNT PATTERN" (the next run loads while the test works: Python's
#: start-up is most of a short sync's time); a hub (``--gate-from-stdin``) takes gates on its
#: standard input while it serves and answers each with GATE_SET.
STOPPED = "stopped here for the kill"
GATE_SET = "gate set"
CHILD = """
import logging, re, sys, threading
logging.basicConfig(level=logging.WARNING, format="%(name)s %(message)s")
logging.getLogger("ediary").setLevel(logging.INFO)
logging.getLogger("ediary.sync").setLevel(logging.DEBUG)

class Gate(logging.Handler):
    def __init__(self):
        super().__init__()
        self.spec = None
        self.guard = threading.Lock()

    def set(self, line):
        count, pattern = line.split(" ", 1)
        with self.guard:
            self.spec = [int(count), re.compile(pattern)]

    def emit(self, record):
        with self.guard:
            spec = self.spec
            if spec is None or not spec[1].search(record.getMessage()):
                return
            spec[0] -= 1
            if spec[0] > 0:
                return
        say("STOPPED")
        threading.Event().wait()

def say(line):
    sys.stderr.write(line + "\\n")
    sys.stderr.flush()

gate = Gate()
logging.getLogger().addHandler(gate)
args = sys.argv[1:]
if args[0] == "--gate-from-stdin":
    def read_gates():
        for line in sys.stdin:
            gate.set(line.strip())
            say("GATE_SET")
    threading.Thread(target=read_gates, daemon=True).start()
    args = args[1:]
else:
    line = sys.stdin.readline()
    if not line.startswith("go"):
        sys.exit(0)
    if line.strip() != "go":
        gate.set(line.strip()[3:])
from node.cli import main
sys.exit(main(args))
""".replace("STOPPED", STOPPED).replace("GATE_SET", GATE_SET)
#: A sync is cut after a random number of chunks sent this way: twice in a push (the second
#: one also carries what the first did not send), twice in a pull.
WAYS = ("pushed", "pushed", "pulled", "pulled")
COMMITTED = re.compile(r"(pulled|pushed) (bootstrap|changes) chunk: (\d+) applied, (\d+) already")

#: What a cut sync may say went wrong (sync/client.py ``_reason``), in the test's language.
PLAIN_REASONS = ("the connection broke off", "no program listens on that port", "no answer in time")


def _stopped(lines: list[str]) -> bool:
    return STOPPED in lines


@dataclass
class Served:
    """``ediary serve`` on the hub's data folder; killed and started again by the tests."""

    hub: Hub
    web_port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    output: Output | None = None
    outputs: list[Output] = field(default_factory=list)

    def start(self) -> None:
        self.spawn()
        self.ready()

    def spawn(self) -> None:
        """Start the process (it takes a second to listen: the test works meanwhile)."""
        args = ["serve", "--port", str(self.web_port), "--sync-port", str(self.hub.port)]
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD, "--gate-from-stdin", "--lang", "en", *args]
            + ["--workers", "1"],
            env=os.environ | {"EDIARY_DATA_DIR": str(self.hub.data_dir)},
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = Output(self.process)
        self.outputs.append(self.output)

    def ready(self) -> None:
        """Wait until the sync port serves (the hub says so)."""
        assert self.output is not None
        ready = f"sync: https://127.0.0.1:{self.hub.port}/"
        self.output.wait_for(lambda lines: any(ready in line for line in lines))

    def stop_after(self, count: int, pattern: str) -> None:
        """The hub stops for good after ``count`` log lines matching ``pattern``."""
        self.ready()
        assert self.process is not None and self.process.stdin is not None and self.output
        gates = self.output.count(GATE_SET)
        self.process.stdin.write(f"{count} {pattern}\n")
        self.process.stdin.flush()
        self.output.wait_for(lambda lines: lines.count(GATE_SET) > gates)

    def kill(self) -> bool:
        """Kill -9; whether it was still running (else nothing was cut)."""
        assert self.process is not None
        alive = self.process.poll() is None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(TIMEOUT)
        self._close()
        return alive

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(TIMEOUT)
            self._close()

    def _close(self) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.close()
        self.process = None

    def logs(self) -> str:
        return "\n".join(output.so_far() for output in self.outputs)


@dataclass
class Laptop:
    folder: Path
    runs: list[str] = field(default_factory=list)
    loaded: subprocess.Popen[str] | None = None  # the next ``ediary sync``, waiting

    def _spawn(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", CHILD, "--lang", "en", "--data-dir", str(self.folder), *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def launch(
        self, *args: str, answers: str = "", stop: tuple[int, str] | None = None
    ) -> tuple[subprocess.Popen[str], Output]:
        """Run ``ediary ARGS`` (a ``sync`` uses the process loaded meanwhile); with ``stop``
        (count, pattern) it stops for good after that many matching log lines."""
        if args == ("sync",) and self.loaded is not None:
            process, self.loaded = self.loaded, None
        else:
            process = self._spawn(*args)
        assert process.stdin is not None
        go = "go" if stop is None else f"go {stop[0]} {stop[1]}"
        process.stdin.write(f"{go}\n{answers}")
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


def _committed(way: str, kind: str = "changes") -> str:
    """The laptop's line once a chunk of ``kind`` that went ``way`` is committed."""
    return f"{way} {kind} chunk: "


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

    def fill_cut(self) -> int:
        """Where to cut the first fill: each of its two cuts within its first third."""
        return self.rng.randint(1, self.fill_chunks // 3)


#: Chunks one round's edits make at least (20 marks rewritten, CHUNK changes a chunk): a
#: round is cut within them.
ROUND_CHUNKS = 5


@pytest.fixture
def setup(tmp_path: Path, hub_folder: HubFolder) -> Iterator[Setup]:
    data_dir = hub_folder.data_dir
    (data_dir / "ediary.toml").write_text(f"sync_chunk_changes = {CHUNK}\n", encoding="utf-8")
    served = Served(Hub(data_dir, free_port(), hub_folder.school, hub_folder.english_lesson))
    served.start()
    laptop = Laptop(tmp_path / "laptop")
    try:
        yield Setup(served, laptop, random.Random(SEED))
    finally:
        laptop.close()
        served.stop()


def _join(
    setup: Setup, stop: tuple[int, str] | None = None
) -> tuple[subprocess.Popen[str], Output]:
    """``ediary join`` as a script gives it: the address, the fingerprint, the code."""
    fingerprint = fetch_fingerprint(HubAddress("127.0.0.1", setup.hub.port))
    code = pair_code(setup.hub, "ivanova")
    return setup.laptop.launch(
        "join", setup.hub.address, "--fingerprint", fingerprint, answers=f"{code}\n", stop=stop
    )


def _count_fill(setup: Setup) -> None:
    """How many chunks the laptop's first fill takes uncut (the data does not change)."""
    with on(setup.hub.data_dir):
        scope = engine.scope_for_user(setup.hub.school.teacher.id)
        setup.fill_chunks = sum(1 for _chunk in engine.bootstrap(scope, max_rows=CHUNK))
    assert setup.fill_chunks > 10


def _kill_laptop(setup: Setup, process: subprocess.Popen[str], output: Output) -> None:
    """Kill the laptop where it stopped (it waits there: every kill cuts a sync)."""
    output.wait_for(_stopped)
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
    _count_fill(setup)
    # the first fill is cut twice (join, then the sync that resumes it), then completes
    process, output = _join(setup, (setup.fill_cut(), _committed("pulled", "bootstrap")))
    _kill_laptop(setup, process, output)
    stop = (setup.fill_cut(), _committed("pulled", "bootstrap"))
    process, output = setup.laptop.launch("sync", stop=stop)
    _kill_laptop(setup, process, output)
    setup.laptop.sync()

    for round_, way in enumerate(WAYS):
        setup.edit_for(way, round_)
        stop = (rng.randint(1, ROUND_CHUNKS), _committed(way))
        _kill_laptop(setup, *setup.laptop.launch("sync", stop=stop))
    assert setup.kills == 6, setup.laptop.runs

    out = setup.laptop.sync()
    assert "Synced with the school server" in out
    _assert_converged(setup)


def test_killing_the_hub_again_and_again_loses_nothing(setup: Setup):
    rng = setup.rng
    served = setup.served

    def cut(process: subprocess.Popen[str], output: Output) -> None:
        """Kill the hub where it stopped; the laptop's sync then says so, and a new hub
        starts."""
        served.output.wait_for(_stopped)  # type: ignore[union-attr]
        setup.kills += served.kill()
        code, out = setup.laptop.finish(process, output)
        # it was cut: one line saying what to check, nothing else
        assert code == 8 and "does not answer" in out, out
        assert "Traceback" not in out and "unexpected" not in out, out
        assert any(reason in out for reason in PLAIN_REASONS), out  # not aiohttp's words
        served.spawn()

    _count_fill(setup)
    # the first fill is cut twice (join, then the sync that resumes it), then completes
    served.stop_after(setup.fill_cut(), "sent bootstrap chunk")
    cut(*_join(setup))
    served.stop_after(setup.fill_cut(), "sent bootstrap chunk")
    cut(*setup.laptop.launch("sync"))
    served.ready()
    setup.laptop.sync()

    for round_, way in enumerate(WAYS):
        setup.edit_for(way, round_)
        # pushed: killed after committing a chunk, before answering; pulled: after sending one
        served.stop_after(
            rng.randint(1, ROUND_CHUNKS), "push committed" if way == "pushed" else "sent changes"
        )
        cut(*setup.laptop.launch("sync"))
    assert setup.kills == 6, setup.laptop.runs

    served.ready()
    out = setup.laptop.sync()
    assert "Synced with the school server" in out
    _assert_converged(setup)
