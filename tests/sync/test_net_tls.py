"""The node's self-signed TLS certificate: made once, private key private, fingerprints."""

from __future__ import annotations

import ipaddress
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509

from node.tls import (
    der_fingerprint,
    ensure_self_signed,
    fingerprint,
    format_fingerprint,
    parse_fingerprint,
    server_ssl_context,
)


def test_the_certificate_is_made_once_and_its_key_is_private(tmp_path: Path):
    paths = ensure_self_signed(tmp_path, hostnames=["school7.local", "0.0.0.0", "10.0.0.5"])
    first = fingerprint(paths.cert)

    again = ensure_self_signed(tmp_path, hostnames=["elsewhere.local"])

    assert again == paths and fingerprint(again.cert) == first
    assert stat.S_IMODE(paths.key.stat().st_mode) == 0o600
    assert not list(paths.cert.parent.glob("*.tmp"))
    cert = x509.load_pem_x509_certificate(paths.cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {"school7.local", "localhost"}
    assert set(names.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("10.0.0.5"),
        ipaddress.ip_address("127.0.0.1"),
    }


def test_a_half_made_pair_is_made_again(tmp_path: Path):
    paths = ensure_self_signed(tmp_path, hostnames=[])
    first = fingerprint(paths.cert)
    paths.cert.unlink()  # a crash between the key and the certificate
    assert fingerprint(ensure_self_signed(tmp_path, hostnames=[]).cert) != first


def test_fingerprints_are_grouped_for_people_and_parse_back(tmp_path: Path):
    paths = ensure_self_signed(tmp_path, hostnames=[])
    text = fingerprint(paths.cert)
    groups = text.split(" ")
    assert len(groups) == 16 and all(len(g) == 4 and g == g.upper() for g in groups)
    der = ssl.PEM_cert_to_DER_cert(paths.cert.read_text())
    assert der_fingerprint(der) == text
    assert format_fingerprint(parse_fingerprint(text.lower().replace(" ", ":"))) == text
    with pytest.raises(ValueError):
        parse_fingerprint("AB12")


def test_a_server_context_loads_the_pair(tmp_path: Path):
    paths = ensure_self_signed(tmp_path, hostnames=[])
    context = server_ssl_context(paths.cert, paths.key)
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
