"""Sync inside ``ediary serve``: a hub listens and announces itself, a laptop syncs itself.

A node paired with a hub is a replica: ``serve`` there syncs with the hub in the background
and opens no sync port (nobody syncs *from* a laptop). Any other node is a hub: it serves
the sync endpoint over TLS on its own port, on the same address as the web page, and
announces itself over mDNS on that address's interfaces.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from node.config import NodeConfig
from node.errors import ValidationError
from node.i18n import N_, _, log_text, os_reason
from node.identity import load_or_create_identity
from node.services.replication import peers
from node.tls import (
    CertPaths,
    ensure_self_signed,
    fingerprint,
    record_served,
    served_stopped,
    server_ssl_context,
)
from sync import engine
from sync.discovery import DEFAULT_NAME, Advertiser
from sync.runner import BACKGROUND_SECONDS, background_sync
from sync.server import HubIdentity, create_sync_app

log = logging.getLogger("ediary.sync")


def mdns_name(config: NodeConfig) -> str:
    return str(config.values.get("mdns_name") or DEFAULT_NAME)


def chunk_size(config: NodeConfig) -> int | None:
    """Setting ``sync_chunk_changes`` (None: the defaults). A network that keeps dropping
    re-sends less with small chunks; big ones cost fewer round trips."""
    value = config.values.get("sync_chunk_changes")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            _(
                "The setting sync_chunk_changes must be a whole number of changes, at least 1 "
                "(default {default}), not {value}."
            ).format(default=engine.CHUNK_CHANGES, value=value)
        )
    return value


def hub_certificate(config: NodeConfig, host: str = "127.0.0.1") -> CertPaths:
    """The node's self-signed certificate, made on first use."""
    machine = socket.gethostname()
    names = [host, machine, f"{machine}.local", f"{mdns_name(config)}.local"]
    return ensure_self_signed(config.data_dir, hostnames=names)


def hub_identity(config: NodeConfig, cert: CertPaths | None = None) -> HubIdentity:
    """This node's key and certificate as the sync endpoint presents them."""
    key, node_id = load_or_create_identity(config.identity_path)
    paths = cert or hub_certificate(config)
    return HubIdentity(key=key, node_id=node_id, fingerprint=fingerprint(paths.cert))


@dataclass
class SyncHosting:
    """What ``serve`` started for sync; ``stop()`` ends it."""

    runner: web.AppRunner | None = None
    advertiser: Advertiser | None = None
    task: asyncio.Task[None] | None = None
    fingerprint: str = ""
    #: where the endpoint recorded its certificate for ``ediary pair`` (node.tls)
    data_dir: Path | None = None

    async def stop(self) -> None:
        if self.data_dir is not None:
            await asyncio.to_thread(served_stopped, self.data_dir)
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self.advertiser is not None:
            await asyncio.to_thread(self.advertiser.close)
        if self.runner is not None:
            await self.runner.cleanup()


async def start_sync(
    config: NodeConfig,
    host: str,
    sync_port: int,
    http_port: int | None,
    cert: CertPaths | None = None,
    *,
    announce: bool = True,
    every: float = BACKGROUND_SECONDS,
) -> SyncHosting:
    """Start the hub's endpoint (``sync_port`` 0: none) or, on a laptop, background sync.

    The endpoint presents ``cert`` (the school's own, given to ``serve --cert``) or else the
    node's self-signed certificate; laptops pin whichever it is at pairing.
    """
    if await asyncio.to_thread(peers.the_hub) is not None:
        log.info(
            log_text(
                N_("sync: this node is a replica; syncing with its hub every {seconds} s")
            ).format(seconds=int(every))
        )
        return SyncHosting(task=asyncio.create_task(background_sync(config.identity_path, every)))
    if not sync_port:
        log.info(log_text(N_("sync: off (--sync-port 0)")))
        return SyncHosting()
    size = chunk_size(config)
    paths = cert or await asyncio.to_thread(hub_certificate, config, host)
    identity = await asyncio.to_thread(hub_identity, config, paths)
    app = create_sync_app(None, identity, chunk=size)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    context = server_ssl_context(paths.cert, paths.key)
    try:
        await web.TCPSite(runner, host, sync_port, ssl_context=context).start()
    except OSError as exc:  # the web page still runs; laptops wait for the next start
        log.warning(
            log_text(N_("sync: cannot listen on {host}:{port}: {error}")).format(
                host=host, port=sync_port, error=os_reason(exc)
            )
        )
        await runner.cleanup()
        return SyncHosting()
    hosting = SyncHosting(runner=runner, fingerprint=identity.fingerprint)
    try:  # for `ediary pair`, which shows the fingerprint laptops will see
        address = f"{host}:{sync_port}"
        await asyncio.to_thread(record_served, config.data_dir, paths.cert, address)
        hosting.data_dir = config.data_dir
    except OSError as exc:
        log.warning(
            log_text(
                N_("sync: cannot note the served certificate for 'ediary pair': {error}")
            ).format(error=os_reason(exc))
        )
    # last: once this line is out, laptops can sync and 'ediary pair' knows the certificate
    log.info(
        log_text(N_("sync: {address} fingerprint {fingerprint}")).format(
            address=f"https://{host}:{sync_port}/", fingerprint=identity.fingerprint
        )
    )
    if announce:
        hosting.advertiser = Advertiser(
            host=host,
            node_id=identity.node_id,
            fingerprint=identity.fingerprint,
            sync_port=sync_port,
            http_port=http_port,
            name=mdns_name(config),
        )
        hosting.task = asyncio.create_task(_announce(hosting.advertiser))
    return hosting


async def _announce(advertiser: Advertiser) -> None:
    """Start announcing without holding up the server (mDNS probing takes a second or two)."""
    try:
        await asyncio.to_thread(advertiser.start)
    except OSError as exc:  # no multicast here: manual addresses still work
        log.warning(
            log_text(N_("sync: cannot announce over mDNS: {error}")).format(error=os_reason(exc))
        )
