"""Backups on the administration screen (#8): the age of the last verified backup, with the
warning ``ediary status`` gives past 24 h, the destinations and the last automatic run's
error — all from ``backup_status``, the core's one reading of the backup state."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static

from node.i18n import _
from node.services.health.backup_status import (
    BackupStatus,
    backup_status,
    describe_age,
    stale_warning,
)
from tui.backend import Outcome
from tui.screens.admin_pane import AdminPane


def _when(moment: object) -> str:
    return moment.strftime("%d.%m.%Y %H:%M UTC") if moment else _("never")  # type: ignore[attr-defined]


class BackupsPane(AdminPane):
    ACTIONS = frozenset({"refresh"})

    @dataclass
    class Loaded(Message):
        outcome: Outcome[BackupStatus]

    def __init__(self) -> None:
        super().__init__("backups")
        self.status: BackupStatus | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="backups-warning", markup=False)
        yield Static("", id="backups-body", markup=False)

    def load(self) -> None:
        self.loaded = True
        self._load()

    @work(thread=True, exclusive=True, group="admin-backups")
    def _load(self) -> None:
        backend = self.app.backend
        outcome = backend.attempt(backup_status, backend.actor, backend.data_dir)
        self.post_message(self.Loaded(outcome))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        status = self.unwrap(message.outcome)
        if status is None:
            return
        self.status = status
        self.say("")
        warning = self.query_one("#backups-warning", Static)
        warning.update(stale_warning(status) if status.stale else _("Backups are up to date."))
        warning.set_class(status.stale, "error")
        lines = [
            _("Last verified backup: {age} ({when})").format(
                age=describe_age(status.age), when=_when(status.verified_at)
            )
            if status.verified_at
            else _("Last verified backup: never"),
            _("Last backup made: {when}").format(when=_when(status.last_backup_at)),
            "",
            _("Destinations of the last backup:"),
        ]
        lines += [f"  {path}" for path in status.destinations] or [_("  (no backup made yet)")]
        if status.missing:
            lines.append(_("Not reachable then (a drive not plugged in?):"))
            lines += [f"  {path}" for path in status.missing]
        lines.append("")
        if status.last_error:
            lines.append(
                _("Last automatic run failed {when}: {error}").format(
                    when=_when(status.last_error_at), error=status.last_error
                )
            )
        elif status.last_auto_at is not None:
            lines.append(
                _("The last automatic run ({when}) reported no error.").format(
                    when=_when(status.last_auto_at)
                )
            )
        else:
            lines.append(
                _(
                    "No automatic backup has run yet: start the backup timer "
                    "('ediary backup auto', see README) or 'ediary serve', which runs them."
                )
            )
        self.query_one("#backups-body", Static).update("\n".join(lines))
