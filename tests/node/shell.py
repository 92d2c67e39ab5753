"""``ediary`` run as a command, as a sysadmin at the server's shell runs it: a child process
with its own environment, no controlling terminal, answers on stdin."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

CODE = re.compile(r"^(\S+)\s+([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\s", re.M)

SCHOOL_TOML = """
[school]
name = "Школа № 7"
timezone = "Europe/Moscow"
locale = "ru"
web_address = "http://school7.local:8080/"

[policy]
mark_max = 5
rounding_threshold = "0.5"

[sysadmin]
name = "Сидоров Пётр Ильич"
login = "admin"
"""


def run(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "HOME": str(data_dir.parent),
        "EDIARY_DATA_DIR": str(data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "node.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        start_new_session=True,  # no controlling terminal: passwords come from stdin
    )


def codes(output: str) -> dict[str, str]:
    return dict(CODE.findall(output))
