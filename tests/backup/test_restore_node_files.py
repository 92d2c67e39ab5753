"""A restore onto a new machine brings back what the node needs to go on backing up: the
public recipients and the backup settings (issue 16). Tested with real restores into fresh
data folders, from the backup file alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from backup import create
from node.cli import main
from node.config import NodeConfig
from tests.backup.test_cli import _init, keyfiles  # noqa: F401 — a fixture
from tests.node.test_file_modes import assert_private_tree

SETTINGS = "backup_interval_minutes = 30\nbackup_keep_last = 5\n"


def ediary(capsys, data_dir: Path, *args: str) -> tuple[int, str]:
    code = main(["--lang", "en", "--data-dir", str(data_dir), *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def rescued_backup(capsys, node: NodeConfig, keyfiles, tmp_path: Path) -> Path:  # noqa: F811
    """Keys, settings and one backup on the old server; only the .age file survives."""
    identity, passfile = keyfiles
    (node.data_dir / "ediary.toml").write_text(SETTINGS, encoding="utf-8")
    assert ediary(capsys, node.data_dir, *_init(identity, passfile))[0] == 0
    assert ediary(capsys, node.data_dir, "backup", "now")[0] == 0
    (made,) = (node.data_dir / "backups").glob("*.age")
    rescued = tmp_path / "rescued" / made.name
    rescued.parent.mkdir()
    rescued.write_bytes(made.read_bytes())
    return rescued


def restore(capsys, fresh: Path, rescued: Path, keyfiles) -> tuple[int, str]:  # noqa: F811
    identity, passfile = keyfiles
    args = ["--identity", str(identity), "--passphrase-file", str(passfile)]
    return ediary(capsys, fresh, "backup", "restore", str(rescued), *args)


def test_a_new_machine_goes_on_backing_up_after_a_restore(
    capsys,
    node: NodeConfig,
    keyfiles,  # noqa: F811
    tmp_path: Path,
):
    rescued = rescued_backup(capsys, node, keyfiles, tmp_path)
    fresh = tmp_path / "new-server"
    code, out = restore(capsys, fresh, rescued, keyfiles)
    assert code == 0, out
    assert "Put back from the backup: backup_recipients.txt, ediary.toml." in out
    assert "WARNING" not in out
    assert (fresh / "ediary.toml").read_text(encoding="utf-8") == SETTINGS
    old_keys = ediary(capsys, node.data_dir, "backup", "keys", "list")[1]
    assert ediary(capsys, fresh, "backup", "keys", "list") == (0, old_keys)
    assert old_keys.startswith("age1")
    code, out = ediary(capsys, fresh, "backup", "auto")  # the timer's run on the new machine
    assert code == 0 and "Backup written" in out, out
    assert_private_tree(fresh)


def test_a_node_with_its_own_settings_keeps_them_and_gets_the_backups_beside(
    capsys,
    node: NodeConfig,
    keyfiles,  # noqa: F811
    tmp_path: Path,
):
    rescued = rescued_backup(capsys, node, keyfiles, tmp_path)
    fresh = tmp_path / "new-server"
    fresh.mkdir(mode=0o700)
    (fresh / "ediary.toml").write_text('language = "en"\n', encoding="utf-8")
    code, out = restore(capsys, fresh, rescued, keyfiles)
    assert code == 0 and "Put back from the backup: backup_recipients.txt." in out, out
    assert (fresh / "ediary.toml").read_text(encoding="utf-8") == 'language = "en"\n'
    assert (fresh / "ediary.toml.from-backup").read_text(encoding="utf-8") == SETTINGS
    assert "ediary.toml.from-backup: compare them" in out


def test_a_backup_without_node_files_says_loudly_the_one_command_that_fixes_it(
    capsys,
    node: NodeConfig,
    keyfiles,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(create, "node_files", lambda settings: {})  # as ediary made them before
    rescued = rescued_backup(capsys, node, keyfiles, tmp_path)
    fresh = tmp_path / "new-server"
    code, out = restore(capsys, fresh, rescued, keyfiles)
    assert code == 0 and "Put back" not in out
    warning = out.split("WARNING: ", 1)[1]
    assert "no backup can be made" in warning
    command = warning.split(": ", 1)[1].strip().split()
    assert command[:4] == ["ediary", "backup", "keys", "add"] and command[4].startswith("age1")
    assert ediary(capsys, fresh, *command[1:])[0] == 0
    assert ediary(capsys, fresh, "backup", "now")[0] == 0
