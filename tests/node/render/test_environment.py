"""The printable pages escape like the standard library, so the archive's bytes stay put."""

from __future__ import annotations

import datetime as dt
import html

from markupsafe import Markup

from node.render.archive import index_page
from node.render.environment import environment
from node.services.year_end.journals import YearContents

TRICKY = """O'Neil "Дуб" <b>&</b>"""


def test_values_are_escaped_exactly_as_html_escape_does():
    page = (
        environment()
        .from_string("{{ a }}|{{ b }}|{{ c }}|{{ d }}")
        .render(a=TRICKY, b=5, c=None, d=Markup("<i>kept</i>"))
    )
    assert page == f"{html.escape(TRICKY)}|5|None|<i>kept</i>"
    assert "&#x27;" in page and "&quot;" in page  # not MarkupSafe's &#39; and &#34;


def test_an_archive_page_escapes_every_value():
    year = YearContents(
        year_id="y",
        name="2026/2027",
        start=dt.date(2026, 9, 1),
        end=dt.date(2027, 5, 31),
        school=TRICKY,
        classes=(),
        journals=0,
    )
    page = index_page(
        year,
        [("7А", "classes/07a/summary.html", [(TRICKY, 'x".html')])],
        [(TRICKY, "reports/control.html")],
        created="05.06.2027 10:00 UTC",
        node_id="n",
        lang="ru",
    )
    assert TRICKY not in page and "<b>" not in page
    assert page.count(html.escape(TRICKY)) == 3
    assert 'href="x&quot;.html"' in page
    assert page.startswith("<!DOCTYPE html>\n") and page.endswith("</body>\n</html>\n")
