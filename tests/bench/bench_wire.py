"""Benchmark: sync over the wire — ``ediary serve`` (the hub) and a laptop, TLS on 127.0.0.1.

What a teacher waits for, end to end (sign-in with the node key, pinned TLS, streaming):

* the first sync of the demo teacher's new laptop (bootstrap, rows/s, end to end: export,
  transfer and the laptop's apply) beside the hub engine's export of the same scope alone;
* a no-op ``sync`` beside a bare HTTPS round trip to the same server (new connection each);
* 500 changed marks pushed to the hub.

    python -m tests.bench.run --size L --only wire
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from node.models import SYNC_MODELS, User, db
from node.models.database import open_database
from node.tls import parse_fingerprint
from sync import engine
from sync.client import HubAddress, fetch_fingerprint
from sync.pairing import join_hub
from sync.runner import sync_once
from tests.ports import free_port

LOGIN = "teacher"  # the demo's teacher


def _engine_bootstrap(hub_db: Path, user_id: str) -> float:
    """The same scope's bootstrap chunks made in this process (no network, no apply)."""
    database = open_database(hub_db)
    try:
        started = time.perf_counter()
        for _chunk in engine.bootstrap(engine.scope_for_user(user_id)):
            pass
        return time.perf_counter() - started
    finally:
        database.close()


async def _bare_round_trip(address: HubAddress, fingerprint: str) -> float:
    started = time.perf_counter()
    connector = aiohttp.TCPConnector(ssl=aiohttp.Fingerprint(parse_fingerprint(fingerprint)))
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(f"https://{address}/sync/v1/info") as response:
            await response.read()
    return time.perf_counter() - started


def run(db_path: Path, work: Path, repeats: int = 5) -> dict[str, Any]:
    hub_dir, laptop_dir = work / "hub", work / "laptop"
    hub_dir.mkdir()
    shutil.copy(db_path, hub_dir / "ediary.db")
    env = os.environ | {"EDIARY_DATA_DIR": str(hub_dir)}
    port = free_port()
    command = [sys.executable, "-m", "node.cli", "--lang", "en"]
    serve = [*command, "serve", "--port", str(free_port()), "--sync-port", str(port)]
    process = subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        out = subprocess.run(
            [*command, "pair", "--user", LOGIN], env=env, capture_output=True, text=True
        ).stdout
        code = re.search(r"Pairing code for \S+ \(.*\): (\S+)", out).group(1)  # type: ignore[union-attr]
        address = HubAddress("127.0.0.1", port)
        fingerprint = fetch_fingerprint(address)
        key = laptop_dir / "node_key.pem"
        database = open_database(laptop_dir / "ediary.db", create=True)
        try:
            asyncio.run(join_hub(key, address, fingerprint, code))
            started = time.perf_counter()
            asyncio.run(sync_once(key))
            bootstrap_s = time.perf_counter() - started
            rows = sum(model.select().count() for model in SYNC_MODELS)
            user_id = User.get(User.login == LOGIN).id
            noop = []
            for _ in range(repeats):
                started = time.perf_counter()
                asyncio.run(sync_once(key))
                noop.append(time.perf_counter() - started)
            bare = [asyncio.run(_bare_round_trip(address, fingerprint)) for _ in range(repeats)]
            db.execute_sql(
                "UPDATE mark SET comment = 'bench' WHERE id IN (SELECT m.id FROM mark m "
                "JOIN lesson l ON m.lesson_id = l.id JOIN teaching_assignment a "
                "ON l.assignment_id = a.id WHERE a.teacher_id = ? LIMIT 500)",
                (user_id,),
            )
            started = time.perf_counter()
            report = asyncio.run(sync_once(key))
            changes_s = time.perf_counter() - started
        finally:
            database.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    engine_s = _engine_bootstrap(hub_dir / "ediary.db", user_id)
    noop_s, bare_s = statistics.median(noop), statistics.median(bare)
    return {
        "wire_bootstrap_teacher_rows": rows,
        "wire_bootstrap_teacher_s": round(bootstrap_s, 3),
        "wire_bootstrap_teacher_rows_s": round(rows / bootstrap_s),
        "wire_bootstrap_engine_export_s": round(engine_s, 3),
        "wire_bootstrap_ratio": round(bootstrap_s / engine_s, 2),
        "wire_noop_s_median": round(noop_s, 4),
        "wire_bare_round_trip_s_median": round(bare_s, 4),
        "wire_noop_ratio": round(noop_s / bare_s, 2),
        "wire_500_changes_s": round(changes_s, 3),
        "wire_500_changes_pushed": report.pushed.applied,
    }
