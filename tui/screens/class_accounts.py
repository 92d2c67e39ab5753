"""Account states and access codes as the class screens show and issue them [R 3.2].

Shared by the class list and a student's profile, so neither screen imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.screen import Screen

from node.files import private_folder
from node.i18n import _
from node.render.slips import slips_writer
from node.services.access.codes import IssuedCode
from node.services.base import clock
from node.services.students.class_codes import issue_class_codes, slips_file_name
from tui.backend import Backend, Outcome
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.class_base import ServiceScreen
from tui.screens.class_dialogs import CodesDialog


def day(value: object) -> str:
    return value.strftime("%d.%m.%Y") if hasattr(value, "strftime") else ""


def account_text(state: str) -> str:
    """How the list names an account's state."""
    return {
        "none": "—",
        "pending": _("code given"),
        "active": _("active"),
        "disabled": _("disabled"),
    }.get(state, state)


def issue_with_slips(
    backend: Backend, class_id: str, label: str, student_ids: list[str] | None
) -> tuple[Outcome[list[IssuedCode]], str]:
    """Issue the codes and write their slips to the data folder's ``slips/`` (in a worker).

    Returns the outcome and the slips file's path, shown with the codes.
    """
    actor = backend.actor
    folder = backend.database_path.parent / "slips"
    written: list[Path] = []

    def run() -> list[IssuedCode]:
        private_folder(folder)
        path = folder / slips_file_name(label, clock.now())
        written.append(path)
        return issue_class_codes(
            actor, class_id, student_ids=student_ids, write_slips=slips_writer(path)
        )

    outcome = backend.attempt(run)
    return outcome, str(written[0]) if written else ""


def ask_and_issue(screen: ServiceScreen, question: str, issue: Callable[[], object]) -> None:
    """Confirm (Enter gives the codes the person just asked for), then start ``issue`` (the
    screen's worker); a cancelled request says so in the status line."""

    def answered(yes: bool | None) -> None:
        if yes:
            issue()
        else:
            screen.set_status(_("Cancelled: no codes were given."))

    screen.app.push_screen(ConfirmDialog(question, _("Give codes"), destructive=False), answered)


def show_codes(screen: Screen, outcome: Outcome[list[IssuedCode]], path: str) -> bool:
    """The codes, shown once; False (and a bell) when none were issued."""
    if outcome.value is None:
        screen.app.bell()
        return False
    screen.app.push_screen(CodesDialog(outcome.value, Path(path)))
    return True
