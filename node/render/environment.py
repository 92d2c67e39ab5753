"""The one Jinja2 environment of the printable pages.

Autoescape is on, and every ``{{ value }}`` is escaped with the standard library's
``html.escape`` (``&quot;`` and ``&#x27;`` for quotes) rather than MarkupSafe's
(``&#34;``, ``&#39;``): the year archive's pages stay byte-for-byte what they were when
they were written with f-strings, so the same data gives the same files (and hashes).
"""

from __future__ import annotations

import html
from functools import lru_cache

import jinja2
from markupsafe import Markup

from node.i18n import current_language, gettext
from node.services.reports.export import format_cell


def is_numeric(value: object) -> bool:
    """A count or a share (right-aligned in a table); ``True``/``False`` are words."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def escape_like_stdlib(value: object) -> object:
    """The environment's finalize: ``html.escape``'s quotes, MarkupSafe for the rest.

    Both escape ``&``, ``<`` and ``>`` alike, so only text with a quote is escaped here;
    everything else goes on to autoescape (a million grid cells: this keeps it fast).
    """
    if isinstance(value, Markup):
        return value
    text = value if isinstance(value, str) else str(value)
    if '"' in text or "'" in text:
        return Markup(html.escape(text))
    return text


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("node.render", "templates"),
        autoescape=True,  # a name or topic with <script> in it prints as text
        finalize=escape_like_stdlib,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,  # the pages end with a newline, as they always did
        auto_reload=False,  # templates ship with the code: no stat() per page
    )
    env.filters["cell"] = format_cell
    env.tests["numeric"] = is_numeric
    env.globals["_"] = gettext
    env.globals["current_language"] = current_language
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
