"""Everything the web app keeps on the ``web.Application``, declared in one place."""

from __future__ import annotations

from pathlib import Path

import jinja2
import peewee as pw
from aiohttp import web

from node.web.limits import WebLimits
from node.web.pagecache import DataVersion, PageCache
from node.web.viewlog import ViewLog
from node.web.workers import Workers

DATABASE_PATH = web.AppKey("database_path", Path)
DATABASE = web.AppKey("database", pw.SqliteDatabase)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
#: The threads that run database work off the event loop (``node.web.workers``).
WORKERS = web.AppKey("workers", Workers)
#: The school's locale, the language of last resort (read when the app starts).
SCHOOL_LANGUAGE = web.AppKey("school_language", str)
#: The page views waiting to be written to the activity log (``node.web.viewlog``).
VIEW_LOG = web.AppKey("view_log", ViewLog)
#: Rendered child pages per session, valid while the data version holds (``pagecache``).
PAGE_CACHE = web.AppKey("page_cache", PageCache)
#: The newest change a cached page may show, per server process (``pagecache``).
DATA_VERSION = web.AppKey("data_version", DataVersion)
#: Cookies get the Secure flag (set when the page is served over HTTPS).
SECURE_COOKIES = web.AppKey("secure_cookies", bool)
#: How long and how much the server waits for a client (``node.web.limits``).
LIMITS = web.AppKey("limits", WebLimits)

#: Per request: this request's CSRF token, and a new pre-sign-in one to store in its cookie.
CSRF = web.RequestKey("csrf", str)
NEW_PRE_CSRF = web.RequestKey("new_pre_csrf", str)
#: Per request: the language came from the language cookie (it outranks the user's own).
LANGUAGE_FROM_COOKIE = web.RequestKey("language_from_cookie", bool)
#: Per request: how many of the signed-in user's conversations are unread (for the menu).
UNREAD = web.RequestKey("unread", int)
#: Per request: the client went away before its request was read whole (logged once as such).
CLIENT_ABORTED = web.RequestKey("client_aborted", bool)
