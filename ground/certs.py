"""Certificate pins: what a device checks of the branch's certificate authority (`cryptography` behind this module
on the device side; the node makes its certificates in `branch.tls`)."""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization


def spki_pin(certificate: x509.Certificate) -> str:
    """SHA-256 (hex) of the certificate's public key (SubjectPublicKeyInfo): what a device pins."""
    der = certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def pem_pin(ca_pem: str) -> str:
    return spki_pin(x509.load_pem_x509_certificate(ca_pem.encode()))


def issued_by_pinned_ca(leaf_der: bytes, ca_pem: str, pin: str) -> bool:
    """The leaf certificate a node presented is signed by this CA, and the CA's key is the pinned one."""
    try:
        ca = x509.load_pem_x509_certificate(ca_pem.encode())
        if spki_pin(ca) != pin:
            return False
        x509.load_der_x509_certificate(leaf_der).verify_directly_issued_by(ca)
    except Exception:
        return False
    return True
