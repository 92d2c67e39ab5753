"""What the backup package records for the status screens, read back through the core."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from backup.age import Identity, generate
from backup.keys import add_recipient
from backup.schedule import run_auto
from backup.settings import BackupSettings
from node.cli import main
from node.errors import EdiaryError
from node.services.health.backup_status import describe_age, read_backup_status, stale_warning

START = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)


def test_a_backup_records_its_destinations_and_age(
    settings: BackupSettings, identity: Identity, tmp_path: Path
):
    usb = tmp_path / "usb"  # not mounted
    settings = dataclasses.replace(settings, destinations=(settings.destinations[0], usb))
    assert run_auto(settings, START).reason == "made"
    status = read_backup_status(settings.data_dir, START + dt.timedelta(hours=2))
    assert status.verified_at == START and not status.stale
    assert describe_age(status.age) == "2 h ago"
    assert status.destinations == (str(settings.destinations[0]),)
    assert status.missing == (str(usb),)
    assert status.last_error == ""


def test_a_failed_automatic_run_is_recorded_until_one_succeeds(
    settings: BackupSettings, tmp_path: Path
):
    with pytest.raises(EdiaryError, match="recipient"):
        run_auto(settings, START)  # no key registered yet
    status = read_backup_status(settings.data_dir, START)
    assert "recipient" in status.last_error
    assert status.last_error_at == START and status.verified_at is None
    add_recipient(settings, str(generate().recipient), "test")
    assert run_auto(settings, START + dt.timedelta(hours=1)).reason == "made"
    status = read_backup_status(settings.data_dir, START + dt.timedelta(hours=1))
    assert status.last_error == "" and status.last_error_at is None
    assert status.verified_at == START + dt.timedelta(hours=1)


def test_ediary_status_shows_the_core_figure(capsys, settings: BackupSettings):
    """``ediary status`` and the administrator's screen both show ``describe_age`` of
    ``read_backup_status``: the same words for the same state file."""
    (settings.data_dir / "backup_state.json").write_text(
        '{"verified_created": "2020-01-01T00:00:00Z"}\n', encoding="utf-8"
    )
    code = main(["--lang", "en", "--data-dir", str(settings.data_dir), "status"])
    out = capsys.readouterr()
    shown = describe_age(read_backup_status(settings.data_dir).age)
    assert code == 0 and f"last verified backup  {shown}" in out.out
    assert stale_warning(read_backup_status(settings.data_dir)) in out.err
