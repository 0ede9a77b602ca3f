"""The Kubernetes API of a cluster OSM holds (the chain and the MEO facade use it): a
NodePort Service in front of a workload OSM deployed (the Edge OSM's NBI: the osm-nbi charm's
own Service is ClusterIP) and where it answers (a node address of the cluster and the NodePort
Kubernetes allocated); Opaque Secrets a KDU reads (the MEP's admin token, a MEC app's token),
put in the KDU's namespace before OSM deploys it so no secret ever passes through OSM.

Two implementations of ``KubeApi``:
- ``KubeconfigApi`` talks to the API server named by a kubeconfig (the one OSM holds for the
  registered cluster), with its token or client certificate; Kubernetes picks the NodePort
  (none is fixed, so CSPs sharing a cluster never collide) and the chain reads it back.
- ``SandboxKube`` is the boundary's test double for the embedded sandbox, which has no
  Kubernetes API: it records every Service asked for (``created``) and hands Services and
  Secrets to the sandbox's simulated cluster (``osm_mec.sandbox.kube_sim``), which says where
  its node answers on this machine and keeps Secrets in memory for the KDUs it runs.
"""

from __future__ import annotations

import base64
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from ..core.errors import OsmMecError
from .errors import NbiError
from .nbi import NbiClient

APP_LABEL = "app.kubernetes.io/name"  # the label Juju gives the pods of an application
MANAGED = {"app.kubernetes.io/managed-by": "osm-mec"}  # on everything the tool creates
HIDDEN = "<hidden>"  # stands for a secret value in an error message


class KubeFailed(OsmMecError):
    """The cluster's Kubernetes API refused (``status``: its HTTP status) or did not answer
    (``status`` None)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class NodePort:
    """Where a NodePort Service answers: a node's address and the allocated port."""

    host: str
    port: int


def node_port_service(name: str, app: str, port: int) -> dict[str, Any]:
    """A NodePort Service selecting the pods of Juju application `app` (port `port`); no
    nodePort given: Kubernetes allocates a free one."""
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "labels": dict(MANAGED)},
            "spec": {"type": "NodePort", "selector": {APP_LABEL: app},
                     "ports": [{"name": "http", "port": port, "targetPort": port,
                                "protocol": "TCP"}]}}


def allocated(service: dict[str, Any]) -> int:
    """The NodePort Kubernetes gave the Service's first port."""
    try:
        return int(service["spec"]["ports"][0]["nodePort"])
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise KubeFailed(f"Service {service.get('metadata', {}).get('name')}: no nodePort "
                         "in the API server's answer") from exc


def server_host(kubeconfig: dict[str, Any]) -> str:
    """The host of the kubeconfig's API server: a node of the cluster (kubeadm's control
    plane answers NodePorts too)."""
    try:
        server = kubeconfig["clusters"][0]["cluster"]["server"]
    except (KeyError, IndexError, TypeError) as exc:
        raise KubeFailed("the cluster's kubeconfig names no API server") from exc
    host = urlsplit(str(server)).hostname
    if not host:
        raise KubeFailed(f"the cluster's kubeconfig names no API server host ({server!r})")
    return host


def namespace_manifest(name: str) -> dict[str, Any]:
    """A Namespace the tool creates (before OSM deploys a Helm KDU into it)."""
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": dict(MANAGED)}}


def secret_manifest(namespace: str, name: str, data: dict[str, str]) -> dict[str, Any]:
    """An Opaque Secret with `data` as its keys (``stringData``: the API server encodes)."""
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(MANAGED)},
            "stringData": dict(data)}


def without_secrets(text: str, data: dict[str, str]) -> str:
    """`text` (an API server's answer) with every value of `data` replaced by HIDDEN."""
    for value in sorted((v for v in data.values() if v), key=len, reverse=True):
        text = text.replace(value, HIDDEN)
    return text


class KubeApi(Protocol):
    def expose(self, namespace: str, name: str, app: str, port: int) -> NodePort:
        """A NodePort Service `name` in `namespace` for application `app` (created once,
        found again on a re-run), and where it answers."""

    def node_address(self) -> str:
        """A node address of the cluster reachable from outside it (where NodePorts
        answer)."""

    def ensure_secret(self, namespace: str, name: str, data: dict[str, str]) -> None:
        """An Opaque Secret `name` in `namespace` holding `data` (created, or replaced
        when it exists), the namespace created first when missing. Only for a Helm KDU's
        namespace: Juju refuses to make its model in an existing namespace. Secret values
        never appear in errors or logs."""

    def delete_secret(self, namespace: str, name: str) -> None:
        """The Secret gone (already gone is fine)."""


class KubeconfigApi:
    """The Kubernetes API server of a kubeconfig (as OSM holds it for a registered cluster):
    bearer token or client certificate, its CA or (when it says so) no TLS check.

    Paths, methods and bodies follow the Kubernetes core/v1 API (POST a collection, 409 when
    the name exists, PUT to replace, DELETE with 404 when gone). They are checked against a
    local test server only (``tests/osm/test_kube_api.py``): a claim until run on a real API
    server."""

    def __init__(self, kubeconfig: dict[str, Any], timeout: float = 30.0) -> None:
        self.kubeconfig, self.timeout = kubeconfig, timeout
        self.server = str(kubeconfig["clusters"][0]["cluster"]["server"]).rstrip("/")

    def _session(self, folder: Path) -> requests.Session:
        cluster = self.kubeconfig["clusters"][0]["cluster"]
        user = (self.kubeconfig.get("users") or [{}])[0].get("user") or {}
        session = requests.Session()
        if cluster.get("insecure-skip-tls-verify"):
            session.verify = False
        elif cluster.get("certificate-authority-data"):
            ca = folder / "ca.crt"
            ca.write_bytes(base64.b64decode(cluster["certificate-authority-data"]))
            session.verify = str(ca)
        if user.get("token"):
            session.headers["Authorization"] = f"Bearer {user['token']}"
        elif user.get("client-certificate-data") and user.get("client-key-data"):
            cert, key = folder / "client.crt", folder / "client.key"
            cert.write_bytes(base64.b64decode(user["client-certificate-data"]))
            key.write_bytes(base64.b64decode(user["client-key-data"]))
            session.cert = (str(cert), str(key))
        return session

    def _calls(self, steps: list[tuple[str, str, dict[str, Any] | None, tuple[int, ...]]],
               hide: dict[str, str] | None = None) -> requests.Response:
        """Run `steps` (method, path, body, statuses that move on to the next step) in one
        session; the answer of the step that ended. KubeFailed for an error answer (its
        text without the values of `hide`) or no answer."""
        with tempfile.TemporaryDirectory(prefix="osm-mec-kube-") as folder:
            session = self._session(Path(folder))
            for method, path, body, next_on in steps:
                try:
                    # verify per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE
                    # override a session's own CA, not a request's
                    answer = session.request(method, f"{self.server}{path}", json=body,
                                             timeout=self.timeout, verify=session.verify)
                except requests.RequestException as exc:
                    raise KubeFailed(f"{method} {self.server}{path}: no answer "
                                     f"({type(exc).__name__})") from exc
                if answer.status_code not in next_on:
                    break
        if answer.status_code >= 300:
            text = without_secrets(answer.text[:300], hide or {})
            raise KubeFailed(f"{method} {self.server}{path}: HTTP {answer.status_code}: {text}",
                             answer.status_code)
        return answer

    def expose(self, namespace: str, name: str, app: str, port: int) -> NodePort:
        path = f"/api/v1/namespaces/{namespace}/services"
        answer = self._calls([  # 409: made by an earlier run: read it back
            ("POST", path, node_port_service(name, app, port), (409,)),
            ("GET", f"{path}/{name}", None, ())])
        return NodePort(self.node_address(), allocated(answer.json()))

    def node_address(self) -> str:
        return server_host(self.kubeconfig)

    def ensure_secret(self, namespace: str, name: str, data: dict[str, str]) -> None:
        self._ensure_namespace(namespace, hide=data)
        path = f"/api/v1/namespaces/{namespace}/secrets"
        secret = secret_manifest(namespace, name, data)
        self._calls([("POST", path, secret, (409,)),  # 409: it exists: replace it
                     ("PUT", f"{path}/{name}", secret, ())], hide=data)

    def _ensure_namespace(self, namespace: str, hide: dict[str, str]) -> None:
        try:
            self._calls([("POST", "/api/v1/namespaces", namespace_manifest(namespace), ())],
                        hide)
        except KubeFailed as exc:
            if exc.status != 409:  # 409: the namespace exists
                raise

    def delete_secret(self, namespace: str, name: str) -> None:
        try:
            self._calls([("DELETE", f"/api/v1/namespaces/{namespace}/secrets/{name}",
                          None, ())])
        except KubeFailed as exc:
            if exc.status != 404:  # 404: already gone
                raise


@dataclass
class SandboxKube:
    """Test double of the Kubernetes boundary for the embedded sandbox (no Kubernetes API
    here): records each Service asked for and lets the sandbox's simulated cluster
    allocate its NodePort; the node address is where the simulated node answers on this
    machine; Secrets go to the simulated cluster (in memory), where the KDUs the sandbox
    runs read them."""

    client: NbiClient  # the sandbox's NBI
    cluster_id: str
    created: list[dict[str, Any]] = field(default_factory=list)

    @property
    def _base(self) -> str:
        return f"/sandbox/v1/k8sclusters/{self.cluster_id}"

    def expose(self, namespace: str, name: str, app: str, port: int) -> NodePort:
        manifest = node_port_service(name, app, port)
        self.created.append({"namespace": namespace, **manifest})
        service = self.client.request(
            "POST", f"{self._base}/services",
            json={"namespace": namespace, "service": manifest})
        reachable = ((service.get("status") or {}).get("sandbox") or {}).get("reachable")
        if not reachable:
            raise KubeFailed(f"the sandbox's cluster {self.cluster_id} runs no application "
                             f"{app!r} in namespace {namespace}")
        return NodePort(str(reachable), allocated(service))

    def node_address(self) -> str:
        return str(self.client.request("GET", f"{self._base}/node")["address"])

    def ensure_secret(self, namespace: str, name: str, data: dict[str, str]) -> None:
        self.client.request("PUT", f"{self._base}/secrets/{namespace}/{name}",
                            json=secret_manifest(namespace, name, data))

    def delete_secret(self, namespace: str, name: str) -> None:
        try:
            self.client.request("DELETE", f"{self._base}/secrets/{namespace}/{name}")
        except NbiError as exc:
            if exc.status != 404:  # 404: already gone
                raise
