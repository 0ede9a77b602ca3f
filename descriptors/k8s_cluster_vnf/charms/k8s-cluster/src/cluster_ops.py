"""Kubernetes node operations over SSH: kubeadm init/join/reset and the day-2 queries.

Every operation takes a runner with ``run(argv, timeout=, stdin=, sudo=) -> Result`` and
raises StepFailed naming the step, the command and its stderr. Every operation is
idempotent: run again after success, it changes nothing and succeeds.
"""

import base64
import hashlib
import json
import re
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

import yaml

from remote import Result

if TYPE_CHECKING:
    from typing import Protocol
else:  # typing.Protocol is Python 3.8+; the charm also runs on Ubuntu 18.04's Python 3.6
    Protocol = object

ADMIN_CONF = "/etc/kubernetes/admin.conf"
KUBELET_CONF = "/etc/kubernetes/kubelet.conf"
PKI_DIR = "/etc/kubernetes/pki"
CA_CRT = f"{PKI_DIR}/ca.crt"
CA_KEY = f"{PKI_DIR}/ca.key"
KUBEADM_CONFIG = "/etc/kubernetes/osm-mec-kubeadm.yaml"
PREPARED_MARKER = "/var/lib/osm-mec/node-prepared"
# Written only once kubeadm init/join succeeded: anything else kubeadm left behind is a failed
# attempt, cleaned up with `kubeadm reset -f` before the retry.
INIT_DONE = "/var/lib/osm-mec/kubeadm-init-done"
JOIN_DONE = "/var/lib/osm-mec/kubeadm-join-done"
LEFTOVERS = (ADMIN_CONF, KUBELET_CONF, "/etc/kubernetes/manifests/kube-apiserver.yaml", CA_CRT)
API_PORT = 6443
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
ADMIN = ["kubectl", "--kubeconfig", ADMIN_CONF]
AUTHORIZE_KEY = ('umask 077; mkdir -p ~/.ssh; touch ~/.ssh/authorized_keys; '
                 'grep -qxF "$1" ~/.ssh/authorized_keys || printf "%s\\n" "$1" >> '
                 '~/.ssh/authorized_keys')
REVOKE_KEY = ('[ -f ~/.ssh/authorized_keys ] || exit 0; umask 077; '
              'grep -vxF "$1" ~/.ssh/authorized_keys > ~/.ssh/authorized_keys.osm-mec; '
              'mv ~/.ssh/authorized_keys.osm-mec ~/.ssh/authorized_keys')
AS_NODE = ["kubectl", "--kubeconfig", KUBELET_CONF]


class Runner(Protocol):
    def run(self, argv: Sequence[str], timeout: float = ..., stdin: Optional[str] = ...,
            sudo: bool = ...) -> Result: ...


class StepFailed(Exception):
    """A step of an action failed; the charm turns it into results['output'] + fail."""

    def __init__(self, step: str, message: str, command: str = "", stderr: str = "") -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.detail = message
        self.command = command
        self.stderr = stderr


class Clock:
    """Time for waits; tests replace it to run waits instantly."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], float] = time.monotonic, poll: float = 5.0) -> None:
        self.sleep = sleep
        self.now = now
        self.poll = poll


def _der_element(data: bytes, start: int) -> Tuple[int, int]:
    """(where the content starts, where the element ends) of the DER TLV at start."""
    length, index = data[start + 1], start + 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[index:index + count], "big")
        index += count
    return index, index + length


def ca_cert_hash(cert_pem: str) -> str:
    """kubeadm's discovery hash: sha256 of the CA certificate's SubjectPublicKeyInfo.

    Parsed from the DER directly (Certificate > TBSCertificate > 7th field, after the
    optional [0] version), so the charm needs no cryptography library."""
    body = "".join(line for line in cert_pem.strip().splitlines() if "-----" not in line)
    try:
        der = base64.b64decode(body, validate=True)
        tbs, _ = _der_element(der, 0)
        index, _ = _der_element(der, tbs)
        if der[index] == 0xA0:  # explicit version
            index = _der_element(der, index)[1]
        for _ in range(5):  # serialNumber, signature, issuer, validity, subject
            index = _der_element(der, index)[1]
        spki = der[index:_der_element(der, index)[1]]
    except (ValueError, IndexError) as exc:
        raise StepFailed("ca-cert-hash", f"not a PEM X.509 certificate: {exc}") from exc
    return "sha256:" + hashlib.sha256(spki).hexdigest()


# What kubeadm's --ttl accepts: a Go duration (time.ParseDuration), e.g. 30m, 1h30m, 1.5h;
# 0 means the token never expires. Days ("1d") are not a Go unit.
_GO_DURATION = re.compile(r"^(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$")


def is_go_duration(value: str) -> bool:
    """True when kubeadm accepts value as a duration (Go syntax, no sign: 30m, 1h30m, 0)."""
    return bool(_GO_DURATION.match(value))


def iface_regex(cidr: str) -> str:
    """A regex matching exactly the IPv4 addresses of cidr, for flanneld --iface-regex
    (no backslashes: it sits in a double-quoted YAML string)."""
    import ipaddress

    try:
        net = ipaddress.IPv4Network(cidr, strict=False)
    except ValueError as exc:
        raise StepFailed("install-cni", f"cluster-net-cidr {cidr!r}: {exc} (use a.b.c.d/n)"
                         ) from exc
    octets, full = str(net.network_address).split("."), net.prefixlen // 8
    parts = octets[:full]
    if full < 4:
        first = int(octets[full])
        size = 2 ** (8 - net.prefixlen % 8)
        parts.append("(" + "|".join(str(n) for n in range(first, first + size)) + ")"
                     if size < 256 else "[0-9]+")
        parts += ["[0-9]+"] * (3 - full)
    return "^" + "[.]".join(parts) + "$"


def _json_documents(text: str) -> List[Any]:
    """kubeadm prints one JSON object per token, back to back."""
    decoder, docs, index = json.JSONDecoder(), [], 0
    text = text.strip()
    while index < len(text):
        doc, end = decoder.raw_decode(text, index)
        docs.append(doc)
        index = end
        while index < len(text) and text[index].isspace():
            index += 1
    return docs


class Node:
    """One VM of the cluster, reached through a runner."""

    def __init__(self, runner: Runner, clock: Optional[Clock] = None) -> None:
        self.runner = runner
        self.clock = clock or Clock()

    # -- plumbing -------------------------------------------------------------------------
    def _run(self, step: str, argv: Sequence[str], timeout: float = 120.0,
             stdin: Optional[str] = None, sudo: bool = True, check: bool = True) -> Result:
        result = self.runner.run(argv, timeout=timeout, stdin=stdin, sudo=sudo)
        if check and not result.ok:
            raise StepFailed(step, f"exit status {result.exit_status}", result.command,
                             result.stderr or result.stdout)
        return result

    def _exists(self, path: str) -> bool:
        return self._run("check", ["test", "-f", path], check=False).ok

    def _wait(self, step: str, what: str, timeout: float, probe: Callable[[], bool]) -> None:
        deadline = self.clock.now() + timeout
        while not probe():
            if self.clock.now() + self.clock.poll > deadline:
                raise StepFailed(step, f"timed out after {timeout:.0f} s waiting for {what}")
            self.clock.sleep(self.clock.poll)

    def hostname(self) -> str:
        return self._run("hostname", ["hostname"], sudo=False).stdout.strip()

    def wait_prepared(self, timeout: float) -> None:
        """Wait until cloud-init has installed kubeadm (its marker file exists)."""
        self._wait("wait-for-cloud-init", f"{PREPARED_MARKER} (cloud-init still running?)",
                   timeout, lambda: self._exists(PREPARED_MARKER))

    def wait_ready(self, name: str, kubectl: List[str], timeout: float) -> None:
        jsonpath = '{.status.conditions[?(@.type=="Ready")].status}'

        def ready() -> bool:
            result = self._run("node-ready", kubectl + ["get", "node", name, "-o",
                                                        f"jsonpath={jsonpath}"], check=False)
            return result.ok and result.stdout.strip() == "True"

        self._wait("node-ready", f"node {name} to become Ready", timeout, ready)

    def kubeadm_version(self) -> str:
        return self._run("kubeadm-version", ["kubeadm", "version", "-o", "short"]).stdout.strip()

    # -- day 1 ----------------------------------------------------------------------------
    @staticmethod
    def kubeadm_config(version: str, advertise: str, extra_sans: List[str],
                       pod_cidr: str, service_cidr: str) -> str:
        """kubeadm's InitConfiguration + ClusterConfiguration (v1beta3, or v1beta4 on 1.31+).

        No CA and no bootstrap token are given: kubeadm creates the cluster CA on this VM
        (its key never leaves it) and a default token, which init_control_plane deletes."""
        minor = int(version.lstrip("v").split(".")[1])
        api = "kubeadm.k8s.io/v1beta4" if minor >= 31 else "kubeadm.k8s.io/v1beta3"
        kubelet_args: Any = ([{"name": "node-ip", "value": advertise}] if minor >= 31
                             else {"node-ip": advertise})
        init = {
            "apiVersion": api, "kind": "InitConfiguration",
            "localAPIEndpoint": {"advertiseAddress": advertise, "bindPort": API_PORT},
            "nodeRegistration": {"kubeletExtraArgs": kubelet_args},
        }
        cluster = {
            "apiVersion": api, "kind": "ClusterConfiguration",
            "kubernetesVersion": version,
            "controlPlaneEndpoint": f"{advertise}:{API_PORT}",
            "apiServer": {"certSANs": sorted({advertise, *extra_sans})},
            "networking": {"podSubnet": pod_cidr, "serviceSubnet": service_cidr},
        }
        return yaml.safe_dump_all([init, cluster], sort_keys=False)

    def init_control_plane(self, advertise: str, pod_cidr: str, service_cidr: str,
                           version: str, cni_manifest: str, mgmt_address: str = "",
                           prepare_timeout: float = 1200, ready_timeout: float = 600
                           ) -> Dict[str, str]:
        """kubeadm init (its own CA, no lasting token), the CNI, wait until Ready."""
        self.wait_prepared(prepare_timeout)
        name = self.hostname()
        if not self._exists(INIT_DONE):
            self._clean_failed_attempt()
            installed = self.kubeadm_version()
            if installed.lstrip("v").rsplit(".", 1)[0] != version.lstrip("v"):
                raise StepFailed("kubeadm-version", f"kubeadm {installed} is installed but "
                                 f"kubernetes-version {version} was asked for")
            config = self.kubeadm_config(installed, advertise,
                                         [mgmt_address] if mgmt_address else [],
                                         pod_cidr, service_cidr)
            self._run("kubeadm-config", ["install", "-D", "-m", "0600", "/dev/stdin",
                                         KUBEADM_CONFIG],
                      stdin=config)
            self._run("kubeadm-init", ["kubeadm", "init", "--config", KUBEADM_CONFIG,
                                       "--skip-token-print"], timeout=900)
            self._mark(INIT_DONE)
            self.delete_tokens()  # kubeadm's default 24 h token: joins get short-lived ones
        self._run("install-cni", ADMIN + ["apply", "-f", "-"], stdin=cni_manifest, timeout=300)
        self.wait_ready(name, ADMIN, ready_timeout)
        return {"api-endpoint": f"https://{advertise}:{API_PORT}", "node-name": name}

    def initialised(self) -> bool:
        """Whether this node runs an initialised control plane."""
        return self._exists(INIT_DONE) and self._exists(ADMIN_CONF)

    def install_default_storage(self, manifest: str, name: str) -> str:
        """Apply the provisioner and its StorageClass; mark it default unless another class
        is default already. Returns the cluster's default class."""
        self._run("default-storage", ADMIN + ["apply", "-f", "-"], stdin=manifest, timeout=300)
        listed = json.loads(self._run("default-storage", ADMIN + ["get", "storageclass", "-o",
                                                                  "json"]).stdout)
        for item in listed.get("items", []):
            annotations = item.get("metadata", {}).get("annotations") or {}
            if annotations.get(DEFAULT_CLASS) == "true":
                return str(item["metadata"]["name"])
        patch = {"metadata": {"annotations": {DEFAULT_CLASS: "true"}}}
        self._run("default-storage", ADMIN + ["patch", "storageclass", name, "-p",
                                              json.dumps(patch)])
        return name

    def join_cluster(self, controller: str, token: str, ca_hash: str,
                     prepare_timeout: float = 1200, ready_timeout: float = 900
                     ) -> Dict[str, str]:
        """Wait for the controller's API, kubeadm join with the pinned CA hash, wait Ready."""
        self.wait_prepared(prepare_timeout)
        name = self.hostname()
        if not self._exists(JOIN_DONE):
            livez = f"https://{controller}:{API_PORT}/livez"
            self._wait("wait-for-api", f"the API server at {livez}", ready_timeout,
                       lambda: self._run("wait-for-api", ["curl", "-ksf", "--max-time", "5",
                                                          livez], sudo=False, check=False).ok)
            self._clean_failed_attempt()
            self._run("kubeadm-join", ["kubeadm", "join", f"{controller}:{API_PORT}",
                                       "--token", token, "--discovery-token-ca-cert-hash",
                                       ca_hash], timeout=900)
            self._mark(JOIN_DONE)
        self.wait_ready(name, AS_NODE, ready_timeout)
        return {"node-name": name}

    def joined(self) -> bool:
        """Whether kubeadm join succeeded on this node."""
        return self._exists(JOIN_DONE)

    def prepared(self) -> bool:
        """Whether cloud-init has finished preparing this node."""
        return self._exists(PREPARED_MARKER)

    def authorize_key(self, public_key: str) -> None:
        """Let the holder of public_key log in as this node's login user (idempotent)."""
        self._run("authorize-key", ["sh", "-c", AUTHORIZE_KEY, "sh", public_key], sudo=False)

    def revoke_key(self, public_key: str) -> None:
        """Remove public_key from the login user's authorized keys (absent is fine)."""
        self._run("revoke-key", ["sh", "-c", REVOKE_KEY, "sh", public_key], sudo=False)

    def _mark(self, marker: str) -> None:
        self._run("mark-done", ["install", "-D", "-m", "0644", "/dev/null", marker])

    def _reset(self) -> bool:
        """kubeadm reset -f plus what it leaves to the operator; False without kubeadm."""
        reset = self._run("kubeadm-reset", ["kubeadm", "reset", "-f"], timeout=300,
                          check=False)
        if reset.exit_status == 127 or "kubeadm: command not found" in reset.stderr:
            return False
        if not reset.ok:
            raise StepFailed("kubeadm-reset", f"exit status {reset.exit_status}",
                             reset.command, reset.stderr)
        self._run("clean-up", ["rm", "-rf", "/etc/cni/net.d", KUBEADM_CONFIG, INIT_DONE,
                               JOIN_DONE])
        return True

    def _clean_failed_attempt(self) -> None:
        """Before init or join: reset what an earlier, failed attempt left behind."""
        if any(self._exists(path) for path in LEFTOVERS):
            self._reset()

    def leave_cluster(self) -> Dict[str, str]:
        """Delete this node's Node object (with the kubelet's own credentials, so a scale-in
        leaves no NotReady node), then kubeadm reset and clean-up; a node that is not (or no
        longer) joined, or has no kubeadm, is fine."""
        joined = self._exists(KUBELET_CONF) or self._exists(ADMIN_CONF)
        note = ""
        if self._exists(KUBELET_CONF):
            name = self.hostname()
            gone = self._run("delete-node", AS_NODE + ["delete", "node", name,
                                                      "--ignore-not-found", "--wait=false",
                                                      "--request-timeout=30s"], check=False)
            if not gone.ok:
                note = f" (Node {name} not deleted: {gone.stderr.strip()[-200:]})"
        if not self._reset():
            return {"output": "kubeadm is not installed: nothing to reset"}
        return {"output": ("left the cluster" if joined else "was not joined; reset anyway")
                + note}

    # -- day 2 (controller) ---------------------------------------------------------------
    def _admin_kubeconfig(self) -> Dict[str, Any]:
        if not self._exists(ADMIN_CONF):
            raise StepFailed("read-kubeconfig", f"{ADMIN_CONF} not found: the control plane is "
                             "not initialised (run init-control-plane first)")
        return yaml.safe_load(self._run("read-kubeconfig", ["cat", ADMIN_CONF]).stdout)

    def join_data(self) -> Dict[str, str]:
        """What a worker needs besides a token: the API endpoint and the CA's pinned hash
        (public: the hash of the CA's public key)."""
        server = self._admin_kubeconfig()["clusters"][0]["cluster"]["server"]
        ca_hash = ca_cert_hash(self._run("read-ca", ["cat", CA_CRT]).stdout)
        return {"endpoint": server, "ca-cert-hash": ca_hash}

    def create_token(self, ttl: str, description: str) -> str:
        """A fresh bootstrap token that expires after ttl (kubeadm duration, e.g. 30m)."""
        self._admin_kubeconfig()  # the control plane must be up
        token = self._run("token-create", ["kubeadm", "token", "create", "--ttl", ttl,
                                           "--description", description]).stdout.strip()
        if not token:
            raise StepFailed("token-create", "kubeadm token create printed no token")
        return token

    def delete_token(self, token: str) -> None:
        """Delete one bootstrap token (by token or id); one already gone is fine."""
        token_id = token.split(".", 1)[0]
        result = self._run("token-delete", ["kubeadm", "token", "delete", token_id],
                           check=False)
        if not result.ok and "not found" not in result.stderr:
            raise StepFailed("token-delete", f"exit status {result.exit_status}",
                             result.command, result.stderr)

    def delete_tokens(self) -> int:
        """Delete every bootstrap token of the cluster; how many there were."""
        listed = self._run("token-list", ["kubeadm", "token", "list", "-o", "json"]).stdout
        tokens = [str(doc["token"]) for doc in _json_documents(listed) if doc.get("token")]
        for token in tokens:
            self.delete_token(token)
        return len(tokens)

    def kubeconfig(self, service_account: str, namespace: str, duration: int,
                   server: str = "") -> str:
        """A kubeconfig for a cluster-admin ServiceAccount, token from the TokenRequest API."""
        admin = self._admin_kubeconfig()
        cluster = admin["clusters"][0]["cluster"]
        manifest = {"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "ServiceAccount",
             "metadata": {"name": service_account, "namespace": namespace}},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
             "metadata": {"name": f"osm-mec-{namespace}-{service_account}"},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                         "name": "cluster-admin"},
             "subjects": [{"kind": "ServiceAccount", "name": service_account,
                           "namespace": namespace}]},
        ]}
        self._run("service-account", ADMIN + ["apply", "-f", "-"], stdin=json.dumps(manifest))
        token = self._run("token-request", ADMIN + ["create", "token", service_account, "-n",
                                                   namespace, "--duration", f"{duration}s"]
                          ).stdout.strip()
        if not token:
            raise StepFailed("token-request", "kubectl create token printed no token")
        name = "osm-mec"
        config = {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": name, "cluster": {
                "server": server or cluster["server"],
                "certificate-authority-data": cluster["certificate-authority-data"]}}],
            "users": [{"name": service_account, "user": {"token": token}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": service_account,
                                                    "namespace": namespace}}],
            "current-context": name,
        }
        return yaml.safe_dump(config, sort_keys=False)

    def remove_node(self, node: str, drain_timeout: int) -> Dict[str, str]:
        """Drain (ignoring DaemonSets) and delete a node; a node already gone is fine."""
        found = self._run("get-node", ADMIN + ["get", "node", node, "-o", "name"], check=False)
        if not found.ok:
            if "NotFound" in found.stderr or "not found" in found.stderr:
                return {"output": f"node {node} is not in the cluster: nothing to remove"}
            raise StepFailed("get-node", f"exit status {found.exit_status}", found.command,
                             found.stderr)
        self._run("drain", ADMIN + ["drain", node, "--ignore-daemonsets",
                                    "--delete-emptydir-data", "--force",
                                    f"--timeout={drain_timeout}s"], timeout=drain_timeout + 60)
        self._run("delete-node", ADMIN + ["delete", "node", node, "--ignore-not-found"])
        return {"output": f"node {node} drained and deleted"}

    def list_nodes(self) -> List[Dict[str, Any]]:
        """Name, roles, Ready and kubelet version of every node."""
        data = json.loads(self._run("list-nodes", ADMIN + ["get", "nodes", "-o", "json"]).stdout)
        nodes = []
        for item in data.get("items", []):
            labels = item.get("metadata", {}).get("labels", {}) or {}
            roles = sorted(k.split("/", 1)[1] for k in labels
                           if k.startswith("node-role.kubernetes.io/"))
            ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                        for c in item.get("status", {}).get("conditions", []))
            nodes.append({"name": item["metadata"]["name"], "roles": roles, "ready": ready,
                          "kubelet-version": item.get("status", {}).get("nodeInfo", {})
                          .get("kubeletVersion", "")})
        return nodes

    def server_version(self) -> str:
        """The API server's major.minor, as OSM's k8s_version wants it."""
        data = json.loads(self._run("version", ADMIN + ["version", "-o", "json"]).stdout)
        server = data["serverVersion"]
        return f"{server['major']}.{server['minor'].rstrip('+')}"
