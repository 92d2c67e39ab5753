"""The HTML pages: sign-in, activation, password, and a child's diary, marks and attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from node.errors import EdiaryError, ValidationError
from node.i18n import LANGUAGES, N_, _, current_language
from node.services import accounts, auth, diary
from node.services.actor import Actor
from node.web import keys
from node.web.session import (
    LANG_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    client_address,
    csrf_token,
    in_thread,
    resolve,
    safe_next,
    session_token,
    set_cookie,
)

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
    return web.Response(status=303, headers={"Location": location})


def parse_day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("The date {text} is not valid; use YYYY-MM-DD.").format(text=text[:20])
        ) from None


# --- pages before sign-in -------------------------------------------------------------------


async def index(request: web.Request) -> web.Response:
    return see_other("/children" if session_token(request) else "/signin")


async def signin_page(request: web.Request) -> web.Response:
    return render(request, "signin.html", host=request.host, login="")


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
        response = render(request, "signin.html", host=request.host, login=login, error=str(exc))
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
            accounts.activate,
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
        host=request.host,
        login=login,
        notice=_("Your account is active. Sign in with your new password."),
    )


async def language(request: web.Request) -> web.Response:
    chosen = request.match_info["language"]
    if chosen not in LANGUAGES:
        raise web.HTTPNotFound()
    response = see_other(safe_next(request.query.get("next")))
    set_cookie(request, response, LANG_COOKIE, chosen, 365 * 24 * 3600)
    return response


# --- signed-in pages ------------------------------------------------------------------------


def _load(token: str, page: str, address: str, fn: Any, *args: Any) -> tuple[Actor, list, Any]:
    """One worker-thread trip: the session, the family's children, the page's data, a log line."""
    actor = resolve(token)
    children = diary.my_children(actor)
    data = fn(actor, *args) if fn is not None else None
    if page:
        diary.record_view(actor, page, client=address)
    return actor, children, data


async def load(request: web.Request, page: str, fn: Any = None, *args: Any):
    return await in_thread(
        request, _load, session_token(request), page, client_address(request), fn, *args
    )


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


def _child_of(children: list[diary.Child], student_id: str) -> diary.Child | None:
    return next((c for c in children if c.id == student_id), None)


def _period(request: web.Request) -> str | None:
    return request.query.get("period") or None


def _start(request: web.Request) -> dt.date | None:
    return parse_day(request.query.get("start"))


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
        student_id = request.match_info["student_id"]
        args = (argument(request),) if argument else ()
        actor, children, data = await load(request, page, fn, student_id, *args)
        return render(
            request,
            f"{page}.html",
            signed_in=True,
            actor=actor,
            children=children,
            child=_child_of(children, student_id),
            today=diary.clock.today(),
            **{name: data},
        )

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
            accounts.change_password,
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
