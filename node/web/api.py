"""The JSON API under ``/api/v1/``: the same data as the pages (node/web/openapi.json).

Writes (POST) take a JSON body and refuse any other content type: a page on another site
cannot send ``application/json`` to us without a CORS preflight we never answer, so the
session cookie cannot be used from there (the forms' CSRF token does that job for pages).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from aiohttp import web

from node.errors import ValidationError
from node.i18n import _
from node.services.messaging import mail
from node.web import keys, params
from node.web.messages import PAGE_SIZE, parse_recipient
from node.web.session import in_thread
from node.web.views import STUDENT_VIEWS, load

#: The API's description (OpenAPI 3); a test keeps it and the routes in step.
OPENAPI = Path(__file__).with_name("openapi.json")
#: The most conversations one API call lists.
MAX_LIMIT = 200


async def openapi(request: web.Request) -> web.FileResponse:
    return web.FileResponse(OPENAPI, headers={"Content-Type": "application/json"})


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


async def children(request: web.Request) -> web.Response:
    _actor, kids, _data = await load(request, "api children", count_unread=False)
    return web.json_response({"children": _plain(kids)})


def student_api(page: str) -> Any:
    """The JSON twin of a child's page: the same service, the same checks."""
    fn, argument, _name = STUDENT_VIEWS[page]

    async def handler(request: web.Request) -> web.Response:
        args = (argument(request),) if argument else ()
        _actor, _kids, data = await load(
            request,
            f"api {page}",
            fn,
            params.path_id(request, "student_id"),
            *args,
            count_unread=False,
        )
        return web.json_response(_plain(data) if page != "homework" else {"homework": _plain(data)})

    return handler


async def messages(request: web.Request) -> web.Response:
    limit = params.query_int(request, "limit", PAGE_SIZE, low=1, high=MAX_LIMIT)
    offset = params.query_int(request, "offset", 0, low=0, high=params.MAX_OFFSET)

    def read(actor: Any) -> list[mail.ThreadSummary]:
        return mail.inbox(actor, limit=limit, offset=offset)

    _actor, _kids, threads = await load(request, "api messages", read)
    return web.json_response({"threads": _plain(threads), "unread": request[keys.UNREAD]})


async def thread(request: web.Request) -> web.Response:
    thread_id = params.path_id(request, "thread_id")
    _actor, _kids, found = await load(
        request, "api thread", mail.open_thread, thread_id, count_unread=False
    )
    return web.json_response(_plain(found))


async def reply(request: web.Request) -> web.Response:
    thread_id = params.path_id(request, "thread_id")
    body = await params.json_object(request)
    text = params.text_field(body, "body")
    actor, _kids, _data = await load(request, "", count_unread=False)
    message = await in_thread(request, mail.reply, actor, thread_id, text)
    return web.json_response(_plain(message), status=201)


async def recipients(request: web.Request) -> web.Response:
    student = params.query_id(request, "student")

    def choices(actor: Any) -> list[mail.RecipientChoice]:
        return mail.allowed_recipients(actor, student_id=student)

    _actor, _kids, found = await load(request, "", choices, count_unread=False)
    return web.json_response(
        {
            "recipients": [
                {"kind": c.recipient.kind, "id": c.recipient.id, "label": c.label} for c in found
            ]
        }
    )


async def send(request: web.Request) -> web.Response:
    body = await params.json_object(request)
    to = body.get("recipients")
    if not isinstance(to, list) or not to or not all(isinstance(r, dict) for r in to):
        raise ValidationError(_("Give the recipients as a list of objects with a kind and an id."))
    chosen = [parse_recipient(f"{r.get('kind', '')}:{r.get('id', '')}") for r in to]
    actor, _kids, _data = await load(request, "", count_unread=False)
    found = await in_thread(
        request,
        mail.send_message,
        actor,
        chosen,
        params.text_field(body, "subject"),
        params.text_field(body, "body"),
    )
    return web.json_response(_plain(found), status=201)
