"""Optional XML signature of CAP alerts (enveloped, RSA or EC with SHA-256), via signxml."""

from __future__ import annotations

import functools
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml.algorithms import SignatureConstructionMethod
from signxml.signer import XMLSigner

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class SigningError(ValueError):
    """A signing key or certificate that cannot be used."""


@functools.lru_cache(maxsize=4)
def load(key_file: str, cert_file: str) -> tuple[bytes, bytes]:
    """Read the PEM key and certificate once; refuse files that are missing or not PEM."""
    try:
        key, cert = Path(key_file).read_bytes(), Path(cert_file).read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read the CAP signing key or certificate: {exc}") from None
    try:
        private = serialization.load_pem_private_key(key, password=None)
        public = x509.load_pem_x509_certificate(cert).public_key()
    except (ValueError, TypeError) as exc:
        raise SigningError(
            f"the CAP signing key and certificate must be PEM files: {exc}"
        ) from None
    mine = private.public_key().public_bytes(*_SPKI)
    if mine != public.public_bytes(*_SPKI):
        raise SigningError("the CAP signing certificate is not the signing key's certificate")
    return key, cert


def sign(document: bytes, key: bytes, cert: bytes) -> bytes:
    """Add an enveloped ``<Signature>`` as the alert's last child, as CAP 1.2 §3.3.2.1 allows."""
    root = etree.fromstring(document)
    signer = XMLSigner(method=SignatureConstructionMethod.enveloped, c14n_algorithm=EXC_C14N)
    signed = signer.sign(root, key=key, cert=cert.decode("ascii"))
    body: bytes = etree.tostring(signed, xml_declaration=True, encoding="utf-8")
    return body
