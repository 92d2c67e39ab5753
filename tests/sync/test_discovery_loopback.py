"""Discovery over mDNS, pinned to the loopback interface (never another address).

Every hub here has its own node id and ports: other tests (parallel workers, a suite run
beside this one) announce on the same loopback, and one of them must never answer for another.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from sync import protocol
from sync.discovery import Advertiser, clean_name, discover, listen_addresses
from tests.ports import free_port

FINGERPRINT = "AB12 " * 16


def _node_id() -> str:
    """A node id no other hub on loopback has."""
    return uuid.uuid4().hex


@pytest.fixture(scope="module")
def advertiser() -> Iterator[Advertiser]:
    hub = Advertiser(
        host="127.0.0.1",
        node_id=_node_id(),
        fingerprint=FINGERPRINT.strip(),
        sync_port=free_port(),
        http_port=free_port(),
        name="School 7",
    )
    hub.start()
    yield hub
    hub.close()


def test_a_hub_on_loopback_is_found_with_its_id_and_fingerprint(advertiser: Advertiser):
    found = discover(timeout=2.0, interfaces=["127.0.0.1"], node_id=advertiser.node_id)

    # other hubs may announce on loopback too (a test suite running beside this one)
    hub = next(h for h in found if h.node_id == advertiser.node_id)
    assert hub.node_id == advertiser.node_id
    assert hub.fingerprint == FINGERPRINT.replace(" ", "")
    assert hub.protocol == protocol.PROTOCOL_VERSION
    assert (hub.address.host, hub.address.port) == ("127.0.0.1", advertiser.sync_port)
    assert hub.name.startswith("school-7")


def test_a_server_on_loopback_announces_on_loopback_only(advertiser: Advertiser):
    assert advertiser.addresses == ["127.0.0.1"]
    assert listen_addresses("127.0.0.1") == ["127.0.0.1"]
    services = advertiser.services(advertiser.addresses)
    assert {s.type for s in services} == {protocol.SERVICE_TYPE, protocol.HTTP_SERVICE_TYPE}
    assert all(s.server == "school-7.local." for s in services)
    assert all(s.parsed_addresses() == ["127.0.0.1"] for s in services)


def test_the_hub_announces_again_when_its_addresses_change():
    current = [["127.0.0.1"]]
    hub = Advertiser(
        host="127.0.0.1",
        node_id=_node_id(),
        fingerprint=FINGERPRINT.strip(),
        sync_port=free_port(),
        http_port=None,
        addresses=lambda _host: current[0],
        recheck_seconds=3600,
    )
    hub.start()
    try:
        assert hub.recheck() is False
        current[0] = []  # the interface went away: nothing is announced
        assert hub.recheck() is True
        assert hub.addresses == []
        current[0] = ["127.0.0.1"]  # and came back
        assert hub.recheck() is True
        found = discover(timeout=2.0, interfaces=["127.0.0.1"], node_id=hub.node_id)
        assert hub.node_id in [h.node_id for h in found]
    finally:
        hub.close()


def test_a_hub_that_does_not_announce_is_not_found():
    silent = _node_id()
    found = discover(timeout=0.5, interfaces=["127.0.0.1"])
    assert silent not in [h.node_id for h in found]


def test_names_become_dns_labels():
    assert clean_name("School 7") == "school-7"
    assert clean_name("Школа") == "ediary"
    assert clean_name("") == "ediary"
