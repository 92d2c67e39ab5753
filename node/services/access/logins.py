"""People's names, logins and roles as they are typed: checked, split and suggested."""

from __future__ import annotations

import re
from collections.abc import Iterable

from node.errors import NotFound, ValidationError
from node.i18n import _, current_language
from node.models import User
from node.services.base.names import person_names
from node.services.base.text import plain_line

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")

#: How roles may be written on the command line and in a CSV file.
ROLE_ALIASES = {
    "sysadmin": "sysadmin",
    "admin": "sysadmin",
    "сисадмин": "sysadmin",
    "администратор": "sysadmin",
    "director": "director",
    "директор": "director",
    "deputy": "deputy",
    "завуч": "deputy",
    "заместитель": "deputy",
    "teacher": "teacher",
    "учитель": "teacher",
    "class-teacher": "class_teacher",
    "class_teacher": "class_teacher",
    "классный": "class_teacher",
    "классный-руководитель": "class_teacher",
}

#: Parents' and students' roles as they may be typed to find their accounts (not to create
#: them: their accounts come with their codes).
HOLDER_ROLE_ALIASES = {
    "parent": "parent",
    "родитель": "parent",
    "student": "student",
    "ученик": "student",
}

#: The role words shown to people, in their language (each is a key of the aliases above;
#: English ones are accepted in every language).
STAFF_ROLE_WORDS = {
    "en": ("sysadmin", "director", "deputy", "teacher", "class-teacher"),
    "ru": ("сисадмин", "директор", "завуч", "учитель", "классный-руководитель"),
}
HOLDER_ROLE_WORDS = {"en": ("parent", "student"), "ru": ("родитель", "ученик")}


def role_words(*, staff_only: bool = True) -> tuple[str, ...]:
    """The role words a person is told to type, in their language."""
    language = current_language() if current_language() in STAFF_ROLE_WORDS else "en"
    words = STAFF_ROLE_WORDS[language]
    return words if staff_only else words + HOLDER_ROLE_WORDS[language]


def parse_role(word: str, *, staff_only: bool = True) -> str:
    """One role from a word in either language; ``ValidationError`` lists the words to use."""
    typed = (word or "").strip().lower()
    role = ROLE_ALIASES.get(typed)
    if role is None and not staff_only:
        role = HOLDER_ROLE_ALIASES.get(typed)
    if role is None:
        raise ValidationError(
            _("Unknown role «{role}»: use {choices}.").format(
                role=typed, choices=", ".join(role_words(staff_only=staff_only))
            )
        )
    return role


def split_name(full_name: str) -> tuple[str, str, str]:
    """'Иванова Мария Александровна' → (last, first, middle); the middle name is optional."""
    parts = plain_line(full_name).split()
    if len(parts) < 2:
        raise ValidationError(
            _(
                "Write the full name as «Last name First name Middle name», e.g. "
                "«Иванова Мария Александровна»; «{name}» is not enough."
            ).format(name=(full_name or "").strip())
        )
    return person_names(parts[0], parts[1], " ".join(parts[2:]))


def parse_roles(text: str | Iterable[str]) -> frozenset[str]:
    """Staff roles from 'teacher class-teacher' (or Russian words); ``ValidationError``
    names an unknown one. Parents' and students' accounts come with their codes."""
    words = re.split(r"[\s,;+/|]+", text.strip()) if isinstance(text, str) else list(text)
    roles = {parse_role(word) for word in words if word.strip()}
    if not roles:
        raise ValidationError(
            _("Give at least one role: {choices}.").format(choices=", ".join(role_words()))
        )
    return frozenset(roles)


def clean_login(login: str) -> str:
    value = (login or "").strip().lower()
    if not _LOGIN.match(value):
        raise ValidationError(
            _(
                "«{login}» cannot be a login: use 2–32 Latin letters, digits, dots, dashes or "
                "underscores, starting with a letter or digit."
            ).format(login=(login or "").strip())
        )
    return value


_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch  y  e yu ya".split(" "),
        strict=True,
    )
)


def translit(text: str) -> str:
    """Russian letters in Latin ones, for logins and file names: «Смирнова» → smirnova."""
    out = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]", "", out)


def suggest_login(last: str, first: str, taken: set[str] | None = None) -> str:
    """'Смирнова', 'Елена' → 'smirnova.e' (then 'smirnova.e2', …) — free in the database."""
    base = (translit(last) or "user")[:24]
    initial = translit(first)[:1]
    stem = f"{base}.{initial}" if initial else base
    taken = taken or set()
    number = 1
    while True:
        login = stem if number == 1 else f"{stem}{number}"
        if login not in taken and not User.select().where(User.login == login).exists():
            return login
        number += 1


def find_user(login: str) -> User:
    """The account with this login; ``NotFound`` names it."""
    user = User.get_or_none(User.login == (login or "").strip().lower())
    if user is None:
        raise NotFound(
            _("There is no account with the login «{login}»; check 'ediary users list'.").format(
                login=(login or "").strip()
            )
        )
    return user
