"""Drive the standard ``age`` tool from tests, answering its passphrase prompts on a pty."""

from __future__ import annotations

import os
import pty
import select
import shutil
import time

import pytest

AGE = shutil.which("age")
needs_age = pytest.mark.skipif(AGE is None, reason="the Debian package 'age' is not installed")


def run_age(args: list[str], passphrase: str | None = None, timeout: float = 60) -> tuple[int, str]:
    """Run ``age`` on a pseudo-terminal; every passphrase prompt gets ``passphrase``."""
    assert AGE is not None
    pid, fd = pty.fork()
    if pid == 0:  # the child: age reads the passphrase from its controlling terminal
        os.execv(AGE, [AGE, *args])
    output, answered = b"", 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _w, _x = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            try:
                data = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            output += data
            prompts = output.count(b"Enter passphrase") + output.count(b"Confirm passphrase")
            if passphrase is not None and prompts > answered:
                os.write(fd, passphrase.encode() + b"\n")
                answered = prompts
        else:
            os.kill(pid, 9)
    finally:
        os.close(fd)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")
