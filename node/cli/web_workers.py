"""More web server processes for ``ediary serve --workers N``, sharing the page's port.

One Python process runs Python on one core at a time, so on a multi-core appliance the parent
page is served by N processes bound to the same address with ``SO_REUSEPORT`` (the kernel
spreads new connections among them; Linux lets only processes of the same user share a
port). Whatever the processes must agree on lives in the database (sessions, the sign-in
throttle, the data version that keeps each one's page cache current), so any of them may
answer any request. Only the main process runs backups and sync; the extra ones run the web
app alone. They stop on SIGTERM/SIGINT like the main process (running requests finish), and
on their own if the main process is gone.

    main([SPEC_JSON, NUMBER])      (run in a child process by ``serve``, not by people)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from aiohttp import web

from node.config import BUSY_TIMEOUT_SECONDS
from node.i18n import set_log_language
from node.models.base import busy_timeout
from node.tls import server_ssl_context
from node.web.app import create_app, make_runner
from node.web.limits import BODY_SECONDS, HEADER_SECONDS, WebLimits

log = logging.getLogger("ediary.serve")

#: How often an extra process checks that the main one is still there.
PARENT_CHECK_SECONDS = 1.0
#: How long the main process waits for an extra one to finish its requests at stop.
STOP_SECONDS = 60.0


def default_workers() -> int:
    """One process per core (the load generator of a benchmark shares them, people do not)."""
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class WebSpec:
    """What an extra process needs to serve the same page on the same port."""

    database_path: str
    host: str
    port: int
    access_log: str
    header_seconds: float = HEADER_SECONDS
    body_seconds: float = BODY_SECONDS
    cert: str | None = None
    key: str | None = None
    #: the language of the log lines a sysadmin acts on: the main process's
    log_language: str = "ru"
    #: the data folder's ``database_busy_timeout_seconds``
    busy_timeout_seconds: float = BUSY_TIMEOUT_SECONDS


#: How a helper process starts: not ``-m node.cli.web_workers``, which runpy warns about in
#: the server's log because the ``node.cli`` package has imported this module already.
CHILD = "import sys; from node.cli.web_workers import main; main(sys.argv[1:])"


def start(spec: WebSpec, count: int) -> list[subprocess.Popen[bytes]]:
    """Start ``count`` extra processes (numbered from 1; the main process is 0)."""
    text = json.dumps(asdict(spec))
    command = [sys.executable, "-c", CHILD, text]
    return [subprocess.Popen([*command, str(number)]) for number in range(1, count + 1)]


def terminate(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each: it stops accepting and finishes its running requests."""
    for process in processes:
        if process.poll() is None:
            process.terminate()


def wait(processes: list[subprocess.Popen[bytes]], timeout: float = STOP_SECONDS) -> None:
    """Wait for each to stop (after ``terminate``); kill one that hangs."""
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log.warning("web worker %d did not stop; killing it", process.pid)
            process.kill()
            process.wait()


async def serve(spec: WebSpec, number: int) -> None:
    """Serve the web app on the shared port until a stop signal or the main process ends."""
    stop_event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop_event.set)
    parent = os.getppid()
    context = None
    if spec.cert and spec.key:
        context = server_ssl_context(Path(spec.cert), Path(spec.key))
    limits = WebLimits(header_seconds=spec.header_seconds, body_seconds=spec.body_seconds)
    app = create_app(spec.database_path, secure_cookies=context is not None, limits=limits)
    runner = make_runner(app, access_log_format=spec.access_log)
    await runner.setup()
    site = web.TCPSite(runner, spec.host, spec.port, ssl_context=context, reuse_port=True)
    await site.start()
    log.info("web worker %d serving", number)
    try:
        while not stop_event.is_set() and os.getppid() == parent:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), PARENT_CHECK_SECONDS)
    finally:
        log.info("web worker %d stopping", number)
        await runner.cleanup()


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # until the loop's own handler is in place
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    spec = WebSpec(**json.loads(argv[0]))
    set_log_language(spec.log_language)
    with busy_timeout(spec.busy_timeout_seconds):
        asyncio.run(serve(spec, int(argv[1])))


if __name__ == "__main__":
    main(sys.argv[1:])
