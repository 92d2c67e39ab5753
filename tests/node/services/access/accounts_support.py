"""Shared by the access tests: the system actor, a good password, what a refusal must leave."""

from __future__ import annotations

from node.models import AccessCode, Guardian, History, Session, Student, StudentGuardian, User
from node.services.access.passwords import hash_password
from node.services.base.actor import Actor

SYSTEM = Actor.for_system()
GOOD = "Kapusta-na-okne-7"


def counts() -> dict[str, int]:
    models = (User, AccessCode, History, Session, Student, Guardian, StudentGuardian)
    return {m.__name__: m.select().count() for m in models}


def user_row(login: str) -> tuple:
    user = User.get(User.login == login)
    return (user.status, user.password_hash, user.roles)


def hashed_password(password: str) -> str:
    return hash_password(password)
