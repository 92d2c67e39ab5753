"""Our files open with the standard ``age`` tool, and its files open here."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from backup.age import ScryptIdentity, decrypt
from backup.create import create_backup
from backup.keys import add_recipient, create_identity_file, load_identities
from backup.settings import BackupSettings
from tests.backup.agecli import needs_age, run_age
from tests.backup.conftest import table_rows

pytestmark = needs_age
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def cheap_identity_files() -> None:
    """Here identity files keep the production scrypt cost: ``age`` must open those."""


def _keygen(path: Path) -> str:
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    return subprocess.run(
        ["age-keygen", "-y", str(path)], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_age_decrypts_our_backup_with_a_key_from_age_keygen(
    tmp_path: Path, settings: BackupSettings
):
    add_recipient(settings, _keygen(tmp_path / "key.txt"))
    created = create_backup(settings)
    out = tmp_path / "restored.db"
    subprocess.run(
        ["age", "-d", "-i", str(tmp_path / "key.txt"), "-o", str(out), str(created.paths[0])],
        check=True,
        capture_output=True,
    )
    assert table_rows(out) == table_rows(settings.database_path)


def test_age_decrypts_our_backup_with_our_passphrase_protected_identity(
    tmp_path: Path, settings: BackupSettings
):
    identity_file = tmp_path / "identity.age"
    identity = create_identity_file(identity_file, PASSPHRASE)
    add_recipient(settings, str(identity.recipient))
    created = create_backup(settings)
    out = tmp_path / "restored.db"
    code, output = run_age(
        ["-d", "-i", str(identity_file), "-o", str(out), str(created.paths[0])], PASSPHRASE
    )
    assert code == 0, output
    assert table_rows(out) == table_rows(settings.database_path)
    code, output = run_age(
        ["-d", "-i", str(identity_file), "-o", str(tmp_path / "no.db"), str(created.paths[0])],
        "the wrong passphrase",
    )
    assert code != 0 and "incorrect passphrase" in output


def test_we_decrypt_a_file_age_encrypted_to_a_key_from_age_keygen(tmp_path: Path):
    recipient = _keygen(tmp_path / "key.txt")
    plain = tmp_path / "plain.bin"
    plain.write_bytes(bytes(range(256)) * 1000)
    sealed = tmp_path / "sealed.age"
    subprocess.run(
        ["age", "-r", recipient, "-o", str(sealed), str(plain)], check=True, capture_output=True
    )
    out: list[bytes] = []
    with sealed.open("rb") as source:
        decrypt(source, load_identities(tmp_path / "key.txt", None), out.append)
    assert b"".join(out) == plain.read_bytes()


def test_we_decrypt_a_file_age_encrypted_with_a_passphrase(tmp_path: Path):
    plain = tmp_path / "plain.txt"
    plain.write_text("the school's secrets\n" * 5000)
    sealed = tmp_path / "sealed.age"
    code, output = run_age(["-p", "-o", str(sealed), str(plain)], PASSPHRASE)
    assert code == 0, output
    out: list[bytes] = []
    with sealed.open("rb") as source:
        decrypt(source, [ScryptIdentity(PASSPHRASE)], out.append)
    assert b"".join(out) == plain.read_bytes()


def test_an_identity_file_age_encrypted_with_a_passphrase_works_here(tmp_path: Path):
    recipient = _keygen(tmp_path / "key.txt")
    protected = tmp_path / "key.age"
    code, output = run_age(["-p", "-o", str(protected), str(tmp_path / "key.txt")], PASSPHRASE)
    assert code == 0, output
    identities = load_identities(protected, PASSPHRASE)
    assert str(identities[0].recipient) == recipient
