"""The age format: round trips, and every kind of damage refused before output is trusted."""

from __future__ import annotations

import io
import random

import pytest

from backup.age import ScryptIdentity, ScryptRecipient, decrypt, encrypt, generate
from backup.age.stream import BATCH, CHUNK, NONCE_SIZE, TAG
from backup.errors import BackupDamaged, WrongKey

KEY = generate()
PLAIN = random.Random(8).randbytes(3 * CHUNK + 1000)


def seal(data: bytes, recipients=None) -> bytes:
    out = io.BytesIO()
    encrypt(io.BytesIO(data), [out.write], recipients or [KEY.recipient])
    return out.getvalue()


def open_(blob: bytes, identities=None) -> bytes:
    out = io.BytesIO()
    decrypt(io.BytesIO(blob), identities or [KEY], out.write)
    return out.getvalue()


def split(blob: bytes) -> tuple[bytes, list[bytes]]:
    """(header and nonce, ciphertext chunks)."""
    start = blob.index(b"\n---") + 1
    start = blob.index(b"\n", start) + 1 + NONCE_SIZE
    body = blob[start:]
    step = CHUNK + TAG
    return blob[:start], [body[i : i + step] for i in range(0, len(body), step)]


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, len(PLAIN)])
def test_round_trip_at_chunk_boundaries(size: int):
    assert open_(seal(PLAIN[:size])) == PLAIN[:size]


@pytest.mark.parametrize(
    "size", [BATCH * CHUNK - 1, BATCH * CHUNK, BATCH * CHUNK + 1, 2 * BATCH * CHUNK]
)
def test_round_trip_at_batch_boundaries_from_a_file_and_from_a_buffer(size: int):
    """The encryptor seals BATCH chunks per read; a mapped file is sealed from views."""
    data = random.Random(size).randbytes(size)
    from_file = seal(data)
    out = io.BytesIO()
    encrypt(memoryview(data), [out.write], [KEY.recipient])
    assert open_(from_file) == data == open_(out.getvalue())
    assert len(out.getvalue()) == len(from_file)


def test_any_of_several_recipients_opens_the_file():
    other = generate()
    blob = seal(PLAIN, [KEY.recipient, other.recipient])
    assert open_(blob, [other]) == PLAIN == open_(blob, [KEY])


def test_the_passphrase_round_trip():
    blob = seal(b"secret", [ScryptRecipient("a good passphrase", 10)])
    assert open_(blob, [ScryptIdentity("a good passphrase")]) == b"secret"


def test_a_flipped_byte_anywhere_is_refused():
    blob = seal(PLAIN[: CHUNK + 500])
    header, _chunks = split(blob)
    positions = list(range(len(header))) + random.Random(1).sample(
        range(len(header), len(blob)), 300
    )
    positions.append(len(blob) - 1)
    for position in positions:
        broken = bytearray(blob)
        broken[position] ^= 0x01
        with pytest.raises((BackupDamaged, WrongKey)):
            open_(bytes(broken))


def test_a_truncated_file_is_refused():
    blob = seal(PLAIN)
    header, chunks = split(blob)
    for length in [0, 10, len(header) - 5, len(header), len(header) + 100, len(blob) - 1]:
        with pytest.raises(BackupDamaged):
            open_(blob[:length])
    with pytest.raises(BackupDamaged, match="final part is missing"):
        open_(header + b"".join(chunks[:-1]))  # cut exactly at a chunk boundary


def test_swapped_duplicated_or_reordered_chunks_are_refused():
    header, chunks = split(seal(PLAIN))
    a, b, c, last = chunks
    for order in ([b, a, c, last], [a, a, b, c, last], [a, c, b, last], [a, b, c, last, last]):
        with pytest.raises(BackupDamaged):
            open_(header + b"".join(order))


def test_a_chunk_from_another_file_is_refused():
    header, chunks = split(seal(PLAIN))
    _other_header, other = split(seal(PLAIN))
    with pytest.raises(BackupDamaged):
        open_(header + other[0] + b"".join(chunks[1:]))


def test_the_wrong_identity_is_refused():
    with pytest.raises(WrongKey, match="None of the given keys"):
        open_(seal(PLAIN), [generate()])


def test_the_wrong_passphrase_is_refused():
    blob = seal(b"secret", [ScryptRecipient("a good passphrase", 10)])
    with pytest.raises(WrongKey, match="Wrong passphrase"):
        open_(blob, [ScryptIdentity("not the passphrase")])


def test_an_absurd_scrypt_work_factor_is_refused_before_any_work():
    blob = seal(b"secret", [ScryptRecipient("a good passphrase", 10)])
    absurd = blob.replace(b" 10\n", b" 40\n", 1)
    with pytest.raises(BackupDamaged, match="work factor of 2\\^40"):
        open_(absurd, [ScryptIdentity("a good passphrase")])


def test_a_passphrase_beside_another_stanza_is_refused():
    passphrase = seal(b"x", [ScryptRecipient("a good passphrase", 10)])
    keyed = seal(b"x")
    stanza = passphrase[passphrase.index(b"-> scrypt") : passphrase.index(b"\n---") + 1]
    mixed = keyed.replace(b"\n---", b"\n" + stanza[:-1] + b"\n---", 1)
    with pytest.raises(BackupDamaged):
        open_(mixed, [ScryptIdentity("a good passphrase")])


def test_a_file_that_is_not_age_is_refused():
    with pytest.raises(BackupDamaged, match="not an age file"):
        open_(b"SQLite format 3\x00" + bytes(100))
