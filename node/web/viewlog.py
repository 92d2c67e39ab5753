"""The page views the web page writes to the activity log [R 8.1], written together.

A page opened again by the same person within ``VIEW_LOG_EVERY`` is one visit and is not
logged again. The views that are logged are written by group commit: the worker thread that
finds nobody writing writes every waiting view in one transaction, then any that arrived
meanwhile, before it returns; a thread that finds a write in progress leaves its view to
that writer and goes on with its page. With many parents opening pages at once (the
morning after marks are out) this is a few writes a second instead of one per view, each of
which waits for the database's write lock and a disk sync. A request that finds nobody
writing (the quiet case, and the tests) has its view written before it answers.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

from node.services.base import clock
from node.services.base.actor import Actor
from node.services.gradebook import diary

#: A page a user opened again within this time is not logged again: a parent reloading the
#: week on a phone is one visit, and the activity log (a write) stays off the hot path.
VIEW_LOG_EVERY = dt.timedelta(minutes=5)
#: (user, page) pairs remembered per server process, the least recently logged dropped first
#: (like the page cache): a school's parents opening every page within five minutes fit, and a
#: server that runs for months keeps a few megabytes, not every pair it ever saw. A pair that
#: was dropped early is only logged once more.
MAX_RECENT = 20_000


class ViewLog:
    """Views waiting to be written, and when each (user, page) was last logged."""

    def __init__(self, max_recent: int = MAX_RECENT) -> None:
        self.max_recent = max_recent
        self._lock = threading.Lock()
        self._recent: OrderedDict[tuple[str, str], dt.datetime] = OrderedDict()
        self._pending: list[tuple[Actor, str, str]] = []
        self._writing = False

    def add(self, actor: Actor, page: str, client: str) -> None:
        """Log that ``actor`` opened ``page`` (in a worker thread: it may write)."""
        if not page:
            return
        key = (actor.user_id or "", page)
        now = clock.now()
        with self._lock:
            last = self._recent.get(key)
            if last is not None and last <= now < last + VIEW_LOG_EVERY:
                return
            self._remember(key, now)
            self._pending.append((actor, page, client))
            if self._writing:
                return  # the thread writing now writes this one too before it stops
            self._writing = True
        self._write_all()

    def _remember(self, key: tuple[str, str], now: dt.datetime) -> None:
        """Note ``key`` as logged ``now`` (under the lock), forgetting the oldest beyond the
        bound, and any that have passed ``VIEW_LOG_EVERY`` anyway."""
        self._recent[key] = now
        self._recent.move_to_end(key)
        while len(self._recent) > self.max_recent:
            self._recent.popitem(last=False)
        while self._recent:
            oldest_key, oldest = next(iter(self._recent.items()))
            if oldest_key == key or now < oldest + VIEW_LOG_EVERY:
                break
            del self._recent[oldest_key]

    def __len__(self) -> int:
        return len(self._recent)

    def _write_all(self) -> None:
        try:
            while True:
                with self._lock:
                    batch, self._pending = self._pending, []
                    if not batch:
                        self._writing = False
                        return
                diary.record_views(batch)
        except BaseException:
            with self._lock:
                self._writing = False
            raise
