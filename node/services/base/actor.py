"""Who is acting: the user behind a service call."""

from __future__ import annotations

from dataclasses import dataclass

from node.errors import Forbidden
from node.i18n import _, current_language
from node.models import User


@dataclass(frozen=True)
class Actor:
    """The acting user. ``system`` is the node itself (school creation, demo, migrations):
    it is never a person and no entry point hands it to a signed-in user."""

    user_id: str | None
    login: str
    roles: frozenset[str]
    language: str = "ru"
    system: bool = False

    @classmethod
    def from_user(cls, user: User) -> Actor:
        """The actor for a signed-in user; a disabled account acts as nobody."""
        if user.status == "disabled":
            raise Forbidden(
                _("The account {login} is disabled; ask the system administrator.").format(
                    login=user.login
                )
            )
        return cls(
            user_id=user.id,
            login=user.login,
            roles=user.role_set,
            language=user.language or current_language(),
        )

    @classmethod
    def for_system(cls) -> Actor:
        return cls(user_id=None, login="system", roles=frozenset(), system=True)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))
