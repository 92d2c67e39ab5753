"""Roles and account statuses as people read them, in their language.

The database keeps ``class_teacher`` and ``pending``; a list, a sign-in line or a message
shows «классный руководитель» and «ждёт активации». The words people may *type* for a role
are in ``node.services.access.logins``.
"""

from __future__ import annotations

from collections.abc import Iterable

from node.i18n import N_, gettext

ROLE_NAMES = {
    "sysadmin": N_("system administrator"),
    "director": N_("director"),
    "deputy": N_("deputy director"),
    "teacher": N_("teacher"),
    "class_teacher": N_("class teacher"),
    "parent": N_("parent"),
    "student": N_("student"),
}

STATUS_NAMES = {
    "pending": N_("awaiting activation"),
    "active": N_("active"),
    "disabled": N_("disabled"),
}

#: The order roles are listed in: the most responsible first.
_ORDER = tuple(ROLE_NAMES)


def role_name(role: str) -> str:
    """«class teacher» for ``class_teacher``; an unknown role as it is."""
    return gettext(ROLE_NAMES[role]) if role in ROLE_NAMES else role


def role_names(roles: Iterable[str]) -> str:
    """«директор, учитель»: every role, in the usual order, in the user's language."""
    ordered = sorted(roles, key=lambda r: (_ORDER.index(r) if r in _ORDER else len(_ORDER), r))
    return ", ".join(role_name(role) for role in ordered)


def status_name(status: str) -> str:
    """«ждёт активации» for ``pending``; an unknown status as it is."""
    return gettext(STATUS_NAMES[status]) if status in STATUS_NAMES else status
