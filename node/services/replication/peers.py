"""Pairing and trust between nodes: one-time pairing codes, the pinned peers, revocation.

The hub's sysadmin issues a pairing code bound to one user (``ediary pair --user LOGIN``);
the laptop presents it once with its node key, and the hub pins that key with the user's
scope. A code is stored only as a salted HMAC, expires after ``PAIRING_MINUTES``, works
once, and guesses are throttled like sign-ins (per address and for all pairing at once, so
a guesser on another machine is slowed down too). Wire formats live in ``sync``; this
module only decides and records.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from node.errors import Forbidden, NotFound, ValidationError
from node.i18n import _
from node.models import Meta, PairingCode, SyncPeer, User, db
from node.services.access import throttle
from node.services.access.codes import code_matches, hash_code, new_code
from node.services.base import clock, history
from node.services.base.actor import Actor
from node.services.base.lookup import get_user
from node.services.base.permissions import Action, ensure_allowed

#: Meta key (+ node id) of a peer's version vector as of the last sync.
VECTOR_KEY = "sync_vector:"
#: How long a pairing code works: enough to walk to the laptop, not enough to leak.
PAIRING_MINUTES = 10


@dataclass(frozen=True)
class IssuedPairing:
    code: str
    login: str
    full_name: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class NewPeer:
    """What a joining node tells about itself (already checked by the transport)."""

    node_id: str
    public_key: str
    cert_fingerprint: str
    address: str


def user_scope(user_id: str) -> str:
    return f"user:{user_id}"


def issue_pairing_code(actor: Actor, user_id: str) -> IssuedPairing:
    """A one-time code that pairs one laptop for ``user_id`` (older open codes stop working)."""
    user = get_user(user_id)
    ensure_allowed(actor, Action.NODES_MANAGE)
    if user.status == "disabled":
        raise ValidationError(
            _("The account {login} is disabled; enable it before pairing a laptop for it.").format(
                login=user.login
            )
        )
    now = clock.now()
    code = new_code()
    with db.atomic():
        PairingCode.update(used_at=now, used_by="").where(
            PairingCode.user == user.id, PairingCode.used_at.is_null()
        ).execute()
        row = PairingCode.create(
            user=user.id,
            code_hash=hash_code(code),
            issued_by=actor.login,
            issued_at=now,
            expires_at=now + dt.timedelta(minutes=PAIRING_MINUTES),
        )
        history.record(actor, "user", user.id, "update", {"pairing_code": [None, "issued"]})
    return IssuedPairing(code, user.login, user.full_name, row.expires_at)


def _wrong_code() -> Forbidden:
    return Forbidden(
        _(
            "The pairing code is wrong, already used or expired. Ask the system administrator "
            "to run 'ediary pair --user LOGIN' on the school server for a new one."
        )
    )


def redeem_pairing_code(code: str, peer: NewPeer) -> SyncPeer:
    """Pair the node ``peer`` with the user the code was issued for, or refuse.

    No actor: the code is the authority. A refused attempt writes nothing but its throttle
    count; a node once revoked cannot pair again with the same key.
    """
    keys = throttle.Keys.of("pair", "any", peer.address or None)
    throttle.reserve(keys)
    now = clock.now()
    match = None
    for row in PairingCode.select().where(
        PairingCode.used_at.is_null(), PairingCode.expires_at > now
    ):
        if code_matches(code, row.code_hash):
            match = row
            break
    if match is None:
        raise _wrong_code()
    known = SyncPeer.get_or_none(SyncPeer.node_id == peer.node_id)
    if known is not None and known.revoked_at is not None:
        raise Forbidden(
            _(
                "This laptop's node key was revoked on the school server; it cannot pair "
                "again. Start from a new data folder to make a new key."
            )
        )
    user = User.get_by_id(match.user_id)
    with db.atomic():
        throttle.succeeded(keys)
        match.used_at = now
        match.used_by = peer.node_id
        match.save()
        SyncPeer.insert(
            node_id=peer.node_id,
            role="replica",
            public_key=peer.public_key,
            cert_fingerprint=peer.cert_fingerprint,
            address=peer.address,
            user_id=user.id,
            login=user.login,
            scope=user_scope(user.id),
            paired_at=now,
            revoked_at=None,
            epoch=None,
            last_sync_at=None,
            last_error="",
        ).on_conflict_replace().execute()
        history.record(
            Actor.for_system(),
            "user",
            user.id,
            "update",
            {"paired_node": [None, peer.node_id]},
        )
    return SyncPeer.get_by_id(peer.node_id)


def list_peers(actor: Actor) -> list[SyncPeer]:
    """Every peer this node knows, revoked ones too, newest first."""
    ensure_allowed(actor, Action.NODES_MANAGE)
    return list(SyncPeer.select().order_by(SyncPeer.paired_at.desc()))


def find_peer(prefix: str) -> SyncPeer:
    """The peer whose node id starts with ``prefix`` (people type the first few digits)."""
    text = (prefix or "").strip().lower()
    rows = list(SyncPeer.select().where(SyncPeer.node_id.startswith(text))) if text else []
    if len(rows) != 1:
        raise NotFound(
            _(
                "No single paired node has an id starting with «{id}»; see 'ediary nodes list'."
            ).format(id=prefix)
        )
    return rows[0]


def revoke_peer(actor: Actor, node_id: str) -> SyncPeer:
    """Stop trusting a node at once: its next request is refused, and it cannot re-pair."""
    peer = find_peer(node_id)
    ensure_allowed(actor, Action.NODES_MANAGE)
    if peer.revoked_at is not None:
        raise ValidationError(_("The node {id} is already revoked.").format(id=peer.node_id[:12]))
    with db.atomic():
        peer.revoked_at = clock.now()
        peer.save()
        if peer.user_id:
            history.record(
                actor, "user", peer.user_id, "update", {"paired_node": [peer.node_id, None]}
            )
    return peer


def trusted_peer(node_id: str) -> SyncPeer | None:
    """The paired, not revoked peer with this exact id (the transport's check)."""
    return SyncPeer.trusted().where(SyncPeer.node_id == node_id).first()


def account_disabled(peer: SyncPeer) -> bool:
    """Is the account the peer was paired for disabled (or gone)? Its laptop then gets
    nothing, as the account cannot sign in either."""
    if peer.user_id is None:
        return False
    user = User.get_or_none(User.id == peer.user_id)
    return user is None or user.status == "disabled"


def remember_hub(
    *,
    node_id: str,
    public_key: str,
    cert_fingerprint: str,
    address: str,
    user_id: str | None,
    login: str,
) -> SyncPeer:
    """On a laptop: pin the hub it just paired with (the node keeps one hub)."""
    now = clock.now()
    with db.atomic():
        SyncPeer.delete().where(SyncPeer.role == "hub").execute()
        SyncPeer.create(
            node_id=node_id,
            role="hub",
            public_key=public_key,
            cert_fingerprint=cert_fingerprint,
            address=address,
            user_id=user_id,
            login=login,
            scope=user_scope(user_id) if user_id else "",
            paired_at=now,
        )
    return SyncPeer.get_by_id(node_id)


def the_hub() -> SyncPeer | None:
    """The hub this node is a replica of, or None on a hub or a standalone node."""
    return SyncPeer.select().where(SyncPeer.role == "hub").first()


def note_sync(
    node_id: str,
    *,
    epoch: str | None = None,
    error: str = "",
    vector: dict[str, int] | None = None,
) -> None:
    """Record how the last sync with a peer went (time on success, the reason otherwise),
    and the peer's version vector then, from which a laptop counts its pending changes."""
    values: dict[str, object] = {SyncPeer.last_error: error}
    if not error:
        values[SyncPeer.last_sync_at] = clock.now()
    if epoch is not None:
        values[SyncPeer.epoch] = epoch
    with db.atomic():
        SyncPeer.update(values).where(SyncPeer.node_id == node_id).execute()
        if vector is not None:
            Meta.set_value(VECTOR_KEY + node_id, json.dumps(vector, sort_keys=True))


def known_vector(node_id: str) -> dict[str, int]:
    """The peer's version vector as of the last sync ({} before the first)."""
    text = Meta.get_value(VECTOR_KEY + node_id)
    return {str(k): int(v) for k, v in json.loads(text).items()} if text else {}
