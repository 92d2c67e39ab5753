"""Messages on the parent page: write to the class teacher, read, reply, unread count, API."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from node.models import MailMessage, MailThread
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.messaging import mail
from node.web.app import create_app
from tests.helpers import nothing_written
from tests.web.test_web import csrf_of, sign_in

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
async def client(aiohttp_client, web_school, tmp_path):
    client = await aiohttp_client(
        create_app(tmp_path / "ediary.db"), headers={"Accept-Language": "en"}
    )
    assert (await sign_in(client, "parent1")).status == 303
    return client


def _teacher_choice(page: str, school) -> str:
    value = f"user:{school.teacher.id}"
    assert f'value="{value}"' in page, page
    return value


def _teacher(school) -> mail.Recipient:
    return mail.Recipient(mail.USER, school.teacher.id)


async def _write(client, school, subject: str, body: str):
    child = school.students[0].id
    page = await (await client.get(f"/messages/new?student={child}")).text()
    form = {
        "csrf_token": csrf_of(page),
        "student": child,
        "to": _teacher_choice(page, school),
        "subject": subject,
        "body": body,
    }
    return await client.post("/messages/new", data=form, allow_redirects=False)


async def test_parent_writes_to_the_class_teacher(client, web_school):
    page = await (await client.get(f"/messages/new?student={web_school.students[0].id}")).text()
    assert "Administration" in page or "System administrators" in page  # the school too
    response = await _write(client, web_school, "Homework", f"Question {SCRIPT}")
    assert response.status == 303
    location = response.headers["Location"]
    thread = MailThread.get()
    assert location == f"/messages/{thread.id}"
    shown = await client.get(location)
    text = await shown.text()
    assert shown.status == 200 and shown.headers["Cache-Control"] == "no-store"
    assert SCRIPT not in text  # a stored script is text on the page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    teacher_inbox = mail.inbox(Actor.from_user(web_school.teacher))
    assert [t.subject for t in teacher_inbox] == ["Homework"] and teacher_inbox[0].unread


async def test_unread_count_inbox_and_reply(client, web_school):
    parent = Actor.from_user(web_school.parent)
    with clock.frozen_time(dt.datetime(2026, 11, 25, 10, 0)):  # the pages are read at 12:00
        sent = mail.send_message(parent, [_teacher(web_school)], "Trip", "When do we leave?")
    with clock.frozen_time(dt.datetime(2026, 11, 25, 11, 0)):
        mail.reply(Actor.from_user(web_school.teacher), sent.thread_id, "At 9:00.")
    thread = MailThread.get()
    inbox = await (await client.get("/messages")).text()
    assert re.search(r'class="badge"[^>]*>1<', inbox), inbox  # the menu shows 1 unread
    assert 'class="unread"' in inbox and "Trip" in inbox
    page = await (await client.get(f"/messages/{thread.id}")).text()
    assert "At 9:00." in page and 'class="badge"' not in page  # opening reads it
    reply = await client.post(
        f"/messages/{thread.id}/reply",
        data={"csrf_token": csrf_of(page), "body": "Thank you!"},
        allow_redirects=False,
    )
    assert reply.status == 303 and reply.headers["Location"].startswith(f"/messages/{thread.id}#m-")
    assert MailMessage.select().count() == 3
    assert "Thank you!" in await (await client.get(f"/messages/{thread.id}")).text()


async def test_bad_messages_write_nothing(client, web_school):
    await _write(client, web_school, "Trip", "When do we leave?")
    thread = MailThread.get()
    page = await (await client.get(f"/messages/{thread.id}")).text()
    token = csrf_of(page)
    empty = await client.post(f"/messages/{thread.id}/reply", data={"csrf_token": token})
    assert empty.status == 400 and "When do we leave?" in await empty.text()
    assert MailMessage.select().count() == 1
    new = await (await client.get("/messages/new")).text()
    with nothing_written():
        forged = await client.post(f"/messages/{thread.id}/reply", data={"body": "hi"})
        assert forged.status == 403  # no CSRF token
        bad_to = await client.post(
            "/messages/new",
            data={"csrf_token": token, "to": "nobody", "subject": "x", "body": "y"},
        )
        assert bad_to.status == 400 and "Choose who the message is to" in await bad_to.text()
        stranger = await client.post(
            "/messages/new",
            data={
                "csrf_token": csrf_of(new),
                "to": f"user:{web_school.other_parent.id}",
                "subject": "Hello",
                "body": "typed text kept",
            },
        )
        assert stranger.status == 400 and "typed text kept" in await stranger.text()


async def test_another_familys_thread_is_404(client, web_school):
    other = Actor.from_user(web_school.other_parent)
    choice = mail.allowed_recipients(other)[0]
    theirs = mail.send_message(other, [choice.recipient], "Private", "Our family's matter")
    page = await (await client.get("/messages")).text()
    assert "Private" not in page
    token = csrf_of(page)
    with nothing_written():
        assert (await client.get(f"/messages/{theirs.thread_id}")).status == 404
        posted = await client.post(
            f"/messages/{theirs.thread_id}/reply", data={"csrf_token": token, "body": "hi"}
        )
        assert posted.status == 404
        assert (await client.get(f"/api/v1/messages/{theirs.thread_id}")).status == 404


async def test_messages_api(client, web_school):
    child = web_school.students[0].id
    found = await (await client.get(f"/api/v1/recipients?student={child}")).json()
    teacher = next(r for r in found["recipients"] if r["id"] == web_school.teacher.id)
    assert teacher["kind"] == "user" and teacher["label"]
    sent = await client.post(
        "/api/v1/messages",
        json={
            "recipients": [{"kind": "user", "id": web_school.teacher.id}],
            "subject": "API",
            "body": SCRIPT,
        },
    )
    assert sent.status == 201
    thread = await sent.json()
    assert thread["messages"][0]["body"] == SCRIPT  # JSON carries the text as it was typed
    listed = await (await client.get("/api/v1/messages")).json()
    assert listed["unread"] == 0 and listed["threads"][0]["subject"] == "API"
    answered = await client.post(
        f"/api/v1/messages/{thread['thread_id']}/reply", json={"body": "Second"}
    )
    assert answered.status == 201 and (await answered.json())["mine"] is True
    opened = await (await client.get(f"/api/v1/messages/{thread['thread_id']}")).json()
    assert [m["body"] for m in opened["messages"]] == [SCRIPT, "Second"]


async def test_api_writes_need_json(client, web_school):
    with nothing_written():
        form = await client.post("/api/v1/messages", data={"subject": "x"})
        assert form.status == 415
        broken = await client.post(
            "/api/v1/messages", data="{nope", headers={"Content-Type": "application/json"}
        )
        assert broken.status == 400
        empty = await client.post("/api/v1/messages", json={"recipients": [], "body": "x"})
        assert empty.status == 400
        bad = await client.get("/api/v1/messages?limit=lots")
        assert bad.status == 400
