"""Helpers of the sync transport tests: a hub endpoint over TLS on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from node.identity import load_or_create_identity, node_id_from_public_key
from node.tls import ensure_self_signed, fingerprint, server_ssl_context
from sync.client import HubAddress, HubClient
from sync.server import HubIdentity, create_sync_app


@dataclass
class RunningHub:
    address: HubAddress
    identity: HubIdentity

    def client(self, key: Ed25519PrivateKey | None = None, fp: str | None = None) -> HubClient:
        key = key or Ed25519PrivateKey.generate()
        node_id = node_id_from_public_key(key.public_key())
        return HubClient(self.address, fp or self.identity.fingerprint, key, node_id)


@asynccontextmanager
async def serving_hub(data_dir: Path, chunk: int | None = None) -> AsyncIterator[RunningHub]:
    """The sync endpoint over the database bound now, served over TLS on loopback."""
    key, node_id = load_or_create_identity(data_dir / "node_key.pem")
    paths = ensure_self_signed(data_dir, hostnames=["127.0.0.1"])
    identity = HubIdentity(key=key, node_id=node_id, fingerprint=fingerprint(paths.cert))
    runner = web.AppRunner(create_sync_app(None, identity, chunk=chunk), access_log=None)
    await runner.setup()
    context = server_ssl_context(paths.cert, paths.key)
    # port 0: the kernel picks a free port as it binds (no window for another to take it)
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context).start()
    port = runner.addresses[0][1]
    try:
        yield RunningHub(HubAddress("127.0.0.1", port), identity)
    finally:
        await runner.cleanup()
