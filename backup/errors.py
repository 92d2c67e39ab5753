"""The backup package's errors: every one says what is wrong and what to do, nothing is changed."""

from __future__ import annotations

from node.errors import StorageError, ValidationError


class BackupDamaged(StorageError):
    """A backup file or its manifest is damaged, truncated or tampered with."""


class WrongKey(ValidationError):
    """The identity or passphrase given does not open this file."""


class BadKey(ValidationError):
    """A key, recipient or identity file is not in the expected format."""


class RestoreRefused(ValidationError):
    """Restoring this backup would lose data (an older backup) or cannot be done as asked."""
