"""The parent web page beside the demo's UI: a child process that ``ediary demo`` starts.

A process of its own, not a thread: the UI and the web each bind the models to their own
database connection, and the UI owns the terminal (the web logs to a file instead). The
demo's day is pinned here too, so the parent sees the same "today" as the teacher.
SIGTERM stops it cleanly (``run_server``), which is how the demo ends it.

    python -c "$CHILD" DATA_DIR PORT_FD LANGUAGE [YYYY-MM-DD]

The child binds port 0, so the kernel picks a free port as it binds (a port chosen first
and bound later could be taken in between), and writes the port it got to the pipe
``PORT_FD``: that line is also the sign that the page listens. Its log speaks the demo's
language (``--lang``), as ``ediary serve`` would.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from node.config import load_config
from node.files import append_private
from node.i18n import current_language, set_log_language
from node.models.base import busy_timeout
from node.services.base import clock

HOST = "127.0.0.1"
#: The child's program (not ``-m``: this module is imported with the ``node.cli`` package).
CHILD = "import sys; from node.cli.demo_web import main; sys.exit(main(sys.argv[1:]))"
#: How long the page may take to answer before the demo goes on without it.
START_SECONDS = 15.0
STOP_SECONDS = 10.0


class DemoWeb:
    """The running child: ``url`` while it answers; ``stop()`` ends it (SIGTERM, then kill)."""

    def __init__(self, data_dir: Path, day: dt.date | None, log_path: Path) -> None:
        #: the port the page listens on, known once ``wait_until_answering`` says so
        self.port: int | None = None
        self.url = ""
        reader, writer = os.pipe()
        args = [sys.executable, "-c", CHILD, str(data_dir), str(writer), current_language()]
        if day is not None:
            args.append(day.isoformat())
        try:
            with append_private(log_path) as log:
                self.process = subprocess.Popen(
                    args,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    pass_fds=(writer,),
                    start_new_session=True,  # the terminal's signals are the UI's, not its
                )
        except BaseException:
            os.close(reader)
            raise
        finally:
            os.close(writer)  # the child's copy is the only one: its end of the pipe ends it
        self._ports = os.fdopen(reader, "rb", buffering=0)

    def wait_until_answering(self, timeout: float = START_SECONDS) -> bool:
        """Whether the page listens, as the child says by writing its port (it closes the
        pipe without a word, or says nothing in time, when it cannot)."""
        with self._ports:
            ready, _, _ = select.select([self._ports], [], [], timeout)
            line = self._ports.readline() if ready else b""
        if not line.strip().isdigit():
            return False
        self.port = int(line)
        self.url = f"http://{HOST}:{self.port}/"
        return True

    def stop(self) -> int | None:
        """Stop the page; its exit code (0: stopped cleanly)."""
        self._ports.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _report_port(fd: int) -> Callable[[int], None]:
    """Write the port the page got to the demo's pipe, once."""

    def report(port: int) -> None:
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(f"{port}\n".encode())

    return report


def main(argv: list[str]) -> int:
    from node.cli.serve import run_server

    data_dir, port_fd = Path(argv[0]), int(argv[1])
    set_log_language(argv[2])
    day = dt.date.fromisoformat(argv[3]) if len(argv) > 3 else None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("ediary.demo").info("parent page of the demo, pid %d", os.getpid())
    pinned = clock.frozen_time(day) if day else contextlib.nullcontext()
    config = load_config(data_dir)
    with pinned, busy_timeout(config.busy_timeout_seconds):
        asyncio.run(run_server(config, HOST, 0, serving=_report_port(port_fd)))
    return 0
