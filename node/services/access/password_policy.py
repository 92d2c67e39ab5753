"""The password policy: long enough, not the login, not a common password [R 7.2].

``common_passwords.txt`` beside this module lists the passwords people pick first; a
password is also checked as typed with the wrong keyboard layout («йцукен» is «qwerty»).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from node.errors import ValidationError
from node.i18n import _

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
#: The same keys on the Russian and the English layout ("йцукен" is "qwerty").
_RU_KEYS = "йцукенгшщзхъфывапролджэячсмитьбю"
_EN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,."
_LAYOUT = str.maketrans(_RU_KEYS + _EN_KEYS, _EN_KEYS + _RU_KEYS)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line and line[0] != "#")


def check_password(password: str, login: str) -> None:
    """The password policy: ≥ 8 characters, not the login, not a common password (also
    as typed with the wrong keyboard layout). Raises ``ValidationError``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            _("The password is too short: use at least {count} characters.").format(
                count=MIN_PASSWORD_LENGTH
            )
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            _("The password is too long: use at most {count} characters.").format(
                count=MAX_PASSWORD_LENGTH
            )
        )
    folded = password.strip().casefold()
    if folded == login.strip().casefold() or folded.translate(_LAYOUT) == login.casefold():
        raise ValidationError(_("The password must not be your login; choose another one."))
    common = _common_passwords()
    if folded in common or folded.translate(_LAYOUT) in common:
        raise ValidationError(
            _("This password is too common and easy to guess; choose another one.")
        )
