"""The parent and student web page, through the real app factory and ``aiohttp_client``."""

from __future__ import annotations

import re

import pytest

from node.models import ActivityLog, MailMessage
from node.services.access.codes import issue_guardian_code
from node.services.base.actor import Actor
from node.services.messaging import mail
from node.web.app import create_app
from node.web.routes import STUDENT_PAGES
from tests.factories import SmallSchool
from tests.web.conftest import PASSWORD, WEEK


@pytest.fixture
async def client(aiohttp_client, web_school, tmp_path):
    return await aiohttp_client(
        create_app(tmp_path / "ediary.db"), headers={"Accept-Language": "en"}
    )


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


async def sign_in(client, login: str, password: str = PASSWORD):
    page = await client.get("/signin")
    token = csrf_of(await page.text())
    return await client.post(
        "/signin",
        data={"login": login, "password": password, "csrf_token": token},
        allow_redirects=False,
    )


async def test_sign_in_sets_a_safe_cookie_and_opens_the_diary(client, web_school):
    response = await sign_in(client, "parent1")
    assert response.status == 303
    cookie = response.headers["Set-Cookie"]
    assert "ediary_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    page = await client.get("/children")
    text = await page.text()
    assert page.status == 200
    assert "Смирнов Артём" in text or "Смирнов А." in text


async def test_wrong_password_is_refused(client):
    response = await sign_in(client, "parent1", "wrong password!")
    assert response.status == 403
    assert "Wrong login or password" in await response.text()
    assert "ediary_session" not in response.cookies


async def test_sign_in_is_throttled(client):
    for _ in range(6):
        response = await sign_in(client, "parent1", "wrong password!")
    assert response.status == 403
    assert "Too many failed attempts" in await response.text()


async def test_post_without_csrf_is_refused(client):
    response = await client.post("/signin", data={"login": "parent1", "password": PASSWORD})
    assert response.status == 403
    assert "ediary_session" not in response.cookies
    await sign_in(client, "parent1")
    response = await client.post("/signout", data={}, allow_redirects=False)
    assert response.status == 403
    assert (await client.get("/children")).status == 200  # still signed in


async def test_security_headers_on_every_page(client):
    for path in ("/signin", "/no-such-page"):
        response = await client.get(path)
        headers = response.headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"
        assert headers["Server"] == "ediary"  # no software versions for probes
    assert (await client.get("/no-such-page")).status == 404


async def test_too_large_request_is_refused(client):
    response = await client.post("/signin", data={"login": "x" * 100_000})
    assert response.status == 413


async def test_every_page_for_parent_and_student(client, web_school):
    child = web_school.students[0].id
    for login in ("parent1", "student1"):
        client.session.cookie_jar.clear()
        assert (await sign_in(client, login)).status == 303
        for page in STUDENT_PAGES:
            response = await client.get(f"/s/{child}/{page}?start={WEEK}")
            assert response.status == 200, (login, page)
            assert response.headers["Cache-Control"] == "no-store"
        assert (await client.get("/password")).status == 200
    views = ActivityLog.select().where(ActivityLog.kind == "view").count()
    assert views >= 8


async def test_week_shows_lessons_marks_and_escapes_scripts(client, web_school):
    await sign_in(client, "parent1")
    child = web_school.students[0].id
    text = await (await client.get(f"/s/{child}/week?start={WEEK}")).text()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Математика" in text and "№ 12" in text and "09:25" in text
    marks = await (await client.get(f"/s/{child}/marks")).text()
    assert "5.00" in marks


async def _call(client, method: str, path: str, token: str):
    if method == "GET":
        return await client.get(path)
    if path.startswith("/api/"):
        return await client.post(path, json={"body": "hello"})
    return await client.post(path, data={"csrf_token": token, "body": "hello"})


async def test_foreign_ids_are_404_on_every_route(client, web_school):
    """Every route that takes an id, walked with another family's ids: all 404, like unknown."""
    other = Actor.from_user(web_school.other_parent)
    theirs = mail.send_message(other, [mail.allowed_recipients(other)[0].recipient], "x", "y")
    await sign_in(client, "parent1")
    token = csrf_of(await (await client.get("/password")).text())
    routes = [
        (r.method, r.resource.canonical)
        for r in client.app.router.routes()
        if r.resource is not None and "{" in r.resource.canonical and r.method != "HEAD"
    ]
    placeholders = {p for _m, route in routes for p in re.findall(r"{(\w+)}", route)}
    assert placeholders == {"student_id", "thread_id", "language"}, placeholders
    by_id = [(m, r) for m, r in routes if "{language}" not in r]
    assert len(by_id) == 2 * len(STUDENT_PAGES) + 4
    foreign = {
        "student_id": [web_school.other_students[0].id, web_school.students[1].id],
        "thread_id": [theirs.thread_id],
    }
    for kind, ids in foreign.items():
        for foreign_id in [*ids, "0" * 32, "nonsense"]:
            for method, route in by_id:
                if "{" + kind + "}" not in route:
                    continue
                response = await _call(
                    client, method, route.replace("{" + kind + "}", foreign_id), token
                )
                assert response.status == 404, (foreign_id, method, route)
    assert MailMessage.select().count() == 1  # nothing was posted into their thread
    own = web_school.students[0].id
    for _method, route in by_id:
        if "{student_id}" in route:
            assert (await client.get(route.replace("{student_id}", own))).status == 200


async def test_pages_need_a_session(client, web_school):
    child = web_school.students[0].id
    response = await client.get(f"/s/{child}/week", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/signin"
    assert (await client.get("/api/v1/children")).status == 401


async def test_json_api(client, web_school):
    await sign_in(client, "parent1")
    child = web_school.students[0].id
    kids = await (await client.get("/api/v1/children")).json()
    assert [c["id"] for c in kids["children"]] == [child]
    week = await (await client.get(f"/api/v1/students/{child}/week?start={WEEK}")).json()
    wednesday = week["days"][2]
    assert wednesday["date"] == "2026-11-25"
    assert wednesday["lessons"][0]["marks"][0]["value"] == "5"
    marks = await (await client.get(f"/api/v1/students/{child}/marks")).json()
    assert marks["subjects"][0]["average"] == "5.00"
    bad = await client.get(f"/api/v1/students/{child}/week?start=yesterday")
    assert bad.status == 400


async def test_activation_then_sign_in(client, web_school):
    issued = issue_guardian_code(
        Actor.from_user(web_school.teacher),
        web_school.students[1].id,
        _new_guardian(web_school),
    )
    page = await client.get("/activate")
    token = csrf_of(await page.text())
    form = {"login": issued.login, "code": issued.code, "csrf_token": token}
    mismatch = await client.post(
        "/activate", data=form | {"password": "a1b2c3d4e5f6", "password2": "x"}
    )
    assert mismatch.status == 400
    done = await client.post(
        "/activate", data=form | {"password": "sunny meadow 42", "password2": "sunny meadow 42"}
    )
    assert done.status == 200
    assert (await sign_in(client, issued.login, "sunny meadow 42")).status == 303


def _new_guardian(school: SmallSchool) -> str:
    from node.models import Guardian, StudentGuardian

    guardian = Guardian.create(last_name="Алексеев", first_name="Павел")
    StudentGuardian.create(student=school.students[1], guardian=guardian, relation="father")
    return guardian.id


async def test_language_switch(client):
    response = await client.get("/lang/ru?next=//evil.example", allow_redirects=False)
    assert response.headers["Location"] == "/"
    assert "ediary_lang=ru" in response.headers["Set-Cookie"]


async def test_cookies_are_secure_under_tls(aiohttp_client, web_school, tmp_path):
    client = await aiohttp_client(create_app(tmp_path / "ediary.db", secure_cookies=True))
    response = await client.get("/signin")
    cookie = response.headers["Set-Cookie"]  # the pre-sign-in CSRF cookie
    assert "Secure" in cookie and "HttpOnly" in cookie


async def test_a_page_opened_again_soon_is_logged_once(client, web_school):
    await sign_in(client, "parent1")
    child = web_school.students[0].id
    for _ in range(3):
        assert (await client.get(f"/s/{child}/week")).status == 200
    assert (await client.get(f"/s/{child}/marks")).status == 200
    views = [
        row.detail
        for row in ActivityLog.select().where(
            ActivityLog.kind == "view", ActivityLog.user_id == web_school.parent.id
        )
    ]
    assert sorted(views) == ["marks", "week"]


async def test_a_parent_of_two_switches_between_them(client, web_school):
    from node.models import Guardian, StudentGuardian

    guardian = Guardian.get(Guardian.user == web_school.parent.id)
    StudentGuardian.create(student=web_school.students[1], guardian=guardian, relation="mother")
    await sign_in(client, "parent1")
    page = await client.get("/children", allow_redirects=False)
    text = await page.text()
    assert page.status == 200
    first, second = web_school.students[0].id, web_school.students[1].id
    assert f'href="/s/{first}/week"' in text and f'href="/s/{second}/week"' in text
    week = await (await client.get(f"/s/{second}/week")).text()
    assert 'href="/children"' in week  # the switch back to the list
    assert (await client.get(f"/s/{second}/marks")).status == 200


async def test_errors_never_show_a_traceback(aiohttp_client, web_school, tmp_path, monkeypatch):
    from node.web import views

    def broken(actor, student_id, start):
        raise RuntimeError("secret internals /srv/ediary")

    monkeypatch.setitem(views.STUDENT_VIEWS, "week", (broken, views._start, "week"))
    client = await aiohttp_client(
        create_app(tmp_path / "ediary.db"), headers={"Accept-Language": "en"}
    )
    await sign_in(client, "parent1")
    child = web_school.students[0].id
    for path in (f"/s/{child}/week", f"/api/v1/students/{child}/week"):
        response = await client.get(path)
        text = await response.text()
        assert response.status == 500, path
        assert "Traceback" not in text and "secret internals" not in text
        assert "Something went wrong" in text
