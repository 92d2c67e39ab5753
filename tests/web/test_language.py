"""Which language a page speaks: cookie > the user's own > Accept-Language > the school's."""

from __future__ import annotations

import pytest

from node.models import School, User
from node.web.app import create_app
from node.web.session import accepted_language
from tests.web.test_web import sign_in

ENGLISH = "Previous week"
RUSSIAN = "Предыдущая неделя"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("fr, en;q=0.8, ru;q=0.9", "ru"),
        ("de, fr", None),
        ("ru;q=0, en;q=0.1", "en"),
        ("en;q=nonsense, ru", "ru"),
        ("", None),
    ],
)
def test_accept_language(header, expected):
    assert accepted_language(header) == expected


async def _week(client, school, **headers) -> str:
    child = school.students[0].id
    response = await client.get(f"/s/{child}/week", headers=headers)
    assert response.status == 200
    return await response.text()


async def test_users_own_language_beats_the_browser(aiohttp_client, web_school, tmp_path):
    User.update(language="en").where(User.id == web_school.parent.id).execute()
    client = await aiohttp_client(create_app(tmp_path / "ediary.db"))
    await sign_in(client, "parent1")
    assert ENGLISH in await _week(client, web_school, **{"Accept-Language": "ru"})
    client.session.cookie_jar.update_cookies({"ediary_lang": "ru"})  # the switch beats both
    assert RUSSIAN in await _week(client, web_school, **{"Accept-Language": "en"})


async def test_browser_beats_the_school_and_the_school_is_last(
    aiohttp_client, web_school, tmp_path
):
    School.update(locale="en").execute()
    client = await aiohttp_client(create_app(tmp_path / "ediary.db"))
    await sign_in(client, "parent1")  # no language of their own
    assert RUSSIAN in await _week(client, web_school, **{"Accept-Language": "de, ru;q=0.5"})
    assert ENGLISH in await _week(client, web_school, **{"Accept-Language": "de"})
    page = await client.get("/signin", headers={"Accept-Language": "fr"})
    assert "Sign in" in await page.text()
