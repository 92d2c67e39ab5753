"""The laptop's side of the wire: talk to one hub over TLS pinned to its fingerprint.

Every connection checks the hub's certificate against the pinned SHA-256 fingerprint
(``aiohttp.Fingerprint``), so a machine pretending to be the school server gets no request,
let alone a chunk. Network failures become ``HubUnreachable`` (exit code 8) with a message
that says what to check; refusals by the hub become ``Forbidden`` with the hub's words.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from node.errors import EdiaryError, Forbidden, ValidationError
from node.i18n import _
from node.tls import der_fingerprint, parse_fingerprint
from sync import protocol
from sync.results import PushOutcome, outcome_from_json

CONNECT_SECONDS = 5
READ_SECONDS = 120


class HubUnreachable(EdiaryError):
    """The school server did not answer (not on this network, not running, wrong address)."""

    exit_code = 8


@dataclass(frozen=True)
class HubAddress:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str, default_port: int = protocol.DEFAULT_SYNC_PORT) -> HubAddress:
        """``host``, ``host:port``, ``[v6]:port``; anything else is refused with an example."""
        value = (text or "").strip()
        host, port = value, default_port
        if value.startswith("["):
            host, _sep, rest = value[1:].partition("]")
            if rest.startswith(":"):
                port = _port(rest[1:], text)
        elif value.count(":") == 1:
            host, raw = value.split(":")
            port = _port(raw, text)
        if not host:
            raise _bad_address(text)
        return cls(host, port)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _port(raw: str, text: str) -> int:
    if raw.isdigit() and 0 < int(raw) < 65536:
        return int(raw)
    raise _bad_address(text)


def _bad_address(text: str) -> ValidationError:
    return ValidationError(
        _("«{text}» is not a server address; write it as HOST:PORT, e.g. {example}.").format(
            text=text, example="192.168.1.10:8443"
        )
    )


def _reason(error: object) -> str:
    """What went wrong, in the user's words: a teacher reads this, not aiohttp's wrapper."""
    error = getattr(error, "os_error", None) or error
    code = error.errno if isinstance(error, OSError) else None
    if isinstance(error, ConnectionRefusedError) or code == errno.ECONNREFUSED:
        return _("no program listens on that port")
    if isinstance(error, socket.gaierror):
        return _("the name is not known on this network")
    if (
        isinstance(error, asyncio.TimeoutError | TimeoutError | socket.timeout)
        or error == "timeout"
        or code == errno.ETIMEDOUT
    ):
        return _("no answer in time")
    if isinstance(
        error,
        aiohttp.ServerDisconnectedError
        | aiohttp.ClientPayloadError
        | asyncio.IncompleteReadError
        | ConnectionError,
    ) or code in (errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE):
        return _("the connection broke off")
    if code in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return _("the network does not reach it")
    return str(error)


def _unreachable(address: HubAddress, error: object) -> HubUnreachable:
    return HubUnreachable(
        _(
            "The school server at {address} does not answer ({error}). Check that this "
            "computer is on the school network and that 'ediary serve' runs on the server."
        ).format(address=address, error=_reason(error))
    )


def fetch_fingerprint(address: HubAddress, timeout: float = CONNECT_SECONDS) -> str:
    """The fingerprint of the certificate the server at ``address`` presents (not verified:
    that is what the person compares, and what is pinned from then on). Blocking."""
    try:
        pem = ssl.get_server_certificate((address.host, address.port), timeout=timeout)
    except (OSError, ssl.SSLError) as exc:
        raise _unreachable(address, exc) from exc
    return der_fingerprint(ssl.PEM_cert_to_DER_cert(pem))


class HubClient:
    """One conversation with the hub: ``async with HubClient(...) as hub: await hub.…``."""

    def __init__(
        self, address: HubAddress, fingerprint: str, key: Ed25519PrivateKey, node_id: str
    ) -> None:
        self.address = address
        self.fingerprint = fingerprint
        self.key = key
        self.node_id = node_id
        self.hub_id: str | None = None
        self._token: str | None = None
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> HubClient:
        pin = aiohttp.Fingerprint(parse_fingerprint(self.fingerprint))
        self._session = aiohttp.ClientSession(
            base_url=f"https://{self.address}",
            connector=aiohttp.TCPConnector(ssl=pin),
            timeout=aiohttp.ClientTimeout(
                total=None,
                connect=CONNECT_SECONDS,
                sock_connect=CONNECT_SECONDS,
                sock_read=READ_SECONDS,
            ),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        assert self._session is not None, "use HubClient in 'async with'"
        return self._session

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """A JSON request; the hub's refusals and network failures become our errors."""
        headers = {**self._headers(), **kwargs.pop("headers", {})}
        try:
            async with self.session.request(method, path, headers=headers, **kwargs) as response:
                await _raise_for(response)
                return await response.json()
        except aiohttp.ServerFingerprintMismatch as exc:
            raise _impostor(self.address) from exc
        except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
            raise _unreachable(self.address, exc or "timeout") from exc

    async def info(self) -> dict[str, Any]:
        data = await self._request("GET", protocol.INFO)
        if data.get("protocol") != protocol.PROTOCOL_VERSION:
            raise ValidationError(
                _(
                    "The school server speaks sync protocol {theirs}, this ediary {ours}; "
                    "install the same ediary version on both."
                ).format(theirs=data.get("protocol"), ours=protocol.PROTOCOL_VERSION)
            )
        self.hub_id = str(data["node_id"])
        return data

    async def join(self, code: str, own_fingerprint: str = "") -> dict[str, Any]:
        """Present the pairing code with this node's key; the hub's answer names the user."""
        if self.hub_id is None:
            await self.info()
        assert self.hub_id is not None
        statement = protocol.join_statement(self.node_id, self.hub_id, self.fingerprint)
        return await self._request(
            "POST",
            protocol.JOIN,
            json={
                "code": code,
                "node_id": self.node_id,
                "public_key": protocol.public_key_hex(self.key),
                "signature": protocol.sign(self.key, statement),
                "fingerprint": own_fingerprint,
            },
        )

    async def authenticate(self, hub_id: str) -> None:
        """Prove this node's key by signing the hub's fresh challenge; get a session token."""
        self.hub_id = hub_id
        hello = await self._request("POST", protocol.HELLO, json={"node_id": self.node_id})
        if hello.get("hub_id") != hub_id:
            raise _impostor(self.address)
        challenge = str(hello["challenge"])
        statement = protocol.auth_statement(challenge, self.node_id, hub_id, self.fingerprint)
        answer = await self._request(
            "POST",
            protocol.AUTH,
            json={
                "node_id": self.node_id,
                "challenge": challenge,
                "signature": protocol.sign(self.key, statement),
            },
        )
        self._token = str(answer["token"])

    async def state(self, epoch: str | None = None) -> dict[str, Any]:
        """The hub's vector and epoch; ``epoch`` (this node's) is noted on the hub."""
        return await self._request("GET", protocol.STATE, params={"epoch": epoch or ""})

    async def pull(
        self,
        since: dict[str, int],
        *,
        bootstrap: bool = False,
        epoch: str | None = None,
        resume: dict[str, Any] | None = None,
    ) -> AsyncIterator[protocol.Frame]:
        """The hub's chunks for this node, one frame at a time as they arrive; ``resume``
        goes on with a first fill where the last applied chunk said it got to."""
        body = {"since": since, "bootstrap": bootstrap, "epoch": epoch, "resume": resume}
        try:
            async with self.session.post(
                protocol.PULL, json=body, headers=self._headers()
            ) as response:
                await _raise_for(response)
                async for frame in protocol.read_frames(response.content):
                    if frame.header.get("error"):
                        raise EdiaryError(
                            _("The school server failed while sending changes: {error}").format(
                                error=frame.header["error"]
                            )
                        )
                    yield frame
        except aiohttp.ServerFingerprintMismatch as exc:
            raise _impostor(self.address) from exc
        except (
            aiohttp.ClientConnectionError,
            aiohttp.ClientPayloadError,
            asyncio.IncompleteReadError,
            asyncio.TimeoutError,
        ) as exc:
            raise _unreachable(self.address, exc or "timeout") from exc

    async def push(self, payload: bytes) -> tuple[PushOutcome, dict[str, int]]:
        data = await self._request(
            "POST",
            protocol.PUSH,
            data=payload,
            headers={"Content-Type": "application/octet-stream"},
        )
        vector = {str(k): int(v) for k, v in dict(data.get("vector") or {}).items()}
        return outcome_from_json(data), vector


def _impostor(address: HubAddress) -> Forbidden:
    return Forbidden(
        _(
            "The server at {address} is not the school server this computer was paired with "
            "(its certificate differs). Do not sync; tell the system administrator."
        ).format(address=address)
    )


async def _raise_for(response: aiohttp.ClientResponse) -> None:
    if response.status < 400:
        return
    try:
        data = await response.json(content_type=None)
        message = str(data.get("error") or "")
    except (ValueError, aiohttp.ContentTypeError):
        message = ""
    if response.status in (401, 403):
        raise Forbidden(message or _("The school server refused this computer."))
    raise ValidationError(
        message
        or _("The school server answered {status}: {reason}.").format(
            status=response.status, reason=response.reason
        )
    )
