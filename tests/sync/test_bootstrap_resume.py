"""A laptop's first fill cut off half way goes on after its last applied chunk, and one that
completed is never redone (docs/ARCHITECTURE.md §4: a kill re-sends at most one chunk)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from node.models import Mark, Meta, School, SyncPeer, db
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.gradebook.journal import set_marks
from sync import engine, runner
from tests.sync.nodes import Node, bootstrap, contents, pull

SMALL = 7  # rows per chunk: the small school's fill takes dozens


def _chunks(hub: Node, scope: engine.Scope, resume: engine.Resume | None = None):
    return hub.call(lambda: list(engine.bootstrap(scope, max_rows=SMALL, resume=resume)))


def _apply(node: Node, chunks: list[engine.Chunk]) -> list[engine.ApplyResult]:
    return [node.call(engine.apply_chunk, c.payload, pushed_by=None) for c in chunks]


def _resume(node: Node) -> engine.Resume:
    progress = node.call(engine.bootstrap_progress)
    assert progress is not None and not progress.get("done")
    return engine.Resume.parse(progress)


@pytest.mark.parametrize("user", [None, "teacher"])
def test_a_cut_fill_goes_on_after_its_last_chunk_and_ends_like_an_uncut_one(
    hub, tmp_path: Path, user
):
    scope = engine.Scope(None if user is None else hub.school.teacher.id)
    uncut = _chunks(hub, scope)
    assert len(uncut) > 5
    whole = Node.create("whole", tmp_path, scope)
    _apply(whole, uncut)
    laptop = Node.create("laptop", tmp_path, scope)

    _apply(laptop, uncut[:3])  # then the laptop is killed
    rest = _chunks(hub, scope, _resume(laptop))
    results = _apply(laptop, rest)

    assert len(rest) == len(uncut) - 3  # nothing sent twice
    assert all(r.skipped == 0 for r in results)
    assert contents(laptop) == contents(whole)
    assert laptop.call(engine.version_vector) == whole.call(engine.version_vector)
    assert laptop.call(engine.bootstrap_progress) == {
        "done": True,
        "epoch": hub.call(engine.database_epoch),
    }


def test_what_changed_on_the_hub_while_the_fill_was_cut_still_arrives(hub, tmp_path: Path):
    s = hub.school
    scope = engine.Scope(None)
    laptop = Node.create("laptop", tmp_path, scope)
    first = _chunks(hub, scope)
    _apply(laptop, first[: len(first) // 2])
    assert _resume(laptop).table != "school"
    with hub.active():  # rows already sent change (however written), and some are deleted
        db.execute_sql("UPDATE school SET name = ?", ("Школа № 2",))
        for student in s.students:
            set_marks(Actor.for_system(), s.maths_lessons[0].id, student.id, ["5"])
        set_marks(Actor.for_system(), s.maths_lessons[0].id, s.students[0].id, [])

    _apply(laptop, _chunks(hub, scope, _resume(laptop)))
    pull(hub, laptop)

    assert contents(laptop) == contents(hub)
    assert laptop.call(lambda: School.get().name) == "Школа № 2"
    assert laptop.call(lambda: Mark.select().count()) == hub.call(lambda: Mark.select().count())


def test_a_change_made_while_a_fill_is_being_sent_is_not_skipped(hub, tmp_path: Path):
    """The fill's later rows carry newer changes than a change to a row already sent: the
    replica's vector must not pass that change by (the pull after the fill brings it)."""
    s = hub.school
    laptop = Node.create("laptop", tmp_path, engine.Scope(None))
    with hub.active():
        stream = engine.bootstrap(engine.Scope(None), max_rows=SMALL)
        sent = [next(stream) for _ in range(3)]
        db.execute_sql("UPDATE school SET name = ?", ("Школа № 2",))
        set_marks(Actor.for_system(), s.maths_lessons[0].id, s.students[0].id, ["5"])
        sent.extend(stream)
    _apply(laptop, sent)
    pull(hub, laptop)

    assert laptop.call(lambda: School.get().name) == "Школа № 2"
    assert contents(laptop) == contents(hub)


def test_a_resume_that_names_no_known_table_or_a_damaged_vector_is_refused(hub):
    good = {"table": "mark", "after": "", "held": {"a" * 32: 1}}
    assert engine.Resume.parse(good).table == "mark"
    for bad in (
        None,
        [],
        {**good, "table": "sqlite_master"},
        {**good, "after": 3},
        {**good, "held": []},
        {**good, "held": {"a": "1"}},
        {**good, "held": {"a": True}},
    ):
        with pytest.raises(ValueError):
            engine.Resume.parse(bad)


class _Hub:
    """The hub as the runner sees it, answering from ``node`` without a network."""

    def __init__(self, hub: Node, scope: engine.Scope) -> None:
        self.hub, self.scope = hub, scope
        self.pulls: list[dict[str, Any]] = []

    async def authenticate(self, hub_id: str) -> None:
        return None

    async def state(self, epoch: str | None = None) -> dict[str, Any]:
        vector = self.hub.call(engine.version_vector)
        return {"vector": vector, "epoch": self.hub.call(engine.database_epoch)}

    async def pull(self, since, *, bootstrap=False, epoch=None, resume=None):
        self.pulls.append({"bootstrap": bootstrap, "resume": resume})
        if bootstrap:
            parsed = engine.Resume.parse(resume) if resume else None
            chunks = _chunks(self.hub, self.scope, parsed)
        else:
            chunks = [self.hub.call(engine.export_chunk, self.scope, since)]
        for chunk in chunks:
            yield type("Frame", (), {"end": False, "payload": chunk.payload})()

    async def push(self, payload: bytes):
        raise AssertionError("nothing to push")


def _paired(laptop: Node) -> SyncPeer:
    with laptop.active():
        return SyncPeer.create(
            node_id="hub-node",
            role="hub",
            public_key="",
            cert_fingerprint="",
            address="127.0.0.1:1",
            user_id=None,
            login="",
            paired_at=clock.now(),
        )


async def _exchange(laptop: Node, client: _Hub, peer: SyncPeer) -> runner.SyncReport:
    with laptop.active():
        return await runner._exchange(client, peer, runner._quiet)  # type: ignore[arg-type]


async def test_the_runner_resumes_a_cut_fill_and_never_redoes_a_completed_one(hub, tmp_path: Path):
    scope = engine.Scope(None)
    laptop = Node.create("laptop", tmp_path, scope)
    peer = _paired(laptop)
    chunks = _chunks(hub, scope)
    _apply(laptop, chunks[:2])  # a fill cut off: the sync goes on from there
    client = _Hub(hub, scope)

    await _exchange(laptop, client, peer)

    assert client.pulls[0]["bootstrap"] and client.pulls[0]["resume"]["after"]
    assert contents(laptop) == contents(hub)

    # killed after the fill's last chunk, before the hub's epoch was noted: no second fill
    client.pulls.clear()
    await _exchange(laptop, client, peer)
    assert not any(p["bootstrap"] for p in client.pulls)

    # a fill begun from a database the hub was since restored over starts afresh
    with laptop.active():
        progress = json.loads(Meta.get_value(engine.BOOTSTRAP_KEY))
        Meta.set_value(engine.BOOTSTRAP_KEY, json.dumps({**progress, "epoch": "b" * 32}))
    await _exchange(laptop, client, peer)
    assert client.pulls[0] == {"bootstrap": True, "resume": None}


def test_a_completed_fill_in_one_go_needs_no_resume(hub, tmp_path: Path):
    laptop = Node.create("laptop", tmp_path, engine.Scope(None))
    bootstrap(hub, laptop)
    assert laptop.call(engine.bootstrap_progress)["done"] is True
