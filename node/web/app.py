"""The app factory: one ``create_app`` for ``ediary serve`` and for the tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import jinja2
from aiohttp import web

from node.i18n import normalize_language
from node.models.database import open_database
from node.services import diary
from node.web import keys
from node.web.middlewares import error_middleware, security_headers
from node.web.pagecache import DataVersion, PageCache
from node.web.routes import setup_routes
from node.web.viewlog import ViewLog
from node.web.workers import Workers

#: Forms and API calls are small; anything larger is refused before it is read.
MAX_REQUEST_BYTES = 64 * 1024
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


def create_app(database_path: Path | str, *, secure_cookies: bool = False) -> web.Application:
    """The parent and student web page over the node database at ``database_path``."""
    app = web.Application(client_max_size=MAX_REQUEST_BYTES, middlewares=[error_middleware])
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
