"""``ediary serve --workers N``: N processes answer on one port and all stop cleanly."""

from __future__ import annotations

import os
import signal
import urllib.request
from pathlib import Path

from tests.processes import wait_until_gone
from tests.web.test_serve import Served, _start, _stop


def _children(pid: int) -> set[int]:
    """The running child processes of ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def _listening(port: int) -> int:
    """How many sockets listen on ``port`` (each process sharing it has its own)."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(
        1
        for line in lines
        if int(line.split()[1].split(":")[1], 16) == port and line.split()[3] == "0A"
    )


def _wait_for_helpers(served: Served, helpers: int) -> None:
    """Until each helper process says it serves on the shared port."""
    for number in range(1, helpers + 1):
        served.output.wait_for_text(f"web worker {number} serving")


def test_several_processes_serve_one_port_and_stop_on_sigterm(school, tmp_path: Path) -> None:
    served = _start(tmp_path, "--workers", "3")
    port = served.port
    try:
        _wait_for_helpers(served, 2)
        assert _listening(port) == 3
        helpers = _children(served.process.pid)
        assert len(helpers) == 2
        for _ in range(30):  # new connections: the kernel spreads them over the processes
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/signin", timeout=5) as reply:
                assert reply.status == 200
    finally:
        output = _stop(served)
    assert served.process.returncode == 0, output
    assert "web page: 3 processes" in output
    for number in (1, 2):
        assert f"web worker {number} serving" in output
        assert f"web worker {number} stopping" in output
    assert output.count('"GET /signin HTTP/1.1" 200') == 30
    assert "Traceback" not in output
    assert not any(Path(f"/proc/{pid}").exists() for pid in helpers)


def test_helpers_stop_when_the_main_process_is_gone(school, tmp_path: Path) -> None:
    served = _start(tmp_path, "--workers", "2")
    try:
        _wait_for_helpers(served, 1)
        helpers = _children(served.process.pid)
        assert len(helpers) == 1
        os.kill(served.process.pid, signal.SIGKILL)  # no chance to stop them itself
        served.process.wait(timeout=10)
        for pid in helpers:
            assert wait_until_gone(pid), "a helper outlived the main process"
    finally:
        _stop(served)


def test_one_worker_runs_no_helper(school, tmp_path: Path) -> None:
    served = _start(tmp_path, "--workers", "1")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/signin", timeout=5) as reply:
            assert reply.status == 200
        assert not _children(served.process.pid)
    finally:
        output = _stop(served)
    assert served.process.returncode == 0, output
    assert "web worker" not in output
