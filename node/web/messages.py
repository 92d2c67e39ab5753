"""Messages on the parent and student page: inbox, a conversation, reply, and a new message
to the class teacher, a subject teacher or the administration (``node.services.messaging.mail``).

Plain forms with a CSRF token, no JavaScript. A conversation of another family answers 404
like a missing one (the service decides). After a send or a reply the browser is redirected
(303) to the conversation, so reloading the page does not send the message twice.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.errors import EdiaryError, ValidationError
from node.i18n import _
from node.services.messaging import mail
from node.services.messaging.mail_recipients import KINDS
from node.web import params
from node.web.session import check_csrf, in_thread
from node.web.views import load, render, see_other

#: Conversations per inbox page.
PAGE_SIZE = 30


def recipient_value(choice: mail.RecipientChoice) -> str:
    """How a recipient travels in a form field: ``kind:id``."""
    return f"{choice.recipient.kind}:{choice.recipient.id}"


def parse_recipient(value: str) -> mail.Recipient:
    kind, colon, ident = value.partition(":")
    if not colon or kind not in KINDS:
        raise ValidationError(_("Choose who the message is to from the list."))
    return mail.Recipient(kind, ident)


def _offset(request: web.Request) -> int:
    return params.query_int(request, "offset", 0, low=0, high=params.MAX_OFFSET)


def _only_child(children: list[Any]) -> Any:
    return children[0] if len(children) == 1 else None


def _signed_in(actor: Any, children: list[Any], **context: Any) -> dict[str, Any]:
    return {
        "signed_in": True,
        "actor": actor,
        "children": children,
        "child": _only_child(children),
    } | context


async def inbox_page(request: web.Request) -> web.Response:
    offset = _offset(request)

    def read(actor: Any) -> list[mail.ThreadSummary]:
        return mail.inbox(actor, limit=PAGE_SIZE + 1, offset=offset)

    actor, children, threads = await load(request, "messages", read)
    return render(
        request,
        "messages.html",
        **_signed_in(
            actor,
            children,
            threads=threads[:PAGE_SIZE],
            offset=offset,
            more=len(threads) > PAGE_SIZE,
            page_size=PAGE_SIZE,
        ),
    )


async def thread_page(request: web.Request) -> web.Response:
    thread_id = params.path_id(request, "thread_id")
    actor, children, thread = await load(request, "thread", mail.open_thread, thread_id)
    return render(
        request, "message_thread.html", **_signed_in(actor, children, thread=thread, body="")
    )


async def reply_post(request: web.Request) -> web.Response:
    form = await check_csrf(request)
    thread_id = params.path_id(request, "thread_id")
    body = form.get("body", "")
    actor, children, _data = await load(request, "")
    try:
        message = await in_thread(request, mail.reply, actor, thread_id, body)
    except ValidationError as exc:  # empty or too long: the conversation again, with the text
        thread = await in_thread(request, mail.open_thread, actor, thread_id)
        response = render(
            request,
            "message_thread.html",
            **_signed_in(actor, children, thread=thread, body=body, error=str(exc)),
        )
        response.set_status(400)
        return response
    return see_other(f"/messages/{thread_id}#m-{message.id}")


def _student_of(value: str) -> str | None:
    """The child a new message is about (narrows the teachers offered), if one was chosen."""
    if not value:
        return None
    if not params.ID.fullmatch(value):
        raise ValidationError(_("The parameter {name} is not valid.").format(name="student"))
    return value


def _compose(
    request: web.Request,
    actor: Any,
    children: list[Any],
    choices: list[mail.RecipientChoice],
    student: str | None,
    **context: Any,
) -> web.Response:
    context.setdefault("to", "")
    context.setdefault("subject", "")
    context.setdefault("body", "")
    return render(
        request,
        "message_new.html",
        **_signed_in(
            actor,
            children,
            choices=[(recipient_value(c), c.label) for c in choices],
            student=student or "",
            **context,
        ),
    )


async def new_page(request: web.Request) -> web.Response:
    student = _student_of(params.query_text(request, "student"))

    def choices(actor: Any) -> list[mail.RecipientChoice]:
        return mail.allowed_recipients(actor, student_id=student)

    actor, children, found = await load(request, "write", choices)
    return _compose(request, actor, children, found, student, to=params.query_text(request, "to"))


async def new_post(request: web.Request) -> web.Response:
    form = await check_csrf(request)
    student = _student_of(form.get("student", ""))

    def choices(actor: Any) -> list[mail.RecipientChoice]:
        return mail.allowed_recipients(actor, student_id=student)

    actor, children, found = await load(request, "", choices)
    typed = {
        "to": form.get("to", ""),
        "subject": form.get("subject", ""),
        "body": form.get("body", ""),
    }
    try:
        recipient = parse_recipient(typed["to"])
        thread = await in_thread(
            request, mail.send_message, actor, [recipient], typed["subject"], typed["body"]
        )
    except EdiaryError as exc:  # nothing was sent: the form again, with what was typed
        response = _compose(request, actor, children, found, student, error=str(exc), **typed)
        response.set_status(400)
        return response
    return see_other(f"/messages/{thread.thread_id}")
