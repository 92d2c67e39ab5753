"""What the access-code slips print besides the codes: the school and its web address.

The page itself is laid out by ``node.render.slips`` (the core does not import Jinja2).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from node.models import Meta, School
from node.services.access.codes import IssuedCode

#: Meta key holding the address of the school's web page, as printed on slips.
WEB_ADDRESS_KEY = "web_address"

#: Writes a batch's slips (``node.render.slips.slips_writer`` makes one for a file). A
#: service that issues codes calls it before its transaction commits: a file that cannot
#: be written issues no codes.
SlipsWriter = Callable[[Sequence[IssuedCode]], None]


def default_web_address() -> str:
    """What the slips print when ``ediary init`` was not told: the server's LAN name."""
    return f"http://{socket.gethostname()}.local:8080/"


def web_address() -> str:
    return Meta.get_value(WEB_ADDRESS_KEY) or default_web_address()


#: The web page's activation form (node.web.routes serves it): where every slip sends people.
ACTIVATION_PATH = "/activate"


def activation_address() -> str:
    """The one place a code is turned into a password, for everyone: parents and students
    have no shell, and staff choose there the password they then use in ``ediary tui``."""
    return web_address().rstrip("/") + ACTIVATION_PATH


@dataclass(frozen=True)
class SlipSheet:
    """What every slip of a batch prints besides the person's own code."""

    school_name: str
    address: str


def slip_sheet() -> SlipSheet:
    school = School.current()
    return SlipSheet(school_name=school.name if school else "", address=activation_address())
