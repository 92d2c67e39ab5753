"""Slow, greedy and vanishing clients, over real sockets on 127.0.0.1 against the real app
served by the real runner (``make_runner``), with small timeouts (``node.web.limits``).

Nothing here sleeps to order events: each test waits for the server to answer or to close
the socket, bounded by ``WITHIN`` so that a server that never closes fails the test instead
of hanging it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from node.web.app import create_app, make_runner
from node.web.limits import WebLimits

#: The longest any test waits for the server; far above the limits the tests set.
WITHIN = 30.0
SHORT = WebLimits(header_seconds=0.5, body_seconds=0.5, linger_seconds=0.2)
#: Timeouts no test reaches: what happens under them happens without any timeout.
NEVER = WebLimits(header_seconds=3600, body_seconds=3600, linger_seconds=0.2)


@dataclass
class Served:
    runner: web.AppRunner
    port: int

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port)


async def _serve(path: Path, limits: WebLimits) -> Served:
    runner = make_runner(create_app(path, limits=limits))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return Served(runner, runner.addresses[0][1])


@pytest.fixture
async def short(web_school, tmp_path) -> AsyncIterator[Served]:
    served = await _serve(tmp_path / "ediary.db", SHORT)
    yield served
    await served.runner.cleanup()


@pytest.fixture
async def patient(web_school, tmp_path) -> AsyncIterator[Served]:
    served = await _serve(tmp_path / "ediary.db", NEVER)
    yield served
    await served.runner.cleanup()


async def until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection (fails after WITHIN)."""
    chunks = []
    try:
        async with asyncio.timeout(WITHIN):
            while chunk := await reader.read(65536):
                chunks.append(chunk)
    except ConnectionResetError:
        pass
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {WITHIN} s")
    return b"".join(chunks)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def _post_head(length: int, path: str = "/signin") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: school\r\nAccept-Language: en\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


async def test_a_declared_body_over_the_limit_is_refused_at_once(patient):
    """100 MB announced, 13 bytes sent: 413 without waiting for the rest (no timeout is
    short enough to answer here), then the connection is closed."""
    reader, writer = await patient.connect()
    writer.write(_post_head(100_000_000) + b"login=x&pass=")
    await writer.drain()
    answer = await until_closed(reader)
    writer.close()
    assert _status(answer) == 413
    assert b"Connection: close" in answer
    assert b"The request is too large." in answer


async def test_a_chunked_body_over_the_limit_is_cut_off(patient):
    reader, writer = await patient.connect()
    writer.write(
        b"POST /signin HTTP/1.1\r\nHost: school\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
    )
    chunk = b"a" * 16384
    for _ in range(5):  # 80 kB, past the 64 kB limit; then the client keeps the line open
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    await writer.drain()
    answer = await until_closed(reader)
    writer.close()
    assert _status(answer) == 413


async def test_a_body_slower_than_the_body_timeout_gets_408_and_the_socket_closed(short):
    reader, writer = await short.connect()
    writer.write(_post_head(100) + b"login=x")
    await writer.drain()
    answer = await until_closed(reader)
    writer.close()
    assert _status(answer) == 408
    assert b"took too long" in answer


async def test_slowloris_sockets_are_closed_after_the_header_timeout(short):
    """60 sockets each sending a part of their headers and then nothing: all closed."""
    connections = [await short.connect() for _ in range(60)]
    for n, (_reader, writer) in enumerate(connections):
        writer.write(b"GET /signin HTTP/1.1\r\nHost: school\r\nX-Slow-%d: " % n)
        await writer.drain()
    idle_reader, idle_writer = await short.connect()  # and one that sends nothing at all
    answers = await asyncio.gather(
        *(until_closed(reader) for reader, _ in connections), until_closed(idle_reader)
    )
    for _reader, writer in [*connections, (idle_reader, idle_writer)]:
        writer.close()
    assert all(_status(answer) in (0, 400, 408) for answer in answers)
    assert not any(b"200 OK" in answer for answer in answers)
    reader, writer = await short.connect()  # the server still answers whole requests
    writer.write(b"GET /signin HTTP/1.1\r\nHost: school\r\nConnection: close\r\n\r\n")
    await writer.drain()
    assert _status(await until_closed(reader)) == 200
    writer.close()


async def test_a_client_that_drops_mid_body_is_one_info_line(patient, caplog):
    caplog.set_level(logging.INFO)
    aborted = asyncio.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "client aborted" in record.getMessage():
                aborted.set()

    watch = Watch()
    logging.getLogger("ediary.web").addHandler(watch)
    try:
        _reader, writer = await patient.connect()
        writer.write(_post_head(1000) + b"login=parent1&password=")
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        async with asyncio.timeout(WITHIN):
            await aborted.wait()
        await patient.runner.cleanup()  # waits for the request to finish, logs and all
    finally:
        logging.getLogger("ediary.web").removeHandler(watch)
    lines = [r for r in caplog.records if r.name.startswith(("ediary", "aiohttp"))]
    assert [r.levelno for r in lines] == [logging.INFO], caplog.text
    assert "client aborted POST /signin" in lines[0].getMessage()
    assert "Traceback" not in caplog.text and "unexpected error" not in caplog.text


async def test_a_whole_request_within_the_limits_still_works(short):
    """The limits do not get in the way of an ordinary, quick client (kept alive too)."""
    reader, writer = await short.connect()
    for _ in range(2):
        writer.write(b"GET /signin HTTP/1.1\r\nHost: school\r\n\r\n")
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WITHIN)
        assert _status(head) == 200
        length = int(next(h for h in head.split(b"\r\n") if h.startswith(b"Content-Length"))[16:])
        await asyncio.wait_for(reader.readexactly(length), WITHIN)
    writer.close()


async def test_a_request_that_is_not_http_is_400_and_one_info_line(short, caplog):
    caplog.set_level(logging.INFO)
    for request in (b"GET /\xff HTTP/1.1\r\nHost: school\r\n\r\n", b"\x16\x03\x01 hello\r\n\r\n"):
        reader, writer = await short.connect()
        writer.write(request)
        await writer.drain()
        answer = await until_closed(reader)
        writer.close()
        assert _status(answer) == 400 or answer.startswith(b"HTTP/1.0 400"), answer[:40]
    await short.runner.cleanup()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "Traceback" not in caplog.text
