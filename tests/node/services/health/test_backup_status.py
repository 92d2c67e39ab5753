"""The core's reading of the backup state file: age, warning, destinations, last error."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from node.errors import Forbidden, StorageError
from node.services.health.backup_status import (
    STATE_FILE,
    backup_status,
    describe_age,
    read_backup_status,
    stale_warning,
)

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def write_state(folder: Path, **values) -> None:
    (folder / STATE_FILE).write_text(json.dumps(values), encoding="utf-8")


def test_no_state_file_means_no_backup_and_a_warning(tmp_path: Path):
    status = read_backup_status(tmp_path, NOW)
    assert status.verified_at is None and status.age is None and status.stale
    assert describe_age(status.age) == "never"
    assert "last: never" in stale_warning(status)
    assert status.destinations == () and status.last_error == ""


@pytest.mark.parametrize(
    ("created", "stale", "shown"),
    [
        ("2026-11-25T11:35:00Z", False, "25 min ago"),
        ("2026-11-24T13:00:00Z", False, "23 h ago"),
        ("2026-11-24T11:59:00Z", True, "24 h ago"),
        ("2026-11-20T12:00:00Z", True, "5 days ago"),
    ],
)
def test_the_age_of_the_newest_verified_backup(tmp_path: Path, created, stale, shown):
    write_state(tmp_path, verified_created=created, last_backup_at=created)
    status = read_backup_status(tmp_path, NOW)
    assert status.stale is stale
    assert describe_age(status.age) == shown
    assert status.last_backup_at == status.verified_at


def test_destinations_and_the_last_error_are_read(tmp_path: Path):
    write_state(
        tmp_path,
        verified_created="2026-11-25T11:00:00Z",
        destinations=["/srv/ediary/backups"],
        missing_destinations=["/media/usb"],
        last_error="No backup destination folder is reachable.",
        last_error_at="2026-11-25T11:55:00Z",
    )
    status = read_backup_status(tmp_path, NOW)
    assert status.destinations == ("/srv/ediary/backups",)
    assert status.missing == ("/media/usb",)
    assert status.last_error.startswith("No backup destination")
    assert status.last_error_at == dt.datetime(2026, 11, 25, 11, 55, tzinfo=dt.UTC)


def test_odd_values_are_ignored_and_a_damaged_file_is_named(tmp_path: Path):
    write_state(tmp_path, verified_created="yesterday", destinations="not a list")
    status = read_backup_status(tmp_path, NOW)
    assert status.verified_at is None and status.destinations == ()
    (tmp_path / STATE_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(StorageError, match=STATE_FILE):
        read_backup_status(tmp_path, NOW)


def test_the_administration_and_the_sysadmin_see_backups(school, tmp_path: Path):
    write_state(tmp_path, verified_created="2026-11-25T11:00:00Z")
    for user in (school.director, school.deputy, school.sysadmin):
        assert not backup_status(school.actor(user), tmp_path, NOW).stale
    for user in (school.teacher, school.parent, school.student_user):
        with pytest.raises(Forbidden):
            backup_status(school.actor(user), tmp_path, NOW)
