"""Sync peers and pairing codes: node-local trust, never synced.

Each node keeps its own list of the nodes it trusts: the hub lists the laptops paired to it
(with the user whose scope they receive), a laptop lists its hub. Keys and fingerprints are
pinned here at pairing; a revoked row stays (``revoked_at``) so the node stays refused and
the list shows when and why. Pairing codes are one-time secrets stored only as a salted HMAC,
like access codes, and belong to the hub that issued them.
"""

from __future__ import annotations

import peewee as pw

from node.models.base import BaseModel
from node.models.people import User

PEER_ROLES = ("hub", "replica")


class SyncPeer(BaseModel):
    """A node this node trusts: its Ed25519 key, its certificate, whose scope it holds."""

    node_id = pw.TextField(primary_key=True)
    role = pw.TextField()  # what the peer is to this node: "hub" or "replica"
    public_key = pw.TextField()  # raw Ed25519 public key, hex
    cert_fingerprint = pw.TextField(default="")  # SHA-256 of its TLS certificate, as printed
    address = pw.TextField(default="")  # host:port of a hub; where a replica joined from
    user_id = pw.TextField(null=True)  # the user whose scope the replica receives
    login = pw.TextField(default="")  # that user's login (text: outlives the account)
    scope = pw.TextField(default="")  # "user:<id>": what the replica may receive
    paired_at = pw.DateTimeField()
    revoked_at = pw.DateTimeField(null=True)
    epoch = pw.TextField(null=True)  # the peer's database epoch when last synced
    last_sync_at = pw.DateTimeField(null=True)
    last_error = pw.TextField(default="")

    @classmethod
    def trusted(cls) -> pw.ModelSelect:
        return cls.select().where(cls.revoked_at.is_null())


class PairingCode(BaseModel):
    """A one-time code the sysadmin gave out to pair one laptop for one user."""

    user = pw.ForeignKeyField(User, backref="pairing_codes", on_delete="CASCADE")
    code_hash = pw.TextField()
    issued_by = pw.TextField(default="")
    issued_at = pw.DateTimeField()
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)
    used_by = pw.TextField(null=True)  # the node id that redeemed it
