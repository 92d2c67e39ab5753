"""The HTML pages: sign-in, activation, password, and a child's diary, marks and attendance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from node.errors import EdiaryError, ValidationError
from node.i18n import LANGUAGES, N_, _, current_language, set_language
from node.services.access import auth
from node.services.access.activation import activate, change_password
from node.services.base.actor import Actor
from node.services.gradebook import diary
from node.services.messaging import mail
from node.web import keys, params
from node.web.pagecache import DataVersion, PageCache, PageKey
from node.web.session import (
    LANG_COOKIE,
    SESSION_COOKIE,
    apply_user_language,
    check_csrf,
    client_address,
    csrf_token,
    in_thread,
    resolve,
    session_token,
    set_cookie,
)
from node.web.viewlog import ViewLog

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
)
#: How attendance codes read on the page.
ABSENCES = {
    "absent": N_("absent"),
    "sick": N_("absent: ill"),
    "excused": N_("absent: excused"),
    "late": N_("late"),
}


def render(request: web.Request, name: str, **context: Any) -> web.Response:
    context.setdefault("signed_in", False)
    context.setdefault("error", "")
    context.setdefault("notice", "")
    context.setdefault("children", [])
    context.setdefault("child", None)
    context.setdefault("unread", request.get(keys.UNREAD, 0))
    template = request.app[keys.TEMPLATES].get_template(name)
    html = template.render(
        csrf=csrf_token(request),
        path=request.path_qs,
        languages=LANGUAGES,
        language=current_language(),
        weekdays=WEEKDAYS,
        absences=ABSENCES,
        **context,
    )
    return web.Response(text=html, content_type="text/html")


def see_other(location: str) -> web.Response:
    """A redirect to a path of this site (anything else goes to the start page)."""
    return web.Response(status=303, headers={"Location": params.local_path(location)})


# --- pages before sign-in -------------------------------------------------------------------


async def index(request: web.Request) -> web.Response:
    return see_other("/children" if session_token(request) else "/signin")


async def signin_page(request: web.Request) -> web.Response:
    return render(request, "signin.html", host=params.host(request), login="")


async def signin_post(request: web.Request) -> web.Response:
    form = await check_csrf(request)
    login = form.get("login", "")
    try:
        signed = await in_thread(
            request,
            auth.sign_in,
            login,
            form.get("password", ""),
            client="web",
            address=client_address(request),
        )
    except EdiaryError as exc:  # wrong password, throttled, disabled
        response = render(
            request, "signin.html", host=params.host(request), login=login, error=str(exc)
        )
        response.set_status(403 if not isinstance(exc, ValidationError) else 400)
        return response
    response = see_other("/children")
    max_age = int(auth.ABSOLUTE.total_seconds())
    set_cookie(request, response, SESSION_COOKIE, signed.token, max_age)
    return response


async def activate_page(request: web.Request) -> web.Response:
    return render(request, "activate.html", login="")


async def activate_post(request: web.Request) -> web.Response:
    form = await check_csrf(request)
    login = form.get("login", "")
    try:
        if form.get("password", "") != form.get("password2", ""):
            raise ValidationError(_("The two passwords differ; type the same password twice."))
        await in_thread(
            request,
            activate,
            login,
            form.get("code", ""),
            form.get("password", ""),
            client="web",
            address=client_address(request),
        )
    except EdiaryError as exc:
        response = render(request, "activate.html", login=login, error=str(exc))
        response.set_status(400)
        return response
    return render(
        request,
        "signin.html",
        host=params.host(request),
        login=login,
        notice=_("Your account is active. Sign in with your new password."),
    )


async def language(request: web.Request) -> web.Response:
    chosen = request.match_info["language"]
    if chosen not in LANGUAGES:
        raise web.HTTPNotFound()
    response = see_other(request.query.get("next", "/"))
    set_cookie(request, response, LANG_COOKIE, chosen, 365 * 24 * 3600)
    return response


# --- signed-in pages ------------------------------------------------------------------------


def _load(
    view_log: ViewLog,
    token: str,
    page: str,
    address: str,
    own_language: bool,
    count_unread: bool,
    fn: Any,
    *args: Any,
) -> tuple[Actor, list, Any, int]:
    """One worker-thread trip: the session, the family's children, the page's data, the
    unread messages for the menu, a log line."""
    actor = resolve(token)
    if own_language:
        set_language(actor.language)  # so the service's messages speak it too
    children = diary.my_children(actor)
    data = fn(actor, *args) if fn is not None else None
    unread = mail.unread_count(actor) if count_unread else 0
    view_log.add(actor, page, address)
    return actor, children, data, unread


@dataclass(frozen=True)
class ChildPage:
    """What one worker trip for a child's page brings back: the cached page, or its data."""

    actor: Actor
    key: PageKey
    version: int
    html: str | None = None
    children: list[diary.Child] = field(default_factory=list)
    child: diary.Child | None = None
    data: Any = None
    unread: int = 0


def _child_of(children: list[diary.Child], student_id: str) -> diary.Child | None:
    return next((c for c in children if c.id == student_id), None)


def _child_page(
    cache: PageCache,
    versions: DataVersion,
    view_log: ViewLog,
    token: str,
    page: str,
    address: str,
    own_language: bool,
    path: str,
    fn: Any,
    student_id: str,
    *args: Any,
) -> ChildPage:
    """One worker-thread trip for a child's page: the session and the read check always,
    then the page as built before if the data version it was built at is still current,
    else the page's data. The version is read before the data, so a write racing with the
    reads can only make the stored page look older than it is (and rebuilt), never newer."""
    actor = resolve(token)
    if own_language:
        set_language(actor.language)  # so the service's messages speak it too
    version = versions.current()
    diary.check_student(actor, student_id)
    key = PageKey(auth.token_hash(token), path, current_language(), diary.clock.today().isoformat())
    html = cache.get(key, version)
    view_log.add(actor, page, address)
    if html is not None:
        return ChildPage(actor=actor, key=key, version=version, html=html)
    children = diary.my_children(actor)
    child = _child_of(children, student_id) or diary.student_heading(actor, student_id)
    return ChildPage(
        actor=actor,
        key=key,
        version=version,
        children=children,
        child=child,
        data=fn(actor, student_id, *args),
        unread=mail.unread_count(actor),
    )


async def load(
    request: web.Request, page: str, fn: Any = None, *args: Any, count_unread: bool = True
) -> tuple[Actor, list[diary.Child], Any]:
    """The signed-in actor, their children and ``fn(actor, *args)``, read off the event loop;
    the unread count is kept on the request for the menu (``render``)."""
    own_language = not request.get(keys.LANGUAGE_FROM_COOKIE)
    actor, children, data, unread = await in_thread(
        request,
        _load,
        request.app[keys.VIEW_LOG],
        session_token(request),
        page,
        client_address(request),
        own_language,
        count_unread,
        fn,
        *args,
    )
    request[keys.UNREAD] = unread
    apply_user_language(request, actor)
    return actor, children, data


async def signout(request: web.Request) -> web.Response:
    await check_csrf(request)
    await in_thread(request, auth.sign_out, session_token(request))
    response = see_other("/signin")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def children_page(request: web.Request) -> web.Response:
    actor, children, _data = await load(request, "children")
    if len(children) == 1:
        return see_other(f"/s/{children[0].id}/week")
    return render(request, "children.html", signed_in=True, actor=actor, children=children)


def _period(request: web.Request) -> str | None:
    return params.query_id(request, "period")


def _start(request: web.Request) -> dt.date | None:
    return params.query_day(request, "start")


#: A child's pages: the service that reads it, its query argument, and the template's name for it.
STUDENT_VIEWS: dict[str, tuple[Any, Any, str]] = {
    "week": (diary.week_diary, _start, "week"),
    "marks": (diary.marks_by_subject, _period, "report"),
    "attendance": (diary.attendance_summary, _period, "summary"),
    "homework": (diary.upcoming_homework, None, "items"),
}


def student_page(page: str) -> Any:
    """The handler of one of a child's pages (the service checks the id belongs to the family)."""
    fn, argument, name = STUDENT_VIEWS[page]

    async def handler(request: web.Request) -> web.Response:
        student_id = params.path_id(request, "student_id")
        args = (argument(request),) if argument else ()
        cache = request.app[keys.PAGE_CACHE]
        loaded = await in_thread(
            request,
            _child_page,
            cache,
            request.app[keys.DATA_VERSION],
            request.app[keys.VIEW_LOG],
            session_token(request),
            page,
            client_address(request),
            not request.get(keys.LANGUAGE_FROM_COOKIE),
            request.path_qs,
            fn,
            student_id,
            *args,
        )
        apply_user_language(request, loaded.actor)
        if loaded.html is not None:
            return web.Response(text=loaded.html, content_type="text/html")
        request[keys.UNREAD] = loaded.unread
        response = render(
            request,
            f"{page}.html",
            signed_in=True,
            actor=loaded.actor,
            children=loaded.children,
            child=loaded.child,
            today=diary.clock.today(),
            **{name: loaded.data},
        )
        cache.put(loaded.key, loaded.version, response.text or "")
        return response

    return handler


async def password_page(request: web.Request) -> web.Response:
    actor, children, _data = await load(request, "")
    return render(request, "password.html", signed_in=True, actor=actor, children=children)


async def password_post(request: web.Request) -> web.Response:
    form = await check_csrf(request)
    token = session_token(request)
    actor, children, _data = await load(request, "")
    try:
        if form.get("new", "") != form.get("new2", ""):
            raise ValidationError(_("The two passwords differ; type the same password twice."))
        await in_thread(
            request,
            change_password,
            actor,
            form.get("current", ""),
            form.get("new", ""),
            keep_token=token,
            address=client_address(request),
        )
    except EdiaryError as exc:
        response = render(
            request,
            "password.html",
            signed_in=True,
            actor=actor,
            children=children,
            error=str(exc),
        )
        response.set_status(400)
        return response
    return render(
        request,
        "password.html",
        signed_in=True,
        actor=actor,
        children=children,
        notice=_("Your password has been changed; your other sessions have ended."),
    )
