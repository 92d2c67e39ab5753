"""Discovery over mDNS, pinned to the loopback interface (never another address)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sync import protocol
from sync.discovery import Advertiser, clean_name, discover, listen_addresses

FINGERPRINT = "AB12 " * 16


@pytest.fixture(scope="module")
def advertiser() -> Iterator[Advertiser]:
    hub = Advertiser(
        host="127.0.0.1",
        node_id="f" * 32,
        fingerprint=FINGERPRINT.strip(),
        sync_port=18443,
        http_port=18080,
        name="School 7",
    )
    hub.start()
    yield hub
    hub.close()


def test_a_hub_on_loopback_is_found_with_its_id_and_fingerprint(advertiser: Advertiser):
    found = discover(timeout=2.0, interfaces=["127.0.0.1"], node_id="f" * 32)

    # other hubs may announce on loopback too (a test suite running beside this one)
    hub = next(h for h in found if h.node_id == "f" * 32)
    assert hub.node_id == "f" * 32
    assert hub.fingerprint == FINGERPRINT.replace(" ", "")
    assert hub.protocol == protocol.PROTOCOL_VERSION
    assert (hub.address.host, hub.address.port) == ("127.0.0.1", 18443)
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
        node_id="e" * 32,
        fingerprint=FINGERPRINT.strip(),
        sync_port=18444,
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
        found = discover(timeout=2.0, interfaces=["127.0.0.1"], node_id="e" * 32)
        assert "e" * 32 in [h.node_id for h in found]
    finally:
        hub.close()


def test_a_hub_that_does_not_announce_is_not_found():
    found = discover(timeout=0.5, interfaces=["127.0.0.1"])
    assert "d" * 32 not in [h.node_id for h in found]


def test_names_become_dns_labels():
    assert clean_name("School 7") == "school-7"
    assert clean_name("Школа") == "ediary"
    assert clean_name("") == "ediary"
