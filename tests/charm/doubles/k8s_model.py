"""One model of kubeadm and kubectl (and sudo in front of them) for every charm test.

No kubelet, API server or etcd can run here, so the charm's tests talk to this model: the
SSH integration tests through executables (k8s_double.py, served by the real sshd of
sshd.py), the unit tests through the in-process fake VM (fake_vm.FakeVm). Both give the
model a Host (the node's files, its name, whether the caller is root) and the cluster's
state (a JSON-able dict shared by every node), and get back what the real tool would print
and its exit status.

The model checks what the real tools check: every flag against the tool's flag table
(cli_flags; unknown flag -> kubeadm's or kubectl's own error and exit 1), required
arguments, `kubeadm reset` without -f asks on stdin and refuses without a "y", kubeadm needs
root, bootstrap tokens have kubeadm's form, joins need the cluster's token and CA hash, a
kubelet's credentials may only delete their own Node, a tool that is not installed makes
sudo answer "sudo: kubeadm: command not found" (exit 1).
(tests/cloud_init_vm.py is another matter: it doubles cloud-init's *installation* of kubeadm
for the cloud-init tests, not its use, and stays separate.)
Wording and exit codes follow kubeadm (cmd/kubeadm/app/util/error.go: message + "To see the
stack trace of this error execute with --v=5 or higher", exit 1) and kubectl ("error: " +
message, flag errors + "See 'kubectl <cmd> --help' for usage.", exit 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import yaml

VERSION = "v1.30.2"
API_PORT = 6443
KUBE = "/etc/kubernetes"
ADMIN_CONF = f"{KUBE}/admin.conf"
KUBELET_CONF = f"{KUBE}/kubelet.conf"
CA_CRT = f"{KUBE}/pki/ca.crt"
CA_KEY = f"{KUBE}/pki/ca.key"
APISERVER_MANIFEST = f"{KUBE}/manifests/kube-apiserver.yaml"
CNI_DAEMONSET = "DaemonSet/kube-flannel-ds"
TOOLS = ("kubeadm", "kubectl")


@dataclass
class Outcome:
    """What a command printed and its exit status."""

    stdout: str = ""
    stderr: str = ""
    status: int = 0


class ToolError(Exception):
    """The tool fails: stderr text (without the tool's own suffix) and exit status."""

    def __init__(self, message: str, status: int = 1, stdout: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.stdout = stdout


class Host(Protocol):
    """The node a command runs on, as the model sees it."""

    node_name: str
    version: str  # of the kubeadm/kubelet installed on the node
    root: bool  # the command runs as root (through sudo)
    stdin: str

    def exists(self, path: str) -> bool: ...

    def read(self, path: str) -> str: ...

    def write(self, path: str, text: str, mode: int = 0o644) -> None: ...

    def remove(self, path: str) -> None:
        """Remove a file or a whole folder; a missing path is fine."""

    def fault(self, name: str) -> bool:
        """Whether a one-shot fault (init, join) is armed; arming is consumed."""

    def new_ca(self) -> tuple[str, str]:
        """A fresh self-signed CA: certificate PEM, key PEM."""

    def ca_hash(self, cert_pem: str) -> str:
        """kubeadm's discovery hash of a CA certificate (sha256 of its public key)."""


def new_cluster(cluster: dict[str, Any]) -> dict[str, Any]:
    """The cluster's state with every key present (a fresh dict is no cluster at all)."""
    for key, empty in (("nodes", dict), ("tokens", list), ("ttls", dict),
                       ("descriptions", dict), ("created", list), ("applied", list),
                       ("storageclasses", dict)):
        cluster.setdefault(key, empty())
    cluster.setdefault("not_ready_polls", 1)  # a joined node is NotReady this many polls
    return cluster


def api_up(cluster: dict[str, Any]) -> bool:
    return bool(cluster.get("advertise"))


def endpoint(cluster: dict[str, Any]) -> str:
    return f"{cluster['advertise']}:{API_PORT}"


def kubeconfig(server: str, ca_pem: str, user: str) -> str:
    """A kubeconfig like kubeadm writes (client credentials are placeholders)."""
    import base64

    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "kubernetes", "cluster": {
            "server": server,
            "certificate-authority-data": base64.b64encode(ca_pem.encode()).decode()}}],
        "contexts": [{"name": f"{user}@kubernetes",
                      "context": {"cluster": "kubernetes", "user": user}}],
        "current-context": f"{user}@kubernetes",
        "users": [{"name": user, "user": {"client-certificate-data": "FAKE-CLIENT-CERT",
                                           "client-key-data": "FAKE-CLIENT-KEY"}}]},
        sort_keys=False)


def run(argv: list[str], host: Host, cluster: dict[str, Any], installed: tuple[str, ...] =
        TOOLS, sudo: bool = False) -> Outcome:
    """Run argv (kubeadm ... or kubectl ...) on host; sudo as `sudo -n --` would."""
    from kubeadm_model import kubeadm
    from kubectl_model import kubectl

    tools: dict[str, Callable[[list[str], Host, dict[str, Any]], Outcome]] = {
        "kubeadm": kubeadm, "kubectl": kubectl}
    tool = argv[0]
    if tool not in tools or tool not in installed:
        return not_found(tool, sudo)
    return tools[tool](argv[1:], host, new_cluster(cluster))


def not_found(tool: str, sudo: bool) -> Outcome:
    """A command the node does not have: sudo's answer (exit 1), or the login shell's."""
    if sudo:
        return Outcome("", f"sudo: {tool}: command not found\n", 1)
    return Outcome("", f"bash: line 1: {tool}: command not found\n", 127)
