"""The hub's ``sync_chunk_changes`` over the wire, and a laptop that vanishes mid-pull."""

from __future__ import annotations

import asyncio
import json
import logging
import zlib
from pathlib import Path

import pytest

from node.config import load_config
from node.errors import ValidationError
from node.services.base.actor import Actor
from node.services.replication import peers
from sync import engine, protocol, runner
from sync.hosting import chunk_size
from tests.factories import SmallSchool
from tests.sync.net_support import serving_hub


async def _signed_in(hub, school: SmallSchool):  # noqa: ANN001, ANN202
    client = hub.client()
    await client.__aenter__()
    await client.join(peers.issue_pairing_code(Actor.for_system(), school.teacher.id).code)
    await client.authenticate(hub.identity.node_id)
    return client


def _changes(payload: bytes) -> list:
    return json.loads(zlib.decompress(payload))["changes"]


async def test_the_hubs_chunk_size_bounds_what_it_sends_and_what_laptops_push(
    school: SmallSchool, tmp_path: Path
):
    async with serving_hub(tmp_path / "hub", chunk=3) as hub:
        client = await _signed_in(hub, school)
        try:
            state = await client.state()
            frames = [f async for f in client.pull({}) if not f.end]
            fill = [f async for f in client.pull({}, bootstrap=True) if not f.end]
        finally:
            await client.__aexit__(None, None, None)
    assert state["chunk_changes"] == 3
    assert runner._chunk_size(state["chunk_changes"]) == 3
    sizes = [len(_changes(f.payload)) for f in frames]  # the teacher's scope: some fewer
    assert len(sizes) > 10 and max(sizes) == 3
    assert len(fill) > 10
    assert all(json.loads(zlib.decompress(f.payload))["resume"] for f in fill)


def test_a_laptop_takes_the_hubs_chunk_size_within_reason():
    for said, taken in ((7, 7), (None, 5000), ("7", 5000), (0, 5000), (True, 5000)):
        assert runner._chunk_size(said) == taken
    assert runner._chunk_size(10**9) == engine.CHUNK_CHANGES


def test_the_chunk_setting_is_a_whole_number_of_changes(tmp_path: Path):
    assert chunk_size(load_config(tmp_path)) is None
    (tmp_path / "ediary.toml").write_text("sync_chunk_changes = 200\n", encoding="utf-8")
    assert chunk_size(load_config(tmp_path)) == 200
    for bad in ("0", "-5", '"200"', "true", "2.5"):
        (tmp_path / "ediary.toml").write_text(f"sync_chunk_changes = {bad}\n", encoding="utf-8")
        with pytest.raises(ValidationError, match="sync_chunk_changes must be a whole number"):
            chunk_size(load_config(tmp_path))


async def test_a_laptop_gone_in_the_middle_of_a_pull_is_one_line_in_the_log(
    school: SmallSchool, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)
    gone = asyncio.Event()
    loop = asyncio.get_running_loop()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "went away during /sync/v1/pull" in record.getMessage():
                loop.call_soon_threadsafe(gone.set)

    watch = Watch()
    logging.getLogger("ediary.sync").addHandler(watch)
    async with serving_hub(tmp_path / "hub", chunk=1) as hub:
        client = await _signed_in(hub, school)
        try:
            async with client.session.post(
                protocol.PULL, json={"since": {}}, headers=client._headers()
            ) as response:
                await response.content.readexactly(8)  # the hub is sending: the lid shuts
                response.connection.transport.abort()
            await asyncio.wait_for(gone.wait(), 30)  # the hub noticed and said so
        finally:
            logging.getLogger("ediary.sync").removeHandler(watch)
            await client.__aexit__(None, None, None)
    assert "went away during /sync/v1/pull" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_a_fault_on_the_hub_reaches_the_laptop_as_plain_words(
    school: SmallSchool, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch
):
    """The exception's repr (class, message, paths) stays in the hub's log."""
    from node.errors import EdiaryError
    from sync import server

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals /srv/ediary/ediary.db")
        yield  # a generator, like the real one

    async def broken_state(request):
        raise KeyError("secret internals /srv/ediary/state")

    monkeypatch.setattr(server, "_changes_since", broken)
    monkeypatch.setattr(server, "state", broken_state)
    async with serving_hub(tmp_path / "hub") as hub:
        client = await _signed_in(hub, school)
        try:
            with pytest.raises(EdiaryError) as raised:
                async for _frame in client.pull({}):
                    pass
            async with client.session.get(protocol.STATE, headers=client._headers()) as answer:
                state = await answer.json()
                assert answer.status == 500
        finally:
            await client.__aexit__(None, None, None)
    for told in (str(raised.value), state["error"]):
        assert "unexpected error" in told
        assert "secret" not in told and "RuntimeError" not in told and "KeyError" not in told
    assert "secret internals /srv/ediary/ediary.db" in caplog.text  # the details: in the log
    assert "secret internals /srv/ediary/state" in caplog.text
