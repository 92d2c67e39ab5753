"""The app factory: one ``create_app`` for ``ediary serve`` and for the tests."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_log import AccessLogger

from node.i18n import normalize_language
from node.models.database import open_database
from node.services.gradebook import diary
from node.web import keys
from node.web.limits import WebLimits
from node.web.middlewares import body_middleware, error_middleware, security_headers
from node.web.pagecache import DataVersion, PageCache
from node.web.routes import setup_routes
from node.web.viewlog import ViewLog
from node.web.workers import Workers

HERE = Path(__file__).parent


def _templates() -> jinja2.Environment:
    from node.i18n import current_language, gettext

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every page is HTML: a stored <script> shows as text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the code: no stat() per page
    )
    env.globals["_"] = gettext
    env.globals["current_language"] = current_language
    return env


async def _database(app: web.Application) -> AsyncIterator[None]:
    """Open (and migrate) the node's database for the app's lifetime."""
    database = open_database(app[keys.DATABASE_PATH])
    app[keys.DATABASE] = database
    app[keys.SCHOOL_LANGUAGE] = normalize_language(diary.school_language())
    database.close()  # each worker thread opens its own connection
    app[keys.WORKERS] = Workers(database)
    yield
    app[keys.WORKERS].shutdown()


def create_app(
    database_path: Path | str, *, secure_cookies: bool = False, limits: WebLimits | None = None
) -> web.Application:
    """The parent and student web page over the node database at ``database_path``."""
    limits = limits or WebLimits()
    app = web.Application(
        client_max_size=limits.max_body_bytes,
        middlewares=[error_middleware, body_middleware],
    )
    app[keys.LIMITS] = limits
    app[keys.DATABASE_PATH] = Path(database_path)
    app[keys.SECURE_COOKIES] = secure_cookies
    app[keys.TEMPLATES] = _templates()
    app[keys.VIEW_LOG] = ViewLog()
    app[keys.PAGE_CACHE] = PageCache()
    app[keys.DATA_VERSION] = DataVersion()
    app.cleanup_ctx.append(_database)
    app.on_response_prepare.append(security_headers)
    setup_routes(app, HERE / "static")
    return app


class AccessLog(AccessLogger):
    """aiohttp's access log, except for a request whose client went away before it was read
    whole: the body middleware logged that one as «client aborted», and no answer left."""

    def log(self, request: Any, response: web.StreamResponse, time: float) -> None:
        if request.get(keys.CLIENT_ABORTED):
            return
        super().log(request, response, time)


class MalformedRequestsAsInfo(logging.Filter):
    """aiohttp answers a request it cannot parse (bytes that are not HTTP, a raw non-ASCII
    URL, a header line too long) with 400 itself, but logs it as an error with a traceback:
    it is the client's fault, so it becomes one INFO line naming the client and the fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.msg, record.args = "%s: %s", (record.getMessage(), error.message)
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info = record.exc_text = None
        return True


_MALFORMED = MalformedRequestsAsInfo()


def make_runner(app: web.Application, **kwargs: Any) -> web.AppRunner:
    """The runner that serves ``app`` (for ``ediary serve``, its extra processes and the
    tests), with the app's limits: the header timeout is aiohttp's keep-alive timeout, which
    closes a connection that has not sent a whole request within it."""
    limits = app[keys.LIMITS]
    logging.getLogger("aiohttp.server").addFilter(_MALFORMED)  # once: a filter is a set member
    access_log_class: type[AbstractAccessLogger] = AccessLog
    return web.AppRunner(
        app,
        keepalive_timeout=limits.header_seconds,
        lingering_time=limits.linger_seconds,
        access_log_class=access_log_class,
        **kwargs,
    )
