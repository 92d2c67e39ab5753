"""Access codes: made, stored and issued [R 3.2, 7.2].

The sysadmin gives staff accounts their codes; a class teacher gives codes to their own
class's students and parents (a student's or parent's account is made, pending, with its
first code). A code is shown once and lets its owner set their own password, so nobody
else ever knows it [R 7.2].

Codes are 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S,
8/B), printed as ``ABCD-EFGH-JKLM``: 25¹² ≈ 2⁵⁵·⁷ possibilities. Only a salted HMAC-SHA256
is stored. A slow hash (as for passwords) buys nothing here: a random 56-bit code that
expires in 14 days cannot be brute-forced from a stolen database in time, and online
guessing is throttled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

from node.errors import NotFound, ValidationError
from node.i18n import _
from node.models import AccessCode, Guardian, Student, StudentGuardian, User, db
from node.models.people import STAFF_ROLES
from node.services.access.logins import suggest_login
from node.services.base import clock, history
from node.services.base.actor import Actor
from node.services.base.lookup import get_student, get_user
from node.services.base.permissions import Action, ensure_allowed

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4
CODE_VALID_DAYS = 14
#: Cyrillic letters that look like Latin ones on a slip, typed on a Russian keyboard.
_HOMOGLYPHS = str.maketrans("АВСЕНКМОРТХУ", "ABCEHKMOPTXY")


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued; ``code`` exists only here and is shown once."""

    user_id: str
    login: str
    name: str
    code: str
    expires_at: dt.datetime


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


# --- issuing -------------------------------------------------------------------------------


def store_new_code(actor: Actor, user: User, valid_days: int) -> IssuedCode:
    """Revoke the user's open codes and store a new one, inside the caller's transaction
    and after its permission check (``issue_code`` and the staff import make that)."""
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
        return store_new_code(actor, user, valid_days)


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
        return store_new_code(actor, _person_account(actor, person, role), valid_days)


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
