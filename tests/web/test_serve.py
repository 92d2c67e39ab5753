"""``ediary serve`` as a process: it answers, logs each request, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from node.cli.serve import _backup_settings
from node.config import load_config


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_and_stops_on_sigterm(school, tmp_path: Path) -> None:
    port = _free_port()
    env = os.environ | {"EDIARY_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "node.cli", "--lang", "en", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/signin", timeout=5) as r:
                    assert r.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert '"GET /signin HTTP/1.1" 200' in output
    assert "automatic backups: off" in output
    assert "Traceback" not in output


def test_no_backup_key_means_no_backup_loop(tmp_path: Path) -> None:
    assert _backup_settings(load_config(tmp_path)) is None
