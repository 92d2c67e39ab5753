"""How long and how much the web page waits for a client, and the runner that enforces it.

A phone on the school Wi-Fi sends a form of a few hundred bytes in well under a second; a
client that takes much longer, or announces far more, is either broken or holding a
connection open on purpose (slowloris). So:

- the request line and headers must arrive within ``header_seconds`` of the connection
  opening (or of the previous answer on a kept-alive connection), else the connection is
  closed; an idle kept-alive connection is closed after the same time;
- a body must arrive whole within ``body_seconds``, else 408 and the connection is closed;
- a body that declares more than ``max_body_bytes`` is refused with 413 at once, before any
  of it is read (a chunked body is cut off as soon as it passes the limit);
- after refusing, the server reads what the client still sends for ``linger_seconds`` at
  most (so the client can see the answer), then closes.

``ediary serve`` reads the two timeouts from ``ediary.toml`` (``web_limits``); the tests use
small ones. ``node.web.app.make_runner`` applies the first and last, the body middleware
(``node.web.middlewares``) the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from node.config import NodeConfig

#: Forms and API calls are small; anything larger is refused before it is read.
MAX_BODY_BYTES = 64 * 1024
HEADER_SECONDS = 20.0
BODY_SECONDS = 30.0
LINGER_SECONDS = 2.0
#: The settings of ``ediary.toml`` that change them, with their defaults.
HEADER_SETTING = "web_header_timeout_seconds"
BODY_SETTING = "web_body_timeout_seconds"


@dataclass(frozen=True)
class WebLimits:
    max_body_bytes: int = MAX_BODY_BYTES
    header_seconds: float = HEADER_SECONDS
    body_seconds: float = BODY_SECONDS
    linger_seconds: float = LINGER_SECONDS


def web_limits(config: NodeConfig) -> WebLimits:
    """The limits ``ediary.toml`` sets (the defaults where it is silent)."""
    return WebLimits(
        header_seconds=config.seconds(HEADER_SETTING, HEADER_SECONDS),
        body_seconds=config.seconds(BODY_SETTING, BODY_SECONDS),
    )
