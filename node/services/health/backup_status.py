"""How the node's backups stand, read from the state file the backup package writes.

``backup`` (which the core must not import) records its own state in
``<data-dir>/backup_state.json`` after every backup, verification and automatic run. This
module is the one reader of that file for the people watching backups: ``ediary status``,
``ediary backup list`` and the administrator's screen all show ``BackupStatus``, so they
show the same age and the same warning. The keys read here are the file's contract:

* ``verified_created`` — creation time (ISO, UTC, ``Z``) of the newest verified backup;
* ``last_backup_at`` — when the newest backup was made;
* ``destinations`` / ``missing_destinations`` — the folders the last run wrote to / could
  not reach (a USB drive not mounted);
* ``last_error`` / ``last_error_at`` — why the last automatic run failed (empty once one
  succeeds);
* ``last_auto_at`` — when an automatic run last checked for changes (absent: none has run).

Ages use the wall clock, not ``clock.now()``: the demo pins the school's day, but a backup
made an hour ago is an hour old whatever day the journal pretends it is.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node.errors import StorageError
from node.i18n import _
from node.services.base.actor import Actor
from node.services.base.permissions import Action, ensure_allowed

STATE_FILE = "backup_state.json"
#: After this long without a verified backup, every place that shows backups warns.
STALE_AFTER = dt.timedelta(hours=24)


@dataclass(frozen=True)
class BackupStatus:
    verified_at: dt.datetime | None  # aware, UTC
    last_backup_at: dt.datetime | None
    destinations: tuple[str, ...]
    missing: tuple[str, ...]
    last_error: str
    last_error_at: dt.datetime | None
    now: dt.datetime
    last_auto_at: dt.datetime | None = None

    @property
    def age(self) -> dt.timedelta | None:
        """How old the newest verified backup is (None: there is none)."""
        return None if self.verified_at is None else self.now - self.verified_at

    @property
    def stale(self) -> bool:
        age = self.age
        return age is None or age > STALE_AFTER


def parse_time(text: str) -> dt.datetime:
    """A state-file time (``2026-11-25T10:00:00Z``) as an aware UTC datetime."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _time(state: dict[str, Any], key: str) -> dt.datetime | None:
    value = state.get(key)
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


def _paths(state: dict[str, Any], key: str) -> tuple[str, ...]:
    value = state.get(key)
    return tuple(str(p) for p in value) if isinstance(value, list) else ()


def read_backup_status(data_dir: Path, now: dt.datetime | None = None) -> BackupStatus:
    """The backup state of the node whose data directory is ``data_dir``; no personal data,
    so the node's operator (the command line) reads it without signing in."""
    path = Path(data_dir) / STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        state = {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise StorageError(
            _(
                "The backup state file {path} is damaged ({error}); remove it and run "
                "'ediary backup verify --all'."
            ).format(path=path, error=exc)
        ) from exc
    if not isinstance(state, dict):
        state = {}
    return BackupStatus(
        verified_at=_time(state, "verified_created"),
        last_backup_at=_time(state, "last_backup_at"),
        destinations=_paths(state, "destinations"),
        missing=_paths(state, "missing_destinations"),
        last_error=str(state.get("last_error") or ""),
        last_error_at=_time(state, "last_error_at"),
        now=now or dt.datetime.now(dt.UTC),
        last_auto_at=_time(state, "last_auto_at"),
    )


def backup_status(actor: Actor, data_dir: Path, now: dt.datetime | None = None) -> BackupStatus:
    """``read_backup_status`` for a signed-in user: the sysadmin and the administration."""
    ensure_allowed(actor, Action.BACKUPS_VIEW)
    return read_backup_status(data_dir, now)


def describe_age(age: dt.timedelta | None) -> str:
    """«25 min ago», «3 h ago», «4 days ago» or «never»."""
    if age is None:
        return _("never")
    hours = age.total_seconds() / 3600
    if hours < 1:
        return _("{n} min ago").format(n=max(0, int(age.total_seconds() // 60)))
    if hours < 48:
        return _("{n} h ago").format(n=int(hours))
    return _("{n} days ago").format(n=int(hours // 24))


def stale_warning(status: BackupStatus) -> str:
    """The warning every place shows when the newest verified backup is too old (or none)."""
    return _(
        "Warning: no verified backup in the last 24 hours (last: {age}). "
        "Run 'ediary backup now' and check the backup timer."
    ).format(age=describe_age(status.age))
