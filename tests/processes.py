"""Child processes in tests: wait for what they say, never for a while.

A test that must act once a process has reached a point (listening, stopping, a chunk
sent) waits for the line it writes there; ``Output`` reads its merged output in a thread.
"""

from __future__ import annotations

import os
import select
import subprocess
import threading
import time
from collections.abc import Callable

#: How long a child may take to say what a test waits for before the test fails (a hang,
#: not a speed goal).
TIMEOUT = 30.0


class Output:
    """A process's merged output, read by a thread so a test can wait for a line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._done = False
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        with process.stdout:
            for line in process.stdout:
                with self._changed:
                    self.lines.append(line.rstrip("\n"))
                    self._changed.notify_all()
        with self._changed:
            self._done = True
            self._changed.notify_all()

    def wait_for(self, enough: Callable[[list[str]], bool], timeout: float = TIMEOUT) -> None:
        """Until ``enough(lines)``; fails if the output ends first or nothing comes in time."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not enough(self.lines):
                left = deadline - time.monotonic()
                assert not self._done and left > 0, "\n".join(self.lines)
                self._changed.wait(left)

    def wait_for_text(self, text: str, count: int = 1, timeout: float = TIMEOUT) -> None:
        """Until ``count`` lines contain ``text``."""
        self.wait_for(lambda lines: sum(text in line for line in lines) >= count, timeout)

    def count(self, line: str) -> int:
        with self._changed:
            return self.lines.count(line)

    def text(self) -> str:
        """All of it, once the process has closed its output."""
        self._thread.join(TIMEOUT)
        return "\n".join(self.lines)

    def so_far(self) -> str:
        with self._changed:
            return "\n".join(self.lines)


def wait_until_gone(pid: int, timeout: float = TIMEOUT) -> bool:
    """Whether the process ``pid`` (any, not only a child) ended within ``timeout`` s."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _w, _x = select.select([fd], [], [], timeout)  # readable once it has exited
        return bool(ready)
    finally:
        os.close(fd)
