"""Rendered child pages, kept per session and reused while the school's data is unchanged.

A parent reloading the week on a phone gets the page built a moment ago when nothing it
could show has changed. What a page shows depends on the database, the day, the language
and the session (the menu's CSRF token, the family), so an entry is keyed by the session's
token hash, the path with its query, the language and today's date, and it is valid only
for the *data version* it was built at (``DataVersion``: the newest entry of the sync change
log that a page may show; every write to a replicated table lands there in its own
transaction). A new mark, a read message or a changed guardian link therefore shows on the
very next request, and one session's page is never another's. The session itself and the
read permission are still checked on every request before a cached page is served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

from node.services.gradebook import diary

#: Entries kept per server process (the least recently used go first): a page is ~10 kB,
#: so this bounds the cache at a few tens of megabytes.
MAX_ENTRIES = 2000


class PageKey(NamedTuple):
    token_hash: str
    path: str
    language: str
    today: str


class PageCache:
    """A bounded LRU of rendered pages; safe to use from the worker threads and the loop."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._pages: OrderedDict[PageKey, tuple[int, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: PageKey, version: int) -> str | None:
        """The page built for ``key`` at exactly ``version``, else None (and it is dropped)."""
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            if entry[0] != version:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return entry[1]

    def put(self, key: PageKey, version: int, html: str) -> None:
        with self._lock:
            self._pages[key] = (version, html)
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


class DataVersion:
    """The newest change a page may show, followed incrementally (``diary.changes_after``).

    Each call reads only the changes made since the previous one, so the activity log that
    the pages themselves write does not make every cached page stale.
    """

    def __init__(self) -> None:
        self._seen: int | None = None
        self._version = 0
        self._lock = threading.Lock()

    def current(self) -> int:
        """For use in a worker thread, before the page's data is read."""
        seen, shown = diary.changes_after(self._seen)
        with self._lock:
            if self._seen is None or seen > self._seen:
                self._seen = seen
            if shown is not None:
                self._version = max(self._version, shown)
            return self._version
