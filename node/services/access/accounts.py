"""User accounts and access codes [R 3.2, 7.2].

The sysadmin creates staff accounts and gives them codes; a class teacher gives codes to
their own class's students and parents. A code is shown once and lets its owner set their
own password, so nobody else ever knows it [R 7.2].

Codes are 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S,
8/B), printed as ``ABCD-EFGH-JKLM``: 25¹² ≈ 2⁵⁵·⁷ possibilities. Only a salted HMAC-SHA256
is stored. A slow hash (as for passwords) buys nothing here: a random 56-bit code that
expires in 14 days cannot be brute-forced from a stolen database in time, and online
guessing is throttled.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from node.errors import Conflict, EdiaryError, NotFound, ValidationError
from node.i18n import _
from node.models import AccessCode, Guardian, Student, StudentGuardian, User, db
from node.models.accounts import main_role
from node.models.people import STAFF_ROLES
from node.services.access import throttle
from node.services.access.auth import end_sessions
from node.services.access.passwords import hash_password, verify_password
from node.services.base import clock, history
from node.services.base.activity import record_activity
from node.services.base.actor import Actor
from node.services.base.lookup import get_student, get_user
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.text import plain_line

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4
CODE_VALID_DAYS = 14
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
#: Cyrillic letters that look like Latin ones on a slip, typed on a Russian keyboard.
_HOMOGLYPHS = str.maketrans("АВСЕНКМОРТХУ", "ABCEHKMOPTXY")
#: The same keys on the Russian and the English layout ("йцукен" is "qwerty").
_RU_KEYS = "йцукенгшщзхъфывапролджэячсмитьбю"
_EN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,."
_LAYOUT = str.maketrans(_RU_KEYS + _EN_KEYS, _EN_KEYS + _RU_KEYS)

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


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued; ``code`` exists only here and is shown once."""

    user_id: str
    login: str
    name: str
    code: str
    expires_at: dt.datetime


# --- codes ---------------------------------------------------------------------------------


def new_code() -> str:
    """A fresh random code, grouped for reading: ``ACDE-FGHJ-KMNP``."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    return "-".join(
        chars[i : i + CODE_GROUP_LENGTH] for i in range(0, len(chars), CODE_GROUP_LENGTH)
    )


def normalize_code(text: str) -> str:
    """The code as typed → its canonical letters: case, dashes, spaces and Cyrillic
    look-alikes (typed on a Russian keyboard) do not matter."""
    upper = unicodedata.normalize("NFKC", text or "").upper().translate(_HOMOGLYPHS)
    return "".join(ch for ch in upper if ch.isalnum())


def hash_code(code: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hmac.new(salt, normalize_code(code).encode("ascii", "replace"), hashlib.sha256)
    return f"{salt.hex()}${digest.hexdigest()}"


def code_matches(code: str, stored: str) -> bool:
    salt_hex, _sep, _digest = stored.partition("$")
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    return hmac.compare_digest(hash_code(code, salt=salt), stored)


# --- passwords -----------------------------------------------------------------------------


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


# --- names, logins, roles ------------------------------------------------------------------


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
    return parts[0], parts[1], " ".join(parts[2:])


def parse_roles(text: str | Iterable[str]) -> frozenset[str]:
    """Staff roles from 'teacher class-teacher' (or Russian words); ``ValidationError``
    names an unknown one. Parents' and students' accounts come with their codes."""
    words = re.split(r"[\s,;+/|]+", text.strip()) if isinstance(text, str) else list(text)
    roles = set()
    for word in (w.strip().lower() for w in words):
        if not word:
            continue
        role = ROLE_ALIASES.get(word)
        if role is None:
            raise ValidationError(
                _("Unknown role «{role}»: use {choices}.").format(
                    role=word, choices="sysadmin, director, deputy, teacher, class-teacher"
                )
            )
        roles.add(role)
    if not roles:
        raise ValidationError(
            _("Give at least one role: sysadmin, director, deputy, teacher, class-teacher.")
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


def _translit(text: str) -> str:
    out = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]", "", out)


def suggest_login(last: str, first: str, taken: set[str] | None = None) -> str:
    """'Смирнова', 'Елена' → 'smirnova.e' (then 'smirnova.e2', …) — free in the database."""
    base = (_translit(last) or "user")[:24]
    initial = _translit(first)[:1]
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


# --- staff accounts ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewStaff:
    """One checked row of a staff list, ready to write."""

    login: str
    last_name: str
    first_name: str
    middle_name: str
    roles: frozenset[str]


def _check_staff(login: str, full_name: str, roles: str | Iterable[str]) -> NewStaff:
    clean = clean_login(login)
    last, first, middle = split_name(full_name)
    role_set = parse_roles(roles)
    return NewStaff(clean, last, first, middle, role_set)


def _ensure_free(logins: Iterable[str]) -> None:
    wanted = list(logins)
    taken = User.select(User.login).where(User.login.in_(wanted)).first() if wanted else None
    if taken is not None:
        raise Conflict(
            _("The login «{login}» is already taken; choose another one.").format(login=taken.login)
        )


def _create_user(actor: Actor, staff: NewStaff, language: str | None = None) -> User:
    user = User.create(
        login=staff.login,
        last_name=staff.last_name,
        first_name=staff.first_name,
        middle_name=staff.middle_name,
        roles=" ".join(r for r in STAFF_ROLES if r in staff.roles),
        language=language,
        status="pending",
        created_at=clock.now(),
    )
    history.record_create(actor, user)
    return user


def create_staff_user(
    actor: Actor,
    login: str,
    full_name: str,
    roles: str | Iterable[str],
    *,
    language: str | None = None,
) -> User:
    """A staff account waiting for its code (status 'pending', no password)."""
    ensure_allowed(actor, Action.USERS_MANAGE)
    staff = _check_staff(login, full_name, roles)
    _ensure_free([staff.login])
    with db.atomic():
        return _create_user(actor, staff, language)


def list_users(actor: Actor, *, role: str | None = None) -> list[User]:
    """Every account, by login; ``role`` keeps those holding it."""
    ensure_allowed(actor, Action.USERS_MANAGE)
    users = list(User.select().order_by(User.login))
    if role:
        wanted = ROLE_ALIASES.get(role.strip().lower(), role.strip().lower())
        users = [u for u in users if wanted in u.role_set]
    return users


def disable_user(actor: Actor, user_id: str) -> User:
    """Nobody signs in as this user any more: sessions end and open codes are revoked."""
    user = get_user(user_id)
    ensure_allowed(actor, Action.USERS_MANAGE)
    if actor.user_id == user.id:
        raise ValidationError(_("You cannot disable your own account."))
    if user.status == "disabled":
        return user
    now = clock.now()
    with db.atomic():
        history.update_row(actor, user, {"status": "disabled"})
        AccessCode.update(revoked_at=now).where(
            AccessCode.id.in_(AccessCode.open_for(user.id).select(AccessCode.id))
        ).execute()
        end_sessions(user.id)
    return user


def enable_user(actor: Actor, user_id: str) -> User:
    """Back to 'active' (or 'pending' if the user never set a password)."""
    user = get_user(user_id)
    ensure_allowed(actor, Action.USERS_MANAGE)
    if user.status != "disabled":
        return user
    history.update_row(actor, user, {"status": "active" if user.password_hash else "pending"})
    return user


# --- the staff list (CSV) ------------------------------------------------------------------

_COLUMNS = {
    "login": "login",
    "логин": "login",
    "name": "name",
    "фио": "name",
    "roles": "roles",
    "role": "roles",
    "роли": "roles",
    "роль": "roles",
}


def read_staff_csv(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """Rows of a staff CSV (UTF-8, with or without BOM, ';' or ',') with their line numbers.

    The header names the columns: ``login;name;roles`` (or ``логин;ФИО;роли``).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file is not in UTF-8: in Excel save it as «CSV UTF-8», then try again.")
        ) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ValidationError(_("The file is empty: its first line must be login;name;roles."))
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_COLUMNS.get(h.strip().lower(), h.strip()) for h in next(reader)]
    missing = [c for c in ("login", "name", "roles") if c not in header]
    if missing:
        raise ValidationError(
            _("Line 1 must name the columns login, name and roles; missing: {columns}.").format(
                columns=", ".join(missing)
            )
        )
    rows = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise ValidationError(
                _(
                    "Line {line}: {count} fields, but the header names {expected}. "
                    "Nothing was imported."
                ).format(line=reader.line_num, count=len(row), expected=len(header))
            )
        rows.append((reader.line_num, dict(zip(header, [c.strip() for c in row], strict=False))))
    if not rows:
        raise ValidationError(_("The file has a header but no people in it."))
    return rows


def import_staff(
    actor: Actor, data: bytes, *, valid_days: int = CODE_VALID_DAYS
) -> list[IssuedCode]:
    """Create every account of a staff CSV and issue their codes — all or nothing.

    A bad row stops the import before anything is written; the message names its line.
    """
    ensure_allowed(actor, Action.USERS_MANAGE)
    rows = read_staff_csv(data)
    checked: list[NewStaff] = []
    first_line: dict[str, int] = {}
    for line, row in rows:
        try:
            staff = _check_staff(row.get("login", ""), row.get("name", ""), row.get("roles", ""))
            if staff.login in first_line:
                raise Conflict(
                    _("The login «{login}» is also on line {other}.").format(
                        login=staff.login, other=first_line[staff.login]
                    )
                )
            _ensure_free([staff.login])
        except EdiaryError as exc:
            raise type(exc)(
                _("Line {line}: {error} Nothing was imported.").format(line=line, error=exc)
            ) from exc
        first_line[staff.login] = line
        checked.append(staff)
    issued = []
    with db.atomic():
        for staff in checked:
            user = _create_user(actor, staff)
            issued.append(_issue(actor, user, valid_days))
    return issued


# --- issuing codes -------------------------------------------------------------------------


def _issue(actor: Actor, user: User, valid_days: int) -> IssuedCode:
    """Revoke the user's open codes and store a new one (inside the caller's transaction)."""
    now = clock.now()
    code = new_code()
    AccessCode.update(revoked_at=now).where(
        AccessCode.id.in_(AccessCode.open_for(user.id).select(AccessCode.id))
    ).execute()
    row = AccessCode.create(
        user=user.id,
        code_hash=hash_code(code),
        issued_by=actor.login,
        issued_at=now,
        expires_at=now + dt.timedelta(days=valid_days),
    )
    history.record(
        actor,
        "user",
        user.id,
        "update",
        {"access_code": [None, f"issued, expires {row.expires_at}"]},
    )
    return IssuedCode(user.id, user.login, user.full_name, code, row.expires_at)


def _check_issue(user: User | None, valid_days: int) -> None:
    if user is not None and user.status == "disabled":
        raise ValidationError(
            _("The account {login} is disabled; enable it before giving it a code.").format(
                login=user.login
            )
        )
    if not 1 <= valid_days <= 90:
        raise ValidationError(_("A code may be valid for 1 to 90 days."))


def issue_code(actor: Actor, user_id: str, *, valid_days: int = CODE_VALID_DAYS) -> IssuedCode:
    """A new code for a staff account (older codes stop working) [R 3.2]."""
    user = get_user(user_id)
    ensure_allowed(actor, Action.CODES_ISSUE, user)
    _check_issue(user, valid_days)
    with db.atomic():
        return _issue(actor, user, valid_days)


def _person_account(actor: Actor, person: Student | Guardian, role: str) -> User:
    """The student's or guardian's account, created (pending) if they have none yet."""
    if person.user_id is not None:
        return User.get_by_id(person.user_id)
    user = User.create(
        login=suggest_login(person.last_name, person.first_name),
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name or "",
        roles=role,
        status="pending",
        created_at=clock.now(),
    )
    history.record_create(actor, user)
    history.update_row(actor, person, {"user": user.id})
    return user


def _issue_for_person(
    actor: Actor, person: Student | Guardian, role: str, valid_days: int
) -> IssuedCode:
    """Check, then issue a code to a student or parent (after the caller's permission check).

    A class teacher must never reset a colleague's password through their child, so an
    account that is also staff is refused here.
    """
    user = User.get_by_id(person.user_id) if person.user_id else None
    if user is not None and user.role_set & set(STAFF_ROLES):
        raise ValidationError(
            _(
                "{login} is also a staff account: only the system administrator gives it a code."
            ).format(login=user.login)
        )
    _check_issue(user, valid_days)
    with db.atomic():
        return _issue(actor, _person_account(actor, person, role), valid_days)


def issue_student_code(
    actor: Actor, student_id: str, *, valid_days: int = CODE_VALID_DAYS
) -> IssuedCode:
    """A code for a student of the actor's class, making the student's account if needed."""
    student = get_student(student_id)
    ensure_allowed(actor, Action.CODES_ISSUE, student)
    return _issue_for_person(actor, student, "student", valid_days)


def issue_guardian_code(
    actor: Actor, student_id: str, guardian_id: str, *, valid_days: int = CODE_VALID_DAYS
) -> IssuedCode:
    """A code for a parent of a student of the actor's class [R 3.2]."""
    student = get_student(student_id)
    link = StudentGuardian.get_or_none(
        StudentGuardian.student == student.id, StudentGuardian.guardian == guardian_id
    )
    if link is None:
        raise NotFound(
            _("This parent is not linked to the student; reload the list and try again.")
        )
    ensure_allowed(actor, Action.CODES_ISSUE, link)
    return _issue_for_person(actor, Guardian.get_by_id(guardian_id), "parent", valid_days)


# --- activation and passwords --------------------------------------------------------------


def _code_refused(user: User | None, code: str) -> EdiaryError | None:
    """Why ``code`` cannot activate ``user`` now, or ``None`` if it can (in a transaction)."""
    wrong = ValidationError(
        _(
            "The login or the code is wrong. Check both on your slip (dashes and case do not "
            "matter) or ask for a new code."
        )
    )
    if user is None:
        return wrong
    codes = AccessCode.select().where(AccessCode.user == user.id).order_by(AccessCode.id.desc())
    match = next((row for row in codes.limit(20) if code_matches(code, row.code_hash)), None)
    if match is None:
        return wrong
    if match.used_at is not None:
        return ValidationError(
            _("This code has already been used. Sign in with your password, or ask for a new code.")
        )
    if match.revoked_at is not None:
        return ValidationError(
            _("This code was replaced by a newer one; use the newest slip you were given.")
        )
    if match.expires_at <= clock.now():
        return ValidationError(
            _("This code expired on {date}; ask for a new one.").format(
                date=match.expires_at.date().isoformat()
            )
        )
    if user.status == "disabled":
        return ValidationError(
            _("The account {login} is disabled; ask the system administrator.").format(
                login=user.login
            )
        )
    return None


def activate(
    login: str, code: str, new_password: str, *, client: str = "", address: str | None = None
) -> User:
    """Redeem an access code: set the user's own password, end their sessions.

    Exactly one of two simultaneous activations of one code succeeds: the code is taken in
    a write transaction (``BEGIN IMMEDIATE``) with ``used_at IS NULL`` as its condition.
    """
    name = (login or "").strip().lower()
    check_password(new_password, name)
    keys = throttle.Keys.of("activate", name, address)
    where = address or client
    try:
        throttle.reserve(keys)
    except throttle.Throttled:
        record_activity(
            "activation_failed", user_id=None, login=name, detail="throttled", client=where
        )
        raise
    new_hash = hash_password(new_password)
    user = User.get_or_none(User.login == name) if name else None
    try:
        with db.atomic():
            refusal = _code_refused(user, code)
            if refusal is not None:
                raise refusal
            assert user is not None
            _redeem(user, code, new_hash)
            throttle.succeeded(keys)
            record_activity(
                "activation", user_id=user.id, login=name, role=main_role(user.roles), client=where
            )
    except EdiaryError as exc:
        record_activity(
            "activation_failed",
            user_id=user.id if user else None,
            login=name,
            role=main_role(user.roles) if user else "",
            detail=str(exc)[:80],
            client=where,
        )
        raise
    return User.get_by_id(user.id)


def _redeem(user: User, code: str, new_hash: str) -> None:
    now = clock.now()
    open_codes = [row for row in AccessCode.open_for(user.id) if code_matches(code, row.code_hash)]
    taken = (
        AccessCode.update(used_at=now)
        .where(AccessCode.id == open_codes[0].id, AccessCode.used_at.is_null())
        .execute()
        if open_codes
        else 0
    )
    if taken != 1:
        raise ValidationError(
            _("This code has already been used. Sign in with your password, or ask for a new code.")
        )
    actor = Actor(user_id=user.id, login=user.login, roles=user.role_set)
    before = {"status": user.status, "password": "set" if user.password_hash else ""}
    User.update(password_hash=new_hash, status="active").where(User.id == user.id).execute()
    history.record(
        actor,
        "user",
        user.id,
        "update",
        history.diff(before, {"status": "active", "password": "new"}),
    )
    end_sessions(user.id)


def change_password(
    actor: Actor,
    current_password: str,
    new_password: str,
    *,
    keep_token: str | None = None,
    address: str | None = None,
) -> None:
    """The actor changes their own password; their other sessions end [R 7.2]."""
    if actor.user_id is None:
        raise ValidationError(_("Only a person signed in to their own account has a password."))
    user = get_user(actor.user_id)
    check_password(new_password, user.login)
    keys = throttle.Keys.of("password", user.login, address)
    throttle.reserve(keys)
    if not verify_password(current_password or "", user.password_hash):
        record_activity(
            "signin_failed",
            user_id=user.id,
            login=user.login,
            role=main_role(user.roles),
            detail="wrong current password",
            client=address or "",
        )
        raise ValidationError(_("The current password is wrong; nothing was changed."))
    if verify_password(new_password, user.password_hash):
        raise ValidationError(_("The new password is the same as the old one; choose another."))
    new_hash = hash_password(new_password)
    with db.atomic():
        User.update(password_hash=new_hash).where(User.id == user.id).execute()
        history.record(actor, "user", user.id, "update", {"password": ["old", "new"]})
        end_sessions(user.id, keep_token=keep_token)
        throttle.succeeded(keys)
        record_activity(
            "password_change",
            user_id=user.id,
            login=user.login,
            role=main_role(user.roles),
            client=address or "",
        )
