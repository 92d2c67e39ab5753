"""Loopback ports for servers that tests start: never the same one twice, whoever asks.

Asking the kernel for a free port (bind port 0, read it, close) and letting the server bind it
later is a race: between the two the kernel may hand the same port to anything else that
binds port 0 or connects out (another xdist worker's client, another engineer's test run),
and the server then fails with "address in use". So a port is taken here instead from below
the kernel's ephemeral range (``/proc/sys/net/ipv4/ip_local_port_range``), which the kernel
never gives out by itself, and reserved for the rest of this process by an advisory lock on a
file named after it in one folder that every test process on the machine shares: two tests,
two workers or two test runs never get the same port. A port something else listens on
already (a probe bind fails) is skipped. A server that can bind port 0 itself and say which
port it got (``serving_hub``) does that instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import socket
import tempfile
from pathlib import Path

HOST = "127.0.0.1"
#: Where the locks live: one empty file per port, locked while a process holds the port.
LOCKS = Path(tempfile.gettempdir()) / "ediary-test-ports"
_LOWEST = 20000
#: The descriptors of the locks this process holds (closing one would release its port).
_held: dict[int, int] = {}


def _ephemeral_start() -> int:
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text(encoding="ascii")
        return int(text.split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _reserve(port: int) -> bool:
    """Lock ``port``'s file for this process, if no other process holds it."""
    fd = os.open(LOCKS / str(port), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return False
    _held[port] = fd
    return True


def _nobody_listens(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port no other test (here or in another process) is given, and that nothing
    listens on now; it stays this process's until the process ends."""
    if not LOCKS.is_dir():
        LOCKS.mkdir(exist_ok=True)
        with contextlib.suppress(OSError):  # every account's tests share it, as /tmp
            LOCKS.chmod(0o1777)
    high = _ephemeral_start() - 1
    start = random.randrange(_LOWEST, high)
    for offset in range(high - _LOWEST):
        port = _LOWEST + (start - _LOWEST + offset) % (high - _LOWEST)
        if port in _held or not _reserve(port):
            continue
        if _nobody_listens(port):
            return port
    raise RuntimeError(f"no free loopback port between {_LOWEST} and {high}")
