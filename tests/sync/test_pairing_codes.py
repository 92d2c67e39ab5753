"""Pairing codes and trusted peers on the hub: issue, redeem once, expire, throttle, revoke."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, NotFound, ValidationError
from node.models import PairingCode, SyncPeer
from node.services.access import throttle
from node.services.access.codes import code_matches
from node.services.base import clock
from node.services.replication import peers
from tests.conftest import SCHOOL_TODAY
from tests.factories import SmallSchool
from tests.helpers import nothing_written

NOON = dt.datetime.combine(SCHOOL_TODAY, dt.time(12, 0))


def laptop(n: int = 1, address: str = "10.0.0.5") -> peers.NewPeer:
    return peers.NewPeer(
        node_id=f"{n:032x}", public_key="ab" * 32, cert_fingerprint="", address=address
    )


def test_the_sysadmin_gets_a_code_bound_to_a_user_stored_only_as_a_hash(school: SmallSchool):
    issued = peers.issue_pairing_code(school.actor(school.sysadmin), school.teacher.id)

    row = PairingCode.get()
    assert row.user_id == school.teacher.id
    assert issued.code not in row.code_hash and code_matches(issued.code, row.code_hash)
    assert issued.expires_at == NOON + dt.timedelta(minutes=peers.PAIRING_MINUTES)
    assert issued.login == "ivanova"


def test_a_code_pairs_one_laptop_with_the_users_scope(school: SmallSchool):
    issued = peers.issue_pairing_code(school.actor(school.sysadmin), school.teacher.id)

    peer = peers.redeem_pairing_code(issued.code.lower(), laptop())

    assert peer.role == "replica" and peer.user_id == school.teacher.id
    assert peer.scope == f"user:{school.teacher.id}" and peer.login == "ivanova"
    assert peer.paired_at == NOON and peer.revoked_at is None
    assert peers.trusted_peer(peer.node_id) == peer
    assert PairingCode.get().used_by == peer.node_id


def test_a_code_works_once(school: SmallSchool):
    issued = peers.issue_pairing_code(school.actor(school.sysadmin), school.teacher.id)
    peers.redeem_pairing_code(issued.code, laptop(1))

    with pytest.raises(Forbidden, match="wrong, already used or expired"):
        peers.redeem_pairing_code(issued.code, laptop(2))
    assert peers.trusted_peer(laptop(2).node_id) is None


def test_a_code_expires_after_ten_minutes(school: SmallSchool):
    issued = peers.issue_pairing_code(school.actor(school.sysadmin), school.teacher.id)

    with clock.frozen_time(NOON + dt.timedelta(minutes=peers.PAIRING_MINUTES, seconds=1)):
        with pytest.raises(Forbidden, match="expired"):
            peers.redeem_pairing_code(issued.code, laptop())
    assert SyncPeer.select().count() == 0


def test_a_wrong_code_gets_nothing_and_guessing_is_throttled(school: SmallSchool):
    issued = peers.issue_pairing_code(school.actor(school.sysadmin), school.teacher.id)
    for _attempt in range(throttle.ACCOUNT_LIMIT.free):
        with pytest.raises(Forbidden, match="wrong"):
            peers.redeem_pairing_code("AAAA-BBBB-CCCC", laptop(address="10.0.0.66"))

    # locked now: even the right code is refused unchecked, from any address
    with pytest.raises(throttle.Throttled):
        peers.redeem_pairing_code(issued.code, laptop(address="10.0.0.77"))
    assert SyncPeer.select().count() == 0
    assert PairingCode.get().used_at is None


def test_a_new_code_cancels_the_users_older_one(school: SmallSchool):
    sysadmin = school.actor(school.sysadmin)
    first = peers.issue_pairing_code(sysadmin, school.teacher.id)
    second = peers.issue_pairing_code(sysadmin, school.teacher.id)

    with pytest.raises(Forbidden):
        peers.redeem_pairing_code(first.code, laptop(1))
    assert peers.redeem_pairing_code(second.code, laptop(2)).user_id == school.teacher.id


def test_only_the_sysadmin_pairs_and_nothing_is_written_otherwise(school: SmallSchool):
    for user in (school.teacher, school.director):
        with nothing_written(), pytest.raises(Forbidden):
            peers.issue_pairing_code(school.actor(user), school.teacher.id)


def test_a_disabled_account_gets_no_pairing_code(school: SmallSchool):
    school.teacher.status = "disabled"
    school.teacher.save()
    with nothing_written(), pytest.raises(ValidationError, match="disabled"):
        peers.issue_pairing_code(school.actor(school.sysadmin), school.teacher.id)


def test_an_unknown_user_is_not_found(school: SmallSchool):
    with nothing_written(), pytest.raises(NotFound):
        peers.issue_pairing_code(school.actor(school.sysadmin), "0" * 32)


def test_revoking_stops_trust_at_once_and_the_key_cannot_pair_again(school: SmallSchool):
    sysadmin = school.actor(school.sysadmin)
    peer = peers.redeem_pairing_code(
        peers.issue_pairing_code(sysadmin, school.teacher.id).code, laptop()
    )

    revoked = peers.revoke_peer(sysadmin, peer.node_id[:8])

    assert revoked.revoked_at == NOON
    assert peers.trusted_peer(peer.node_id) is None
    assert [p.node_id for p in peers.list_peers(sysadmin)] == [peer.node_id]
    with pytest.raises(ValidationError, match="already revoked"):
        peers.revoke_peer(sysadmin, peer.node_id)
    code = peers.issue_pairing_code(sysadmin, school.teacher.id).code
    with pytest.raises(Forbidden, match="revoked"):
        peers.redeem_pairing_code(code, laptop())
    assert peers.trusted_peer(peer.node_id) is None


def test_only_the_sysadmin_lists_and_revokes(school: SmallSchool):
    sysadmin = school.actor(school.sysadmin)
    peer = peers.redeem_pairing_code(
        peers.issue_pairing_code(sysadmin, school.teacher.id).code, laptop()
    )
    teacher = school.actor(school.teacher)
    with pytest.raises(Forbidden):
        peers.list_peers(teacher)
    with nothing_written(), pytest.raises(Forbidden):
        peers.revoke_peer(teacher, peer.node_id)
    with nothing_written(), pytest.raises(NotFound):
        peers.revoke_peer(sysadmin, "ffff")


def test_a_laptop_keeps_one_hub_and_notes_how_syncs_went(school: SmallSchool):
    peers.remember_hub(
        node_id="a" * 32,
        public_key="cd" * 32,
        cert_fingerprint="AB",
        address="h:1",
        user_id=school.teacher.id,
        login="ivanova",
    )
    hub = peers.remember_hub(
        node_id="b" * 32,
        public_key="cd" * 32,
        cert_fingerprint="AB",
        address="h:2",
        user_id=school.teacher.id,
        login="ivanova",
    )
    assert peers.the_hub() == hub and SyncPeer.select().count() == 1

    peers.note_sync(hub.node_id, error="unreachable")
    assert peers.the_hub().last_error == "unreachable" and peers.the_hub().last_sync_at is None
    peers.note_sync(hub.node_id, epoch="e1")
    synced = peers.the_hub()
    assert (synced.last_error, synced.last_sync_at, synced.epoch) == ("", NOON, "e1")
