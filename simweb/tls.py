"""A self-signed certificate, made in memory at start-up, for the HTTPS side of the proxy."""

from __future__ import annotations

import datetime
import ssl
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def make_certificate(hostnames: Iterable[str]) -> tuple[bytes, bytes]:
    """Return (certificate PEM, private key PEM) valid for every name in `hostnames`."""
    key = ec.generate_private_key(ec.SECP256R1())
    names = sorted(set(hostnames)) or ["localhost"]
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "simweb"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "simweb test proxy"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def server_context(hostnames: Iterable[str]) -> ssl.SSLContext:
    """A server-side SSLContext with a fresh self-signed certificate for `hostnames`."""
    cert_pem, key_pem = make_certificate(hostnames)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_alpn_protocols(["http/1.1"])
    # load_cert_chain only reads files: write them to a private temp dir, gone right after.
    with tempfile.TemporaryDirectory(prefix="simweb-tls-") as tmp:
        cert_file = Path(tmp, "cert.pem")
        key_file = Path(tmp, "key.pem")
        cert_file.write_bytes(cert_pem)
        key_file.write_bytes(key_pem)
        key_file.chmod(0o600)
        context.load_cert_chain(cert_file, key_file)
    return context
