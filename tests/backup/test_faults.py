"""Faults reported truthfully (issue 16): a damaged database, a file that is not one, and a
read-only data folder, each met by the real command on real files."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from backup.age import Identity
from node.cli import main
from node.config import NodeConfig
from tests.backup.conftest import damage_biggest_table

#: Commands that open the database, each with what it needs to get that far.
DATABASE_COMMANDS = [
    ["status"],
    ["users", "list"],
    ["report", "control", "--month", "2026-11", "--out", "{tmp}/control.csv"],
    ["year", "check"],
    ["backup", "now"],
]


def ediary(
    data_dir: Path, *args: str, lang: str = "en", prefix: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "LANG": "en_US.UTF-8", "HOME": str(data_dir.parent)}
    command = [sys.executable, "-m", "node.cli", "--lang", lang, "--data-dir", str(data_dir)]
    return subprocess.run(
        [*(prefix or []), *command, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        start_new_session=True,
    )


def in_process(capsys, data_dir: Path, *args: str) -> tuple[int, str]:
    code = main(["--lang", "en", "--data-dir", str(data_dir), *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def here(
    capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str, lang: str = "en"
) -> subprocess.CompletedProcess[str]:
    """``ediary ARGS`` run in this process, as ``ediary`` gives it (a child process costs a
    second of CPU to start; a read-only folder needs one, see ``read_only``)."""
    command = ["--lang", lang, "--data-dir", str(data_dir), *args]
    code = main(command)
    out = capsys.readouterr()
    return subprocess.CompletedProcess(command, code, out.out, out.err)


def test_a_damaged_database_is_reported_and_every_command_warns(
    capsys, node: NodeConfig, identity: Identity, tmp_path: Path
):
    home = node.data_dir
    assert in_process(capsys, home, "backup", "now")[0] == 0
    (backup_file,) = (home / "backups").glob("*.age")
    damage_biggest_table(node.database_path)  # real bytes over a real page

    status = here(capsys, home, "status")
    assert status.returncode == 7, status.stderr
    assert "health" in status.stdout and "malformed" in status.stdout
    assert "failed its health check" in status.stderr
    assert f"ediary backup restore {backup_file} --identity" in status.stderr
    assert "unexpected" not in status.stderr and "Traceback" not in status.stderr

    users = here(capsys, home, "users", "list")
    assert "failed its last health check" in users.stderr
    assert "'ediary backup restore FILE --identity KEY'" in users.stderr
    russian = here(capsys, home, "users", "list", lang="ru")
    assert "не прошла последнюю проверку" in russian.stderr

    again = here(capsys, home, "backup", "now")  # a damaged copy is never published
    assert again.returncode == 7 and "Traceback" not in again.stderr
    assert len(list((home / "backups").glob("*.age"))) == 1

    key = tmp_path / "key.txt"
    key.write_text(f"{identity}\n")
    code, out = in_process(
        capsys, home, "backup", "restore", str(backup_file), "--identity", str(key)
    )
    assert code == 0, out
    healthy = here(capsys, home, "status")
    assert healthy.returncode == 0 and "failed" not in healthy.stderr
    assert "failed its last health check" not in here(capsys, home, "users", "list").stderr


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_random_bytes_are_not_a_database_for_every_command(
    capsys, node: NodeConfig, identity: Identity, tmp_path: Path, command: list[str]
):
    node.database_path.write_bytes(os.urandom(200_000))
    args = [part.format(tmp=tmp_path) for part in command]
    english = here(capsys, node.data_dir, *args)
    assert english.returncode == 7, english.stderr
    assert "is not a database ediary can read" in english.stderr
    assert "ediary backup restore FILE --identity KEY" in english.stderr
    assert "file is not a database" not in english.stderr  # SQLite's own English words
    russian = here(capsys, node.data_dir, *args, lang="ru")
    assert russian.returncode == 7
    assert "не база данных, которую может прочитать ediary" in russian.stderr


# --- a read-only data folder ----------------------------------------------------------------


def read_only(folder: Path) -> list[str]:
    """A prefix that runs a command with ``folder`` read-only for it.

    Root writes through any chmod, so as root the folder is bind-mounted read-only onto
    itself in a mount namespace of that one command (the kernel refuses the writes:
    ``EROFS``); elsewhere chmod is the real thing.
    """
    if os.geteuid() != 0:
        folder.chmod(0o500)
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare(1) is needed to make a folder read-only for root")
    probe = subprocess.run(
        [unshare, "-m", "sh", "-c", f"mount --bind '{folder}' '{folder}'"],
        capture_output=True,
    )
    if probe.returncode != 0:
        pytest.skip("this machine lets root make no mount namespace: " + probe.stderr.decode())
    script = f"mount --bind '{folder}' '{folder}' && mount -o remount,bind,ro '{folder}' "
    return [unshare, "-m", "sh", "-c", script + '&& exec "$@"', "sh"]


def test_a_read_only_folder_is_named_reads_work_and_writes_say_why(
    node: NodeConfig, identity: Identity
):
    home = node.data_dir
    before = sorted(p.name for p in home.iterdir())
    prefix = read_only(home)

    backup = ediary(home, "backup", "now", prefix=prefix)
    assert backup.returncode == 7, backup.stderr
    assert "/dev/null" not in backup.stderr and "unexpected" not in backup.stderr
    assert f"The data folder {home} is read-only" in backup.stderr

    status = ediary(home, "status", prefix=prefix)
    assert status.returncode == 0, status.stderr
    assert "health" in status.stdout and f"the data folder {home} is read-only" in status.stderr
    users = ediary(home, "users", "list", prefix=prefix)
    assert users.returncode == 0 and "ivanova" in users.stdout and "read-only" in users.stderr

    add = ediary(
        home, "users", "add", "--login", "new.one", "--name", "Новиков Олег Петрович",
        "--role", "teacher", prefix=prefix,
    )  # fmt: skip
    assert add.returncode == 7, add.stderr
    assert "read-only" in add.stderr and "Traceback" not in add.stderr
    russian = ediary(home, "backup", "now", lang="ru", prefix=prefix)
    assert "только для чтения" in russian.stderr
    assert sorted(p.name for p in home.iterdir()) == before


#: A stand-in bug: ``ediary status`` raising what no handler expects, to reach the crash log.
CRASHING_STATUS = """
import sys
import node.cli.status as status
from node.cli import main
def broken(*args, **kwargs):
    raise RuntimeError("a bug")
status.node_status = broken
sys.exit(main(sys.argv[1:]))
"""


def test_a_crash_on_a_read_only_folder_names_the_log_it_really_wrote(node: NodeConfig):
    prefix = read_only(node.data_dir)
    result = subprocess.run(
        [*prefix, sys.executable, "-c", CRASHING_STATUS, "--lang", "en",
         "--data-dir", str(node.data_dir), "status"],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert result.returncode == 70, result.stderr
    assert "/dev/null" not in result.stderr and "Traceback" not in result.stderr
    log = Path(result.stderr.split("details were written to ", 1)[1].strip().rstrip("."))
    assert log.parent != node.data_dir and "RuntimeError: a bug" in log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
