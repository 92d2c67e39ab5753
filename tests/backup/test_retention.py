"""Retention and the automatic policy."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

from backup.age import Identity
from backup.manifest import FORMAT, Manifest
from backup.retention import prune, to_keep
from backup.schedule import run_auto
from backup.settings import BackupSettings, Retention
from backup.store import Entry, list_backups

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _entry(n: int, when: dt.datetime, kind: str = "backup") -> Entry:
    manifest = Manifest(
        FORMAT,
        f"b{n}.age",
        n,
        when.isoformat().replace("+00:00", "Z"),
        kind,
        "node",
        "",
        1,
        "",
        0,
        "",
        0,
        "",
        (),
        None,
    )
    return Entry(Path("/b"), Path(f"/b/b{n}.age"), manifest, "")


def test_hourly_backups_for_a_year_keep_last_daily_weekly_monthly():
    entries = [_entry(n, START + dt.timedelta(hours=n)) for n in range(24 * 365)]
    keep = to_keep(entries, Retention())
    newest = entries[-1].manifest.created if entries[-1].manifest else ""
    assert entries[-1].path in keep and newest.startswith("2026-12-31")
    # 24 last + 13 more days + a few weeks + months beyond them
    assert 24 + 13 <= len(keep) <= 24 + 14 + 8 + 12
    kept_days = {e.manifest.created[:10] for e in entries if e.path in keep and e.manifest}
    assert {f"2026-12-{d}" for d in range(18, 32)} <= kept_days  # the last 14 days
    months = {e.manifest.created[:7] for e in entries if e.path in keep and e.manifest}
    assert len(months) == 12


def test_year_end_archives_and_unreadable_manifests_are_never_pruned():
    entries = [_entry(n, START + dt.timedelta(days=n)) for n in range(100)]
    entries[3] = _entry(3, START + dt.timedelta(days=3), kind="year-end")
    entries[5] = dataclasses.replace(entries[5], manifest=None, problem="damaged")
    keep = to_keep(entries, Retention(last=1, daily=0, weekly=0, monthly=0))
    assert keep == {entries[-1].path, entries[3].path, entries[5].path}


def _touch(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('touched', '1')")
    conn.close()


def test_auto_backs_up_when_due_and_changed_then_prunes(
    settings: BackupSettings, identity: Identity
):
    settings = dataclasses.replace(
        settings, retention=Retention(last=2, daily=0, weekly=0, monthly=0)
    )
    assert run_auto(settings, START).reason == "made"
    assert run_auto(settings, START + dt.timedelta(minutes=30)).reason == "too-soon"
    assert run_auto(settings, START + dt.timedelta(hours=1)).reason == "unchanged"
    for hour in (2, 3, 4):
        _touch(settings.database_path)
        conn = sqlite3.connect(settings.database_path)
        with conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (?, 'x')", (f"k{hour}",))
        conn.close()
        run = run_auto(settings, START + dt.timedelta(hours=hour))
        assert run.reason == "made"
    entries = list_backups(settings.destinations[0])
    assert [e.manifest.sequence for e in entries if e.manifest] == [3, 4]
    assert len(list(settings.destinations[0].iterdir())) == 4  # 2 files + 2 manifests
    assert prune(settings) == []
