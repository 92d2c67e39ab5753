"""People: user accounts, students, guardians and the links between them."""

from __future__ import annotations

import peewee as pw

from node.models.base import Reach, SyncModel

ROLES = ("sysadmin", "director", "deputy", "teacher", "class_teacher", "parent", "student")
STAFF_ROLES = ("sysadmin", "director", "deputy", "teacher", "class_teacher")
USER_STATUSES = ("pending", "active", "disabled")


def short_name(last: str, first: str, middle: str | None) -> str:
    """'Иванова М. А.' — how a journal names a person."""
    initials = "".join(f" {part[0]}." for part in (first, middle) if part)
    return f"{last}{initials}"


class User(SyncModel):
    """Anyone who signs in. ``roles`` is a space-separated set drawn from ``ROLES``."""

    reach = Reach.OWN_RULE

    login = pw.TextField(unique=True)
    last_name = pw.TextField()
    first_name = pw.TextField()
    middle_name = pw.TextField(default="")
    roles = pw.TextField(default="")
    language = pw.TextField(null=True)
    status = pw.TextField(default="pending")
    password_hash = pw.TextField(null=True)
    created_at = pw.DateTimeField()

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.split())

    @property
    def display_name(self) -> str:
        return short_name(self.last_name, self.first_name, self.middle_name)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


class Guardian(SyncModel):
    """A parent or other legal representative of one or more students."""

    reach = Reach.OWN_RULE

    last_name = pw.TextField()
    first_name = pw.TextField()
    middle_name = pw.TextField(default="")
    phone = pw.TextField(default="")
    email = pw.TextField(default="")
    user = pw.ForeignKeyField(User, null=True, unique=True, backref="guardian_profile")

    @property
    def display_name(self) -> str:
        return short_name(self.last_name, self.first_name, self.middle_name)
