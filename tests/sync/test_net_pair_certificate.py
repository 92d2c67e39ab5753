"""``ediary pair`` shows the fingerprint of the certificate the sync port really presents:
the school's own with ``serve --cert``, the node's self-signed one otherwise (node.tls
``record_served``, written by sync/hosting.py)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from node.config import load_config
from node.tls import (
    SERVED_FILE,
    ensure_self_signed,
    fingerprint,
    read_served,
    self_signed_path,
)
from sync.client import HubAddress, fetch_fingerprint
from sync.hosting import start_sync
from tests.ports import free_port
from tests.sync.net_support import HubFolder
from tests.sync.test_net_end_to_end import run, start_serve


def _serve(data_dir: Path, sync_port: int, *args: str) -> subprocess.Popen[str]:
    """``ediary serve``, once its sync port serves (it has noted what it presents by then)."""
    process, _output = start_serve(data_dir, sync_port, "--workers", "1", *args)
    served = read_served(data_dir)
    assert served is not None and served.running, "serve did not note its certificate"
    return process


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)


def test_pair_shows_the_schools_certificate_that_serve_cert_presents(
    tmp_path: Path, hub_folder: HubFolder
):
    hub = hub_folder.data_dir
    school = ensure_self_signed(tmp_path / "school-ca", hostnames=["school7.example"])
    port = free_port()
    process = _serve(hub, port, "--cert", str(school.cert), "--key", str(school.key))
    try:
        code, out = run(hub, "pair", "--user", "ivanova")
        presented = fetch_fingerprint(HubAddress("127.0.0.1", port))
    finally:
        _stop(process)
    assert code == 0, out
    assert presented == fingerprint(school.cert)
    assert f"  {presented}\n" in out
    assert f"sync port 127.0.0.1:{port} presents the certificate {school.cert}" in out
    assert f"'ediary join ADDRESS:{port}'" in out
    own = self_signed_path(hub)
    assert not own.exists() or fingerprint(own) not in out
    # stopped: the certificate it presented is the one it will present when started again
    code, out = run(hub, "pair", "--user", "ivanova")
    assert code == 0, out
    assert f"not running. Last time its sync port presented the certificate {school.cert}" in out
    assert f"  {presented}\n" in out


def test_without_a_running_server_pair_says_which_certificate_will_be_presented(
    tmp_path: Path, hub_folder: HubFolder
):
    hub = hub_folder.data_dir
    code, out = run(hub, "pair", "--user", "ivanova")
    assert code == 0, out
    assert "'ediary serve' is not running. Started without --cert" in out
    assert f"  {fingerprint(self_signed_path(hub))}\n" in out
    # a server that presented the school's certificate was killed: its process is gone
    school = ensure_self_signed(tmp_path / "school-ca", hostnames=["school7.example"])
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    record = {
        "cert": str(school.cert),
        "fingerprint": "AB" * 32,
        "self_signed": False,
        "address": "0.0.0.0:8443",
        "pid": int(gone.stdout),
    }
    (hub / SERVED_FILE).write_text(json.dumps(record))
    code, out = run(hub, "pair", "--user", "ivanova")
    assert code == 0, out
    assert f"Last time its sync port presented the certificate {school.cert}" in out
    assert f"  {fingerprint(school.cert)}\n" in out  # the file as it is now


async def test_the_endpoint_records_what_it_presents_and_no_secret(database, tmp_path: Path):
    config = load_config(tmp_path)
    school = ensure_self_signed(tmp_path / "school-ca", hostnames=[])
    hosting = await start_sync(config, "127.0.0.1", free_port(), None, school, announce=False)
    try:
        served = read_served(tmp_path)
        assert served is not None and served.running and not served.self_signed
        assert served.fingerprint == hosting.fingerprint == fingerprint(school.cert)
        text = (tmp_path / SERVED_FILE).read_text()
        assert "PRIVATE" not in text and str(school.key) not in text
        assert not list(tmp_path.glob("*.tmp"))
    finally:
        await hosting.stop()
    stopped = read_served(tmp_path)
    assert stopped is not None and not stopped.running and stopped.cert == served.cert
    hosting = await start_sync(config, "127.0.0.1", free_port(), None, announce=False)
    try:
        served = read_served(tmp_path)
        assert served is not None and served.self_signed
        assert served.fingerprint == fingerprint(self_signed_path(tmp_path))
    finally:
        await hosting.stop()
