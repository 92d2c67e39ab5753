"""LAN discovery over mDNS/DNS-SD (zeroconf) — the only module that imports zeroconf.

The hub announces ``_ediary._tcp.local.`` (TXT: node id, protocol version, certificate
fingerprint), a friendly host name (``<mdns_name>.local``) and an ``_http._tcp`` record for
the parent page, so a phone on the school Wi-Fi can open ``http://ediary.local:8080/``.
It announces only on the interfaces the server listens on: a server on 127.0.0.1 speaks
mDNS on loopback only, one on a single address only there, one on 0.0.0.0 on every IPv4
interface. Addresses are checked every ``RECHECK_SECONDS`` and the records announced again
when they change (a laptop-hub moved to another Wi-Fi, a DHCP renewal). Laptops browse;
a manual HOST:PORT always works too, since mDNS does not cross routed networks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ipaddress
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from zeroconf import (
    InterfaceChoice,
    IPVersion,
    ServiceBrowser,
    ServiceInfo,
    ServiceStateChange,
    Zeroconf,
    get_all_addresses,
)

from node.i18n import N_, log_text
from sync import protocol
from sync.client import HubAddress

log = logging.getLogger("ediary.discovery")

RECHECK_SECONDS = 30.0
DEFAULT_NAME = "ediary"


@dataclass(frozen=True)
class FoundHub:
    name: str
    address: HubAddress
    node_id: str
    fingerprint: str
    protocol: int


def clean_name(text: str) -> str:
    """A DNS label from the configured name: ``Школа №7`` → ``ediary`` fallback, ``school7``."""
    label = re.sub(r"[^a-z0-9-]+", "-", (text or "").strip().lower()).strip("-")[:63]
    return label or DEFAULT_NAME


def listen_addresses(host: str) -> list[str]:
    """The IPv4 addresses a server bound to ``host`` is reachable on."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            resolved = socket.gethostbyname(host)
        except OSError:
            return []
        return [resolved]
    if address.version != 4:
        return []
    if address.is_unspecified:
        found = sorted(a for a in get_all_addresses() if not ipaddress.ip_address(a).is_loopback)
        return found or ["127.0.0.1"]
    return [str(address)]


def _interfaces(host: str, addresses: list[str]) -> list[str] | InterfaceChoice:
    try:
        unspecified = ipaddress.ip_address(host).is_unspecified
    except ValueError:
        unspecified = False
    return InterfaceChoice.All if unspecified and addresses != ["127.0.0.1"] else addresses


async def _register(zeroconf: Zeroconf, infos: list[ServiceInfo]) -> None:
    """Register every name; the records answer queries at once, while zeroconf's own
    announcements go on in the background (waiting for them would hold up ``serve``)."""
    await asyncio.gather(
        *(zeroconf.async_register_service(i, allow_name_change=True) for i in infos)
    )


class Advertiser:
    """Announces the hub while ``serve`` runs; ``start()`` and ``close()`` block briefly
    (mDNS probing takes about 1.5 s), so async callers run them in a thread.

    ``close()`` during the probing cuts it short: nothing was announced yet, so there is
    nothing to withdraw (a ``serve`` stopped right after it started stops at once)."""

    def __init__(
        self,
        *,
        host: str,
        node_id: str,
        fingerprint: str,
        sync_port: int,
        http_port: int | None,
        name: str = DEFAULT_NAME,
        addresses: Callable[[str], list[str]] = listen_addresses,
        recheck_seconds: float = RECHECK_SECONDS,
    ) -> None:
        self.host = host
        self.node_id = node_id
        self.fingerprint = fingerprint
        self.sync_port = sync_port
        self.http_port = http_port
        self.name = clean_name(name)
        self._addresses_of = addresses
        self._recheck = recheck_seconds
        self._zeroconf: Zeroconf | None = None
        self._current: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        #: the registration under way (mDNS probing), which ``close()`` cancels
        self._registering: concurrent.futures.Future[None] | None = None

    def services(self, addresses: list[str]) -> list[ServiceInfo]:
        packed = [socket.inet_aton(a) for a in addresses]
        server = f"{self.name}.local."
        infos = [
            ServiceInfo(
                protocol.SERVICE_TYPE,
                f"{self.name} {self.node_id[:8]}.{protocol.SERVICE_TYPE}",
                addresses=packed,
                port=self.sync_port,
                properties={
                    "id": self.node_id,
                    "proto": str(protocol.PROTOCOL_VERSION),
                    "fp": self.fingerprint.replace(" ", ""),
                },
                server=server,
            )
        ]
        if self.http_port:
            infos.append(
                ServiceInfo(
                    protocol.HTTP_SERVICE_TYPE,
                    f"{self.name}.{protocol.HTTP_SERVICE_TYPE}",
                    addresses=packed,
                    port=self.http_port,
                    properties={"path": "/"},
                    server=server,
                )
            )
        return infos

    @property
    def addresses(self) -> list[str]:
        return list(self._current)

    def _announce(self, addresses: list[str]) -> None:
        self._withdraw()
        if not addresses:
            return
        zeroconf = Zeroconf(
            interfaces=_interfaces(self.host, addresses), ip_version=IPVersion.V4Only
        )
        self._zeroconf = zeroconf  # closed by close() also if the registration fails
        infos = self.services(addresses)
        registering = asyncio.run_coroutine_threadsafe(_register(zeroconf, infos), zeroconf.loop)
        self._registering = registering
        if self._stop.is_set():  # close() came before there was a registration to cancel
            registering.cancel()
        try:
            registering.result()
        except concurrent.futures.CancelledError:  # close() cut the probing short
            self._withdraw()
            return
        finally:
            self._registering = None
        log.info(
            log_text(N_("announcing {name} on {addresses}")).format(
                name=f"{self.name}.local", addresses=", ".join(addresses)
            )
        )

    def _withdraw(self) -> None:
        if self._zeroconf is not None:
            self._zeroconf.unregister_all_services()
            self._zeroconf.close()
            self._zeroconf = None

    def start(self) -> None:
        with self._lock:
            self._current = self._addresses_of(self.host)
            self._announce(self._current)
        self._watcher = threading.Thread(target=self._watch, name="mdns-watch", daemon=True)
        self._watcher.start()

    def recheck(self) -> bool:
        """Announce again if the addresses changed; True when they did."""
        with self._lock:
            if self._stop.is_set():
                return False
            now = self._addresses_of(self.host)
            if now == self._current:
                return False
            self._current = now
            self._announce(now)
            return True

    def _watch(self) -> None:
        while not self._stop.wait(self._recheck):
            try:
                self.recheck()
            except Exception:  # a flapping interface must not end the announcements
                log.exception(log_text(N_("re-announcing over mDNS failed")))

    def close(self) -> None:
        self._stop.set()
        registering = self._registering
        if registering is not None:
            registering.cancel()  # the probing stops; the lock is free right after
        with self._lock:
            self._withdraw()


def discover(
    timeout: float = 3.0,
    *,
    interfaces: list[str] | None = None,
    first: bool = False,
    node_id: str | None = None,
) -> list[FoundHub]:
    """Hubs announcing themselves within ``timeout`` seconds (``first``: stop at the first;
    ``node_id``: stop once that hub is found).

    ``interfaces`` pins the browser (tests use ``["127.0.0.1"]``); by default every IPv4
    interface is asked. Blocking.
    """
    zeroconf = Zeroconf(
        interfaces=interfaces if interfaces is not None else InterfaceChoice.All,
        ip_version=IPVersion.V4Only,
    )
    names: list[str] = []
    seen = threading.Event()

    def on_change(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is ServiceStateChange.Added and name not in names:
            names.append(name)
            seen.set()

    found: dict[str, FoundHub] = {}
    try:
        browser = ServiceBrowser(zeroconf, protocol.SERVICE_TYPE, handlers=[on_change])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen.wait(max(deadline - time.monotonic(), 0))
            seen.clear()
            for name in list(names):
                if name in found:
                    continue
                hub = _resolve(zeroconf, name, deadline)
                if hub is not None:
                    found[name] = hub
            if (first and found) or any(h.node_id == node_id for h in found.values()):
                break
        browser.cancel()
    finally:
        zeroconf.close()
    return list(found.values())


def _resolve(zeroconf: Zeroconf, name: str, deadline: float) -> FoundHub | None:
    wait_ms = int(max(deadline - time.monotonic(), 0.2) * 1000)
    info = zeroconf.get_service_info(protocol.SERVICE_TYPE, name, timeout=wait_ms)
    if info is None or not info.parsed_addresses(IPVersion.V4Only) or info.port is None:
        return None
    props = {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else "")
        for k, v in info.properties.items()
    }
    try:
        proto = int(props.get("proto", "0"))
    except ValueError:
        proto = 0
    label = name.removesuffix("." + protocol.SERVICE_TYPE)
    return FoundHub(
        name=label,
        address=HubAddress(info.parsed_addresses(IPVersion.V4Only)[0], info.port),
        node_id=props.get("id", ""),
        fingerprint=props.get("fp", ""),
        protocol=proto,
    )
