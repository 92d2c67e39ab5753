"""A person's names (last, first, patronymic): the one rule every entry point checks.

The enrol form, profile editing, parents' records, staff accounts (one at a time, from a
CSV file, from the set-up workbook) and the set-up workbook's students and parents all take
names through ``person_name``. A name is letters (any alphabet: a student may come from
abroad), with a hyphen («Мамин-Сибиряк»), an apostrophe («Д'Артаньян») or a space («Оглы
Мамед») between them — so «14.03.2013» typed into the patronymic field is refused, not
printed in the journal.
"""

from __future__ import annotations

import re
import unicodedata

from node.errors import ValidationError
from node.i18n import N_, gettext
from node.services.base.text import plain_line

#: Letters joined by one hyphen, apostrophe or space; ``[^\W\d_]`` is a letter in any alphabet.
_NAME = re.compile(r"[^\W\d_]+(?:[-'’ʼ ][^\W\d_]+)*")
_DASHES = re.compile(r"\s*[\u2010\u2011\u2012\u2013]\s*|\s*-\s*")
_LONGEST = 60

LAST, FIRST, MIDDLE = "last", "first", "middle"

#: The message for each part: Russian declines the part's name, so each is whole.
_NOT_A_NAME = {
    LAST: N_(
        "«{value}» is not a last name: write letters; a hyphen, an apostrophe or a space may "
        "join its parts."
    ),
    FIRST: N_(
        "«{value}» is not a first name: write letters; a hyphen, an apostrophe or a space may "
        "join its parts."
    ),
    MIDDLE: N_(
        "«{value}» is not a patronymic: write letters; a hyphen, an apostrophe or a space may "
        "join its parts (or leave it empty)."
    ),
}
_TOO_LONG = N_("«{value}…» is too long for a name: at most {limit} characters.")


def person_name(value: str | None, part: str) -> str:
    """``value`` as a name (spaces tidied, «Мамин - Сибиряк» → «Мамин-Сибиряк»), or ""
    for an empty one (whether it may be empty is the caller's rule); ``part`` is ``LAST``,
    ``FIRST`` or ``MIDDLE`` and picks the message."""
    text = unicodedata.normalize("NFC", " ".join(plain_line(value).split()))
    text = _DASHES.sub("-", text)
    if not text:
        return ""
    if len(text) > _LONGEST:
        raise ValidationError(gettext(_TOO_LONG).format(value=text[:20], limit=_LONGEST))
    if not _NAME.fullmatch(text):
        raise ValidationError(gettext(_NOT_A_NAME[part]).format(value=text))
    return text


def person_names(last: str | None, first: str | None, middle: str | None) -> tuple[str, str, str]:
    """The three parts at once, each by ``person_name``."""
    return person_name(last, LAST), person_name(first, FIRST), person_name(middle, MIDDLE)
