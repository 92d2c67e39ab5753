"""One sync of a laptop with its hub, and the loop that repeats it in the background.

Order: sign in to the hub, bootstrap if this laptop never synced (a snapshot of its scope
instead of every change ever made), push what the hub has not seen, then pull what this
laptop has not seen. Each pulled chunk is applied (and its cursor advanced) by the engine in
one transaction, so a sync cut off anywhere resumes from the last applied chunk. If the hub's
database epoch changed (it was restored from a backup), everything is sent and fetched again:
merges are idempotent, so that costs time but never data.

The database must be open and bound by the caller; its blocking calls run in threads.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node.errors import EdiaryError, NotFound
from node.i18n import N_, _, log_text
from node.identity import load_or_create_identity
from node.models import SyncConflict, SyncPeer
from node.services.base import clock
from node.services.replication import peers
from sync import engine
from sync.client import HubAddress, HubClient, HubUnreachable
from sync.results import PushOutcome, RejectedChange

log = logging.getLogger("ediary.sync")

#: Called as work goes: (stage, chunks so far, changes so far).
Progress = Callable[[str, int, int], None]
#: How often serve and the TUI try to sync a laptop in the background.
BACKGROUND_SECONDS = 60


@dataclass
class SyncReport:
    hub_epoch: str = ""
    hub_vector: dict[str, int] = field(default_factory=dict)
    bootstrapped: bool = False
    resynced: bool = False
    pulled_chunks: int = 0
    pulled: int = 0
    pulled_bytes: int = 0
    conflicts: int = 0
    pushed: PushOutcome = field(default_factory=PushOutcome)

    @property
    def rejected(self) -> list[RejectedChange]:
        return self.pushed.rejected


def _quiet(_stage: str, _chunks: int, _changes: int) -> None:
    return None


def not_paired() -> NotFound:
    return NotFound(
        _(
            "This computer is not paired with a school server. Get a pairing code from the "
            "system administrator and run 'ediary join'."
        )
    )


async def sync_once(identity_path: Path, *, progress: Progress | None = None) -> SyncReport:
    """Sync with the paired hub once; the outcome (or the error) is noted on the hub's row."""
    hub = await asyncio.to_thread(peers.the_hub)
    if hub is None:
        raise not_paired()
    key, node_id = await asyncio.to_thread(load_or_create_identity, identity_path)
    try:
        async with HubClient(
            HubAddress.parse(hub.address), hub.cert_fingerprint, key, node_id
        ) as client:
            report = await _exchange(client, hub, progress or _quiet)
    except EdiaryError as exc:
        await asyncio.to_thread(peers.note_sync, hub.node_id, error=str(exc))
        raise
    await asyncio.to_thread(
        lambda: peers.note_sync(hub.node_id, epoch=report.hub_epoch, vector=report.hub_vector)
    )
    return report


async def _exchange(client: HubClient, hub: SyncPeer, progress: Progress) -> SyncReport:
    await client.authenticate(hub.node_id)
    my_epoch = await asyncio.to_thread(engine.database_epoch)
    state = await client.state(my_epoch)
    report = SyncReport(hub_epoch=str(state.get("epoch") or ""))
    hub_vector = {str(k): int(v) for k, v in dict(state.get("vector") or {}).items()}
    if hub.epoch is None:
        filled = await asyncio.to_thread(engine.bootstrap_progress)
        if filled is None or filled.get("epoch") != report.hub_epoch:
            filled = None  # none yet, or of a database the hub has since been restored over
        if filled is None or not filled.get("done"):
            await _pull(client, {}, report, progress, bootstrap=True, epoch=my_epoch, resume=filled)
        report.bootstrapped = True  # noted at once: a failure after this needs no new bootstrap
        await asyncio.to_thread(peers.note_sync, hub.node_id, epoch=report.hub_epoch)
    elif hub.epoch != report.hub_epoch:
        hub_vector = {}
        report.resynced = True
    state_vector = dict(hub_vector)
    size = _chunk_size(state.get("chunk_changes"))
    report.hub_vector = await _push(client, hub_vector, report, progress, size)
    since = {} if report.resynced else await asyncio.to_thread(engine.version_vector)
    if report.pushed.applied or report.resynced or not _covered(state_vector, since):
        await _pull(client, since, report, progress, bootstrap=False, epoch=my_epoch)
    return report


async def _pull(
    client: HubClient,
    since: dict[str, int],
    report: SyncReport,
    progress: Progress,
    *,
    bootstrap: bool,
    epoch: str,
    resume: dict[str, Any] | None = None,
) -> None:
    stage = _("receiving the school's data") if bootstrap else _("receiving changes")
    kind = "bootstrap" if bootstrap else "changes"
    log.debug("pull %s since %s", kind, resume or since)
    async for frame in client.pull(since, bootstrap=bootstrap, epoch=epoch, resume=resume):
        if frame.end:
            break
        result = await asyncio.to_thread(engine.apply_chunk, frame.payload, pushed_by=None)
        report.pulled_chunks += 1
        report.pulled_bytes += len(frame.payload)
        report.pulled += _count(result.applied)
        report.conflicts += _count(result.conflicts)
        # committed: a sync cut off from here on will not ask for this chunk again
        log.debug(_CHUNK_LOG, "pulled", kind, result.applied, result.skipped)
        progress(stage, report.pulled_chunks, report.pulled)


#: One line per chunk committed on its receiver; "already held" counts changes sent again.
_CHUNK_LOG = "%s %s chunk: %d applied, %d already held"


def _chunk_size(value: object) -> int:
    """The hub's chunk size for pushes (older hubs say nothing: the default)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return min(value, engine.CHUNK_CHANGES)
    return engine.CHUNK_CHANGES


async def _push(
    client: HubClient,
    since: dict[str, int],
    report: SyncReport,
    progress: Progress,
    size: int = engine.CHUNK_CHANGES,
) -> dict[str, int]:
    """Send what the hub has not seen; returns the hub's vector afterwards."""
    stage = _("sending changes")
    sent = 0
    while True:
        chunk = await asyncio.to_thread(
            engine.export_chunk, engine.Scope(None), since, max_changes=size
        )
        if _covered(chunk.vector, since) and not chunk.more:
            return since  # nothing the hub has not seen
        outcome, hub_vector = await client.push(chunk.payload)
        sent += 1
        report.pushed.applied += outcome.applied
        report.pushed.skipped += outcome.skipped
        report.pushed.conflicts += outcome.conflicts
        report.pushed.rejected.extend(outcome.rejected)
        log.debug(_CHUNK_LOG, "pushed", "changes", outcome.applied, outcome.skipped)
        progress(stage, sent, report.pushed.applied)
        since = {k: max(v, hub_vector.get(k, 0)) for k, v in chunk.vector.items()}
        if not chunk.more:
            return {**hub_vector, **since}


def _covered(vector: dict[str, int], since: dict[str, int]) -> bool:
    return all(since.get(origin, 0) >= counter for origin, counter in vector.items())


def _count(value: object) -> int:
    return len(value) if isinstance(value, list | tuple | set) else int(value or 0)  # type: ignore[arg-type]


async def background_sync(identity_path: Path, every: float = BACKGROUND_SECONDS) -> None:
    """Sync every ``every`` seconds while the process runs; an absent hub is normal."""
    while True:
        try:
            report = await sync_once(identity_path)
            log.info(
                "sync: pulled %d, pushed %d, %d rejected, %d conflicts",
                report.pulled,
                report.pushed.applied,
                len(report.rejected),
                report.conflicts,
            )
        except HubUnreachable:
            log.info(log_text(N_("sync: the school server is not reachable; will retry")))
        except EdiaryError as exc:
            log.warning(log_text(N_("sync failed: {error}")).format(error=exc))
        except Exception:
            log.exception(log_text(N_("sync failed")))
        await asyncio.sleep(every)


@dataclass(frozen=True)
class LaptopStatus:
    """What a laptop's user sees of sync: when it last worked, what waits, what clashed."""

    last_sync_at: dt.datetime | None
    pending: int
    conflicts: int
    error: str


def laptop_status() -> LaptopStatus | None:
    """The laptop's sync status, or None on a node that is no laptop. Blocking."""
    hub = peers.the_hub()
    if hub is None:
        return None
    pending = engine.pending_changes(peers.known_vector(hub.node_id))
    conflicts = SyncConflict.select().where(SyncConflict.kind != "rejected").count()
    return LaptopStatus(hub.last_sync_at, pending, conflicts, hub.last_error)


def status_line(status: LaptopStatus) -> str:
    if status.last_sync_at is None:
        return _("not synced yet, {pending} pending").format(pending=status.pending)
    same_day = status.last_sync_at.date() == clock.today()
    return _("synced {time}, {pending} pending, {conflicts} conflicts").format(
        time=status.last_sync_at.strftime("%H:%M" if same_day else "%d.%m %H:%M"),
        pending=status.pending,
        conflicts=status.conflicts,
    )


def sync_from_thread(identity_path: Path) -> str | None:
    """One background sync from a worker thread (the TUI's); returns the status line, or
    None when this node is not a laptop. An absent hub is normal and only shows in the line."""
    if peers.the_hub() is None:
        return None
    try:
        asyncio.run(sync_once(identity_path))
    except HubUnreachable:
        pass
    except EdiaryError as exc:
        log.warning("sync failed: %s", exc)
    status = laptop_status()
    return status_line(status) if status is not None else None
