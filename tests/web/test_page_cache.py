"""The child pages' cache (``node.web.pagecache``): never stale, never another session's.

Each test opens a page once (so it is cached), changes something the page depends on in
the database the way any writer would, and checks the very next request shows it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from node.models import Guardian, Lesson, Mark, StudentGuardian, User, db
from node.services.access import auth
from node.services.gradebook import diary
from node.services.messaging import mail
from node.services.messaging.mail_recipients import USER, Recipient
from node.web import keys, views
from node.web.app import create_app
from node.web.pagecache import DataVersion, PageCache, PageKey
from node.web.viewlog import ViewLog
from tests.web.conftest import PASSWORD, WEEK
from tests.web.test_web import csrf_of, sign_in


@pytest.fixture
async def app_client(aiohttp_client, web_school, tmp_path):
    app = create_app(tmp_path / "ediary.db")
    return app, await aiohttp_client(app, headers={"Accept-Language": "en"})


def _week(school) -> str:
    return f"/s/{school.students[0].id}/week?start={WEEK}"


async def _page(client, path: str) -> str:
    response = await client.get(path, allow_redirects=False)
    assert response.status == 200, response.status
    assert response.headers["Cache-Control"] == "no-store"  # cached here, never in a browser
    return await response.text()


async def test_a_reload_is_served_from_the_cache(app_client, web_school):
    app, client = app_client
    await sign_in(client, "parent1")
    first = await _page(client, _week(web_school))
    assert len(app[keys.PAGE_CACHE]) == 1
    assert await _page(client, _week(web_school)) == first


async def test_a_new_mark_shows_on_the_very_next_request(app_client, web_school):
    _app, client = app_client
    await sign_in(client, "parent1")
    assert 'title="Контрольная работа">3<' not in await _page(client, _week(web_school))
    lesson = Lesson.get(
        Lesson.assignment == web_school.maths,
        Lesson.date == dt.date(2026, 11, 25),
        Lesson.number == 2,
    )
    Mark.create(
        lesson=lesson,
        student=web_school.students[0],
        position=1,
        value="3",
        points=3,
        work_type=web_school.test_work,
        updated_at=dt.datetime(2026, 11, 25, 13),
    )
    assert 'title="Контрольная работа">3<' in await _page(client, _week(web_school))


async def test_a_changed_topic_written_as_raw_sql_shows_at_once(app_client, web_school):
    """Any writer counts, not only the services: the change log's triggers see raw SQL."""
    _app, client = app_client
    await sign_in(client, "parent1")
    await _page(client, _week(web_school))
    db.execute_sql(
        "UPDATE lesson SET topic = 'Дроби и проценты' WHERE assignment_id = ?",
        (web_school.maths.id,),
    )
    assert "Дроби и проценты" in await _page(client, _week(web_school))


async def test_a_cached_page_is_never_served_to_another_session(app_client, web_school):
    app, client = app_client
    await sign_in(client, "parent1")
    parent_page = await _page(client, _week(web_school))
    client.session.cookie_jar.clear()
    await sign_in(client, "student1")  # may see the same child, at the same address
    student_page = await _page(client, _week(web_school))
    assert csrf_of(student_page) != csrf_of(parent_page)
    assert len(app[keys.PAGE_CACHE]) == 2
    client.session.cookie_jar.clear()
    await sign_in(client, "parent2")  # another family: 404 even though the page is cached
    response = await client.get(_week(web_school), allow_redirects=False)
    assert response.status == 404
    assert "Математика" not in await response.text()


async def test_a_second_session_of_the_same_parent_gets_its_own_page(app_client, web_school):
    _app, client = app_client
    await sign_in(client, "parent1")
    first = await _page(client, _week(web_school))
    client.session.cookie_jar.clear()
    await sign_in(client, "parent1")
    assert csrf_of(await _page(client, _week(web_school))) != csrf_of(first)


async def test_a_revoked_session_fails_on_its_very_next_request(app_client, web_school):
    _app, client = app_client
    await sign_in(client, "parent1")
    await _page(client, _week(web_school))
    with db.atomic():
        assert auth.end_sessions(web_school.parent.id) == 1
    response = await client.get(_week(web_school), allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/signin"


async def test_a_disabled_account_is_refused_at_once(app_client, web_school):
    _app, client = app_client
    await sign_in(client, "parent1")
    await _page(client, _week(web_school))
    User.update(status="disabled").where(User.id == web_school.parent.id).execute()
    response = await client.get(_week(web_school), allow_redirects=False)
    assert response.status == 403
    assert "Математика" not in await response.text()


async def test_a_removed_guardian_link_ends_access_at_once(app_client, web_school):
    _app, client = app_client
    await sign_in(client, "parent1")
    await _page(client, _week(web_school))
    guardian = Guardian.get(Guardian.user == web_school.parent.id)
    StudentGuardian.delete().where(StudentGuardian.guardian == guardian.id).execute()
    response = await client.get(_week(web_school), allow_redirects=False)
    assert response.status == 404


async def test_a_new_message_shows_in_the_menu_at_once(app_client, web_school):
    _app, client = app_client
    await sign_in(client, "parent1")
    assert 'class="badge"' not in await _page(client, _week(web_school))
    teacher = web_school.actor(web_school.teacher)
    mail.send_message(teacher, [Recipient(USER, web_school.parent.id)], "Экскурсия", "В пятницу.")
    assert 'class="badge"' in await _page(client, _week(web_school))


async def test_the_language_is_part_of_the_key(app_client, web_school):
    _app, client = app_client
    await sign_in(client, "parent1")
    assert "Previous week" in await _page(client, _week(web_school))
    await client.get("/lang/ru", allow_redirects=False)
    assert "Предыдущая неделя" in await _page(client, _week(web_school))


def test_tomorrow_is_a_new_page(web_school):
    """'Today' is marked on the week, so the date is part of the key."""
    late, after_midnight = dt.datetime(2026, 11, 25, 23, 50), dt.datetime(2026, 11, 26, 0, 10)
    with diary.clock.frozen_time(late):
        signed = auth.sign_in("parent1", PASSWORD, client="test")
    cache = PageCache()
    path = _week(web_school)
    trip = (cache, DataVersion(), ViewLog(), signed.token, "week", "", True, path, diary.week_diary)
    student = web_school.students[0].id
    with diary.clock.frozen_time(late):
        first = views._child_page(*trip, student, WEEK)
        assert first.html is None and first.data is not None
        cache.put(first.key, first.version, "the page")
        assert views._child_page(*trip, student, WEEK).html == "the page"
    with diary.clock.frozen_time(after_midnight):
        assert views._child_page(*trip, student, WEEK).html is None


def test_page_views_do_not_age_the_pages(web_school):
    """The activity log the pages write is replicated, but no page shows it."""
    versions = DataVersion()
    before = versions.current()
    diary.record_view(web_school.actor(web_school.parent), "week", client="test")
    assert versions.current() == before
    assert versions.current() == before  # nor later, once the views are behind it
    Lesson.update(homework="№ 14").where(Lesson.assignment == web_school.maths).execute()
    assert versions.current() > before


def test_the_cache_keeps_the_newest_pages_and_only_at_their_version():
    cache = PageCache(max_entries=2)
    keys_ = [PageKey(f"t{n}", "/s/x/week", "en", "2026-11-25") for n in range(3)]
    for n, key in enumerate(keys_):
        cache.put(key, 7, f"page {n}")
    assert len(cache) == 2 and cache.get(keys_[0], 7) is None
    assert cache.get(keys_[2], 7) == "page 2"
    assert cache.get(keys_[2], 8) is None  # built at an older version: gone
    assert cache.get(keys_[2], 7) is None
