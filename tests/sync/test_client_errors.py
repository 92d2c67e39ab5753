"""A laptop that cannot reach the school server says why in plain words, not aiohttp's."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest

from node.i18n import use_language
from sync.client import HubAddress, HubUnreachable, _reason, fetch_fingerprint


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_port_nobody_listens_on_is_named_as_such():
    address = HubAddress("127.0.0.1", _closed_port())
    with use_language("en"), pytest.raises(HubUnreachable) as caught:
        fetch_fingerprint(address)
    assert "does not answer (no program listens on that port)" in str(caught.value)
    with use_language("ru"), pytest.raises(HubUnreachable) as caught:
        fetch_fingerprint(address)
    assert "не отвечает" in str(caught.value) and "порт" in str(caught.value)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (aiohttp.ClientPayloadError("Response payload is not completed"), "broke off"),
        (aiohttp.ServerDisconnectedError(), "broke off"),
        (asyncio.IncompleteReadError(b"", 10), "broke off"),
        (ConnectionResetError(104, "Connection reset by peer"), "broke off"),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), "broke off"),
        (aiohttp.ClientOSError(111, "Connect call failed"), "no program listens"),
        (asyncio.TimeoutError(), "no answer in time"),
        ("timeout", "no answer in time"),
        (socket.gaierror(-2, "Name or service not known"), "not known on this network"),
        (OSError(113, "No route to host"), "does not reach it"),
    ],
)
def test_each_failure_has_its_plain_reason(error, reason):
    with use_language("en"):
        assert reason in _reason(error)
