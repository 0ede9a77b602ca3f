"""Charm test harness: the charm's src/ and the doubles on sys.path, the unit tests' fake VM
(doubles/fake_vm.py: in-process nodes running the same kubeadm/kubectl model as the SSH
tests' executables), a test CA and an instant clock."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ..conftest import REPO

CHARM_DIR = REPO / "charms" / "k8s-cluster"
DOUBLES_DIR = Path(__file__).resolve().parent / "doubles"
sys.path.insert(0, str(CHARM_DIR / "src"))
sys.path.insert(0, str(DOUBLES_DIR))  # k8s_model and friends, as the executables import them

from fake_vm import FakeVm  # noqa: E402

from cluster_ops import PREPARED_MARKER, Clock  # noqa: E402


class FakeClock(Clock):
    """Waits take no time; `now` advances by what was slept."""

    def __init__(self) -> None:
        self.t = 0.0
        super().__init__(sleep=self._sleep, now=lambda: self.t, poll=5.0)

    def _sleep(self, seconds: float) -> None:
        self.t += seconds


def _make_test_ca() -> tuple[str, str, str]:
    """A self-signed CA like the one kubeadm init creates: (cert PEM, key PEM, kubeadm's
    discovery hash, sha256 of the SubjectPublicKeyInfo, computed with cryptography)."""
    import datetime
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    return (cert.public_bytes(serialization.Encoding.PEM).decode(),
            key.private_bytes(serialization.Encoding.PEM,
                              serialization.PrivateFormat.TraditionalOpenSSL,
                              serialization.NoEncryption()).decode(),
            "sha256:" + hashlib.sha256(spki).hexdigest())


TEST_CA = _make_test_ca()


@pytest.fixture()
def vm(monkeypatch, tmp_path) -> FakeVm:
    """A fake VM wired into the charm, with an instant clock and a private key folder."""
    from charm import K8sClusterCharm

    fake = FakeVm(TEST_CA, home=tmp_path / "vm-home", prepared_marker=PREPARED_MARKER)
    fake.home.mkdir()
    monkeypatch.setattr(K8sClusterCharm, "remote_factory", fake)
    monkeypatch.setattr(K8sClusterCharm, "clock", FakeClock())
    monkeypatch.setenv("K8S_CLUSTER_CHARM_STATE", str(tmp_path / "state"))
    return fake


_CHARM_COPY: list[Path] = []


def charm_context():
    """A testing.Context on a throwaway copy of the charm: Scenario writes the charm's
    YAML files into charm_root, which must never be the source folder."""
    import shutil
    import tempfile

    import yaml
    from ops import testing

    from charm import K8sClusterCharm

    if not _CHARM_COPY:
        root = Path(tempfile.mkdtemp(prefix="k8s-cluster-charm-")) / "charm"
        shutil.copytree(CHARM_DIR, root)
        for name in ("metadata.yaml", "config.yaml", "actions.yaml", "charmcraft.yaml"):
            (root / name).unlink()  # Context gets them as arguments
        _CHARM_COPY.append(root)
    load = lambda name: yaml.safe_load((CHARM_DIR / name).read_text())  # noqa: E731
    return testing.Context(K8sClusterCharm, meta=load("metadata.yaml"),
                           actions=load("actions.yaml"), config=load("config.yaml"),
                           charm_root=_CHARM_COPY[0])


@pytest.fixture()
def ctx():
    return charm_context()
