"""The automatic policy: back up when the data changed and the interval has passed, then prune.

One run is cheap when there is nothing to do, so a timer may call it every few minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from backup import store
from backup.create import Created, create_backup
from backup.retention import prune
from backup.settings import BackupSettings
from node.errors import EdiaryError


@dataclass(frozen=True)
class AutoRun:
    created: Created | None  # None: the interval has not passed yet
    pruned: tuple[Path, ...]
    reason: str  # "made", "unchanged" or "too-soon"


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def due(settings: BackupSettings, now: dt.datetime) -> bool:
    last = store.load_state(settings).get("last_backup_at")
    if not last:
        return True
    return now - parse_time(last) >= dt.timedelta(minutes=settings.interval_minutes)


def run_auto(settings: BackupSettings, now: dt.datetime | None = None) -> AutoRun:
    """One run of the automatic policy (for a systemd timer, cron, and later ``serve``)."""
    now = now or dt.datetime.now(dt.UTC)
    if not due(settings, now):
        return AutoRun(None, (), "too-soon")
    stamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    try:
        created = create_backup(settings, now=now, only_if_changed=True)
    except (EdiaryError, OSError) as exc:
        # kept for the administrator's screen and `ediary status`; the caller still logs it
        store.save_state(settings, last_error=str(exc), last_error_at=stamp, last_auto_at=stamp)
        raise
    # the screens tell "never ran" from "ran without error" by this time
    store.save_state(settings, last_error="", last_error_at="", last_auto_at=stamp)
    pruned = tuple(prune(settings)) if created.manifest else ()
    return AutoRun(created, pruned, "made" if created.manifest else "unchanged")
