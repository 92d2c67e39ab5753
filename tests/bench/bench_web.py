"""Benchmark: the week's diary page under 200 concurrent parents, beside a bare "hello" handler.

``run`` copies the demo school, signs in 200 parents of 200 different families (real
sessions through ``auth.sign_in``), then starts ``ediary serve --workers N`` on the copy
(the real command: N processes sharing the port, sync off, no backup key) and drives it from a
load generator in another process over loopback: ``wrk`` (Debian's package) when it is
installed, else an aiohttp client process. Each request is a parent's week page with that
parent's session cookie. The same generator, for the same time, then measures a bare aiohttp
"hello" handler served the same way (N processes sharing one port, the same access log), so
the ratio says what the diary costs over aiohttp itself.

Bounded: each run lasts ``seconds``, stops after ``max_requests`` at the latest, and talks to
127.0.0.1 only. Used by ``tests/bench/run.py`` (part ``web``); not part of the test run.

    python -m tests.bench.bench_web DB [--seconds 30] [--clients 200] [--start 2027-05-24]
                                       [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.ports import free_port

#: The goals of issue 6, for size L on a 2-core machine.
P99_GOAL_MS = 100.0
RPS_GOAL = 1500.0
#: The wrk script: each request is the next parent's page with that parent's cookie; each
#: thread stops after its share of ``max_requests``; ``done`` prints one JSON line.
WRK_SCRIPT = """
local pages = {%(pages)s}
local counter = 0
local answered = 0
local limit = %(limit)d
function setup(thread)
  thread:set("offset", counter * 97)
  counter = counter + 1
end
function init(args)
  n = offset
end
function request()
  n = n + 1
  local page = pages[(n %% #pages) + 1]
  return wrk.format("GET", page[1], {["Cookie"] = "ediary_session=" .. page[2]})
end
function delay()
  return %(delay_ms)d
end
function response(status, headers, body)
  answered = answered + 1
  if answered >= limit then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "seconds": %%f, "errors": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d}\\n',
    summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


#: The uncounted load run before each measured one (the same for the page and for hello).
WARM_UP_SECONDS = 5
#: The paced run's pause is this share of clients / RPS_GOAL, so that with the page's own
#: time the parents together ask for a little over the goal's rate.
PACED_SHARE = 0.9


def pick_parents(db_path: Path, clients: int) -> list[tuple[str, str]]:
    """(login, student id) of ``clients`` parents, each of another family (no shared child)."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT u.login, sg.student_id FROM user u "
            "JOIN guardian g ON g.user_id = u.id "
            "JOIN student_guardian sg ON sg.guardian_id = g.id "
            "WHERE u.status = 'active' AND u.roles = 'parent' ORDER BY u.login, sg.student_id"
        ).fetchall()
    finally:
        conn.close()
    children: dict[str, list[str]] = {}
    for login, student in rows:
        children.setdefault(login, []).append(student)
    taken: set[str] = set()
    chosen: list[tuple[str, str]] = []
    for login, students in children.items():
        if taken.isdisjoint(students):
            taken.update(students)
            chosen.append((login, students[0]))
            if len(chosen) == clients:
                return chosen
    raise RuntimeError(f"the school has only {len(chosen)} families; {clients} wanted")


def sign_in_parents(db_path: Path, parents: list[tuple[str, str]]) -> list[str]:
    """A real session token for each parent (the demo password)."""
    from node.models.database import open_database
    from node.services.access import auth
    from node.services.demo.summary import DEMO_PASSWORD

    database = open_database(db_path)
    try:
        return [auth.sign_in(login, DEMO_PASSWORD, client="bench").token for login, _ in parents]
    finally:
        database.close()


# --- the server process -------------------------------------------------------------------


async def _serve_hello(port: int, shared: bool) -> None:
    """One process of the bare handler, logging each request as ``ediary serve`` does."""
    import logging
    import signal

    from aiohttp import web

    from node.cli.serve import ACCESS_LOG

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/hello", hello)
    runner = web.AppRunner(app, access_log_format=ACCESS_LOG)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, reuse_port=shared or None).start()
    logging.getLogger("bench").info("hello serving")
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()


def _start_server(
    kind: str, db_path: Path, log_path: Path, workers: int
) -> tuple[list[subprocess.Popen], int]:
    """``ediary serve --workers N`` over the copy, or N hello processes sharing a port; both
    log to ``log_path``. Returns once every process answers (their start-up line is logged)."""
    port = free_port()
    log = log_path.open("ab")
    offset = log.tell()
    if kind == "hello":
        command = [sys.executable, "-m", "tests.bench.bench_web", "--serve-hello", str(port)]
        processes = [
            subprocess.Popen([*command, str(workers > 1)], stderr=log) for _ in range(workers)
        ]
    else:
        serve = ["serve", "--port", str(port), "--sync-port", "0", "--workers", str(workers)]
        command = [sys.executable, "-m", "node.cli", "--data-dir", str(db_path.parent), *serve]
        processes = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)]
    log.close()
    deadline = time.monotonic() + 60
    while _new_text(log_path, offset).count(" serving") < workers:  # each one's start line
        if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
            _stop_server(processes)
            raise RuntimeError(f"the {kind} server did not start: see {log_path}")
        time.sleep(0.1)
    return processes, port


def _new_text(path: Path, offset: int) -> str:
    with path.open("rb") as file:
        file.seek(offset)
        return file.read().decode("utf-8", errors="replace")


def _stop_server(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the load generators ------------------------------------------------------------------


def _wrk(
    port: int,
    pages: list[tuple[str, str]],
    clients: int,
    seconds: int,
    limit: int,
    work: Path,
    delay_ms: int = 0,
) -> dict[str, Any]:
    threads = min(2, os.cpu_count() or 1)
    script = work / "pages.lua"
    lua_pages = ", ".join(f'{{"{path}", "{token}"}}' for path, token in pages)
    script.write_text(
        WRK_SCRIPT % {"pages": lua_pages, "limit": max(1, limit // threads), "delay_ms": delay_ms}
    )
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    raw = json.loads(line[4:])
    return {
        "requests": raw["requests"],
        "errors": raw["errors"],
        "rps": raw["requests"] / raw["seconds"],
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
    }


async def _aiohttp_load(
    port: int, pages: list[tuple[str, str]], clients: int, seconds: float, limit: int
) -> dict[str, Any]:
    """The fallback generator: ``clients`` connections, each one parent's session."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    base = f"http://127.0.0.1:{port}"

    async def parent(path: str, token: str) -> None:
        nonlocal errors
        connector = aiohttp.TCPConnector(limit=1)
        headers = {"Cookie": f"ediary_session={token}"}
        async with aiohttp.ClientSession(base, connector=connector, headers=headers) as http:
            while time.perf_counter() < deadline and len(latencies) + errors < limit:
                started = time.perf_counter()
                try:
                    async with http.get(path, allow_redirects=False) as reply:
                        await reply.read()
                        ok = reply.status == 200
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(parent(*pages[i % len(pages)]) for i in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    at = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {
        "requests": len(latencies) + errors,
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": at(0.50) if latencies else 0.0,
        "p99_ms": at(0.99) if latencies else 0.0,
        "max_ms": latencies[-1] * 1000 if latencies else 0.0,
    }


def _load_process(
    port: int, pages: list[tuple[str, str]], clients: int, seconds: int, limit: int, work: Path
) -> dict[str, Any]:
    """Run the load from a process of its own (never the server's)."""
    if shutil.which("wrk"):
        return {"generator": "wrk"} | _wrk(port, pages, clients, seconds, limit, work)
    spec = work / "load.json"
    spec.write_text(json.dumps({"port": port, "pages": pages, "clients": clients}))
    command = [sys.executable, "-m", "tests.bench.bench_web", "--load", str(spec)]
    out = subprocess.run(
        [*command, str(seconds), str(limit)],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=True,
    ).stdout
    return {"generator": "aiohttp"} | json.loads(out.splitlines()[-1])


def _measure(
    kind: str,
    db_path: Path,
    pages: list[tuple[str, str]],
    clients: int,
    seconds: int,
    limit: int,
    work: Path,
    workers: int,
    *,
    paced: bool = False,
) -> dict[str, Any]:
    servers, port = _start_server(kind, db_path, work / f"{kind}.log", workers)
    try:
        path, token = pages[0]  # warm up with one request, checked to be the page
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"ediary_session={token}"}
        )
        with urllib.request.urlopen(request, timeout=60) as reply:
            if reply.status != 200:
                raise RuntimeError(f"{kind}: the warm-up request answered {reply.status}")
        # a short load run, not counted, so every parent's page has been built once: on a
        # school day parents arrive over minutes, not all in the same second
        _load_process(port, pages, clients, WARM_UP_SECONDS, limit, work)
        figures = _load_process(port, pages, clients, seconds, limit, work)
        if paced and shutil.which("wrk"):
            # Little's law: with every parent waiting for its answer, mean latency is
            # clients / throughput (200 / 1,500 = 133 ms) whatever the server does, so the
            # latency goal is measured at the goal's rate: each parent pauses between pages
            pause = int(1000 * clients / RPS_GOAL * PACED_SHARE)
            paced_figures = _wrk(port, pages, clients, seconds, limit, work, delay_ms=pause)
            figures |= {f"paced_{key}": value for key, value in paced_figures.items()}
        return figures
    finally:
        _stop_server(servers)


def _rounded(prefix: str, figures: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}_{k}": round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}


def run(
    db_path: Path,
    *,
    start: dt.date,
    seconds: int = 30,
    clients: int = 200,
    max_requests: int = 500_000,
    work_dir: Path | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """The week page and the hello handler under the same load; figures and their ratio.

    ``workers``: server processes for both (default: as ``ediary serve``, one per core)."""
    from node.cli.web_workers import default_workers

    workers = workers or default_workers()
    with tempfile.TemporaryDirectory(prefix="ediary-bench-web-", dir=work_dir) as tmp:
        work = Path(tmp)
        copy = work / "ediary.db"
        shutil.copyfile(db_path, copy)  # sessions and page views are written to the copy
        parents = pick_parents(copy, clients)
        tokens = sign_in_parents(copy, parents)
        week = [
            (f"/s/{student}/week?start={start.isoformat()}", token)
            for (_login, student), token in zip(parents, tokens, strict=True)
        ]
        diary = _measure(
            "diary", copy, week, clients, seconds, max_requests, work, workers, paced=True
        )
        hello_pages = [("/hello", token) for token in tokens]
        hello = _measure("hello", copy, hello_pages, clients, seconds, max_requests, work, workers)
        with (work / "diary.log").open(encoding="utf-8") as log:
            diary_log_lines = sum(1 for line in log if '"GET /s/' in line)
    result = _rounded("web_week", diary) | _rounded("web_hello", hello)
    result["web_clients"] = clients
    result["web_workers"] = workers
    result["web_seconds"] = seconds
    result["web_week_start"] = start.isoformat()
    result["web_week_log_lines"] = diary_log_lines
    result["web_ratio"] = round(hello["rps"] / diary["rps"], 2) if diary["rps"] else None
    return result


def main(argv: list[str]) -> None:
    if argv[:1] == ["--serve-hello"]:
        asyncio.run(_serve_hello(int(argv[1]), argv[2] == "True"))
        return
    if argv[:1] == ["--load"]:
        spec = json.loads(Path(argv[1]).read_text())
        figures = asyncio.run(
            _aiohttp_load(
                spec["port"],
                [tuple(p) for p in spec["pages"]],
                spec["clients"],
                float(argv[2]),
                int(argv[3]),
            )
        )
        print(json.dumps(figures))
        return
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_web")
    parser.add_argument("db", type=Path)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2027, 5, 24))
    parser.add_argument("--workers", type=int, help="server processes (default: one per core)")
    args = parser.parse_args(argv)
    figures = run(
        args.db, start=args.start, seconds=args.seconds, clients=args.clients, workers=args.workers
    )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
