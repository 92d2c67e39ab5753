"""The terminal UI runs a laptop's background sync off the UI and shows its status line."""

from __future__ import annotations

import threading

from node.models import User
from node.services.access.passwords import hash_password
from tests.factories import SmallSchool
from tests.tui.test_journal_tui import settle
from tui.app import EdiaryApp

PASSWORD = "correct horse battery"
LINE = "last sync 25.11 12:00, 0 pending, 1 conflicts"


def _with_password(school: SmallSchool) -> None:
    User.update(password_hash=hash_password(PASSWORD)).where(User.id == school.teacher.id).execute()


async def test_after_sign_in_the_background_job_runs_in_a_thread_and_its_line_shows(
    school: SmallSchool, database
):
    _with_password(school)
    threads: list[threading.Thread] = []

    def background() -> str:
        threads.append(threading.current_thread())
        return LINE

    app = EdiaryApp(database.database, sign_in_as=("ivanova", PASSWORD), background=background)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)  # signed in, home mounted, the background job's worker done
        assert app.sub_title == f"ivanova · {LINE}"
    assert threads and threads[0] is not threading.main_thread()
