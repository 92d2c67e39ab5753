"""The hub's endpoint refuses everyone it has not paired: over real TLS on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from node.errors import EdiaryError, Forbidden, ValidationError
from node.models import SyncPeer, User
from node.services.base.actor import Actor
from node.services.replication import peers
from node.tls import format_fingerprint
from sync import engine, protocol
from sync.client import HubAddress, HubClient, HubUnreachable
from tests.factories import SmallSchool
from tests.ports import free_port
from tests.sync.net_support import RunningHub, serving_hub


@pytest.fixture
async def tls_hub(tmp_path: Path, school: SmallSchool) -> AsyncIterator[RunningHub]:
    async with serving_hub(tmp_path / "hub") as running:
        yield running


def _code(school: SmallSchool) -> str:
    return peers.issue_pairing_code(Actor.for_system(), school.teacher.id).code


async def test_a_paired_laptop_signs_in_with_its_key(tls_hub: RunningHub, school: SmallSchool):
    key = Ed25519PrivateKey.generate()
    async with tls_hub.client(key) as client:
        info = await client.info()
        answer = await client.join(_code(school))
        await client.authenticate(info["node_id"])
        state = await client.state()

    assert info["fingerprint"] == tls_hub.identity.fingerprint
    assert answer["hub_id"] == tls_hub.identity.node_id and answer["login"] == "ivanova"
    assert protocol.node_id_of(answer["hub_public_key"]) == tls_hub.identity.node_id
    assert set(state) == {"vector", "epoch", "chunk_changes"}
    assert SyncPeer.get().public_key == protocol.public_key_hex(key)


async def test_an_unpaired_node_gets_nothing(tls_hub: RunningHub):
    async with tls_hub.client() as client:
        with pytest.raises(Forbidden, match="not paired"):
            await client.authenticate(tls_hub.identity.node_id)
        for method, path in (("GET", protocol.STATE), ("POST", protocol.PUSH)):
            async with client.session.request(method, path, data=b"x") as response:
                assert response.status == 401
        async with client.session.post(protocol.PULL, json={"since": {}}) as response:
            assert response.status == 401


async def test_a_wrong_code_pairs_nothing(tls_hub: RunningHub, school: SmallSchool):
    _code(school)
    async with tls_hub.client() as client:
        with pytest.raises(Forbidden, match="wrong, already used or expired"):
            await client.join("ABCD-EFGH-JKLM")
    assert SyncPeer.select().count() == 0


async def test_a_revoked_laptop_is_refused_even_in_the_middle_of_a_session(
    tls_hub: RunningHub, school: SmallSchool
):
    key = Ed25519PrivateKey.generate()
    async with tls_hub.client(key) as client:
        await client.join(_code(school))
        await client.authenticate(tls_hub.identity.node_id)
        peers.revoke_peer(Actor.for_system(), client.node_id)
        with pytest.raises(Forbidden, match="revoked"):
            await client.state()
    async with tls_hub.client(key) as client:
        with pytest.raises(Forbidden, match="revoked"):
            await client.authenticate(tls_hub.identity.node_id)


async def test_a_laptop_of_a_disabled_account_gets_nothing(
    tls_hub: RunningHub, school: SmallSchool
):
    async with tls_hub.client() as client:
        await client.join(_code(school))
        await client.authenticate(tls_hub.identity.node_id)
        User.update(status="disabled").where(User.id == school.teacher.id).execute()
        with pytest.raises(Forbidden, match="ivanova is disabled"):
            await client.state()
        with pytest.raises(Forbidden, match="ivanova is disabled"):
            await client.authenticate(tls_hub.identity.node_id)


async def test_a_damaged_push_is_refused_with_a_reason(tls_hub: RunningHub, school: SmallSchool):
    async with tls_hub.client() as client:
        await client.join(_code(school))
        await client.authenticate(tls_hub.identity.node_id)
        with pytest.raises(ValidationError, match="damaged"):
            await client.push(b"not a chunk")


async def test_a_paired_node_id_without_its_key_is_refused(
    tls_hub: RunningHub, school: SmallSchool
):
    async with tls_hub.client() as paired:
        await paired.join(_code(school))
    impostor = tls_hub.client()
    impostor.node_id = paired.node_id  # claims the id, signs with another key
    async with impostor as client:
        with pytest.raises(Forbidden, match="not paired"):
            await client.authenticate(tls_hub.identity.node_id)


async def test_a_challenge_answers_once(tls_hub: RunningHub, school: SmallSchool):
    key = Ed25519PrivateKey.generate()
    async with tls_hub.client(key) as client:
        await client.join(_code(school))
        hello = await client._request("POST", protocol.HELLO, json={"node_id": client.node_id})
        statement = protocol.auth_statement(
            hello["challenge"],
            client.node_id,
            tls_hub.identity.node_id,
            tls_hub.identity.fingerprint,
        )
        body = {
            "node_id": client.node_id,
            "challenge": hello["challenge"],
            "signature": protocol.sign(key, statement),
        }
        assert "token" in await client._request("POST", protocol.AUTH, json=body)
        with pytest.raises(Forbidden, match="too long"):
            await client._request("POST", protocol.AUTH, json=body)


async def test_a_join_signed_with_another_key_is_refused(tls_hub: RunningHub, school: SmallSchool):
    async with tls_hub.client() as client:
        await client.info()
        body = {
            "code": _code(school),
            "node_id": client.node_id,
            "public_key": protocol.public_key_hex(Ed25519PrivateKey.generate()),
            "signature": "00" * 64,
        }
        async with client.session.post(protocol.JOIN, json=body) as response:
            assert response.status == 400
    assert SyncPeer.select().count() == 0


async def test_a_server_with_another_certificate_is_not_talked_to(tls_hub: RunningHub):
    other = format_fingerprint(bytes(32))
    async with tls_hub.client(fp=other) as client:
        with pytest.raises(Forbidden, match="certificate differs"):
            await client.info()


async def test_an_absent_hub_is_unreachable_with_a_clear_message():
    key = Ed25519PrivateKey.generate()
    address = HubAddress("127.0.0.1", free_port())
    async with HubClient(address, format_fingerprint(bytes(32)), key, "n") as client:
        with pytest.raises(HubUnreachable, match="does not answer"):
            await client.info()


def test_addresses_parse_with_a_default_port():
    assert HubAddress.parse("10.0.0.1") == HubAddress("10.0.0.1", protocol.DEFAULT_SYNC_PORT)
    assert HubAddress.parse("school.local:9443") == HubAddress("school.local", 9443)
    assert HubAddress.parse("[fe80::1]:9443") == HubAddress("fe80::1", 9443)
    assert str(HubAddress("fe80::1", 1)) == "[fe80::1]:1"
    for bad in ("", "host:x", "host:70000"):
        with pytest.raises(Exception, match="not a server address"):
            HubAddress.parse(bad)


def test_aiohttp_pins_by_sha256():
    assert aiohttp.Fingerprint(bytes(32))


async def _signed_in(client: HubClient, school: SmallSchool, hub_id: str) -> None:
    await client.join(_code(school))
    await client.authenticate(hub_id)


async def test_chunks_stream_in_order_and_a_failure_ends_the_stream_with_its_reason(
    tls_hub: RunningHub, school: SmallSchool, monkeypatch: pytest.MonkeyPatch
):
    def export(scope, since, **_kw):  # noqa: ANN001
        step = since.get("o", 0) + 1
        if step == 4:
            raise engine.SyncError("the hub's disk is full")
        return engine.Chunk(bytes([step]) * 3, {"o": step}, step < 5)

    monkeypatch.setattr(engine, "export_chunk", export)
    frames = []
    async with tls_hub.client() as client:
        await _signed_in(client, school, tls_hub.identity.node_id)
        with pytest.raises(EdiaryError, match="failed while sending changes: the hub's disk"):
            async for frame in client.pull({}):
                frames.append(frame)
    assert [(f.payload, f.header["vector"], f.header["more"]) for f in frames] == [
        (b"\x01\x01\x01", {"o": 1}, True),
        (b"\x02\x02\x02", {"o": 2}, True),
        (b"\x03\x03\x03", {"o": 3}, True),
    ]
