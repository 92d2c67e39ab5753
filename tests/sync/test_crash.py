"""Kill -9 during sync, again and again: after a restart everything converges, nothing is
lost, and at most the one chunk in flight is sent again (docs/ARCHITECTURE.md §4).

The child stops at each point it reports and is killed at one of them, chosen by a seeded
random: every run makes its kills, both inside a transaction and between chunks."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from node.models import Mark
from node.services.base.actor import Actor
from node.services.gradebook.journal import set_marks
from sync import engine
from tests.sync.nodes import Node, contents, sync

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 5

#: The child pushes the laptop's changes and pulls the hub's, CHUNK changes at a time. It
#: reports each point a kill may fall on: "applying push" inside the receiver's transaction
#: (not yet committed), then "push SKIPPED VECTOR" once it has committed; the same for the
#: pull. Paused, it waits at each point until the test says "go" (or kills it there).
SYNCING = """
import json, sys
from node.models.base import make_database
from tests.sync.nodes import Node
from sync import engine

hub = Node("hub", sys.argv[1], make_database(sys.argv[1]))
laptop = Node("laptop", sys.argv[2], make_database(sys.argv[2]))
size = int(sys.argv[3])
paused = sys.argv[4] == "paused"

def reached(point):
    print(point, flush=True)
    if paused and sys.stdin.readline() != "go\\n":
        sys.exit(3)

def apply(receiver, payload, pushed_by, way):
    with receiver.active(), receiver.database.atomic():
        done = engine.apply_chunk(payload, pushed_by=pushed_by)
        reached("applying " + way)
    return done

while True:
    since = hub.call(engine.version_vector)
    up = laptop.call(engine.export_chunk, engine.Scope(None), since, max_changes=size)
    done = apply(hub, up.payload, engine.Scope(None), "push")
    reached("push %d %s" % (done.skipped, json.dumps(up.vector)))
    since = laptop.call(engine.version_vector)
    down = hub.call(engine.export_chunk, engine.Scope(None), since, max_changes=size)
    done = apply(laptop, down.payload, None, "pull")
    reached("pull %d %s" % (done.skipped, json.dumps(down.vector)))
    if not up.more and not down.more:
        print("done 0 {}", flush=True)
        break
"""


@dataclass
class Run:
    """What one child reported: its committed chunks, and where it was killed (if it was)."""

    printed: list[tuple[str, int, dict[str, int]]]
    killed_at: str | None


def _run(hub: Node, laptop: Node, kill_at: int | None) -> Run:
    """Run the child; with ``kill_at`` it stops at each point it reaches and is killed -9 at
    the ``kill_at``-th, unless it is done before."""
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SYNCING), str(hub.path), str(laptop.path)]
        + [str(CHUNK), "paused" if kill_at else "free"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    lines: list[str] = []
    killed_at = None
    if kill_at is not None:
        for line in child.stdout:
            lines.append(line)
            if line.startswith("done"):
                break
            if len(lines) == kill_at:
                child.send_signal(signal.SIGKILL)  # it waits at this point: it is there
                killed_at = line.split(" ")[0]
                break
            child.stdin.write("go\n")
            child.stdin.flush()
    out, err = child.communicate()
    lines.extend(out.splitlines())
    assert child.returncode == (-signal.SIGKILL if killed_at else 0), err
    printed = []
    for line in lines:
        kind, rest = line.split(" ", 1)
        if kind != "applying":
            skipped, vector = rest.split(" ", 1)
            printed.append((kind, int(skipped), json.loads(vector)))
    return Run(printed, killed_at)


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
    kills: list[str] = []  # where each kill fell: inside a transaction or after a commit
    for _ in range(8):
        hub.close()
        machine.close()
        run = _run(hub, machine, rng.randint(1, 12))
        hub.reopen()
        machine.reopen()
        if run.killed_at is None:
            assert run.printed[-1][0] == "done"
            break
        kills.append(run.killed_at)
        printed = run.printed
        # every chunk reported as committed is there; no change was ever applied twice
        assert all(skipped == 0 for _kind, skipped, _v in printed)
        for direction, receiver in (("push", hub), ("pull", machine)):
            reported = [v for kind, _s, v in printed if kind == direction]
            if reported:
                assert _covers(receiver.call(engine.version_vector), reported[-1])
    assert len(kills) >= 3
    # the seed puts kills both inside a receiver's transaction and between chunks
    assert "applying" in kills and {"push", "pull"} & set(kills), kills
    hub.close()
    machine.close()
    printed = _run(hub, machine, None).printed
    # the restart picks up from the committed vectors: nothing is applied a second time
    assert printed[-1][0] == "done" and all(skipped == 0 for _k, skipped, _v in printed)
    hub.reopen()
    machine.reopen()
    sync(hub, machine)
    assert contents(hub) == contents(machine)
    assert hub.call(lambda: Mark.select().count()) == 6 * 5
