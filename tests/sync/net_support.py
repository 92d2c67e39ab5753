"""Helpers of the sync transport tests: a hub endpoint over TLS on loopback, and a hub's data
folder holding the small school (built once per worker, copied per test)."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from node.identity import load_or_create_identity, node_id_from_public_key
from node.models import Lesson, Meta, User
from node.models.database import open_database
from node.services.access.passwords import hash_password
from node.services.base import clock
from node.services.base.history import NODE_ID_KEY
from node.tls import ensure_self_signed, fingerprint, server_ssl_context
from sync.client import HubAddress, HubClient
from sync.server import HubIdentity, create_sync_app
from tests.conftest import SCHOOL_TODAY
from tests.factories import SmallSchool, build_small_school

#: Every user's password on a built hub.
PASSWORD = "correct horse battery"


@contextmanager
def on(data_dir: Path) -> Iterator[None]:
    """Bind the models to one node's database for the block (the hub's file is shared with
    its server process, as the TUI and the CLI share it in real life)."""
    database = open_database(data_dir / "ediary.db", create=True)
    try:
        yield
    finally:
        database.close()


@dataclass(frozen=True)
class HubFolder:
    """A hub's data folder (its database, closed, and its node key) with the small school,
    every user's password ``PASSWORD``, and an English lesson of 7А."""

    data_dir: Path
    school: SmallSchool
    english_lesson: str

    @classmethod
    def build(cls, data_dir: Path) -> HubFolder:
        data_dir.mkdir()
        with on(data_dir), clock.frozen_time(SCHOOL_TODAY):
            _key, node_id = load_or_create_identity(data_dir / "node_key.pem")
            Meta.set_value(NODE_ID_KEY, node_id)
            school = build_small_school()
            User.update(password_hash=hash_password(PASSWORD)).execute()
            english = Lesson.create(
                assignment=school.english_g1, date=dt.date(2026, 11, 24), number=3, topic="Unit 3"
            )
        return cls(data_dir, school, english.id)

    def copy_to(self, data_dir: Path) -> HubFolder:
        """The same folder at ``data_dir``: the same rows, ids and node id (building one takes
        most of a second; a copy, milliseconds)."""
        shutil.copytree(self.data_dir, data_dir)
        return HubFolder(data_dir, copy.deepcopy(self.school), self.english_lesson)


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
