"""The week page and the API show who substitutes a lesson and why a lesson was cancelled."""

from __future__ import annotations

import datetime as dt

import pytest

from node.models import Lesson
from node.services.base.actor import Actor
from node.services.school import substitutions, timetable
from node.web.app import create_app
from tests.web.conftest import WEEK
from tests.web.test_web import sign_in


@pytest.fixture
async def client(aiohttp_client, web_school, tmp_path):
    return await aiohttp_client(
        create_app(tmp_path / "ediary.db"), headers={"Accept-Language": "en"}
    )


async def test_the_week_names_the_substitute_and_the_reason(client, web_school):
    s = web_school
    deputy = Actor.from_user(s.deputy)
    taken = Lesson.get(Lesson.assignment == s.maths, Lesson.date == dt.date(2026, 11, 25))
    gone = Lesson.get(Lesson.assignment == s.maths, Lesson.date == dt.date(2026, 11, 23))
    substitutions.set_substitute(deputy, taken.id, s.other_teacher.id, "болезнь")
    timetable.cancel_lesson(deputy, gone.id, "Учитель на курсах")
    await sign_in(client, "parent1")
    child = s.students[0].id
    text = await (await client.get(f"/s/{child}/week?start={WEEK}")).text()
    assert "substitute: Петров О. В." in text
    assert "Cancelled: Учитель на курсах" in text
    assert "болезнь" not in text  # the reason of a substitution is the administration's
    week = await (await client.get(f"/api/v1/students/{child}/week?start={WEEK}")).json()
    monday, wednesday = week["days"][0], week["days"][2]
    assert wednesday["lessons"][0]["substitute"] == "Петров О. В."
    assert monday["lessons"][0]["cancelled"] is True
    assert monday["lessons"][0]["cancel_reason"] == "Учитель на курсах"
    assert monday["lessons"][0]["substitute"] == ""
