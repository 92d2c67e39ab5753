"""Row ids are UUIDv7: unique, well-formed, and increasing so history keeps its order."""

from __future__ import annotations

import uuid

from node.models.base import new_id, uuid7_hex


def test_ids_are_uuid7_and_increase_within_a_millisecond():
    ids = [new_id() for _ in range(20_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert len(ids[0]) == 32 and ids[0] == ids[0].lower()


def test_demo_ids_from_a_timestamp_and_random_bits_are_valid():
    value = uuid.UUID(uuid7_hex(1_700_000_000_000, (1 << 80) - 1))
    assert value.version == 7 and value.variant == uuid.RFC_4122
