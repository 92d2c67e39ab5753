"""What a request brings, parsed at the edge into typed, bounded values.

Every route reads its path, query, cookies, form and JSON body through this module, so a
value that cannot be what the route expects is refused here, with the usual 400 (or a 404 for
an id in the path, like an unknown one) and a message in the user's language: it never
reaches a service, a template or SQLite as something they would choke on (bytes that are not
UTF-8, lone surrogates, a date past year 9999, an integer SQLite cannot hold, JSON nested
deeper than Python recurses). Redirect targets are built here too (``local_path``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from node.errors import NotFound, ValidationError
from node.i18n import _

#: Record ids are UUIDs written as 32 hex digits (``node.models.base.new_id``).
ID = re.compile(r"[0-9a-f]{32}")
#: A Host header as a browser sends it: a name or IPv4 address, or [IPv6], and a port.
HOST = re.compile(r"(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
#: Session tokens and CSRF values are URL-safe base64 or hex (``secrets.token_urlsafe``).
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
#: The days a page may be asked about: a school's journal lies well inside these, and a
#: week starting on either one still has its six days (``date.max`` has no next day).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)
#: The largest page offset: far more conversations than anyone has, far below SQLite's
#: 64-bit integer.
MAX_OFFSET = 1_000_000
#: JSON bodies are a flat object with at most a list of small objects in it.
MAX_JSON_DEPTH = 4
#: Form fields in one posted form (the largest form has six).
MAX_FORM_FIELDS = 32
#: Lone surrogates: valid in a Python string and in JSON's ``\\ud800``, but not text; SQLite
#: and every encoder refuse them.
SURROGATE = re.compile("[\ud800-\udfff]")
#: Characters a path may keep as they are in a ``Location`` header; everything else (spaces,
#: backslashes, control characters, non-ASCII) is percent-encoded, so a browser reads the
#: target exactly as it was checked.
PATH_SAFE = "/-._~!$&'()*+,;=:@%"


def path_id(request: web.Request, name: str) -> str:
    """An id in the path; one that cannot be an id answers 404 like an unknown one."""
    value = request.match_info[name]
    if not ID.fullmatch(value):
        raise NotFound(_("There is no such page."))
    return value


def query_id(request: web.Request, name: str) -> str | None:
    """An optional id in the query string (a period, a child)."""
    value = request.query.get(name, "")
    if not value:
        return None
    if not ID.fullmatch(value):
        raise ValidationError(_("The parameter {name} is not valid.").format(name=name))
    return value


def query_day(request: web.Request, name: str) -> dt.date | None:
    """An optional ``YYYY-MM-DD`` date within ``FIRST_DAY``..``LAST_DAY``."""
    text = request.query.get(name, "")
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            _("The date {text} is not valid; use YYYY-MM-DD.").format(text=text[:20])
        )
    return day


def query_int(request: web.Request, name: str, default: int, *, low: int, high: int) -> int:
    """An optional whole number of ASCII digits within ``low``..``high``."""
    text = request.query.get(name, "")
    if not text:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", text) or not low <= int(text) <= high:
        raise ValidationError(
            _("The parameter {name} must be a whole number from {low} to {high}.").format(
                name=name, low=low, high=high
            )
        )
    return int(text)


def query_text(request: web.Request, name: str, limit: int = 200) -> str:
    """Free text from the query string, cut to ``limit`` (it only refills a form)."""
    return request.query.get(name, "")[:limit]


def host(request: web.Request) -> str:
    """The address the browser used (the sign-in page shows it), or "" when the Host
    header cannot be one: it is echoed into the page, so only a plain host[:port] may pass."""
    value = request.headers.get("Host", "")
    return value if HOST.fullmatch(value) else ""


def token(value: str | None) -> str:
    """A session token or CSRF value as sent, or "" when it cannot be one (never raises:
    a garbled cookie is simply no session)."""
    return value if value and TOKEN.fullmatch(value) else ""


def _text_problem(value: str) -> bool:
    return SURROGATE.search(value) is not None


def _not_text() -> ValidationError:
    return ValidationError(_("The request contains bytes that are not valid UTF-8 text."))


async def form(request: web.Request) -> dict[str, str]:
    """The posted ``application/x-www-form-urlencoded`` form, strictly UTF-8."""
    if request.content_type not in ("", "application/x-www-form-urlencoded"):
        raise web.HTTPUnsupportedMediaType(text="application/x-www-form-urlencoded")
    raw = await request.read()
    try:
        pairs = urllib.parse.parse_qsl(
            raw.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except UnicodeDecodeError:
        raise _not_text() from None
    except ValueError:  # more fields than any form has
        raise ValidationError(_("The form has too many fields.")) from None
    values: dict[str, str] = {}
    for key, value in pairs:
        values.setdefault(key, value)
    return values


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value.keys(), *(s for v in value.values() for s in _strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


#: A JSON string (its escapes included), and every byte that is not a bracket.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _nesting(raw: bytes) -> int:
    """How deep JSON text nests, found without parsing it: ``json.loads`` recurses once per
    level, and thousands of levels exhaust the stack (a RecursionError that can also strike a
    garbage collector's callback running meanwhile, outside any ``except``)."""
    depth = deepest = 0
    for bracket in _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS):
        depth += 1 if bracket in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


async def json_object(request: web.Request) -> dict[str, Any]:
    """The JSON object in the body: UTF-8, shallow, and all its strings real text."""
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="application/json")
    raw = await request.read()
    if _nesting(raw) > MAX_JSON_DEPTH:
        raise ValidationError(_("The request body is nested too deeply."))
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _not_text() from None
    except (ValueError, RecursionError):
        raise ValidationError(_("The request body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise ValidationError(_("The request body must be a JSON object."))
    if _depth(body) > MAX_JSON_DEPTH:
        raise ValidationError(_("The request body is nested too deeply."))
    if any(_text_problem(s) for s in _strings(body)):
        raise _not_text()
    return body


def text_field(body: Mapping[str, Any], name: str) -> str:
    """A text field of a JSON body ("" when absent)."""
    value = body.get(name, "")
    if not isinstance(value, str):
        raise ValidationError(_("The field {name} must be text.").format(name=name))
    return value


def local_path(target: str | None) -> str:
    """``target`` as a path of this site, or "/" when it would lead anywhere else.

    Parsed as a URL (``urlsplit`` drops tabs and newlines as browsers do, so ``/\\t/x``
    becomes the host ``x``): only a target with no scheme and no host whose path starts with
    a single "/" is kept, and it is rebuilt from its parts with everything unusual
    percent-encoded, so a backslash cannot turn into a second slash, and CR/LF cannot reach
    the header.
    """
    if not target:
        return "/"
    try:
        parts = urllib.parse.urlsplit(target)
        path = urllib.parse.quote(parts.path, safe=PATH_SAFE)
        query = urllib.parse.quote(parts.query, safe=PATH_SAFE + "?")
        fragment = urllib.parse.quote(parts.fragment, safe=PATH_SAFE + "?")
    except (ValueError, UnicodeError):
        return "/"
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return "/"
    return urllib.parse.urlunsplit(("", "", path, query, fragment))
