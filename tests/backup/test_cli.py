"""``ediary backup`` as a sysadmin uses it, from keys to a restore on a fresh machine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from node.cli import cli, main
from node.config import NodeConfig
from tests.backup.conftest import table_rows
from tests.language import foreign_words, words_of

PASSPHRASE = "correct horse battery staple"


def ediary(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str]:
    code = main(["--lang", "en", "--data-dir", str(data_dir), *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def _init(identity: Path, passfile: Path) -> list[str]:
    """The arguments of ``backup keys init`` reading the passphrase from a file."""
    return [
        "backup",
        "keys",
        "init",
        "--identity",
        str(identity),
        "--passphrase-file",
        str(passfile),
    ]


@pytest.fixture
def keyfiles(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "usb-stick"
    folder.mkdir()
    (folder / "pass.txt").write_text(PASSPHRASE + "\n")
    return folder / "identity.age", folder / "pass.txt"


def test_from_keys_to_a_restore_on_a_fresh_machine(
    capsys, tmp_path: Path, node: NodeConfig, keyfiles: tuple[Path, Path]
):
    identity, passfile = keyfiles
    home = node.data_dir
    code, out = ediary(capsys, home, "status")
    assert code == 0 and "last verified backup  never" in out and "Warning: no verified" in out
    code, out = ediary(capsys, home, *_init(identity, passfile))
    assert code == 0 and "Recipient registered on this node: age1" in out
    code, out = ediary(capsys, home, "backup", "now")
    assert code == 0 and "Backup written" in out
    code, out = ediary(capsys, home, "backup", "list")
    assert code == 0 and "1 backup(s)" in out and "Warning" not in out
    code, out = ediary(capsys, home, "backup", "verify", "--all")
    assert code == 0 and "1 backup(s) verified" in out
    code, out = ediary(
        capsys,
        home,
        "backup",
        "verify",
        "--read-data",
        "--identity",
        str(identity),
        "--passphrase-file",
        str(passfile),
    )
    assert code == 0 and "verified" in out
    code, out = ediary(capsys, home, "status")
    assert code == 0 and "min ago" in out and "Warning" not in out

    # the server is lost: only the backup file, the identity file and the passphrase remain
    [backup_file] = (home / "backups").glob("*.age")
    rescued = tmp_path / "rescued" / backup_file.name
    rescued.parent.mkdir()
    rescued.write_bytes(backup_file.read_bytes())
    fresh = tmp_path / "new-server"
    code, out = ediary(
        capsys,
        fresh,
        "backup",
        "restore",
        str(rescued),
        "--identity",
        str(identity),
        "--passphrase-file",
        str(passfile),
    )
    assert code == 0 and "restored" in out and "no manifest" in out
    assert table_rows(fresh / "ediary.db") == table_rows(home / "ediary.db")
    code, out = ediary(capsys, fresh, "status")
    assert code == 0 and "health" in out


def test_the_wrong_passphrase_is_one_clear_line(
    capsys, node: NodeConfig, keyfiles: tuple[Path, Path]
):
    identity, passfile = keyfiles
    home = node.data_dir
    ediary(capsys, home, *_init(identity, passfile))
    ediary(capsys, home, "backup", "now")
    [backup_file] = (home / "backups").glob("*.age")
    passfile.write_text("not the passphrase\n")
    before = (home / "ediary.db").read_bytes()
    code, out = ediary(
        capsys,
        home,
        "backup",
        "restore",
        str(backup_file),
        "--identity",
        str(identity),
        "--passphrase-file",
        str(passfile),
    )
    assert code == 2 and "Wrong passphrase" in out and "Traceback" not in out
    assert (home / "ediary.db").read_bytes() == before


def test_passphrases_are_asked_without_echo_and_confirmed(tmp_path: Path, node: NodeConfig):
    runner = CliRunner()
    identity = tmp_path / "identity.age"
    args = [
        "--lang",
        "en",
        "--data-dir",
        str(node.data_dir),
        "backup",
        "keys",
        "init",
        "--identity",
        str(identity),
    ]
    result = runner.invoke(cli, args, input=f"{PASSPHRASE}\nsomething else\n")
    assert result.exit_code != 0 and not identity.exists()
    result = runner.invoke(cli, args, input=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert result.exit_code == 0, result.output
    assert PASSPHRASE not in result.output and identity.exists()
    assert not (node.data_dir / "backup_recipients.txt").read_text().count("AGE-SECRET")


def test_keys_add_registers_a_break_glass_recipient_and_refuses_nonsense(capsys, node: NodeConfig):
    from backup.age import generate

    offline = str(generate().recipient)
    code, out = ediary(capsys, node.data_dir, "backup", "keys", "add", offline, "--label", "safe")
    assert code == 0
    code, out = ediary(capsys, node.data_dir, "backup", "keys", "list")
    assert offline in out
    code, out = ediary(capsys, node.data_dir, "backup", "keys", "add", "age1notakey")
    assert code == 2 and "not an age recipient" in out
    code, out = ediary(capsys, node.data_dir, "backup", "now")
    assert code == 0


def test_auto_and_prune_follow_the_settings(capsys, node: NodeConfig):
    from backup.age import generate

    (node.data_dir / "ediary.toml").write_text(
        "backup_interval_minutes = 5\nbackup_keep_last = 1\n"
    )
    ediary(capsys, node.data_dir, "backup", "keys", "add", str(generate().recipient))
    code, out = ediary(capsys, node.data_dir, "backup", "auto")
    assert code == 0 and "Backup written" in out
    code, out = ediary(capsys, node.data_dir, "backup", "auto")
    assert code == 0 and "recent enough" in out
    code, out = ediary(capsys, node.data_dir, "backup", "prune")
    assert code == 0 and "0 backup(s) removed" in out


def test_verify_reports_a_damaged_backup_and_fails(capsys, node: NodeConfig):
    from backup.age import generate

    ediary(capsys, node.data_dir, "backup", "keys", "add", str(generate().recipient))
    ediary(capsys, node.data_dir, "backup", "now")
    [backup_file] = (node.data_dir / "backups").glob("*.age")
    data = bytearray(backup_file.read_bytes())
    data[-1] ^= 1
    backup_file.write_bytes(bytes(data))
    code, out = ediary(capsys, node.data_dir, "backup", "verify")
    assert code == 7 and "does not match its manifest" in out


def test_a_bad_setting_is_refused(capsys, node: NodeConfig):
    (node.data_dir / "ediary.toml").write_text('backup_destinations = "/media/usb"\n')
    code, out = ediary(capsys, node.data_dir, "backup", "list")
    assert code == 2 and "must be a list" in out


def test_status_warns_when_the_last_verified_backup_is_older_than_a_day(capsys, node: NodeConfig):
    state = node.data_dir / "backup_state.json"
    state.write_text('{"verified_created": "2020-01-01T00:00:00Z", "verified_sequence": 3}\n')
    code, out = ediary(capsys, node.data_dir, "status")
    assert code == 0 and "days ago" in out and "Warning: no verified backup" in out


def test_verify_says_what_it_checked(capsys, tmp_path: Path, node: NodeConfig, identity):
    """A plain verify and --read-data differ a lot: each says what it did [issue 18]."""
    key_file = tmp_path / "identity.txt"
    key_file.write_text(f"{identity}\n")
    assert main(["--lang", "ru", "--data-dir", str(node.data_dir), "backup", "now"]) == 0
    capsys.readouterr()
    home = ["--lang", "ru", "--data-dir", str(node.data_dir)]
    assert main([*home, "backup", "verify"]) == 0
    plain = capsys.readouterr().out
    assert "Проверено без ключа" in plain and "integrity_check" not in plain
    assert main([*home, "backup", "verify", "--read-data", "--identity", str(key_file)]) == 0
    read = capsys.readouterr().out
    assert "прочитан целиком и расшифрован" in read and "integrity_check" in read
    assert re.search(r"учеников: [1-9]\d*, уроков: [1-9]\d*, отметок: \d+", read), read
    assert foreign_words(read, words_of(str(node.data_dir))) == set(), read
