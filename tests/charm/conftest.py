"""Charm test harness: the charm's src/ on sys.path, a recording fake VM that answers like
a node would (unit tests), and an instant clock."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Sequence

import pytest
import yaml

from ..conftest import REPO

CHARM_DIR = REPO / "charms" / "k8s-cluster"
sys.path.insert(0, str(CHARM_DIR / "src"))

from cluster_ops import ADMIN_CONF, CA_CRT, KUBELET_CONF, PREPARED_MARKER, Clock  # noqa: E402
from remote import Result, quote_argv  # noqa: E402


class FakeClock(Clock):
    """Waits take no time; `now` advances by what was slept."""

    def __init__(self) -> None:
        self.t = 0.0
        super().__init__(sleep=self._sleep, now=lambda: self.t, poll=5.0)

    def _sleep(self, seconds: float) -> None:
        self.t += seconds


class FakeVm:
    """Records every command and answers like a prepared Ubuntu node with kubeadm.

    `fail(prefix, ...)` makes commands starting with prefix fail; `raise_on(prefix, exc)`
    makes them raise (SSH errors)."""

    def __init__(self, hostname: str = "mecaas-acme-edge-controller") -> None:
        self.calls: list[dict[str, Any]] = []
        self.files: dict[str, str] = {PREPARED_MARKER: ""}
        self.hostname = hostname
        self.version = "v1.30.2"
        self.ready_after = 2  # NotReady for the first polls
        self.api_up_after = 0
        self.nodes: dict[str, bool] = {}
        self.tokens: list[str] = []
        self.created: list[tuple[str, str]] = []  # (token, --ttl) of every token create
        self.storage_classes: dict[str, dict[str, str]] = {}
        self.failures: list[tuple[tuple[str, ...], Result | Exception]] = []
        self.credentials = None
        self.connections: list = []
        self.closed = 0

    # factory signature of RemoteHost
    def __call__(self, credentials, pinned=None, on_first_use=lambda key: None,
                 connect_deadline: float = 300.0) -> "FakeVm":
        self.credentials = credentials
        self.connections.append(credentials)
        self.connect_deadline = connect_deadline
        return self

    def fail(self, prefix: Sequence[str], exit_status: int = 1, stderr: str = "boom",
             stdout: str = "") -> None:
        self.failures.append((tuple(prefix), Result(quote_argv(prefix), exit_status, stdout,
                                                    stderr)))

    def raise_on(self, prefix: Sequence[str], exc: Exception) -> None:
        self.failures.append((tuple(prefix), exc))

    def commands(self) -> list[list[str]]:
        return [c["argv"] for c in self.calls]

    def ran(self, *prefix: str) -> bool:
        return any(tuple(c[:len(prefix)]) == prefix for c in self.commands())

    def close(self) -> None:
        self.closed += 1

    def run_line(self, line: str, timeout: float = 120, stdin: str | None = None) -> Result:
        return self.run(["sh", "-c", line], timeout=timeout, stdin=stdin)

    def run(self, argv: Sequence[str], timeout: float = 120, stdin: str | None = None,
            sudo: bool = False) -> Result:
        argv = [str(a) for a in argv]
        self.calls.append({"argv": argv, "stdin": stdin, "sudo": sudo, "timeout": timeout})
        for prefix, answer in self.failures:
            if tuple(argv[:len(prefix)]) == prefix:
                if isinstance(answer, Exception):
                    raise answer
                return Result(quote_argv(argv), answer.exit_status, answer.stdout, answer.stderr)
        out, status, err = self._answer(argv, stdin)
        return Result(quote_argv(argv), status, out, err)

    def _answer(self, argv: list[str], stdin: str | None) -> tuple[str, int, str]:
        cmd = argv[0]
        if argv == ["true"] or cmd == "sh":
            return "ok\n", 0, ""
        if cmd == "test":
            return "", 0 if argv[2] in self.files else 1, ""
        if cmd == "hostname":
            return self.hostname + "\n", 0, ""
        if cmd == "cat":
            return (self.files[argv[1]], 0, "") if argv[1] in self.files else \
                ("", 1, f"cat: {argv[1]}: No such file or directory")
        if cmd == "install":
            if argv[1] != "-d":
                self.files[argv[-1]] = stdin or ""
            return "", 0, ""
        if cmd == "rm" or cmd == "curl" and self._api_up():
            return "", 0, ""
        if cmd == "curl":
            return "", 7, "curl: (7) Failed to connect"
        if cmd == "kubeadm":
            return self._kubeadm(argv[1:])
        if cmd == "kubectl":
            return self._kubectl(argv[3:], stdin)
        return "", 127, f"{cmd}: command not found"

    def _api_up(self) -> bool:
        self.api_up_after -= 1
        return self.api_up_after < 0

    def _kubeadm(self, args: list[str]) -> tuple[str, int, str]:
        if args[:1] == ["version"]:
            return self.version + "\n", 0, ""
        if args[:1] == ["init"]:
            self.files[ADMIN_CONF] = json.dumps({"clusters": [{"cluster": {
                "server": "https://172.16.0.10:6443",
                "certificate-authority-data": "Q0EK"}}],
                "users": [{"user": {"client-certificate-data": "ADMIN-CERT"}}]})
            self.files.setdefault(CA_CRT, TEST_CA[0])
            self.nodes[self.hostname] = False
            self.tokens.append("dflt00.0123456789abcdef")  # kubeadm's default 24 h token
            return "Your Kubernetes control-plane has initialized successfully!\n", 0, ""
        if args[:1] == ["join"]:
            self.files[KUBELET_CONF] = "kubelet"
            self.nodes[self.hostname] = False
            return "This node has joined the cluster\n", 0, ""
        if args[:1] == ["reset"]:
            self.files.pop(KUBELET_CONF, None)
            self.files.pop(ADMIN_CONF, None)
            return "", 0, ""
        if args[:2] == ["token", "list"]:
            return "".join(json.dumps({"token": t, "usages": ["authentication", "signing"]})
                           + "\n" for t in self.tokens), 0, ""
        if args[:2] == ["token", "create"]:
            if "--ttl" not in args:
                return "", 1, "the charm must give every token a --ttl"
            token = f"new{len(self.created):03d}.0123456789abcdef"
            self.tokens.append(token)
            self.created.append((token, args[args.index("--ttl") + 1]))
            return token + "\n", 0, ""
        if args[:2] == ["token", "delete"]:
            kept = [t for t in self.tokens if t.split(".")[0] != args[2]]
            if len(kept) == len(self.tokens):
                return "", 1, f'bootstrap token "{args[2]}" not found'
            self.tokens = kept
            return f'bootstrap token "{args[2]}" deleted\n', 0, ""
        return "", 1, "unknown kubeadm command"

    def _kubectl(self, args: list[str], stdin: str | None) -> tuple[str, int, str]:
        if args[:1] == ["apply"]:
            for doc in yaml.safe_load_all(stdin or ""):
                if isinstance(doc, dict) and doc.get("kind") == "StorageClass":
                    self.storage_classes.setdefault(doc["metadata"]["name"], dict(
                        doc["metadata"].get("annotations") or {}))
            return "applied\n", 0, ""
        if args[:2] == ["get", "storageclass"]:
            return json.dumps({"items": [{"metadata": {"name": n, "annotations": a}}
                                         for n, a in sorted(self.storage_classes.items())]}), 0, ""
        if args[:2] == ["patch", "storageclass"]:
            patch = json.loads(args[args.index("-p") + 1])
            self.storage_classes[args[2]].update(patch["metadata"]["annotations"])
            return f"storageclass.storage.k8s.io/{args[2]} patched\n", 0, ""
        if args[:2] == ["get", "node"]:
            name = args[2]
            if name not in self.nodes:
                return "", 1, f'Error from server (NotFound): nodes "{name}" not found'
            if args[-1] == "name":
                return f"node/{name}\n", 0, ""
            self.ready_after -= 1
            if self.ready_after < 0:
                self.nodes[name] = True
            return ("True" if self.nodes[name] else "False"), 0, ""
        if args[:2] == ["get", "nodes"]:
            items = [{"metadata": {"name": n, "labels": {
                "node-role.kubernetes.io/control-plane": ""} if "controller" in n else {}},
                      "status": {"conditions": [{"type": "Ready",
                                                 "status": "True" if ok else "False"}],
                                 "nodeInfo": {"kubeletVersion": self.version}}}
                     for n, ok in self.nodes.items()]
            return json.dumps({"items": items}), 0, ""
        if args[:1] == ["drain"]:
            return f"node/{args[1]} drained\n", 0, ""
        if args[:2] == ["delete", "node"]:
            self.nodes.pop(args[2], None)
            return "", 0, ""
        if args[:2] == ["create", "token"]:
            return "eyJhbGciOiJSUzI1NiJ9.sa-token.sig\n", 0, ""
        if args[:1] == ["version"]:
            return json.dumps({"serverVersion": {"major": "1", "minor": "30"}}), 0, ""
        return "", 1, "unknown kubectl command"


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

    fake = FakeVm()
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
