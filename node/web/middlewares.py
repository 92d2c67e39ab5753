"""The one error middleware and the security headers every response gets."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from node.errors import EdiaryError, Forbidden, NotFound
from node.i18n import LANGUAGES, N_, _, current_language, log_text
from node.services.access.auth import SessionEnded
from node.web import keys
from node.web.session import SESSION_COOKIE, choose_language, finish_cookies

log = logging.getLogger("ediary.web")

CSP = "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Server"] = "ediary"  # not aiohttp's and Python's versions
    if not request.path.startswith("/static/"):
        # personal pages must not stay in a shared phone's or proxy's cache
        response.headers["Cache-Control"] = "no-store"


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/")


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    if _is_api(request):
        return web.json_response({"error": message, "status": status}, status=status)
    template = request.app[keys.TEMPLATES].get_template("error.html")
    html = template.render(
        message=message,
        status=status,
        signed_in=False,
        csrf="",
        path="/",
        error="",
        notice="",
        children=[],
        child=None,
        languages=LANGUAGES,
        language=current_language(),
    )
    return web.Response(text=html, status=status, content_type="text/html")


@web.middleware
async def error_middleware(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """Turn every failure into a friendly page (or JSON under /api/); never a traceback."""
    choose_language(request)
    try:
        response = await handler(request)
    except SessionEnded:
        if _is_api(request):
            return error_page(request, 401, _("Your session has ended; sign in again."))
        response = web.Response(status=303, headers={"Location": "/signin"})
        response.del_cookie(SESSION_COOKIE, path="/")  # a stale cookie would only loop back here
        return response
    except NotFound as exc:
        return error_page(request, 404, str(exc))
    except Forbidden as exc:
        return error_page(request, 403, str(exc))
    except EdiaryError as exc:
        return error_page(request, 400, str(exc))
    except web.HTTPRedirection:
        raise
    except web.HTTPRequestEntityTooLarge:
        return error_page(request, 413, _("The request is too large."))
    except web.HTTPNotFound:
        return error_page(request, 404, _("There is no such page."))
    except web.HTTPForbidden:
        return error_page(
            request, 403, _("The form has expired. Go back, reload the page and try again.")
        )
    except web.HTTPException as exc:
        return error_page(request, exc.status, exc.reason)
    except Exception:
        log.exception(
            log_text(N_("unexpected error on {method} {path}")).format(
                method=request.method, path=request.path
            )
        )
        return error_page(
            request, 500, _("Something went wrong on the school's server. Try again later.")
        )
    finish_cookies(request, response)
    return response


def _refuse(request: web.Request, status: int, message: str) -> web.Response:
    """An error answer after which the connection is closed (the rest of the body unread)."""
    response = error_page(request, status, message)
    response.force_close()
    return response


@web.middleware
async def body_middleware(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """Read the whole body before the route runs, within the limits (``node.web.limits``):
    a body declared larger than allowed is refused at once, one that is slower than the body
    timeout is cut off, and a client that goes away meanwhile is one INFO line, not an
    error. The routes then parse the body that is already here (``node.web.params``)."""
    if request.body_exists:
        limits = request.app[keys.LIMITS]
        declared = request.content_length
        if declared is not None and declared > limits.max_body_bytes:
            return _refuse(request, 413, _("The request is too large."))
        try:
            async with asyncio.timeout(limits.body_seconds):
                await request.read()
        except web.HTTPRequestEntityTooLarge:  # a chunked body that went past the limit
            return _refuse(request, 413, _("The request is too large."))
        except TimeoutError:
            return _refuse(request, 408, _("The request took too long to arrive; try again."))
        except ConnectionError:
            request[keys.CLIENT_ABORTED] = True
            log.info("client aborted %s %s from %s", request.method, request.path, request.remote)
            return _refuse(request, 400, _("The connection broke off."))
    return await handler(request)
