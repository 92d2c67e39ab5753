"""What a push did, on the wire and on the laptop's screen.

The hub answers a push with counts and, for every change it refused, the change (table,
row, fields) and the reason in words, so the laptop can show the teacher what did not reach
the school server and why.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from node.services.replication.table_names import table_name


@dataclass(frozen=True)
class RejectedChange:
    what: str
    reason: str


@dataclass
class PushOutcome:
    applied: int = 0
    skipped: int = 0
    conflicts: int = 0
    rejected: list[RejectedChange] = field(default_factory=list)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def describe_change(change: Any) -> str:
    """A short line naming a change in the user's words: what the row is, and its id's start
    (to tell two apart); the schema's table and column names are not shown."""
    plain = _plain(change)
    if isinstance(plain, dict):
        table = plain.get("table") or plain.get("entity") or ""
        row = plain.get("row_id") or plain.get("pk") or plain.get("id") or ""
        if table or row:
            return f"{table_name(str(table))} {str(row)[:8]}".strip()
    return str(plain)[:200]


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list | tuple | set) else int(value or 0)


def result_to_json(result: Any) -> dict[str, Any]:
    return {
        "applied": _count(result.applied),
        "skipped": _count(result.skipped),
        "conflicts": _count(result.conflicts),
        "rejected": [
            {"what": describe_change(r.change), "reason": str(r.reason)} for r in result.rejected
        ],
    }


def outcome_from_json(data: dict[str, Any]) -> PushOutcome:
    return PushOutcome(
        applied=int(data.get("applied", 0)),
        skipped=int(data.get("skipped", 0)),
        conflicts=int(data.get("conflicts", 0)),
        rejected=[
            RejectedChange(str(r.get("what", "")), str(r.get("reason", "")))
            for r in data.get("rejected", [])
            if isinstance(r, dict)
        ],
    )
