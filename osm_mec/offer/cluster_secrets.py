"""Per-cluster secrets: a kubeadm bootstrap token and the cluster CA.

Generated fresh for every cluster so that workers can join with a pinned CA hash as soon
as their VM is up, in parallel with the controller's kubeadm init.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import string
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
CA_VALIDITY_DAYS = 3650


@dataclass(frozen=True)
class ClusterSecrets:
    """What kubeadm init and join need; repr hides everything secret."""

    bootstrap_token: str
    ca_cert_pem: str
    ca_key_pem: str
    ca_cert_hash: str

    def __repr__(self) -> str:
        return f"ClusterSecrets(ca_cert_hash={self.ca_cert_hash!r}, token=***, key=***)"


def bootstrap_token() -> str:
    """A kubeadm bootstrap token: [a-z0-9]{6}.[a-z0-9]{16}."""
    pick = lambda n: "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(n))  # noqa: E731
    return f"{pick(6)}.{pick(16)}"


def ca_cert_hash(cert_pem: str) -> str:
    """kubeadm's --discovery-token-ca-cert-hash: sha256 of the CA's SubjectPublicKeyInfo."""
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(spki).hexdigest()


def new_cluster_secrets(cluster_name: str) -> ClusterSecrets:
    """A fresh token and a self-signed cluster CA like the one kubeadm would create."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes"),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, cluster_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CA_VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True,
                                     key_cert_sign=True, content_commitment=False,
                                     data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False,
                                     decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    return ClusterSecrets(bootstrap_token(), cert_pem, key_pem, ca_cert_hash(cert_pem))
