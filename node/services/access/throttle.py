"""Slowing down guessing: failure counts per account and per client address, in the database.

Every attempt (a sign-in, an activation, a current-password check) first *reserves* itself:
in one short transaction it refuses if a key is locked, otherwise counts the attempt as a
failure in advance and sets the next lock. A success then clears the account's count and
gives back the address's. Counting in advance means parallel guesses cannot slip past the
limit while a slow password check runs, and the counts live in the database so that
``serve``, the TUI and the CLI share them. Nothing here sleeps: the caller gets the wait time.

Delays grow 1 s, 2 s, 4 s, … after ``free`` failures, up to ``cap``; an hour without
failures forgets the count. Attempts made while locked are refused unchecked and not
counted, so a locked-out attacker learns nothing and a real user is never locked for long.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from node.errors import Forbidden
from node.i18n import _
from node.models import SignInThrottle, db
from node.services.base import clock

#: A count is forgotten after this long without a failure.
QUIET = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    """Failures allowed before delays start, and the longest delay, in seconds."""

    free: int
    cap_seconds: int

    def delay(self, failures: int) -> dt.timedelta:
        if failures < self.free:
            return dt.timedelta(0)
        return dt.timedelta(seconds=min(2 ** (failures - self.free), self.cap_seconds))


#: One person mistyping: five free tries. One address (a phone, a classroom PC) may carry
#: several people's typos, so it gets more before it slows down.
ACCOUNT_LIMIT = Limit(free=5, cap_seconds=15 * 60)
ADDRESS_LIMIT = Limit(free=20, cap_seconds=15 * 60)


class Throttled(Forbidden):
    """Too many failed attempts: try again after ``wait_seconds``."""

    def __init__(self, wait_seconds: int) -> None:
        if wait_seconds >= 120:
            message = _("Too many failed attempts. Wait {minutes} minutes and try again.").format(
                minutes=math.ceil(wait_seconds / 60)
            )
        else:
            message = _("Too many failed attempts. Wait {seconds} seconds and try again.").format(
                seconds=wait_seconds
            )
        super().__init__(message)
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class Keys:
    """The throttle keys of one attempt: the account's and (for the web) the address's."""

    account: str
    address: str | None

    @classmethod
    def of(cls, purpose: str, login: str, address: str | None) -> Keys:
        return cls(
            account=f"{purpose}:login:{login.strip().lower()[:100]}",
            address=f"{purpose}:addr:{address}" if address else None,
        )

    def with_limits(self) -> list[tuple[str, Limit]]:
        pairs = [(self.account, ACCOUNT_LIMIT)]
        if self.address:
            pairs.append((self.address, ADDRESS_LIMIT))
        return pairs


def reserve(keys: Keys) -> None:
    """Refuse with ``Throttled`` if a key is locked; otherwise count this attempt as failed."""
    now = clock.now()
    with db.atomic():
        SignInThrottle.delete().where(SignInThrottle.last_failure_at < now - QUIET).execute()
        rows = []
        for key, limit in keys.with_limits():
            row = SignInThrottle.get_or_none(SignInThrottle.key == key)
            if row is not None and row.locked_until is not None and row.locked_until > now:
                wait = math.ceil((row.locked_until - now).total_seconds())
                raise Throttled(max(wait, 1))
            rows.append((key, limit, row))
        for key, limit, row in rows:
            failures = (row.failures if row is not None else 0) + 1
            delay = limit.delay(failures)
            SignInThrottle.insert(
                key=key,
                failures=failures,
                last_failure_at=now,
                locked_until=now + delay if delay else None,
            ).on_conflict_replace().execute()


def succeeded(keys: Keys) -> None:
    """The attempt was right: forget the account's failures, give the address its one back.

    Runs inside the caller's transaction when there is one.
    """
    with db.atomic():
        SignInThrottle.delete().where(SignInThrottle.key == keys.account).execute()
        if keys.address:
            row = SignInThrottle.get_or_none(SignInThrottle.key == keys.address)
            if row is not None:
                failures = max(row.failures - 1, 0)
                delay = ADDRESS_LIMIT.delay(failures)
                row.failures = failures
                row.locked_until = row.last_failure_at + delay if delay else None
                row.save()


def failures(key: str) -> int:
    """The failures counted for ``key`` (for tests and the administrator's screens)."""
    row = SignInThrottle.get_or_none(SignInThrottle.key == key)
    return row.failures if row is not None else 0
