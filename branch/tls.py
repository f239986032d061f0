"""The branch's own certificate authority and the node's HTTPS certificate (the only module of the node that
imports `cryptography`).

On first start the node makes a CA (EC P-256, 20 years) in `<data_dir>/tls/`; at every start it issues itself a
fresh leaf certificate (1 year) naming its host names and addresses, so a new DHCP address needs no technician.
Devices pin the CA — the SHA-256 of its public key (SubjectPublicKeyInfo) — which they learn at pairing
(`branch.pairing`). In a cluster every member derives the same CA key from the cluster secret (HKDF), so a
device paired with one member trusts them all; the CA certificate bytes may differ between members (ECDSA
signatures are randomised) but the pinned key is the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import socket
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID

from ground.certs import spki_pin
from ground.files import write_private

log = logging.getLogger(__name__)

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def derived_key(seed: bytes) -> ec.EllipticCurvePrivateKey:
    """The same P-256 key on every member holding `seed` (the cluster secret)."""
    material = HKDF(hashes.SHA256(), 48, salt=b"smartqueue branch CA", info=b"ca-key-v1").derive(seed)
    return ec.derive_private_key(int.from_bytes(material, "big") % (P256_ORDER - 1) + 1, ec.SECP256R1())


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SmartQueue Edge"),
                      x509.NameAttribute(NameOID.COMMON_NAME, text)])


def local_addresses() -> list[str]:
    """This machine's IPv4 addresses (for the certificate's names); loopback always included."""
    found = {"127.0.0.1"}
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(str(info[4][0]))
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:  # no packet is sent
            probe.connect(("192.0.2.1", 9))
            found.add(probe.getsockname()[0])
    except OSError:
        pass
    return sorted(found)


class BranchTLS:
    def __init__(self, folder: Path, seed: bytes | None = None) -> None:
        self.folder = folder
        self.ca_key, self.ca_cert = self._load_or_create_ca(seed)
        self.leaf_key: ec.EllipticCurvePrivateKey | None = None
        self.leaf_cert: x509.Certificate | None = None

    @property
    def ca_pem(self) -> str:
        return self.ca_cert.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def ca_pin(self) -> str:
        return spki_pin(self.ca_cert)

    @property
    def leaf_fingerprint(self) -> str:
        """SHA-256 of the leaf certificate as sent in the handshake (DER): the pairing proof binds it."""
        assert self.leaf_cert is not None
        return hashlib.sha256(self.leaf_cert.public_bytes(serialization.Encoding.DER)).hexdigest()

    def _load_or_create_ca(self, seed: bytes | None) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key_path, cert_path = self.folder / "ca.key", self.folder / "ca.pem"
        if key_path.exists() and cert_path.exists():
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            wanted = derived_key(seed) if seed is not None else key
            if isinstance(key, ec.EllipticCurvePrivateKey) and wanted.private_numbers() == key.private_numbers():
                return key, cert
            log.warning("the branch CA in %s does not match the cluster secret: making the shared one", self.folder)
        key = derived_key(seed) if seed is not None else ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        cert = (x509.CertificateBuilder().subject_name(_name("SmartQueue branch CA")).issuer_name(
            _name("SmartQueue branch CA")).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=20 * 365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
        write_private(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
        write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
        log.info("made the branch certificate authority (pin %s)", spki_pin(cert))
        return key, cert

    def issue_leaf(self, hosts: list[str]) -> None:
        """A fresh server certificate for these names and addresses, signed by the branch CA."""
        names: list[x509.GeneralName] = []
        for host in dict.fromkeys([*hosts, "localhost", socket.gethostname()]):
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        self.leaf_cert = (x509.CertificateBuilder().subject_name(_name(socket.gethostname() or "node"))
                          .issuer_name(self.ca_cert.subject).public_key(key.public_key())
                          .serial_number(x509.random_serial_number()).not_valid_before(now)
                          .not_valid_after(now + dt.timedelta(days=365))
                          .add_extension(x509.SubjectAlternativeName(names), critical=False)
                          .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                          .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.SERVER_AUTH]),
                                         critical=False)
                          .sign(self.ca_key, hashes.SHA256()))
        self.leaf_key = key
        write_private(self.folder / "node.key", key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        write_private(self.folder / "node.pem", self.leaf_cert.public_bytes(serialization.Encoding.PEM)
                      + self.ca_cert.public_bytes(serialization.Encoding.PEM), mode=0o644)

    def server_context(self) -> ssl.SSLContext:
        """TLS 1.2+ with the leaf and its CA as the chain."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.folder / "node.pem", self.folder / "node.key")
        return context
