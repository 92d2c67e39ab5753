"""The node's TLS certificate: self-signed, made once, pinned by fingerprint.

Sync (``ediary serve``'s sync port) and the web page's ``--tls`` use the same certificate.
Nobody on a school network runs a certificate authority, so peers pin the certificate's
SHA-256 fingerprint instead: the hub shows it, the laptop (or a person) compares it once.

The TLS key is a fresh ECDSA P-256 key, *not* the node's Ed25519 identity key: phone
browsers do not accept Ed25519 certificates, and keeping the identity key out of the TLS
stack means a leaked TLS key cannot sign backups or sync requests. The certificate is made
once and kept (the fingerprint must not change under peers that pinned it); delete the
``tls`` folder to make a new one, then pair the laptops again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from node.identity import write_atomically

TLS_DIR = "tls"
CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"
#: Long enough never to expire under a running school; pins, not dates, carry the trust.
VALID_DAYS = 20 * 366


@dataclass(frozen=True)
class CertPaths:
    cert: Path
    key: Path


def _alt_names(hostnames: list[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    seen: set[str] = set()
    for raw in [*hostnames, "localhost", "127.0.0.1"]:
        host = raw.strip().strip("[]").rstrip(".")
        if not host or host in seen:
            continue
        seen.add(host)
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            names.append(x509.DNSName(host))
            continue
        if not address.is_unspecified:  # 0.0.0.0 is a listening address, not a name
            names.append(x509.IPAddress(address))
    return names


def _make_certificate(hostnames: list[str]) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    common = next((h for h in hostnames if h and not h[0].isdigit()), "ediary")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common[:64])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(_alt_names(hostnames)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def ensure_self_signed(data_dir: Path, *, hostnames: list[str]) -> CertPaths:
    """The node's certificate and key under ``data_dir/tls``, made on first use.

    The key is written before the certificate, so a certificate on disk always has its key;
    an existing pair is kept whatever ``hostnames`` say now (peers pinned its fingerprint).
    """
    folder = Path(data_dir) / TLS_DIR
    paths = CertPaths(cert=folder / CERT_FILE, key=folder / KEY_FILE)
    if paths.cert.exists() and paths.key.exists():
        return paths
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    cert_pem, key_pem = _make_certificate(hostnames)
    write_atomically(paths.key, key_pem, 0o600)
    write_atomically(paths.cert, cert_pem, 0o644)
    return paths


def format_fingerprint(digest: bytes) -> str:
    """``3F2A 9C01 …``: sixteen groups of four hex digits, easy to read aloud and compare."""
    text = digest.hex().upper()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_fingerprint(text: str) -> bytes:
    """The digest from a fingerprint as printed (spaces, colons and case do not matter)."""
    cleaned = "".join(ch for ch in text if ch not in " :-\t").lower()
    digest = bytes.fromhex(cleaned)
    if len(digest) != 32:
        raise ValueError("a SHA-256 fingerprint has 32 bytes")
    return digest


def der_fingerprint(der: bytes) -> str:
    """The fingerprint of a certificate given in DER form (as a TLS peer presents it)."""
    return format_fingerprint(hashlib.sha256(der).digest())


def fingerprint(cert_path: Path) -> str:
    """The SHA-256 fingerprint of the certificate file, as people compare it."""
    cert = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
    return format_fingerprint(cert.fingerprint(hashes.SHA256()))


def server_ssl_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server context for the node's certificate: TLS 1.2 at least, no client certificates."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    return context
