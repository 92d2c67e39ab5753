"""Where a node keeps its files, and its settings file ``ediary.toml``.

A data directory holds the database (``ediary.db``), the node's identity key and the
configuration. It is chosen by ``--data-dir``, else ``$EDIARY_DATA_DIR``, else the user's
XDG data folder, so a school server and a teacher's laptop each have one obvious place.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node.errors import ValidationError
from node.i18n import _, toml_problem

DATA_DIR_ENV = "EDIARY_DATA_DIR"
DATABASE_FILE = "ediary.db"
CONFIG_FILE = "ediary.toml"
IDENTITY_FILE = "node_key.pem"

#: Every key ``ediary.toml`` may hold, with its meaning (a test keeps README in step).
CONFIG_KEYS: dict[str, str] = {
    "language": "language of the command line and default for new users (ru or en)",
    "database": "path of the database file, relative to the data directory",
    "backup_destinations": "more folders for backups besides <data-dir>/backups (a list)",
    "backup_interval_minutes": "least time between automatic backups (default 60)",
    "backup_keep_last": "backups kept however old (default 24)",
    "backup_keep_daily": "days for which the newest backup is kept (default 14)",
    "backup_keep_weekly": "weeks for which the newest backup is kept (default 8)",
    "backup_keep_monthly": "months for which the newest backup is kept (default 12)",
    "mdns_name": "the name a hub announces on the school network (default ediary: ediary.local)",
    "web_header_timeout_seconds": "time a client has to send a request's line and headers, "
    "and an idle connection is kept (default 20)",
    "web_body_timeout_seconds": "time a client has to send a request's body (default 30)",
    "sync_chunk_changes": "most changes in one sync chunk (default 5000); fewer re-send less "
    "when the network keeps dropping",
    "database_busy_timeout_seconds": "how long a command waits while another one writes to the "
    "database before it says the database is busy (default 10)",
}
#: The setting, and how long a command waits for the database unless it says otherwise.
BUSY_TIMEOUT_SETTING = "database_busy_timeout_seconds"
BUSY_TIMEOUT_SECONDS = 10.0


def default_data_dir() -> Path:
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return _data_home() / "ediary"


def default_demo_dir() -> Path:
    """Where ``ediary demo`` builds its school unless told otherwise: beside the school's
    default folder, never in it, so that ``ediary init`` there is not refused later."""
    return _data_home() / "ediary-demo"


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share"))


@dataclass(frozen=True)
class NodeConfig:
    """The resolved settings of one data directory."""

    data_dir: Path
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def database_path(self) -> Path:
        return self.data_dir / str(self.values.get("database", DATABASE_FILE))

    @property
    def identity_path(self) -> Path:
        return self.data_dir / IDENTITY_FILE

    @property
    def language(self) -> str | None:
        value = self.values.get("language")
        return str(value) if value else None

    @property
    def busy_timeout_seconds(self) -> float:
        """How long to wait for another process's write to the database (``database_busy_
        timeout_seconds``): a command that waited this long says the database is busy."""
        return self.seconds(BUSY_TIMEOUT_SETTING, BUSY_TIMEOUT_SECONDS)

    def seconds(self, name: str, default: float) -> float:
        """The setting ``name``, a number of seconds above 0 and at most an hour."""
        value = self.values.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3600:
            raise ValidationError(
                _(
                    "The setting {name} in ediary.toml must be a number of seconds "
                    "above 0 and at most 3600."
                ).format(name=name)
            )
        return float(value)


def load_config(data_dir: Path | str | None = None) -> NodeConfig:
    """Read ``ediary.toml`` from the data directory (a missing file means defaults)."""
    directory = Path(data_dir).expanduser() if data_dir else default_data_dir()
    path = directory / CONFIG_FILE
    values: dict[str, Any] = {}
    if path.exists():
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValidationError(
                _("The settings file {path} is not valid TOML: {error}.").format(
                    path=path, error=toml_problem(exc)
                )
            ) from exc
        unknown = sorted(set(values) - set(CONFIG_KEYS))
        if unknown:
            raise ValidationError(
                _("Unknown setting(s) in {path}: {keys}. Known: {known}.").format(
                    path=path, keys=", ".join(unknown), known=", ".join(CONFIG_KEYS)
                )
            )
    return NodeConfig(data_dir=directory, values=values)
