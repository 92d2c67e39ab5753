"""The worker threads that run the web app's database work, each on its own connection."""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import peewee as pw

T = TypeVar("T")

#: SQLite releases the GIL while it reads, so a few threads overlap page reads with
#: rendering; more would only contend for the GIL.
THREADS = 4
#: How long a thread that wants the GIL back waits before asking the holder to drop it
#: (Python's default is 5 ms). A worker thread gives the GIL up around every SQLite call and
#: then waits for the event loop thread, which under load is always busy: at 5 ms per hand-
#: back a page of a few sub-millisecond queries took tens of milliseconds. 0.5 ms lets it
#: back in soon; the loop's own work is not slower for it.
SWITCH_INTERVAL = 0.0005


class Workers:
    """A thread pool whose threads keep one database connection each, closed at shutdown.

    peewee keeps connections per thread, so a connection opened in a worker thread is that
    thread's for the app's lifetime; its page cache stays warm between requests.
    """

    def __init__(self, database: pw.SqliteDatabase, threads: int = THREADS) -> None:
        self.database = database
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))  # process-wide
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ediary-web")
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []

    def call(self, fn: Callable[[], T]) -> T:
        if self.database.is_closed():
            self.database.connect()
            with self._lock:
                self._connections.append(self.database.connection())
        return fn()

    def shutdown(self) -> None:
        """Wait for running work (a write finishes its transaction), then close connections."""
        self.executor.shutdown(wait=True)
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
