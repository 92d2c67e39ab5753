"""The node's idea of "now" and "today", replaceable in tests and in the demo.

Deadlines [R 5.4] and "today's lessons" depend on the date; services ask this module
rather than calling ``datetime.now()`` so that tests can pin time without patching.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

_frozen: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "ediary_frozen_now", default=None
)


def now() -> dt.datetime:
    """Current time as a naive UTC datetime (how timestamps are stored)."""
    frozen = _frozen.get()
    if frozen is not None:
        return frozen
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    """Today's date where the node runs (the school's own clock, not UTC)."""
    frozen = _frozen.get()
    if frozen is not None:
        return frozen.date()
    return dt.date.today()


@contextmanager
def frozen_time(moment: dt.datetime | dt.date) -> Iterator[None]:
    """Pin ``now()`` (and ``today()``) inside the block."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(12, 0))
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
