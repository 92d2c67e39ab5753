"""The JSON API under ``/api/v1/``: the same data as the pages (see docs/web-api.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from aiohttp import web

from node.web.views import STUDENT_VIEWS, load


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
    _actor, kids, _data = await load(request, "api children")
    return web.json_response({"children": _plain(kids)})


def student_api(page: str) -> Any:
    """The JSON twin of a child's page: the same service, the same checks."""
    fn, argument, _name = STUDENT_VIEWS[page]

    async def handler(request: web.Request) -> web.Response:
        args = (argument(request),) if argument else ()
        _actor, _kids, data = await load(
            request, f"api {page}", fn, request.match_info["student_id"], *args
        )
        return web.json_response(_plain(data) if page != "homework" else {"homework": _plain(data)})

    return handler
