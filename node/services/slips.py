"""Printable access-code slips: one HTML page per batch, one slip per person, cut on A4.

Built with ``html.escape`` (the core does not import jinja2): every value from the database
is escaped. Eight slips fit a page (2 × 4, 105 × 74 mm, the A7 size); dashed borders are
the cutting lines, and no slip is split across pages.
"""

from __future__ import annotations

import html
import os
import socket
from collections.abc import Sequence
from pathlib import Path

from node.i18n import N_, _, current_language, gettext
from node.models import Meta, School
from node.services.accounts import IssuedCode

#: Meta key holding the address of the school's web page, as printed on slips.
WEB_ADDRESS_KEY = "web_address"

_CSS = """
@page { size: A4; margin: 0; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; }
.sheet { width: 210mm; display: flex; flex-wrap: wrap; }
.slip { width: 105mm; height: 74.25mm; padding: 6mm 7mm; border: 0.3mm dashed #888;
        break-inside: avoid; page-break-inside: avoid; overflow: hidden; }
.school { font-size: 8.5pt; color: #444; margin: 0 0 2mm; }
.name { font-size: 12pt; font-weight: bold; margin: 0 0 3mm; }
dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 1mm 3mm; }
dt { color: #444; } dd { margin: 0; }
.code { font-family: "DejaVu Sans Mono", "Courier New", monospace; font-size: 15pt;
        font-weight: bold; letter-spacing: 0.5mm; }
.how { font-size: 8pt; margin: 3mm 0 0; }
"""


def default_web_address() -> str:
    """What the slips print when ``ediary init`` was not told: the server's LAN name."""
    return f"http://{socket.gethostname()}.local:8080/"


def web_address() -> str:
    return Meta.get_value(WEB_ADDRESS_KEY) or default_web_address()


HOW_TO = N_(
    "Open the address (or run 'ediary activate'), enter your login and this code, and choose "
    "your own password. The code works once. Keep your password to yourself."
)


def _slip(code: IssuedCode, school_name: str, address: str) -> str:
    e = html.escape
    return (
        '<section class="slip">'
        f'<p class="school">{e(school_name)}</p>'
        f'<p class="name">{e(code.name)}</p>'
        "<dl>"
        f"<dt>{e(_('Login'))}</dt><dd>{e(code.login)}</dd>"
        f'<dt>{e(_("Access code"))}</dt><dd class="code">{e(code.code)}</dd>'
        f"<dt>{e(_('Valid until'))}</dt><dd>{e(code.expires_at.strftime('%d.%m.%Y'))}</dd>"
        f"<dt>{e(_('Address'))}</dt><dd>{e(address)}</dd>"
        "</dl>"
        f'<p class="how">{e(gettext(HOW_TO))}</p>'
        "</section>"
    )


def render_slips(codes: Sequence[IssuedCode], *, school_name: str, address: str) -> str:
    """The whole batch as one printable HTML document."""
    title = _("Access codes — {school}").format(school=school_name)
    slips = "\n".join(_slip(code, school_name, address) for code in codes)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(current_language())}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>\n"
        f'<body><main class="sheet">\n{slips}\n</main></body></html>\n'
    )


def write_slips(path: Path, codes: Sequence[IssuedCode]) -> None:
    """Write the school's slips atomically, readable by the owner only (they hold secrets).

    Used by ``ediary users code --slips`` and the class teacher's screen alike.
    """
    school = School.current()
    text = render_slips(codes, school_name=school.name if school else "", address=web_address())
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
