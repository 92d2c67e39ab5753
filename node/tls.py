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
import json
import os
import ssl
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from node.files import private_folder, write_private

TLS_DIR = "tls"
CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"
#: Long enough never to expire under a running school; pins, not dates, carry the trust.
VALID_DAYS = 20 * 366
#: What ``serve``'s sync port presents (``ServedCertificate``), in the data folder.
SERVED_FILE = "sync-certificate.json"


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
    private_folder(folder)
    cert_pem, key_pem = _make_certificate(hostnames)
    write_private(paths.key, key_pem)
    write_private(paths.cert, cert_pem)
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


# --- which certificate the sync port presents ----------------------------------------------


@dataclass(frozen=True)
class ServedCertificate:
    """The certificate ``ediary serve``'s sync port presents, as the server recorded it.

    ``serve --cert`` presents the school's own certificate instead of the node's
    self-signed one; ``ediary pair`` must show the fingerprint laptops will see, so the
    server writes down what it serves. Public facts only: no key, not even its path.
    """

    cert: str
    fingerprint: str
    self_signed: bool
    address: str
    pid: int

    @property
    def running(self) -> bool:
        """Is the process that recorded it still serving? (A server killed before it could
        say it stopped, whose process id was reused since, reads as running.)"""
        if self.pid <= 0:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # someone else's process
            return True
        return True


def self_signed_path(data_dir: Path) -> Path:
    """Where ``ensure_self_signed`` keeps the node's own certificate."""
    return Path(data_dir) / TLS_DIR / CERT_FILE


def _write_served(data_dir: Path, served: ServedCertificate) -> None:
    data = json.dumps(asdict(served), ensure_ascii=False, indent=1).encode()
    write_private(Path(data_dir) / SERVED_FILE, data)


def record_served(data_dir: Path, cert: Path, address: str) -> ServedCertificate:
    """Note, for ``ediary pair``, that this process serves ``cert`` at ``address``;
    written atomically (a reader never sees half a record)."""
    cert = Path(cert).resolve()
    served = ServedCertificate(
        cert=str(cert),
        fingerprint=fingerprint(cert),
        self_signed=cert == self_signed_path(data_dir).resolve(),
        address=address,
        pid=os.getpid(),
    )
    _write_served(data_dir, served)
    return served


def read_served(data_dir: Path) -> ServedCertificate | None:
    """The last record ``record_served`` left (maybe of a server stopped since), or None."""
    try:
        values = json.loads((Path(data_dir) / SERVED_FILE).read_text(encoding="utf-8"))
        return ServedCertificate(
            cert=str(values["cert"]),
            fingerprint=str(values["fingerprint"]),
            self_signed=bool(values["self_signed"]),
            address=str(values["address"]),
            pid=int(values["pid"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def served_stopped(data_dir: Path) -> None:
    """A stopping server notes it stopped (process id 0), keeping what it presented: the
    next start most likely presents it again. Another server's record is left alone."""
    served = read_served(data_dir)
    if served is not None and served.pid == os.getpid():
        _write_served(data_dir, replace(served, pid=0))
