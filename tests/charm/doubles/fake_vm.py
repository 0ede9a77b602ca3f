"""The unit tests' VMs: the charm's SSH runner replaced by in-process nodes that run the
same kubeadm/kubectl model (k8s_model) as the SSH tests' executables.

No VM, kubelet or API server can run here. A FakeVm is the charm's `remote_factory`: every
address it is asked for is the primary node (files, hostname) unless a test added another
node with `add_node_vm`; all nodes share one cluster state. Commands are answered as a
prepared Ubuntu node answers them: kubeadm/kubectl by the model (flags checked like the real
tools), coreutils (test, cat, install, rm) on the node's files, `sh -c` by a real /bin/sh
whose HOME is a private folder. Tests record and steer through `calls`, `commands()`,
`ran(...)`, `fail(...)` (a command answers with a given failure), `raise_on(...)` (an SSH
error), `uninstall(tool)`, `arm(fault)` and the cluster views (tokens, created, nodes,
storage_classes).
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import k8s_model

from remote import Result, quote_argv

CONTROLLER_ADDRESS = "172.16.0.10"


class VmNode:
    """One VM: its files (path -> text), hostname and the kubeadm version installed."""

    def __init__(self, hostname: str, files: dict[str, str]) -> None:
        self.hostname = hostname
        self.files = files
        self.modes: dict[str, int] = {}
        self.version = k8s_model.VERSION


class _ModelHost:
    """k8s_model's Host view of a VmNode, for one command."""

    def __init__(self, vm: FakeVm, node: VmNode, root: bool, stdin: str) -> None:
        self.vm, self.node = vm, node
        self.node_name, self.version = node.hostname, node.version
        self.root, self.stdin = root, stdin

    def exists(self, path: str) -> bool:
        return path in self.node.files or any(p.startswith(path.rstrip("/") + "/")
                                              for p in self.node.files)

    def read(self, path: str) -> str:
        return self.node.files[path]

    def write(self, path: str, text: str, mode: int = 0o644) -> None:
        self.node.files[path] = text
        self.node.modes[path] = mode

    def remove(self, path: str) -> None:
        _remove(self.node.files, path)

    def fault(self, name: str) -> bool:
        if name in self.vm.faults:
            self.vm.faults.discard(name)
            return True
        return False

    def new_ca(self) -> tuple[str, str]:
        return self.vm.ca[0], self.vm.ca[1]

    def ca_hash(self, cert_pem: str) -> str:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        key = x509.load_pem_x509_certificate(cert_pem.encode()).public_key()
        return "sha256:" + hashlib.sha256(key.public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo)).hexdigest()


def _remove(files: dict[str, str], path: str) -> None:
    for name in [p for p in files if p == path or p.startswith(path.rstrip("/") + "/")]:
        del files[name]


class FakeVm:
    """The charm's remote_factory for unit tests (see the module docstring)."""

    def __init__(self, ca: tuple[str, str, str], hostname: str =
                 "mecaas-acme-edge-controller", home: Path | None = None,
                 prepared_marker: str = "/var/lib/osm-mec/node-prepared") -> None:
        self.ca = ca  # (cert PEM, key PEM, discovery hash) kubeadm init "creates"
        self.prepared_marker = prepared_marker
        self.primary = VmNode(hostname, {prepared_marker: ""})
        self.nodes_by_address: dict[str, VmNode] = {}
        self.home = home or Path(tempfile.mkdtemp(prefix="fake-vm-home-"))
        self.cluster: dict[str, Any] = k8s_model.new_cluster({"not_ready_polls": 2})
        self.calls: list[dict[str, Any]] = []
        self.failures: list[tuple[tuple[str, ...], Result | Exception]] = []
        self.installed = set(k8s_model.TOOLS)
        self.faults: set[str] = set()
        self.api_up_after = 0  # curl to /livez fails this many times first
        self.credentials: Any = None
        self.connections: list[Any] = []
        self.connect_deadline = 0.0
        self.closed = 0

    # -- the primary node and the cluster, as tests see them ------------------------------
    @property
    def files(self) -> dict[str, str]:
        return self.primary.files

    @property
    def hostname(self) -> str:
        return self.primary.hostname

    @hostname.setter
    def hostname(self, name: str) -> None:
        self.primary.hostname = name

    @property
    def version(self) -> str:
        return self.primary.version

    @version.setter
    def version(self, value: str) -> None:
        self.primary.version = value

    @property
    def ready_after(self) -> int:
        """How many Ready polls a new node answers NotReady (after the CNI runs)."""
        return int(self.cluster["not_ready_polls"])

    @ready_after.setter
    def ready_after(self, polls: int) -> None:
        self.cluster["not_ready_polls"] = polls

    @property
    def tokens(self) -> list[str]:
        return list(self.cluster["tokens"])

    @property
    def created(self) -> list[tuple[str, str]]:
        """(token, --ttl) of every `kubeadm token create`."""
        return [(t, self.cluster["ttls"][t]) for t in self.cluster["created"]]

    @property
    def nodes(self) -> dict[str, bool]:
        """Node name -> Ready."""
        return {n: v["ready"] for n, v in self.cluster["nodes"].items()}

    @property
    def storage_classes(self) -> dict[str, dict[str, str]]:
        return self.cluster["storageclasses"]  # type: ignore[no-any-return]

    def add_node_vm(self, address: str, hostname: str) -> VmNode:
        """Another prepared VM, reached at address."""
        node = VmNode(hostname, {self.prepared_marker: ""})
        self.nodes_by_address[address] = node
        return node

    def add_cluster_node(self, name: str, ready: bool = True) -> None:
        """A Node object of a VM these tests do not run (a worker joined earlier)."""
        self.cluster["nodes"][name] = {"ready": ready, "roles": [], "polls": 0}

    def existing_cluster(self, token: str) -> None:
        """A cluster whose control plane runs on another VM (at 172.16.0.10), with `token`
        valid: what a worker's join finds."""
        k8s_model.new_cluster(self.cluster).update(
            advertise=CONTROLLER_ADDRESS, control_plane="controller-elsewhere",
            ca_pem=self.ca[0], ca_hash=self.ca[2], version=k8s_model.VERSION,
            tokens=[token], ttls={token: "30m"}, applied=[k8s_model.CNI_DAEMONSET])
        self.cluster["nodes"]["controller-elsewhere"] = {
            "ready": True, "roles": ["control-plane"], "polls": 0}

    def uninstall(self, tool: str) -> None:
        self.installed.discard(tool)

    def arm(self, fault: str) -> None:
        """The next `kubeadm <fault>` (init or join) fails part-way, as k8s_model describes."""
        self.faults.add(fault)

    # -- steering and recording -----------------------------------------------------------
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

    # -- RemoteHost's factory signature ---------------------------------------------------
    def __call__(self, credentials: Any, pinned: Any = None,
                 on_first_use: Any = lambda key: None,
                 connect_deadline: float = 300.0) -> VmSession:
        self.credentials = credentials
        self.connections.append(credentials)
        self.connect_deadline = connect_deadline
        return VmSession(self, self.nodes_by_address.get(credentials.host, self.primary))

    def answer(self, node: VmNode, argv: list[str], stdin: str | None, sudo: bool) -> Result:
        for prefix, canned in self.failures:
            if tuple(argv[:len(prefix)]) == prefix:
                if isinstance(canned, Exception):
                    raise canned
                return Result(quote_argv(argv), canned.exit_status, canned.stdout,
                              canned.stderr)
        out, status, err = self._answer(node, argv, stdin or "", sudo)
        return Result(quote_argv(argv), status, out, err)

    def _answer(self, node: VmNode, argv: list[str], stdin: str, sudo: bool
                ) -> tuple[str, int, str]:
        cmd, files = argv[0], node.files
        if cmd in ("kubeadm", "kubectl"):
            done = k8s_model.run(argv, _ModelHost(self, node, sudo, stdin), self.cluster,
                                 tuple(self.installed), sudo)
            return done.stdout, done.status, done.stderr
        if cmd == "true":
            return "", 0, ""
        if cmd == "hostname":
            return node.hostname + "\n", 0, ""
        if cmd == "test" and argv[1] == "-f":
            return "", 0 if argv[2] in files else 1, ""
        if cmd == "cat":
            return (files[argv[1]], 0, "") if argv[1] in files else \
                ("", 1, f"cat: {argv[1]}: No such file or directory\n")
        if cmd == "install":
            if argv[1] != "-d":
                files[argv[-1]] = stdin if argv[-2] == "/dev/stdin" else ""
            return "", 0, ""
        if cmd == "rm":
            for path in (a for a in argv[1:] if not a.startswith("-")):
                _remove(files, path)
            return "", 0, ""
        if cmd == "curl":
            return self._curl(argv[-1])
        if cmd == "sh":
            shell = subprocess.run(argv, input=stdin, capture_output=True, text=True,
                                   timeout=30, cwd=self.home, env={
                                       "HOME": str(self.home), "PATH": "/usr/bin:/bin"})
            return shell.stdout, shell.returncode, shell.stderr
        missing = k8s_model.not_found(cmd, sudo)
        return missing.stdout, missing.status, missing.stderr

    def _curl(self, url: str) -> tuple[str, int, str]:
        self.api_up_after -= 1
        up = self.api_up_after < 0 and k8s_model.api_up(self.cluster) and \
            url == f"https://{k8s_model.endpoint(self.cluster)}/livez"
        return ("ok", 0, "") if up else ("", 7, f"curl: (7) Failed to connect to {url}\n")


class VmSession:
    """One connection to one node (what RemoteHost is to the charm)."""

    def __init__(self, vm: FakeVm, node: VmNode) -> None:
        self.vm, self.node = vm, node

    def run(self, argv: Sequence[str], timeout: float = 120, stdin: str | None = None,
            sudo: bool = False) -> Result:
        argv = [str(a) for a in argv]
        self.vm.calls.append({"argv": argv, "stdin": stdin, "sudo": sudo, "timeout": timeout,
                              "host": self.node.hostname})
        return self.vm.answer(self.node, argv, stdin, sudo)

    def run_line(self, line: str, timeout: float = 120, stdin: str | None = None) -> Result:
        """The login shell runs line; the result names the line, as RemoteHost's does."""
        done = self.run(["sh", "-c", line], timeout=timeout, stdin=stdin)
        return Result(line, done.exit_status, done.stdout, done.stderr)

    def close(self) -> None:
        self.vm.closed += 1
