"""Which backups to keep: the newest N, then the newest of each day, week and month.

Year-end archives are never pruned, and a backup whose manifest cannot be read is left for
a person to look at rather than silently deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

from backup import store
from backup.settings import BackupSettings, Retention
from backup.store import Entry

NEVER_PRUNED = frozenset({"year-end"})


def _created(entry: Entry) -> dt.datetime:
    assert entry.manifest is not None
    return dt.datetime.fromisoformat(entry.manifest.created.replace("Z", "+00:00"))


def to_keep(entries: Sequence[Entry], retention: Retention) -> set[Path]:
    """The paths of the backups ``retention`` keeps among ``entries``."""
    keep = {e.path for e in entries if e.manifest is None or e.manifest.kind in NEVER_PRUNED}
    regular = sorted(
        (e for e in entries if e.manifest and e.manifest.kind not in NEVER_PRUNED),
        key=lambda e: (_created(e), e.manifest.sequence if e.manifest else 0),
        reverse=True,
    )
    keep |= {e.path for e in regular[: retention.last]}
    periods: list[tuple[int, Callable[[dt.datetime], Hashable]]] = [
        (retention.daily, lambda t: t.date()),
        (retention.weekly, lambda t: t.isocalendar()[:2]),
        (retention.monthly, lambda t: (t.year, t.month)),
    ]
    for count, bucket in periods:
        seen: set[Hashable] = set()
        for entry in regular:
            key = bucket(_created(entry))
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(key)
            keep.add(entry.path)
    return keep


def prune(settings: BackupSettings) -> list[Path]:
    """Delete what retention does not keep, in every reachable destination; returns them."""
    removed: list[Path] = []
    with store.locked(settings):
        folders, _missing = store.usable_destinations(settings)
        for folder in folders:
            store.cleanup_orphans(folder)
            entries = store.list_backups(folder)
            keep = to_keep(entries, settings.retention)
            for entry in entries:
                if entry.path in keep:
                    continue
                # manifest first: a crash in between leaves an orphan, never a listed gap
                entry.manifest_path.unlink(missing_ok=True)
                store.fsync_path(folder)
                entry.path.unlink(missing_ok=True)
                removed.append(entry.path)
            if removed:
                store.fsync_path(folder)
    return removed
