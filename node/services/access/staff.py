"""Staff accounts: made one by one or from the staff list (CSV), listed, disabled.

A new account waits for its first access code (status 'pending', no password). The staff
CSV (``login;name;roles``, or ``логин;ФИО;роли``) is imported all or nothing, each
account with its code; ``read_staff_csv`` and ``check_staff`` are the parts other imports
(``ediary setup``) reuse.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from node.errors import Conflict, EdiaryError, ValidationError
from node.i18n import _
from node.models import AcademicYear, AccessCode, SchoolClass, TeachingAssignment, User, db
from node.models.people import STAFF_ROLES
from node.services.access.auth import end_sessions
from node.services.access.codes import CODE_VALID_DAYS, IssuedCode, store_new_code
from node.services.access.logins import clean_login, parse_role, parse_roles, split_name
from node.services.base import clock, history
from node.services.base.actor import Actor
from node.services.base.lookup import get_user
from node.services.base.permissions import Action, ensure_allowed


@dataclass(frozen=True)
class NewStaff:
    """One checked row of a staff list, ready to write."""

    login: str
    last_name: str
    first_name: str
    middle_name: str
    roles: frozenset[str]


def check_staff(login: str, full_name: str, roles: str | Iterable[str]) -> NewStaff:
    """One person of a staff list, checked (``ValidationError`` says what is wrong)."""
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
    staff = check_staff(login, full_name, roles)
    _ensure_free([staff.login])
    with db.atomic():
        return _create_user(actor, staff, language)


def list_users(actor: Actor, *, role: str | None = None) -> list[User]:
    """Every account, by login; ``role`` keeps those holding it."""
    ensure_allowed(actor, Action.USERS_MANAGE)
    users = list(User.select().order_by(User.login))
    if role:
        wanted = parse_role(role, staff_only=False)
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


def change_staff(actor: Actor, user_id: str, full_name: str, roles: str | Iterable[str]) -> User:
    """A staff member's name and staff roles (other roles, a parent's, stay).

    A role still in use is not taken away: the teacher role from someone with journals,
    both teaching roles from a class teacher, the sysadmin role from the actor themselves or
    from the last sysadmin who can sign in; the refusal says what holds it.
    """
    user = get_user(user_id)
    ensure_allowed(actor, Action.USERS_MANAGE)
    last, first, middle = split_name(full_name)
    wanted = parse_roles(roles)
    if not user.role_set & set(STAFF_ROLES):
        raise ValidationError(
            _("The account {login} is not a staff account.").format(login=user.login)
        )
    _ensure_roles_free(actor, user, user.role_set - wanted)
    kept = [r for r in user.roles.split() if r not in STAFF_ROLES]
    values = {
        "last_name": last,
        "first_name": first,
        "middle_name": middle,
        "roles": " ".join([*(r for r in STAFF_ROLES if r in wanted), *kept]),
    }
    history.update_row(actor, user, values)
    return user


def _ensure_roles_free(actor: Actor, user: User, dropped: frozenset[str]) -> None:
    """Refuse taking away a role that something still needs."""
    dropped &= frozenset(STAFF_ROLES)
    if "sysadmin" in dropped:
        if actor.user_id == user.id:
            raise ValidationError(_("You cannot take the sysadmin role from yourself."))
        others = User.select().where(
            User.id != user.id, User.status != "disabled", User.roles.contains("sysadmin")
        )
        if not any("sysadmin" in other.role_set for other in others):
            raise Conflict(
                _("{name} is the only sysadmin; give the role to someone else first.").format(
                    name=user.display_name
                )
            )
    open_classes = (
        SchoolClass.select(SchoolClass.id).join(AcademicYear).where(AcademicYear.status != "closed")
    )
    if "teacher" in dropped:
        journals = (
            TeachingAssignment.select()
            .where(
                TeachingAssignment.teacher == user.id,
                TeachingAssignment.school_class.in_(open_classes),
            )
            .count()
        )
        if journals:
            raise Conflict(
                _(
                    "{name} teaches {count} journals; the teacher role stays while they do "
                    "(give the journals to another teacher first)."
                ).format(name=user.display_name, count=journals)
            )
    teaching = frozenset({"teacher", "class_teacher"}) & user.role_set
    if teaching and teaching <= dropped:
        led = [
            c.label
            for c in SchoolClass.select().where(
                SchoolClass.class_teacher == user.id, SchoolClass.id.in_(open_classes)
            )
        ]
        if led:
            raise Conflict(
                _(
                    "{name} is the class teacher of {classes}; a teaching role stays while "
                    "they are (give the class another class teacher first)."
                ).format(name=user.display_name, classes=", ".join(led))
            )


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
            staff = check_staff(row.get("login", ""), row.get("name", ""), row.get("roles", ""))
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
            issued.append(store_new_code(actor, user, valid_days))
    return issued
