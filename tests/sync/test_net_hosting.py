"""What ``serve`` starts for sync: a hub's TLS endpoint, or a laptop's background sync."""

from __future__ import annotations

import socket
from pathlib import Path

from node.config import load_config
from node.services.replication import peers
from node.tls import fingerprint
from sync.hosting import hub_identity, start_sync
from tests.ports import free_port


async def test_a_hub_serves_sync_over_tls_with_its_fingerprint(database, tmp_path: Path):
    config = load_config(tmp_path)
    port = free_port()

    hosting = await start_sync(config, "127.0.0.1", port, None, announce=False)
    try:
        assert hosting.runner is not None and hosting.task is None
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        identity = hub_identity(config)
        assert hosting.fingerprint == identity.fingerprint
        assert fingerprint(tmp_path / "tls" / "cert.pem") == identity.fingerprint
    finally:
        await hosting.stop()


async def test_a_busy_sync_port_leaves_the_web_page_running(database, tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        hosting = await start_sync(load_config(tmp_path), "127.0.0.1", port, None, announce=False)
    assert hosting.runner is None and hosting.task is None
    await hosting.stop()


async def test_sync_port_zero_turns_the_endpoint_off(database, tmp_path: Path):
    hosting = await start_sync(load_config(tmp_path), "127.0.0.1", 0, None)
    assert hosting.runner is None and hosting.task is None and hosting.advertiser is None


async def test_a_laptop_syncs_in_the_background_instead_of_serving(database, tmp_path: Path):
    peers.remember_hub(
        node_id="a" * 32,
        public_key="cd" * 32,
        cert_fingerprint="AB" * 32,
        address=f"127.0.0.1:{free_port()}",
        user_id=None,
        login="ivanova",
    )
    hosting = await start_sync(load_config(tmp_path), "127.0.0.1", free_port(), None, every=3600)
    assert hosting.runner is None and hosting.task is not None
    await hosting.stop()
    assert hosting.task.cancelled() or hosting.task.done()
