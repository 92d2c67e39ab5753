"""The web tests' school: the small school with passwords and a lesson with a script in it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from node.models import Lesson, Mark, User
from node.services.access.passwords import hash_password
from tests.factories import SmallSchool

PASSWORD = "correct horse battery"
WEEK = dt.date(2026, 11, 23)


@pytest.fixture
def web_school(school: SmallSchool, tmp_path: Path) -> SmallSchool:
    digest = hash_password(PASSWORD)
    for user in (school.parent, school.other_parent, school.student_user):
        User.update(password_hash=digest).where(User.id == user.id).execute()
    lesson = Lesson.get(
        Lesson.assignment == school.maths, Lesson.date == dt.date(2026, 11, 25), Lesson.number == 2
    )
    lesson.topic = "<script>alert(1)</script>"
    lesson.homework = "№ 12"
    lesson.save()
    Mark.delete().where(Mark.student == school.students[0].id).execute()
    Mark.create(
        lesson=lesson,
        student=school.students[0],
        value="5",
        points=5,
        work_type=school.test_work,
        updated_at=dt.datetime(2026, 11, 25, 12),
    )
    return school
