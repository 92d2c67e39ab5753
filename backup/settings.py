"""Where backups go and how often: the backup keys of ``ediary.toml`` with their defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node.config import CONFIG_FILE, NodeConfig
from node.errors import ValidationError
from node.i18n import _
from node.services.health.backup_status import STATE_FILE  # the core reads it for status screens

BACKUP_DIR = "backups"
RECIPIENTS_FILE = "backup_recipients.txt"

DEFAULTS: dict[str, int] = {
    "backup_interval_minutes": 60,
    "backup_keep_last": 24,
    "backup_keep_daily": 14,
    "backup_keep_weekly": 8,
    "backup_keep_monthly": 12,
}


@dataclass(frozen=True)
class Retention:
    last: int = 24
    daily: int = 14
    weekly: int = 8
    monthly: int = 12


@dataclass(frozen=True)
class BackupSettings:
    data_dir: Path
    database_path: Path
    identity_path: Path
    destinations: tuple[Path, ...]
    interval_minutes: int
    retention: Retention

    @property
    def recipients_path(self) -> Path:
        return self.data_dir / RECIPIENTS_FILE

    @property
    def config_path(self) -> Path:
        return self.data_dir / CONFIG_FILE

    @property
    def state_path(self) -> Path:
        return self.data_dir / STATE_FILE


def _count(values: dict[str, Any], key: str, minimum: int) -> int:
    value = values.get(key, DEFAULTS[key])
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError(
            _("The setting {key} must be a whole number of at least {minimum}.").format(
                key=key, minimum=minimum
            )
        )
    return value


def backup_settings(config: NodeConfig) -> BackupSettings:
    """``<data-dir>/backups`` first, then every folder of ``backup_destinations``."""
    extra = config.values.get("backup_destinations", [])
    if not isinstance(extra, list) or not all(isinstance(p, str) and p for p in extra):
        raise ValidationError(
            _('The setting backup_destinations must be a list of folders, e.g. ["/media/usb"].')
        )
    destinations = [config.data_dir / BACKUP_DIR]
    for text in extra:
        path = Path(text).expanduser()
        path = path if path.is_absolute() else config.data_dir / path
        if path not in destinations:
            destinations.append(path)
    values = config.values
    return BackupSettings(
        data_dir=config.data_dir,
        database_path=config.database_path,
        identity_path=config.identity_path,
        destinations=tuple(destinations),
        interval_minutes=_count(values, "backup_interval_minutes", 1),
        retention=Retention(
            last=_count(values, "backup_keep_last", 1),
            daily=_count(values, "backup_keep_daily", 0),
            weekly=_count(values, "backup_keep_weekly", 0),
            monthly=_count(values, "backup_keep_monthly", 0),
        ),
    )
