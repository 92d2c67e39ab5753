"""A real school from the shipped example workbook: journals, a teacher's first mark, and a
parent who sees their children on the web page (issue 14's «done when», as README walks it).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from node.i18n import use_language
from node.models import Guardian, Lesson, Mark, StudentGuardian, TeachingAssignment, User
from node.models.database import open_database
from node.render.slips import slips_writer
from node.services.access import auth
from node.services.access.activation import activate
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.gradebook.journal_entry import enter_cell
from node.services.school.school_setup import create_school
from node.services.setup.codes import class_slips
from node.services.setup.report import SetupReport
from node.services.setup.run import import_setup
from node.web.app import create_app
from tests.conftest import copy_database
from tests.web.test_web import csrf_of, sign_in

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "school-example.xlsx"
#: A Wednesday in the second quarter of the example's year.
TODAY = dt.date(2026, 11, 25)
PASSWORD = "sunny meadow 42"


@pytest.fixture(scope="session")
def imported_file(
    tmp_path_factory: pytest.TempPathFactory, empty_database_file: Path
) -> tuple[Path, SetupReport]:
    """``ediary init``, then ``ediary setup import examples/school-example.xlsx``, once per
    worker, into a database left closed (``imported`` copies it)."""
    folder = tmp_path_factory.mktemp("example-school")
    database = open_database(copy_database(empty_database_file, folder / "ediary.db"))
    try:
        with clock.frozen_time(TODAY), use_language("en"):
            actor = Actor.for_system()
            create_school(actor, "МБОУ СОШ № 3", timezone="Europe/Moscow", locale="ru")
            report = import_setup(actor, [EXAMPLE])
    finally:
        database.close()
    assert report.written, [str(p) for p in report.problems]
    return folder / "ediary.db", report


@pytest.fixture
def imported(tmp_path: Path, imported_file: tuple[Path, SetupReport]) -> Iterator[SetupReport]:
    """The example school imported (a copy of ``imported_file``) in ``tmp_path/ediary.db``."""
    template, report = imported_file
    database = open_database(copy_database(template, tmp_path / "ediary.db"))
    try:
        with clock.frozen_time(TODAY):
            yield copy.deepcopy(report)
    finally:
        database.close()


def test_every_teacher_of_the_load_has_journals_with_lessons(imported: SetupReport):
    loads = {load.login: load for load in imported.teachers}
    teachers = {a.teacher.login for a in TeachingAssignment.select()}
    assert set(loads) == teachers and len(teachers) == 10
    for assignment in TeachingAssignment.select():
        lessons = Lesson.select().where(Lesson.assignment == assignment).count()
        assert lessons > 20, (assignment.teacher.login, assignment.subject.name)
    assert loads["morozova"].journals == 4


def test_a_teacher_activates_signs_in_and_sets_her_first_mark(
    imported: SetupReport, tmp_path: Path
):
    code = next(c for c in imported.codes if c.login == "morozova")
    activate("morozova", code.code, PASSWORD)
    signed = auth.sign_in("morozova", PASSWORD, client="tui")
    teacher = signed.actor
    journal = (
        TeachingAssignment.select()
        .join_from(TeachingAssignment, User)
        .where(User.login == "morozova")
        .where(TeachingAssignment.hours_per_week == 5)  # 5А Русский язык
        .get()
    )
    assert (journal.school_class.label, journal.subject.name) == ("5А", "Русский язык")
    lesson = Lesson.get(Lesson.assignment == journal, Lesson.date == TODAY)
    student = journal.students().first()
    enter_cell(teacher, lesson.id, student.id, "5")
    mark = Mark.get(Mark.lesson == lesson, Mark.student == student)
    assert mark.value == "5"


async def test_a_parent_of_two_sees_both_children_on_the_web_page(
    imported: SetupReport, aiohttp_client, tmp_path: Path
):
    # siblings in two classes share their parents: one of them has a child in 5А
    links = list(StudentGuardian.select())
    by_guardian: dict[str, list[StudentGuardian]] = {}
    for link in links:
        by_guardian.setdefault(link.guardian_id, []).append(link)
    shared = next(
        (g, ls)
        for g, ls in by_guardian.items()
        if len(ls) > 1 and any(link.student.school_class.label == "5А" for link in ls)
    )
    guardian = Guardian.get_by_id(shared[0])
    children = [link.student for link in shared[1]]
    assert {c.school_class.label for c in children} == {"1А", "5А"}
    codes = class_slips(Actor.for_system(), "5А", slips_writer(tmp_path / "5a.html"))
    user_id = Guardian.get_by_id(guardian.id).user_id
    code = next(c for c in codes if c.user_id == user_id)
    client = await aiohttp_client(
        create_app(tmp_path / "ediary.db"), headers={"Accept-Language": "en"}
    )
    page = await client.get("/activate")  # the address printed on the slip
    form = {"login": code.login, "code": code.code, "csrf_token": csrf_of(await page.text())}
    done = await client.post("/activate", data=form | {"password": PASSWORD, "password2": PASSWORD})
    assert done.status == 200
    assert (await sign_in(client, code.login, PASSWORD)).status == 303
    text = await (await client.get("/children")).text()
    for child in children:
        assert f"{child.display_name}, {child.school_class.label}" in text
