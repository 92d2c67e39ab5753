"""Plumbing for the demo's fast path: seeded ids and buffered bulk inserts of plain tuples.

Rows are built as tuples already in database form (ids as 32 hex characters, dates as ISO
strings, booleans as 0/1) and written with ``executemany`` through ``bulk_insert``: no ORM
object per row, which is what keeps a million marks within seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from node.models import BaseModel, bulk_insert
from node.models.base import uuid7_hex

_EPOCH = dt.datetime(1970, 1, 1)
#: Moscow time is UTC+3 all year; stored timestamps are naive UTC (see ``clock.now``).
UTC_OFFSET = dt.timedelta(hours=3)


def epoch_ms(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(milliseconds=1)


def utc_text(day: dt.date, local_time: str) -> str:
    """'2026-09-01 05:30:00' for 08:30 Moscow time on 1 September 2026."""
    hours, minutes = (int(x) for x in local_time.split(":"))
    moment = dt.datetime(day.year, day.month, day.day, hours, minutes) - UTC_OFFSET
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class IdMaker:
    """UUIDv7 ids from a seeded generator: the same seed gives the same ids.

    The timestamp part never goes backwards, so every table's ids grow in insertion order
    and SQLite appends to its primary-key index instead of splitting pages all over it.
    """

    def __init__(self, seed: str, start: dt.datetime) -> None:
        self._bits = random.Random(seed).getrandbits
        self.last_ms = epoch_ms(start)

    def new(self) -> str:
        self.last_ms += 1
        return uuid7_hex(self.last_ms, self._bits(80))

    def at(self, moment_ms: int) -> str:
        """An id stamped no earlier than ``moment_ms`` (e.g. when a mark was given)."""
        self.last_ms = max(self.last_ms + 1, moment_ms)
        return uuid7_hex(self.last_ms, self._bits(80))

    def advance_to(self, moment_ms: int) -> None:
        self.last_ms = max(self.last_ms, moment_ms)


class Table:
    """A buffer of rows for one table, flushed with one prepared statement."""

    def __init__(self, model: type[BaseModel], columns: Sequence[str], chunk: int) -> None:
        self.model = model
        self.columns = tuple(columns)
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0
        self._chunk = chunk

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def maybe_flush(self) -> None:
        if len(self.rows) >= self._chunk:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            bulk_insert(self.model, self.columns, self.rows)
            self.count += len(self.rows)
            self.rows.clear()  # the same list: hot loops hold its bound ``append``


class Sink:
    """The tables being written, in the order they were first used."""

    def __init__(self, chunk: int = 50_000) -> None:
        self._chunk = chunk
        self.tables: dict[str, Table] = {}

    def table(self, model: type[BaseModel], columns: Sequence[str]) -> Table:
        name = model._meta.table_name
        if name not in self.tables:
            self.tables[name] = Table(model, columns, self._chunk)
        return self.tables[name]

    def flush(self) -> None:
        for table in self.tables.values():
            table.flush()

    def counts(self) -> dict[str, int]:
        return {name: table.count + len(table.rows) for name, table in self.tables.items()}
