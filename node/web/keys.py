"""Everything the web app keeps on the ``web.Application``, declared in one place."""

from __future__ import annotations

from pathlib import Path

import jinja2
import peewee as pw
from aiohttp import web

DATABASE_PATH = web.AppKey("database_path", Path)
DATABASE = web.AppKey("database", pw.SqliteDatabase)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
#: Cookies get the Secure flag (set when the page is served over HTTPS).
SECURE_COOKIES = web.AppKey("secure_cookies", bool)

#: Per request: this request's CSRF token, and a new pre-sign-in one to store in its cookie.
CSRF = web.RequestKey("csrf", str)
NEW_PRE_CSRF = web.RequestKey("new_pre_csrf", str)
