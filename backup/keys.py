"""The sysadmin's keys: a passphrase-protected identity file kept off the node, and the
public recipients the node encrypts to (``backup_recipients.txt`` in the data directory).

The identity file is an ordinary age file (one scrypt stanza) whose plaintext is an ordinary
age identity, so ``age -d -i FILE`` can use it without ediary.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

from backup.age import Identity, Recipient, ScryptIdentity, ScryptRecipient, decrypt, encrypt
from backup.age.header import VERSION_LINE
from backup.age.keys import SCRYPT_DEFAULT_LOG_N
from backup.errors import BadKey
from backup.settings import BackupSettings
from backup.store import atomic_write, create_private, fsync_path
from node.errors import Conflict, ValidationError
from node.files import private_folder
from node.i18n import _

MIN_PASSPHRASE = 10


def load_recipients(settings: BackupSettings) -> list[Recipient]:
    """The registered recipients (comments after ``#`` are labels)."""
    try:
        text = settings.recipients_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    found: list[Recipient] = []
    for line in text.splitlines():
        value = line.split("#", 1)[0].strip()
        if value:
            found.append(Recipient.parse(value))
    return found


def add_recipient(settings: BackupSettings, text: str, label: str = "") -> Recipient:
    """Register a public key (the sysadmin's or an offline break-glass one) on the node."""
    recipient = Recipient.parse(text)
    if recipient in load_recipients(settings):
        raise Conflict(
            _("The recipient {recipient} is already registered.").format(recipient=recipient)
        )
    path = settings.recipients_path
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    line = f"{recipient}" + (f"  # {label}" if label else "") + "\n"
    private_folder(settings.data_dir)
    atomic_write(path, (old + line).encode("utf-8"))
    return recipient


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(
            _("The passphrase is too short: use at least {n} characters.").format(n=MIN_PASSPHRASE)
        )


def refuse_existing_identity(path: Path) -> None:
    """An identity file is never overwritten (backups made to it would be lost)."""
    if path.exists():
        raise Conflict(
            _(
                "{path} already exists; choose another file name, or keep the identity you have."
            ).format(path=path)
        )


def create_identity_file(
    path: Path, passphrase: str, *, log_n: int = SCRYPT_DEFAULT_LOG_N
) -> Identity:
    """Make a new identity and write it to ``path``, encrypted with ``passphrase`` (scrypt)."""
    check_passphrase(passphrase)
    refuse_existing_identity(path)
    identity = Identity(os.urandom(32))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    text = f"# created: {now}\n# public key: {identity.recipient}\n{identity}\n"
    out = io.BytesIO()
    encrypt(io.BytesIO(text.encode("ascii")), [out.write], [ScryptRecipient(passphrase, log_n)])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = create_private(path)
    try:
        os.write(fd, out.getvalue())
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_path(path.parent)
    return identity


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(VERSION_LINE)) == VERSION_LINE


def parse_identities(text: str) -> list[Identity]:
    found = [
        Identity.parse(line.strip())
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    if not found:
        raise BadKey(_("The identity file holds no AGE-SECRET-KEY-1… line."))
    return found


def load_identities(path: Path, passphrase: str | None) -> list[Identity]:
    """Read an identity file: ours (passphrase-protected) or a plain one from ``age-keygen``."""
    if not path.is_file():
        raise ValidationError(_("There is no identity file at {path}.").format(path=path))
    if not is_encrypted(path):
        return parse_identities(path.read_text(encoding="utf-8", errors="replace"))
    if passphrase is None:
        raise ValidationError(_("The identity file is protected: a passphrase is needed."))
    out = io.BytesIO()
    with path.open("rb") as handle:
        decrypt(handle, [ScryptIdentity(passphrase)], out.write)
    return parse_identities(out.getvalue().decode("utf-8", errors="replace"))
