#!/usr/bin/python3
"""The kubeadm/kubectl model (k8s_model) as executables, for the charm's SSH integration
tests (kubeadm, kubelet and a Kubernetes API server cannot run here).

Installed in a throwaway user's ~/bin (sshd.py) under the names kubeadm, kubectl, sudo,
curl, systemctl and hostname, beside the model's modules; each records its arguments to
$K8S_DOUBLE_LOG. The node's files live under $FAKE_ROOT (the paths of MAPPED are mapped
there), the cluster's state in $K8S_DOUBLE_CLUSTER (a JSON file shared by every node's
user, guarded by a lock). `sudo` runs a command as "root" (the double cannot change user:
it marks the environment) and answers like the real sudo for a missing command.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

import k8s_model

TOOL = os.path.basename(sys.argv[0])
ARGS = sys.argv[1:]
MAPPED = ("/etc/kubernetes", "/etc/cni", "/var/lib/osm-mec", "/var/lib/kubelet",
          "/var/lib/etcd")
AS_ROOT = "K8S_DOUBLE_AS_ROOT"


def record(argv: list[str]) -> None:
    with open(os.environ["K8S_DOUBLE_LOG"], "a") as log:
        log.write(json.dumps({"tool": TOOL, "argv": argv, "user": os.environ.get("USER"),
                              "node": os.environ.get("NODE_NAME")}) + "\n")


def node_path(path: str) -> str:
    """Where a node path lives in this user's fake root."""
    if any(path == p or path.startswith(p + "/") for p in MAPPED):
        return os.environ["FAKE_ROOT"] + path
    return path


@contextmanager
def cluster() -> Iterator[dict[str, Any]]:
    path = os.environ["K8S_DOUBLE_CLUSTER"]
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(path) as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            data = {}
        yield data
        with open(path, "w") as handle:
            json.dump(data, handle)


class NodeFiles:
    """The model's Host: this user's fake root, the node's name, sudo's mark."""

    def __init__(self, stdin: str) -> None:
        self.node_name = os.environ["NODE_NAME"]
        self.version = os.environ.get("K8S_DOUBLE_VERSION", k8s_model.VERSION)
        self.root = os.geteuid() == 0 or os.environ.get(AS_ROOT) == "1"
        self.stdin = stdin

    def exists(self, path: str) -> bool:
        return os.path.exists(node_path(path))

    def read(self, path: str) -> str:
        with open(node_path(path)) as handle:
            return handle.read()

    def write(self, path: str, text: str, mode: int = 0o644) -> None:
        target = node_path(path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(target, mode)

    def remove(self, path: str) -> None:
        target = node_path(path)
        if os.path.isdir(target):
            shutil.rmtree(target)
        elif os.path.exists(target):
            os.remove(target)

    def fault(self, name: str) -> bool:
        """A one-shot fault the test arms by creating $FAKE_ROOT/fault-<name>."""
        path = os.environ["FAKE_ROOT"] + f"/fault-{name}"
        if os.path.exists(path):
            os.remove(path)
            return True
        return False

    def new_ca(self) -> tuple[str, str]:
        folder = os.environ["FAKE_ROOT"]
        key, crt = f"{folder}/.new-ca.key", f"{folder}/.new-ca.crt"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", crt, "-subj", "/CN=kubernetes", "-days", "1"],
                       capture_output=True, check=True)
        try:
            return open(crt).read(), open(key).read()
        finally:
            os.remove(key)
            os.remove(crt)

    def ca_hash(self, cert_pem: str) -> str:
        pub = subprocess.run(["openssl", "x509", "-pubkey", "-noout"], input=cert_pem,
                             capture_output=True, text=True, check=True).stdout
        der = base64.b64decode("".join(x for x in pub.splitlines() if "-----" not in x))
        return "sha256:" + hashlib.sha256(der).hexdigest()


def model() -> None:
    """kubeadm or kubectl: the model answers, this process prints it and exits with it."""
    stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    with cluster() as state:
        done = k8s_model.run([TOOL, *ARGS], NodeFiles(stdin), state)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    sys.exit(done.status)


def sudo() -> None:
    """Run the command as "root": node paths mapped for real commands, the model's tools
    told they run as root. A missing command: sudo's own message, exit 1."""
    args = list(ARGS)
    while args and args[0] in ("-n", "--"):
        args.pop(0)
    if not args or shutil.which(args[0]) is None:
        sys.stderr.write(f"sudo: {args[0] if args else ''}: command not found\n")
        sys.exit(1)
    if args[0] not in k8s_model.TOOLS:
        args = [node_path(a) for a in args]
    os.environ[AS_ROOT] = "1"
    os.execvp(args[0], args)


def curl() -> None:
    url = ARGS[-1]
    with cluster() as state:
        up = k8s_model.api_up(state) and url == f"https://{k8s_model.endpoint(state)}/livez"
    if not up:
        sys.stderr.write(f"curl: (7) Failed to connect to {url}\n")
        sys.exit(7)
    print("ok")


def systemctl() -> None:
    print("active" if ARGS[:1] == ["is-active"] else "")


def hostname() -> None:
    print(os.environ["NODE_NAME"])


def main() -> None:
    record(ARGS)
    handlers = {"sudo": sudo, "kubeadm": model, "kubectl": model, "curl": curl,
                "systemctl": systemctl, "hostname": hostname}
    handlers[TOOL]()


if __name__ == "__main__":
    main()
