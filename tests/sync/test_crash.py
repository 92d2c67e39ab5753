"""Kill -9 during sync, again and again: after a restart everything converges, nothing is
lost, and at most the one chunk in flight is sent again (DESIGN.md §4)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from node.models import Mark
from node.services.actor import Actor
from node.services.journal import set_marks
from sync import engine
from tests.sync.nodes import Node, contents, sync

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 5

#: The child pushes the laptop's changes and pulls the hub's, CHUNK changes at a time, and
#: prints each chunk's vector and duplicate count once its transaction has committed.
SYNCING = """
import json, sys
from node.models.base import make_database
from tests.sync.nodes import Node
from sync import engine

hub = Node("hub", sys.argv[1], make_database(sys.argv[1]))
laptop = Node("laptop", sys.argv[2], make_database(sys.argv[2]))
size = int(sys.argv[3])
while True:
    since = hub.call(engine.version_vector)
    up = laptop.call(engine.export_chunk, engine.Scope(None), since, max_changes=size)
    done = hub.call(engine.apply_chunk, up.payload, pushed_by=engine.Scope(None))
    print("push", done.skipped, json.dumps(up.vector), flush=True)
    since = laptop.call(engine.version_vector)
    down = hub.call(engine.export_chunk, engine.Scope(None), since, max_changes=size)
    done = laptop.call(engine.apply_chunk, down.payload, pushed_by=None)
    print("pull", done.skipped, json.dumps(down.vector), flush=True)
    if not up.more and not down.more:
        print("done 0 {}", flush=True)
        break
"""


def _run(hub: Node, laptop: Node, kill_at: tuple[int, float] | None) -> list[tuple]:
    """Run the child; with ``kill_at = (lines, delay)`` kill it -9 that long after it has
    reported that many chunks (that is, somewhere in the middle of the next ones)."""
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SYNCING), str(hub.path), str(laptop.path)]
        + [str(CHUNK)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    lines: list[str] = []
    if kill_at is not None:
        for line in child.stdout:
            lines.append(line)
            if len(lines) >= kill_at[0] or line.startswith("done"):
                break
        time.sleep(kill_at[1])
        child.send_signal(signal.SIGKILL)
    out, err = child.communicate()
    lines.extend(out.splitlines())
    if kill_at is None:
        assert child.returncode == 0, err
    printed = []
    for line in lines:
        kind, skipped, vector = line.split(" ", 2)
        printed.append((kind, int(skipped), json.loads(vector)))
    return printed


def _covers(vector: dict[str, int], reported: dict[str, int]) -> bool:
    return all(vector.get(origin, 0) >= hlc for origin, hlc in reported.items())


def test_killing_a_sync_at_random_moments_loses_nothing(hub, laptop):
    s = hub.school
    machine = laptop("laptop")
    for node, value in ((hub, "4"), (machine, "5")):
        with node.active():
            for lesson in s.maths_lessons:
                for student in s.students:
                    set_marks(Actor.for_system(), lesson.id, student.id, [value])
    rng = random.Random(20261125)
    kills = 0
    for _ in range(8):
        hub.close()
        machine.close()
        printed = _run(hub, machine, (rng.randint(1, 6), rng.uniform(0, 0.05)))
        hub.reopen()
        machine.reopen()
        if printed and printed[-1][0] == "done":
            break
        kills += 1
        # every chunk reported as committed is there; no change was ever applied twice
        assert all(skipped == 0 for _kind, skipped, _v in printed)
        for direction, receiver in (("push", hub), ("pull", machine)):
            reported = [v for kind, _s, v in printed if kind == direction]
            if reported:
                assert _covers(receiver.call(engine.version_vector), reported[-1])
    assert kills >= 3
    hub.close()
    machine.close()
    printed = _run(hub, machine, None)
    # the restart picks up from the committed vectors: nothing is applied a second time
    assert printed[-1][0] == "done" and all(skipped == 0 for _k, skipped, _v in printed)
    hub.reopen()
    machine.reopen()
    sync(hub, machine)
    assert contents(hub) == contents(machine)
    assert hub.call(lambda: Mark.select().count()) == 6 * 5
