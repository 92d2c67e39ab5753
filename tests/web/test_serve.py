"""``ediary serve`` as a process: it answers, logs each request, serves HTTPS with ``--tls``,
and stops cleanly on SIGTERM, finishing the write in progress."""

from __future__ import annotations

import http.client
import http.cookies
import os
import re
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from node.cli import main
from node.cli.serve import _backup_settings
from node.config import load_config
from node.models import Session
from node.tls import der_fingerprint, ensure_self_signed, fingerprint
from tests.processes import Output
from tests.web.conftest import PASSWORD

#: ``ediary ARGS`` that writes "sqlite: BEGIN …" when one of its connections starts a
#: transaction (SQLite's trace callback: before the statement waits for any lock).
TRACED_CLI = """
import sqlite3, sys
from node.cli import main

def traced(*args, **kwargs):
    connection = plain_connect(*args, **kwargs)
    connection.set_trace_callback(
        lambda sql: sql.startswith("BEGIN") and print("sqlite:", sql, file=sys.stderr, flush=True)
    )
    return connection

plain_connect, sqlite3.connect = sqlite3.connect, traced
sys.exit(main(sys.argv[1:]))
"""


@dataclass
class Served:
    process: subprocess.Popen[str]
    port: int
    output: Output


#: The line ``serve`` writes once it listens, in each language.
SERVING = {"en": "serving on", "ru": "веб-страница работает по адресу"}


def _start(data_dir: Path, *args: str, traced: bool = False, language: str = "en") -> Served:
    """``ediary serve --port 0``, once it says which port it got and serves there (sync off:
    these tests are about the web page); ``traced``: it says when a transaction begins."""
    env = os.environ | {"EDIARY_DATA_DIR": str(data_dir)}
    command = ["-c", TRACED_CLI] if traced else ["-m", "node.cli"]
    process = subprocess.Popen(
        [sys.executable, *command, "--lang", language, "serve", "--port", "0"]
        + ["--sync-port", "0", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(process, 0, Output(process))
    listening = re.compile(rf"{SERVING[language]} https?://127\.0\.0\.1:(\d+)/")
    try:
        served.output.wait_for(lambda lines: any(listening.search(x) for x in lines))
        served.port = int(next(m[1] for x in served.output.lines if (m := listening.search(x))))
        assert served.port != 0, "serve logged the port it was asked for, not the one it got"
    except AssertionError:
        _stop(served)
        raise
    return served


def _stop(served: Served, *, told: bool = False) -> str:
    """SIGTERM (unless the test sent it already: a second one may land after the server has
    put Python's default handling back, and kill it), then the whole output once it has
    exited (killed if it hangs)."""
    process = served.process
    try:
        if not told:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return served.output.text()


def test_serve_answers_and_stops_on_sigterm(school, tmp_path: Path) -> None:
    served = _start(tmp_path)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/signin", timeout=5) as r:
            assert r.status == 200
    finally:
        output = _stop(served)
    assert served.process.returncode == 0, output
    assert '"GET /signin HTTP/1.1" 200' in output
    assert "automatic backups: off" in output
    assert "Traceback" not in output


def test_the_lines_a_sysadmin_acts_on_follow_the_language(school, tmp_path: Path) -> None:
    """Start, address and backups in Russian; a visitor's English page changes nothing."""
    served = _start(tmp_path, "--workers", "1", language="ru")
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{served.port}/signin", headers={"Accept-Language": "en"}
        )
        with urllib.request.urlopen(request, timeout=5) as reply:
            assert reply.status == 200
    finally:
        output = _stop(served)
    assert "автоматическое резервное копирование выключено" in output
    assert "остановка" in output
    assert "serving on" not in output and "automatic backups" not in output


def test_sigterm_finishes_the_write_in_progress(web_school, tmp_path: Path) -> None:
    """A sign-in whose write waits for the database lock when SIGTERM arrives still
    completes: the client gets its answer and the session row is in the database.

    One process (no helper may take the request), saying when a transaction begins: the test
    waits for the sign-in's write to begin (it then waits for the lock the test holds), then
    for "stopping", and only then lets the write through."""
    served = _start(tmp_path, "--workers", "1", traced=True)
    port = served.port
    replies: list[tuple[int, str]] = []
    lock = sqlite3.connect(tmp_path / "ediary.db", isolation_level=None)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    told = False
    try:
        connection.request("GET", "/signin")
        page = connection.getresponse()
        html = page.read().decode()
        cookie = http.cookies.SimpleCookie(page.headers["Set-Cookie"])
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode(
            {"login": "parent1", "password": PASSWORD, "csrf_token": token}
        )

        def post() -> None:
            connection.request(
                "POST",
                "/signin",
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"ediary_csrf={cookie['ediary_csrf'].value}",
                },
            )
            reply = connection.getresponse()
            replies.append((reply.status, reply.headers.get("Set-Cookie", "")))

        lock.execute("BEGIN IMMEDIATE")  # the server's write now waits for this lock
        begun = len(served.output.lines)
        poster = threading.Thread(target=post)
        poster.start()
        # the sign-in's write has begun: it waits for the lock
        served.output.wait_for(lambda lines: any("sqlite: BEGIN" in x for x in lines[begun:]))
        before = len(served.output.lines)
        served.process.send_signal(signal.SIGTERM)
        told = True
        served.output.wait_for(lambda lines: any("stopping" in x for x in lines[before:]))
        assert not replies  # the server is stopping, the write still waiting
        lock.execute("ROLLBACK")
        poster.join(timeout=30)
    finally:
        connection.close()
        lock.close()
        output = _stop(served, told=told)
    assert served.process.returncode == 0, output
    assert replies and replies[0][0] == 303, (replies, output)
    assert "ediary_session=" in replies[0][1]
    assert Session.select().where(Session.user == web_school.parent.id).count() == 1
    # the request was still running when the server began to stop
    assert output.index("stopping") < output.index('"POST /signin HTTP/1.1" 303'), output
    assert "Traceback" not in output


def _served_fingerprint(port: int) -> tuple[str, str]:
    """The certificate fingerprint a TLS client sees on 127.0.0.1, and /signin's cookie."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # self-signed: people compare the fingerprint
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    connection.request("GET", "/signin")
    reply = connection.getresponse()
    reply.read()
    der = connection.sock.getpeercert(binary_form=True)
    connection.close()
    assert reply.status == 200
    return der_fingerprint(der), reply.headers["Set-Cookie"]


def test_tls_with_a_self_signed_certificate(school, tmp_path: Path) -> None:
    served = _start(tmp_path, "--tls")
    try:
        seen, cookie = _served_fingerprint(served.port)
    finally:
        output = _stop(served)
    assert served.process.returncode == 0, output
    assert "Made a self-signed certificate" in output
    assert f"fingerprint (SHA-256): {seen}." in output
    assert "https://127.0.0.1" in output
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert (tmp_path / "tls" / "key.pem").stat().st_mode & 0o077 == 0


def test_tls_with_the_schools_certificate(school, tmp_path: Path) -> None:
    own = ensure_self_signed(tmp_path / "school-ca", hostnames=["diary.school.local"])
    served = _start(tmp_path, "--cert", str(own.cert), "--key", str(own.key))
    try:
        seen, cookie = _served_fingerprint(served.port)
    finally:
        output = _stop(served)
    assert served.process.returncode == 0, output
    assert fingerprint(own.cert) == seen
    assert f"fingerprint (SHA-256): {seen}." in output
    assert "Made a self-signed" not in output and not (tmp_path / "tls").exists()
    assert "Secure" in cookie


def test_tls_options_are_checked(school, tmp_path: Path, capsys) -> None:
    serve = ["--data-dir", str(tmp_path), "--lang", "en", "serve"]
    assert main([*serve, "--cert", "x.pem"]) != 0
    assert "both --cert and --key" in capsys.readouterr().err
    assert main([*serve, "--cert", "x.pem", "--key", "y.pem"]) != 0
    assert "There is no file x.pem" in capsys.readouterr().err
    (tmp_path / "x.pem").write_text("not a certificate")
    (tmp_path / "y.pem").write_text("not a key")
    assert main([*serve, "--cert", str(tmp_path / "x.pem"), "--key", str(tmp_path / "y.pem")])
    assert "Cannot use the certificate" in capsys.readouterr().err


def test_no_backup_key_means_no_backup_loop(tmp_path: Path) -> None:
    assert _backup_settings(load_config(tmp_path)) is None


def test_the_shipped_systemd_unit_is_the_one_in_the_readme() -> None:
    root = Path(__file__).resolve().parents[2]
    unit = (root / "deploy" / "ediary.service").read_text(encoding="utf-8")
    assert unit in (root / "README.md").read_text(encoding="utf-8")
    assert "ExecStart=/usr/local/bin/ediary serve " in unit and "KillSignal=SIGTERM" in unit


def test_a_port_in_use_is_refused_in_one_clear_line(school, tmp_path: Path) -> None:
    """A second ``serve`` on a port a first one holds, even one sharing it with its own
    worker processes (SO_REUSEPORT), stops with one line instead of quietly sharing it."""
    for workers, shared in (("1", False), ("2", True)):
        with socket.socket() as first:
            if shared:
                first.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            first.bind(("127.0.0.1", 0))
            first.listen()
            port = first.getsockname()[1]
            second = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "node.cli",
                    "--data-dir",
                    str(tmp_path),
                    "--lang",
                    "en",
                    "serve",
                    "--port",
                    str(port),
                    "--sync-port",
                    "0",
                    "--workers",
                    workers,
                ],
                capture_output=True,
                text=True,
                timeout=30,
            )
        assert second.returncode == 6, second.stderr
        assert f"The port {port} on 127.0.0.1 is already in use" in second.stderr
        assert "Traceback" not in second.stderr + second.stdout


def _closed_by_server(sock: socket.socket, within: float = 30.0) -> bytes:
    """What the server sent until it closed ``sock`` (fails if it keeps it open ``within``)."""
    sock.settimeout(within)
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    except TimeoutError:
        raise AssertionError(f"the server kept a connection open for {within} s") from None
    return b"".join(chunks)


def test_serve_refuses_greedy_and_slow_clients_and_logs_a_dropped_one(
    web_school, tmp_path: Path
) -> None:
    """The limits of README's security paragraph, on the real ``ediary serve`` with a short
    header timeout from ``ediary.toml``: a declared 100 MB body is refused at once, 60 slowloris
    sockets are closed, and a client that drops mid-body is one «client aborted» line."""
    (tmp_path / "ediary.toml").write_text("web_header_timeout_seconds = 0.5\n", encoding="utf-8")
    served = _start(tmp_path, "--workers", "2")  # the extra process keeps the limits too
    port = served.port
    try:
        served.output.wait_for(lambda lines: any("web worker 1 serving" in x for x in lines))
        with socket.create_connection(("127.0.0.1", port)) as greedy:
            greedy.sendall(
                b"POST /signin HTTP/1.1\r\nHost: school\r\nContent-Length: 100000000\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nlogin=x&pass="
            )
            assert _closed_by_server(greedy).startswith(b"HTTP/1.1 413 ")
        slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(60)]
        for n, sock in enumerate(slow):
            sock.sendall(b"GET /signin HTTP/1.1\r\nHost: school\r\nX-Slow-%d: " % n)
        for sock in slow:  # well before the default 20 s, in either process
            assert b" 200 " not in _closed_by_server(sock, within=15)
            sock.close()
        with socket.create_connection(("127.0.0.1", port)) as dropped:
            dropped.sendall(
                b"POST /signin HTTP/1.1\r\nHost: school\r\nContent-Length: 1000\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nlogin=parent1"
            )
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/signin", timeout=30) as r:
            assert r.status == 200  # still serving
    finally:
        output = _stop(served)
    assert served.process.returncode == 0, output
    assert output.count("client aborted POST /signin") == 1, output
    assert "Traceback" not in output and "unexpected error" not in output, output
    assert not re.search(r'"POST /signin HTTP/1.1" 500', output), output
