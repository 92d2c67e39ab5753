"""Backups, their manifests, the node's backup state and keys are 0600 in 0700 folders,
whatever the umask (issue 16)."""

from __future__ import annotations

from backup.age import generate
from node.cli import main
from node.config import NodeConfig
from tests.node.test_file_modes import assert_private_tree, umask


def test_backups_and_their_bookkeeping_are_private(capsys, node: NodeConfig):
    home = ["--lang", "en", "--data-dir", str(node.data_dir)]
    with umask(0):
        assert main([*home, "backup", "keys", "add", str(generate().recipient)]) == 0
        assert main([*home, "backup", "now"]) == 0
        assert main([*home, "backup", "auto"]) == 0
    capsys.readouterr()
    names = {p.name for p in node.data_dir.rglob("*")}
    assert {"backups", "backup_recipients.txt", "backup_state.json", "backup.lock"} <= names
    assert_private_tree(node.data_dir)
