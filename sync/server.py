"""The hub's sync endpoint: an aiohttp app served over TLS on ``ediary serve``'s sync port.

Join (pairing with a one-time code), authentication (a signed challenge, see
``sync.protocol``), then state, pull (a stream of chunks: a bootstrap snapshot or the
changes since the laptop's version vector) and push (one chunk, re-checked against the
paired user's write permissions by the engine). Every database call runs off the event
loop; a stream's chunks are produced by one worker thread, so an export that holds a read
transaction never hops between threads.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from node.errors import EdiaryError, Forbidden
from node.i18n import N_, _, log_text
from node.models import SyncPeer, User, db
from node.models.database import open_database
from node.services.replication import peers
from sync import engine, protocol
from sync.results import result_to_json

log = logging.getLogger("ediary.sync")

#: A challenge must be answered quickly; a session lasts one sync (renewed when it ends).
CHALLENGE_SECONDS = 60
TOKEN_SECONDS = 15 * 60
MAX_PENDING = 1000
#: A pushed chunk is compressed; 64 MB is far above any real one.
MAX_PUSH_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class HubIdentity:
    """Who this hub is on the wire: its node key and its certificate's fingerprint."""

    key: Ed25519PrivateKey
    node_id: str
    fingerprint: str


@dataclass
class _Sessions:
    challenges: dict[str, tuple[str, float]] = field(default_factory=dict)
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)

    @staticmethod
    def _prune(table: dict[str, tuple[str, float]]) -> None:
        now = time.monotonic()
        for key in [k for k, (_n, until) in table.items() if until < now]:
            del table[key]
        while len(table) >= MAX_PENDING:
            table.pop(next(iter(table)))

    def challenge(self, node_id: str) -> str:
        self._prune(self.challenges)
        value = secrets.token_hex(32)
        self.challenges[value] = (node_id, time.monotonic() + CHALLENGE_SECONDS)
        return value

    def take_challenge(self, value: str, node_id: str) -> bool:
        entry = self.challenges.pop(value, None)
        return entry is not None and entry[0] == node_id and entry[1] >= time.monotonic()

    def token(self, node_id: str) -> str:
        self._prune(self.tokens)
        value = secrets.token_urlsafe(32)
        self.tokens[value] = (node_id, time.monotonic() + TOKEN_SECONDS)
        return value

    def node_of(self, value: str) -> str | None:
        entry = self.tokens.get(value)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]


IDENTITY = web.AppKey("sync_identity", HubIdentity)
SESSIONS = web.AppKey("sync_sessions", _Sessions)
DATABASE_PATH = web.AppKey("sync_database_path", Path)
#: Most changes in one chunk, both ways (laptops learn it from ``state``), and most rows in
#: a chunk of a first fill.
CHUNK_CHANGES = web.AppKey("sync_chunk_changes", int)
CHUNK_ROWS = web.AppKey("sync_chunk_rows", int)


def _refusal(status: int, kind: str, message: str) -> web.Response:
    return web.json_response({"error": message, "kind": kind}, status=status)


def _internal_error() -> str:
    """What a laptop is told of a fault on the hub: plain words, never the exception (its
    details, paths and all, are in the hub's log)."""
    return _(
        "The school server ran into an unexpected error; its log has the details. "
        "Try again later, and tell the system administrator if it keeps happening."
    )


def _not_paired() -> web.Response:
    return _refusal(
        403,
        "unpaired",
        _(
            "This computer is not paired with the school server. Ask the system administrator "
            "for a pairing code ('ediary pair --user LOGIN' on the server), then run "
            "'ediary join' here."
        ),
    )


def _revoked() -> web.Response:
    return _refusal(
        403,
        "revoked",
        _(
            "The school server has revoked this computer's pairing; it receives nothing. "
            "Ask the system administrator."
        ),
    )


def _disabled(login: str) -> web.Response:
    return _refusal(
        403,
        "disabled",
        _(
            "The account {login} is disabled on the school server, so this computer "
            "receives nothing. Ask the system administrator."
        ).format(login=login),
    )


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="body must be JSON") from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="body must be a JSON object")
    return data


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value or len(value) > 4096:
        raise web.HTTPBadRequest(text=f"{name} missing")
    return value


async def info(request: web.Request) -> web.Response:
    identity = request.app[IDENTITY]
    epoch = await asyncio.to_thread(engine.database_epoch)
    return web.json_response(
        {
            "protocol": protocol.PROTOCOL_VERSION,
            "node_id": identity.node_id,
            "public_key": protocol.public_key_hex(identity.key),
            "fingerprint": identity.fingerprint,
            "epoch": epoch,
        }
    )


async def join(request: web.Request) -> web.Response:
    identity = request.app[IDENTITY]
    data = await _json(request)
    public_key = _text(data, "public_key")
    node_id = _text(data, "node_id")
    try:
        proven = protocol.node_id_of(public_key) == node_id and protocol.verify(
            public_key,
            _text(data, "signature"),
            protocol.join_statement(node_id, identity.node_id, identity.fingerprint),
        )
    except ValueError:
        proven = False
    if not proven:
        return _refusal(400, "bad_key", _("The node key in the pairing request does not match."))
    new_peer = peers.NewPeer(
        node_id=node_id,
        public_key=public_key,
        cert_fingerprint=str(data.get("fingerprint") or "")[:100],
        address=request.remote or "",
    )
    try:
        peer = await asyncio.to_thread(peers.redeem_pairing_code, _text(data, "code"), new_peer)
    except Forbidden as exc:
        return _refusal(403, "bad_code", str(exc))
    log.info(
        log_text(N_("paired node {node} for {login} from {address}")).format(
            node=node_id[:12], login=peer.login, address=request.remote
        )
    )
    full_name = await asyncio.to_thread(_full_name, peer.user_id)
    return web.json_response(
        {
            "hub_id": identity.node_id,
            "hub_public_key": protocol.public_key_hex(identity.key),
            "user_id": peer.user_id,
            "login": peer.login,
            "full_name": full_name,
        }
    )


def _full_name(user_id: str | None) -> str:
    user = User.get_or_none(User.id == user_id)
    return user.full_name if user is not None else ""


async def hello(request: web.Request) -> web.Response:
    data = await _json(request)
    challenge = request.app[SESSIONS].challenge(_text(data, "node_id"))
    identity = request.app[IDENTITY]
    return web.json_response({"challenge": challenge, "hub_id": identity.node_id})


def _peer_row(node_id: str) -> SyncPeer | None:
    return SyncPeer.get_or_none(SyncPeer.node_id == node_id)


async def auth(request: web.Request) -> web.Response:
    identity = request.app[IDENTITY]
    sessions = request.app[SESSIONS]
    data = await _json(request)
    node_id = _text(data, "node_id")
    challenge = _text(data, "challenge")
    if not sessions.take_challenge(challenge, node_id):
        return _refusal(401, "stale", _("The sign-in to the school server took too long; retry."))
    peer = await asyncio.to_thread(_peer_row, node_id)
    if peer is None or peer.role != "replica":
        return _not_paired()
    statement = protocol.auth_statement(challenge, node_id, identity.node_id, identity.fingerprint)
    if not protocol.verify(peer.public_key, _text(data, "signature"), statement):
        log.warning(
            log_text(N_("node {node} failed to prove its key from {address}")).format(
                node=node_id[:12], address=request.remote
            )
        )
        return _not_paired()
    # only the key's holder learns that it was revoked or its account disabled
    if peer.revoked_at is not None:
        return _revoked()
    if await asyncio.to_thread(peers.account_disabled, peer):
        return _disabled(peer.login)
    return web.json_response({"token": sessions.token(node_id)})


async def _authenticated(request: web.Request) -> SyncPeer:
    """The paired peer behind this request's token, checked again now (revocation)."""
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip()
    node_id = request.app[SESSIONS].node_of(token) if token else None
    if node_id is None:
        raise web.HTTPUnauthorized(text="sign in first")
    peer = await asyncio.to_thread(peers.trusted_peer, node_id)
    if peer is None:
        request.app[SESSIONS].tokens.pop(token, None)
        raise _HTTPRefused(_revoked())
    if await asyncio.to_thread(peers.account_disabled, peer):
        request.app[SESSIONS].tokens.pop(token, None)
        raise _HTTPRefused(_disabled(peer.login))
    return peer


class _HTTPRefused(Exception):
    def __init__(self, response: web.Response) -> None:
        super().__init__("refused")
        self.response = response


def _scope(peer: SyncPeer) -> engine.Scope:
    return engine.scope_for_user(peer.user_id)


async def state(request: web.Request) -> web.Response:
    """The hub's vector and epoch; every sync asks first, so it is noted as the peer's sync."""
    peer = await _authenticated(request)
    vector, epoch = await asyncio.to_thread(
        lambda: (engine.version_vector(), engine.database_epoch())
    )
    epoch_of_peer = str(request.query.get("epoch") or "") or None
    await asyncio.to_thread(peers.note_sync, peer.node_id, epoch=epoch_of_peer)
    chunk = request.app[CHUNK_CHANGES]
    return web.json_response({"vector": vector, "epoch": epoch, "chunk_changes": chunk})


def _changes_since(scope: engine.Scope, since: dict[str, int], size: int) -> Iterator[engine.Chunk]:
    while True:
        chunk = engine.export_chunk(scope, since, max_changes=size)
        yield chunk
        if not chunk.more:
            return
        since = chunk.vector


def _vector(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise web.HTTPBadRequest(text="since must be an object")
    out: dict[str, int] = {}
    for key, number in value.items():
        if not isinstance(key, str) or not isinstance(number, int) or isinstance(number, bool):
            raise web.HTTPBadRequest(text="since must map node ids to integers")
        out[key] = number
    return out


async def pull(request: web.Request) -> web.StreamResponse:
    peer = await _authenticated(request)
    data = await _json(request)
    scope = await asyncio.to_thread(_scope, peer)
    if data.get("bootstrap"):
        try:
            resume = engine.Resume.parse(data["resume"]) if data.get("resume") else None
        except ValueError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
        rows = request.app[CHUNK_ROWS]
        producer: Callable[[], Iterator[engine.Chunk]] = lambda: engine.bootstrap(  # noqa: E731
            scope, max_rows=rows, resume=resume
        )
    else:
        since = _vector(data.get("since", {}))
        size = request.app[CHUNK_CHANGES]
        producer = lambda: _changes_since(scope, since, size)  # noqa: E731
    return await _stream(request, producer, "bootstrap" if data.get("bootstrap") else "changes")


async def _stream(
    request: web.Request, producer: Callable[[], Iterator[engine.Chunk]], kind: str
) -> web.StreamResponse:
    """Write each chunk as a frame as soon as the worker thread makes it (two in flight);
    a debug line per frame sent (``kind``: bootstrap or changes)."""
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> None:
        asyncio.run_coroutine_threadsafe(queue.put(item), loop).result()

    def work() -> None:
        try:
            for chunk in producer():
                if stop.is_set():
                    return
                put(("chunk", chunk))
            put(("end", None))
        except Exception as exc:  # reported to the laptop as the stream's last frame
            log.exception(log_text(N_("export failed")))
            if not stop.is_set():
                put(("error", exc))
        finally:
            db.close()  # this thread's own connection

    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(work,), daemon=True)
    thread.start()
    sent = 0
    try:
        while True:
            what, item = await queue.get()
            if what == "chunk":
                header = {"vector": item.vector, "more": item.more}
                await response.write(protocol.encode_frame(header, item.payload))
                sent += 1
                log.debug("sent %s chunk %d to %s", kind, sent, request.remote)
            elif what == "end":
                await response.write(protocol.encode_frame({"end": True}))
                break
            else:
                message = str(item) if isinstance(item, EdiaryError) else _internal_error()
                await response.write(protocol.encode_frame({"end": True, "error": message}))
                break
        await response.write_eof()
    except ConnectionResetError:
        _went_away(request)
    finally:
        stop.set()
        while thread.is_alive():
            while not queue.empty():
                queue.get_nowait()
            await asyncio.sleep(0.01)
    return response


async def push(request: web.Request) -> web.Response:
    peer = await _authenticated(request)
    payload = await request.read()
    scope = await asyncio.to_thread(_scope, peer)
    try:
        result = await asyncio.to_thread(engine.apply_chunk, payload, pushed_by=scope)
    except EdiaryError as exc:  # a damaged chunk, a snapshot pushed, an account gone
        return _refusal(400, "bad_chunk", str(exc))
    log.debug("push committed: %d applied, %d already held", result.applied, result.skipped)
    vector = await asyncio.to_thread(engine.version_vector)
    if result.rejected:
        log.info(
            log_text(N_("node {node}: {count} pushed changes rejected")).format(
                node=peer.node_id[:12], count=len(result.rejected)
            )
        )
    body = result_to_json(result)
    body["vector"] = vector
    return web.json_response(body)


def _went_away(request: web.Request) -> None:
    """A laptop shut, unplugged or killed mid-request: normal, and it resumes next time
    from what it committed, so one line in the log rather than a traceback."""
    log.info("%s went away during %s", request.remote, request.path)


@web.middleware
async def _refusals(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except _HTTPRefused as exc:
        return exc.response
    except ConnectionResetError:  # while reading its request: nobody to answer
        _went_away(request)
        return web.Response(status=400)
    except web.HTTPException:
        raise
    except Exception:
        log.exception(
            log_text(N_("unexpected error on {method} {path}")).format(
                method=request.method, path=request.path
            )
        )
        return _refusal(500, "server_error", _internal_error())


async def _database(app: web.Application) -> Any:
    database = open_database(app[DATABASE_PATH])
    yield
    database.close()


def create_sync_app(
    database_path: Path | str | None, identity: HubIdentity, *, chunk: int | None = None
) -> web.Application:
    """The sync endpoint of the hub whose database is ``database_path``.

    ``database_path=None`` means the caller already opened and bound the database (``serve``
    runs the web page and sync in one process over one database). ``chunk`` (setting
    ``sync_chunk_changes``) bounds the changes in the chunks pulled from it and, told to
    laptops, in the ones they push, and the rows in a chunk of a first fill.
    """
    app = web.Application(client_max_size=MAX_PUSH_BYTES, middlewares=[_refusals])
    app[IDENTITY] = identity
    app[SESSIONS] = _Sessions()
    app[CHUNK_CHANGES] = min(chunk or engine.CHUNK_CHANGES, engine.CHUNK_CHANGES)
    app[CHUNK_ROWS] = min(chunk or engine.BOOTSTRAP_ROWS, engine.BOOTSTRAP_ROWS)
    if database_path is not None:
        app[DATABASE_PATH] = Path(database_path)
        app.cleanup_ctx.append(_database)
    app.router.add_get(protocol.INFO, info)
    app.router.add_post(protocol.JOIN, join)
    app.router.add_post(protocol.HELLO, hello)
    app.router.add_post(protocol.AUTH, auth)
    app.router.add_get(protocol.STATE, state)
    app.router.add_post(protocol.PULL, pull)
    app.router.add_post(protocol.PUSH, push)
    return app
