"""Joining a hub from a laptop: check the hub, present the code, pin each other.

The person compares the fingerprint the laptop shows with the one ``ediary pair`` printed on
the server (or the one the hub announced over mDNS); from then on the laptop talks only to a
server with that exact certificate, and the hub only to a node holding this laptop's key.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from node.errors import Forbidden
from node.i18n import _
from node.identity import load_or_create_identity
from node.models import SyncPeer
from node.services.replication import peers
from node.tls import parse_fingerprint
from sync import protocol
from sync.client import HubAddress, HubClient


@dataclass(frozen=True)
class Paired:
    hub: SyncPeer
    full_name: str


def same_fingerprint(a: str, b: str) -> bool:
    try:
        return parse_fingerprint(a) == parse_fingerprint(b)
    except ValueError:
        return False


async def join_hub(identity_path: Path, address: HubAddress, fingerprint: str, code: str) -> Paired:
    """Pair with the hub at ``address`` whose certificate has ``fingerprint``; pin it."""
    key, node_id = await asyncio.to_thread(load_or_create_identity, identity_path)
    async with HubClient(address, fingerprint, key, node_id) as client:
        info = await client.info()
        answer = await client.join(code)
    hub_id = str(info["node_id"])
    hub_key = str(answer.get("hub_public_key") or "")
    try:
        genuine = answer.get("hub_id") == hub_id and protocol.node_id_of(hub_key) == hub_id
    except ValueError:
        genuine = False
    if not genuine:
        raise Forbidden(
            _("The server at {address} answered with another node's key; not paired.").format(
                address=address
            )
        )
    hub = await asyncio.to_thread(
        lambda: peers.remember_hub(
            node_id=hub_id,
            public_key=hub_key,
            cert_fingerprint=fingerprint,
            address=str(address),
            user_id=answer.get("user_id"),
            login=str(answer.get("login") or ""),
        )
    )
    return Paired(hub=hub, full_name=str(answer.get("full_name") or ""))
