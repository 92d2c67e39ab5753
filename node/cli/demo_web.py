"""The parent web page beside the demo's UI: a child process that ``ediary demo`` starts.

A process of its own, not a thread: the UI and the web each bind the models to their own
database connection, and the UI owns the terminal (the web logs to a file instead). The
demo's day is pinned here too, so the parent sees the same "today" as the teacher.
SIGTERM stops it cleanly (``run_server``), which is how the demo ends it.

    python -c "$CHILD" DATA_DIR PORT LANGUAGE [YYYY-MM-DD]

Its log speaks the demo's language (``--lang``), as ``ediary serve`` would.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from node.config import load_config
from node.files import append_private
from node.i18n import current_language, set_log_language
from node.services.base import clock

HOST = "127.0.0.1"
#: The child's program (not ``-m``: this module is imported with the ``node.cli`` package).
CHILD = "import sys; from node.cli.demo_web import main; sys.exit(main(sys.argv[1:]))"
#: How long the page may take to answer before the demo goes on without it.
START_SECONDS = 15.0
STOP_SECONDS = 10.0


def free_port() -> int:
    """A port nobody listens on now on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.2):
        return True
    return False


class DemoWeb:
    """The running child: ``url`` while it answers; ``stop()`` ends it (SIGTERM, then kill)."""

    def __init__(self, data_dir: Path, day: dt.date | None, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}/"
        args = [sys.executable, "-c", CHILD, str(data_dir), str(self.port), current_language()]
        if day is not None:
            args.append(day.isoformat())
        with append_private(log_path) as log:
            self.process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # the terminal's signals are the UI's, not its
            )

    def wait_until_answering(self, timeout: float = START_SECONDS) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if _answers(self.port):
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> int | None:
        """Stop the page; its exit code (0: stopped cleanly)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def main(argv: list[str]) -> int:
    from node.cli.serve import run_server

    data_dir, port = Path(argv[0]), int(argv[1])
    set_log_language(argv[2])
    day = dt.date.fromisoformat(argv[3]) if len(argv) > 3 else None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("ediary.demo").info("parent page of the demo, pid %d", os.getpid())
    pinned = clock.frozen_time(day) if day else contextlib.nullcontext()
    with pinned:
        asyncio.run(run_server(load_config(data_dir), HOST, port))
    return 0
