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

from node.services import clock, diary
from node.services.actor import Actor

#: A page a user opened again within this time is not logged again: a parent reloading the
#: week on a phone is one visit, and the activity log (a write) stays off the hot path.
VIEW_LOG_EVERY = dt.timedelta(minutes=5)


class ViewLog:
    """Views waiting to be written, and when each (user, page) was last logged."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._recent: dict[tuple[str, str], dt.datetime] = {}
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
            self._recent[key] = now
            self._pending.append((actor, page, client))
            if self._writing:
                return  # the thread writing now writes this one too before it stops
            self._writing = True
        self._write_all()

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
