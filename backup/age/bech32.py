"""Bech32 (BIP 173) encoding, as age uses it for recipients and identities.

age allows strings longer than BIP 173's 90 characters, so there is no length limit here.
"""

from __future__ import annotations

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


class Bech32Error(ValueError):
    """The text is not valid bech32."""


def _polymod(values: list[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            if (top >> i) & 1:
                check ^= _GENERATOR[i]
    return check


def _expand_hrp(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: bytes | list[int], source: int, target: int, pad: bool) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << target) - 1
    for value in data:
        if value < 0 or value >> source:
            raise Bech32Error("value out of range")
        acc = (acc << source) | value
        bits += source
        while bits >= target:
            bits -= target
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (target - bits)) & maxv)
    elif bits >= source or (acc << (target - bits)) & maxv:
        raise Bech32Error("non-zero padding")
    return out


def encode(hrp: str, data: bytes) -> str:
    """Bech32 of ``data`` (8-bit bytes) under ``hrp``; lowercase unless the hrp is uppercase."""
    lower = hrp.lower()
    values = _convert_bits(data, 8, 5, pad=True)
    checksum = _polymod(_expand_hrp(lower) + values + [0] * 6) ^ 1
    values += [(checksum >> 5 * (5 - i)) & 31 for i in range(6)]
    text = lower + "1" + "".join(CHARSET[v] for v in values)
    return text.upper() if hrp.isupper() else text


def decode_raw(text: str) -> tuple[str, list[int]]:
    """The hrp and the 5-bit values (without checksum) of a bech32 string."""
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise Bech32Error("invalid character")
    if text.lower() != text and text.upper() != text:
        raise Bech32Error("mixed case")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        raise Bech32Error("missing separator or too short")
    hrp, rest = text[:pos], text[pos + 1 :]
    try:
        values = [CHARSET.index(c) for c in rest]
    except ValueError:
        raise Bech32Error("invalid character") from None
    if _polymod(_expand_hrp(hrp) + values) != 1:
        raise Bech32Error("invalid checksum")
    return hrp, values[:-6]


def decode(text: str) -> tuple[str, bytes]:
    """The hrp (lowercase) and the 8-bit data of a bech32 string."""
    hrp, values = decode_raw(text)
    return hrp, bytes(_convert_bits(values, 5, 8, pad=False))
