"""Laptops and the hub end to end: ``ediary serve`` in its own process, laptops in their own
data folders, real TLS on 127.0.0.1, the commands as people type them."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from node.cli import main
from node.identity import load_or_create_identity
from node.models import Attendance, Lesson, Mark, Meta, School, SyncPeer, User
from node.services.access import auth
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.base.history import NODE_ID_KEY
from node.services.gradebook import journal
from sync import engine
from sync.client import HubAddress, fetch_fingerprint
from sync.discovery import FoundHub, discover
from sync.runner import laptop_status, status_line
from tests.conftest import SCHOOL_TODAY
from tests.factories import SmallSchool
from tests.ports import free_port
from tests.processes import Output
from tests.sync.net_support import PASSWORD, HubFolder, on

CODE = re.compile(r"Pairing code for \S+ \(.*\): (\S+)")


@dataclass
class Hub:
    data_dir: Path
    port: int
    school: SmallSchool
    english_lesson: str
    process: subprocess.Popen[str] | None = None
    output: Output | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> str:
        if self.process is None:
            return ""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        assert self.output is not None
        return self.output.text()


def run(data_dir: Path, *args: str, answers: str = "") -> tuple[int, str]:
    """``ediary --data-dir DIR ARGS`` in this process; (exit code, what it printed)."""
    out, err, stdin = io.StringIO(), io.StringIO(), io.StringIO(answers)
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = stdin, out, err
    try:
        code = main(["--lang", "en", "--data-dir", str(data_dir), *args])
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return code, out.getvalue() + err.getvalue()


def start_serve(data_dir: Path, sync_port: int, *args: str) -> tuple[subprocess.Popen[str], Output]:
    """``ediary serve ARGS`` on ``data_dir`` in its own process, once it says its sync port
    serves (and 'ediary pair' knows the certificate it presents)."""
    env = os.environ | {"EDIARY_DATA_DIR": str(data_dir)}
    command = ["serve", "--port", str(free_port()), "--sync-port", str(sync_port), *args]
    process = subprocess.Popen(
        [sys.executable, "-m", "node.cli", "--lang", "en", *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(process)
    try:
        output.wait_for_text(f"sync: https://127.0.0.1:{sync_port}/")
    except AssertionError:
        process.kill()
        process.wait()
        raise
    return process, output


@pytest.fixture
def hub(hub_folder: HubFolder) -> Iterator[Hub]:
    """The hub's ``ediary serve``, one process (the web page's extra processes are
    tests/web/test_workers.py's subject, not sync's)."""
    folder = hub_folder
    hub = Hub(folder.data_dir, free_port(), folder.school, folder.english_lesson)
    hub.process, hub.output = start_serve(folder.data_dir, hub.port, "--workers", "1")
    yield hub
    hub.stop()


def pair_code(hub: Hub, login: str) -> str:
    code, out = run(hub.data_dir, "pair", "--user", login)
    assert code == 0, out
    match = CODE.search(out)
    assert match, out
    return match.group(1)


def join(hub: Hub, laptop: Path, login: str) -> str:
    """Pair ``laptop`` for ``login`` the way the README says; returns what join printed."""
    code, out = run(laptop, "join", hub.address, answers=f"y\n{pair_code(hub, login)}\n")
    assert code == 0, out
    return out


def test_pair_bootstrap_and_sync_both_ways(hub: Hub, tmp_path: Path):
    laptop = tmp_path / "laptop"
    out = join(hub, laptop, "ivanova")
    assert "Paired with the school server as ivanova" in out
    assert "Received the school's data for this laptop (" in out
    school = hub.school

    with on(laptop):
        # her journals came, other classes' did not; her password works offline
        assert Lesson.select().where(Lesson.assignment == school.maths.id).count() == 6
        assert Lesson.select().where(Lesson.assignment == school.maths_8b.id).count() == 0
        assert auth.sign_in("ivanova", PASSWORD, client="test").actor.login == "ivanova"
        assert not User.get_by_id(school.other_teacher.id).password_hash
        teacher = Actor.from_user(User.get_by_id(school.teacher.id))
        with clock.frozen_time(SCHOOL_TODAY):
            journal.set_marks(teacher, school.maths_lessons[-1].id, school.students[1].id, ["4"])
        assert SyncPeer.get().role == "hub"

        assert laptop_status().pending >= 1  # the mark (and its history) wait for the hub
    code, out = run(laptop, "sync")
    assert code == 0, out
    assert "changes received" in out
    with on(laptop):
        status = laptop_status()
        assert (status.pending, status.conflicts, status.error) == (0, 0, "")
        assert status_line(status).endswith(", 0 pending, 0 conflicts")
    with on(hub.data_dir):
        mark = Mark.get(Mark.student == school.students[1].id)
        assert (mark.value, mark.lesson_id) == ("4", school.maths_lessons[-1].id)
        # the teacher marks on the server too (over SSH, in the TUI)
        teacher = Actor.from_user(User.get_by_id(school.teacher.id))
        with clock.frozen_time(SCHOOL_TODAY):
            journal.set_marks(teacher, school.maths_lessons[-1].id, school.students[2].id, ["5"])

    code, out = run(laptop, "sync")
    assert code == 0, out
    with on(laptop):
        assert Mark.get(Mark.student == school.students[2].id).value == "5"

    code, out = run(hub.data_dir, "nodes", "list")
    assert code == 0 and "replica" in out and "ivanova" in out and "ok" in out

    # the hub's database is restored from a backup: a new epoch, and the laptop resends all
    with on(hub.data_dir):
        epoch = engine.new_epoch()
    code, out = run(laptop, "sync")
    assert code == 0, out
    with on(laptop):
        assert SyncPeer.get().epoch == epoch
        assert Mark.get(Mark.student == school.students[1].id).value == "4"


def test_a_change_outside_the_users_rights_is_refused_with_its_reason(hub: Hub, tmp_path: Path):
    laptop = tmp_path / "laptop"
    join(hub, laptop, "petrov")
    with on(laptop):  # a tampered laptop renames the school behind the services' back
        School.update(name="Школа № 666").execute()

    code, out = run(laptop, "sync")

    assert code == 0, out
    assert "The school server refused 1 of this laptop's changes:" in out
    assert "petrov may not change this record (the school's data)" in out
    with on(hub.data_dir):
        assert School.get().name == "Школа № 1"


def test_a_revoked_laptop_gets_nothing_more(hub: Hub, tmp_path: Path):
    laptop = tmp_path / "laptop"
    join(hub, laptop, "ivanova")
    with on(laptop):
        laptop_id = load_or_create_identity(laptop / "node_key.pem")[1]

    code, out = run(hub.data_dir, "nodes", "revoke", laptop_id[:8])
    assert code == 0 and "Revoked" in out, out
    with on(hub.data_dir):
        teacher = Actor.from_user(User.get_by_id(hub.school.teacher.id))
        with clock.frozen_time(SCHOOL_TODAY):
            lesson = hub.school.maths_lessons[-1].id
            journal.set_marks(teacher, lesson, hub.school.students[3].id, ["3"])

    code, out = run(laptop, "sync")
    assert code == 4 and "revoked" in out, out
    with on(laptop):
        assert not Mark.select().where(Mark.student == hub.school.students[3].id).exists()
        assert "revoked" in SyncPeer.get().last_error


def test_sync_says_what_is_wrong_and_exits_non_zero(hub: Hub, tmp_path: Path):
    lonely = tmp_path / "lonely"
    with on(lonely):
        pass
    code, out = run(lonely, "sync")
    assert code == 3 and "not paired" in out

    laptop = tmp_path / "laptop"
    code, out = run(laptop, "join", hub.address, answers="y\nAAAA-BBBB-CCCC\n")
    assert code == 4 and "wrong, already used or expired" in out
    code, out = run(laptop, "join", hub.address, answers="n\n")
    assert code == 2 and "fingerprints must be the same" in out

    join(hub, laptop, "ivanova")
    code, out = run(laptop, "join", hub.address)
    assert code == 2 and "already paired" in out
    code, out = run(hub.data_dir, "join", hub.address)
    assert code == 2 and "already holds a school" in out

    hub.stop()
    code, out = run(laptop, "sync")
    assert code == 8 and "does not answer" in out, out
    with on(laptop):  # offline, the teacher still signs in with her own password
        assert auth.sign_in("ivanova", PASSWORD, client="tui").actor.login == "ivanova"


def test_the_running_hub_is_found_on_loopback(hub: Hub):
    with on(hub.data_dir):
        hub_id = Meta.get_value(NODE_ID_KEY)
    found = discover(timeout=5.0, interfaces=["127.0.0.1"], node_id=hub_id)
    assert (hub_id, hub.port) in [(h.node_id, h.address.port) for h in found]


def test_two_teachers_mark_one_class_offline_and_everything_meets_on_the_hub(
    hub: Hub, tmp_path: Path
):
    """The issue's "Done when": every mark reaches the hub; the one real conflict is shown."""
    school = hub.school
    with on(hub.data_dir), clock.frozen_time(SCHOOL_TODAY):
        petrov = Actor.from_user(User.get_by_id(school.other_teacher.id))
        absence = journal.set_attendance(
            petrov, hub.english_lesson, school.students[0].id, "absent"
        )
    laptop_a, laptop_b = tmp_path / "ivanova", tmp_path / "petrov"
    join(hub, laptop_a, "ivanova")  # maths teacher and class teacher of 7А
    join(hub, laptop_b, "petrov")  # English in 7А

    # offline: each marks their own lessons of 7А, and both touch the same absence
    with on(laptop_a), clock.frozen_time(SCHOOL_TODAY):
        ivanova = Actor.from_user(User.get_by_id(school.teacher.id))
        for student, value in zip(school.students[:4], "5443", strict=True):
            journal.set_marks(ivanova, school.maths_lessons[-1].id, student.id, [value])
        journal.correct_attendance(ivanova, absence.id, "excused", "справка")
    with on(laptop_b), clock.frozen_time(SCHOOL_TODAY):
        petrov = Actor.from_user(User.get_by_id(school.other_teacher.id))
        for student, value in zip(school.students[:3], "354", strict=True):
            journal.set_marks(petrov, hub.english_lesson, student.id, [value])
        journal.set_attendance(petrov, hub.english_lesson, school.students[0].id, "late")

    # back at school: both sync (twice, so each gets the other's work)
    outputs = [run(laptop, "sync") for laptop in (laptop_a, laptop_b, laptop_a)]
    assert all(code == 0 for code, _out in outputs), outputs
    assert "Conflicting edits: 1." in outputs[1][1]  # shown to the second to arrive

    with on(hub.data_dir):
        maths = Mark.select().where(Mark.lesson == school.maths_lessons[-1].id)
        english = Mark.select().where(Mark.lesson == hub.english_lesson)
        assert sorted(m.value for m in maths) == ["3", "4", "4", "5"]
        assert sorted(m.value for m in english) == ["3", "4", "5"]
        hub_code = Attendance.get_by_id(absence.id).code
        conflicts = list_conflicts()
    assert len(conflicts) == 1 and conflicts[0][0] == "attendance"
    for laptop in (laptop_a, laptop_b):
        with on(laptop):
            assert Attendance.get_by_id(absence.id).code == hub_code
            assert Mark.select().where(Mark.lesson == hub.english_lesson).count() == 3
    with on(laptop_a):  # the class teacher sees her class's English marks too
        assert Mark.select().where(Mark.lesson == school.maths_lessons[-1].id).count() == 4


def list_conflicts() -> list[tuple[str, str]]:
    from node.models import db

    return list(db.execute_sql("SELECT tbl, kind FROM sync_conflict WHERE kind != 'rejected'"))


def test_join_without_an_address_takes_the_hub_that_announced_itself(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import node.cli.sync as commands

    with on(hub.data_dir):
        hub_id = Meta.get_value(NODE_ID_KEY)
    real = fetch_fingerprint(HubAddress("127.0.0.1", hub.port))
    announced = [FoundHub("ediary", HubAddress("127.0.0.1", hub.port), hub_id, "AB" * 32, 1)]
    monkeypatch.setattr(commands, "discover", lambda: announced)
    code, out = run(tmp_path / "a", "join", answers="y\n")
    assert code == 4 and "another certificate than it announced" in out, out

    announced[0] = FoundHub("ediary", announced[0].address, hub_id, real.replace(" ", ""), 1)
    code, out = run(tmp_path / "b", "join", answers=f"y\n{pair_code(hub, 'ivanova')}\n")
    assert code == 0 and "Paired with the school server as ivanova" in out, out


def test_join_says_how_to_go_on_when_no_hub_announces_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import node.cli.sync as commands

    monkeypatch.setattr(commands, "discover", lambda: [])
    code, out = run(tmp_path / "laptop", "join")
    assert code == 3 and "ediary join HOST:8443" in out, out
