"""Cookies, CSRF tokens, language and running service calls off the event loop.

The session cookie holds the auth token (``node.services.access.auth``); it is HttpOnly and
SameSite=Lax, so page scripts cannot read it and other sites cannot post with it. Every
form carries a CSRF token as well: for a session it is derived from the session token (so
it needs no storage and dies with the session); before sign-in it is a random value kept in
its own cookie (double submit), so the sign-in and activation forms are covered too.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from node.i18n import LANGUAGES, set_language
from node.services.access import auth
from node.services.base.actor import Actor
from node.web import keys, params

SESSION_COOKIE = "ediary_session"
PRE_CSRF_COOKIE = "ediary_csrf"
LANG_COOKIE = "ediary_lang"
CSRF_FIELD = "csrf_token"

T = TypeVar("T")


async def in_thread(request: web.Request, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """Run blocking database work in one of the app's worker threads.

    The request's context is copied, so its language (and a test's pinned clock) reach the
    service. Each worker thread keeps its own connection open between calls: a fresh
    SQLite connection starts with an empty page cache and costs more than the page itself.
    """
    pool = request.app[keys.WORKERS]
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(
        pool.executor, context.run, pool.call, functools.partial(fn, *args, **kw)
    )


def client_address(request: web.Request) -> str:
    return request.remote or ""


def session_token(request: web.Request) -> str:
    """The session token of the request ("" when none, or when what was sent cannot be one)."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return params.token(header[7:].strip())
    return params.token(request.cookies.get(SESSION_COOKIE))


def _pre_csrf(request: web.Request) -> str:
    return params.token(request.cookies.get(PRE_CSRF_COOKIE))


def csrf_for_session(token: str) -> str:
    """A form token bound to the session; domain-separated from the stored token hash."""
    return hashlib.sha256(b"ediary-csrf:" + token.encode("utf-8")).hexdigest()[:40]


def csrf_token(request: web.Request) -> str:
    """The token this request's forms must carry (made and remembered if missing)."""
    if keys.CSRF in request:
        return request[keys.CSRF]
    token = session_token(request)
    value = csrf_for_session(token) if token else _pre_csrf(request)
    if not value:
        value = secrets.token_urlsafe(24)
        request[keys.NEW_PRE_CSRF] = value
    request[keys.CSRF] = value
    return value


async def check_csrf(request: web.Request) -> dict[str, str]:
    """The posted form, after checking its CSRF token; refuses with 403 otherwise."""
    form = await params.form(request)
    sent = params.token(form.get(CSRF_FIELD))
    token = session_token(request)
    expected = csrf_for_session(token) if token else _pre_csrf(request)
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise web.HTTPForbidden(text="CSRF")
    return form


def set_cookie(
    request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=request.app[keys.SECURE_COOKIES],
    )


def finish_cookies(request: web.Request, response: web.StreamResponse) -> None:
    """Store a freshly made pre-sign-in CSRF value in its cookie."""
    value = request.get(keys.NEW_PRE_CSRF)
    if value:
        set_cookie(request, response, PRE_CSRF_COOKIE, value, None)


def accepted_language(header: str) -> str | None:
    """The shipped language the browser ranks highest in ``Accept-Language``, if any."""
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate(header.split(",")):
        code, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        name = code.strip().replace("_", "-").split("-")[0].lower()
        if name in LANGUAGES and quality > 0:
            ranked.append((-quality, n, name))
    return min(ranked)[2] if ranked else None


def choose_language(request: web.Request) -> str:
    """The language cookie, else the browser's choice, else the school's locale.

    The signed-in user's own language ranks between the cookie and the browser's choice;
    it is known only once the session is read, so ``apply_user_language`` applies it then.
    """
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in LANGUAGES:
        request[keys.LANGUAGE_FROM_COOKIE] = True
        language = cookie
    else:
        language = (
            accepted_language(request.headers.get("Accept-Language", ""))
            or (request.app[keys.SCHOOL_LANGUAGE])
        )
    set_language(language)
    return language


def apply_user_language(request: web.Request, actor: Actor) -> None:
    """Speak the user's own language (``actor.language``) unless the cookie chose one."""
    if not request.get(keys.LANGUAGE_FROM_COOKIE):
        set_language(actor.language)


def resolve(token: str) -> Actor:
    """For use inside ``in_thread``: the signed-in actor, or ``SessionEnded``."""
    return auth.resolve_session(token)
