"""The chain's one use of a cluster's Kubernetes API: a NodePort Service in front of a
workload OSM deployed (the Edge OSM's NBI: the osm-nbi charm's own Service is ClusterIP),
and where it answers (a node address of the cluster and the NodePort Kubernetes allocated).

Two implementations of ``KubeApi``:
- ``KubeconfigApi`` talks to the API server named by a kubeconfig (the one OSM holds for the
  registered cluster), with its token or client certificate; Kubernetes picks the NodePort
  (none is fixed, so CSPs sharing a cluster never collide) and the chain reads it back.
- ``SandboxKube`` is the boundary's test double for the embedded sandbox, which has no
  Kubernetes API: it records every Service asked for (``created``) and hands it to the
  sandbox's simulated cluster (``osm_mec.sandbox.kube_sim``), which says where its node
  answers on this machine.
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
from ..osm.nbi import NbiClient

APP_LABEL = "app.kubernetes.io/name"  # the label Juju gives the pods of an application


class KubeFailed(OsmMecError):
    """The cluster's Kubernetes API refused or did not answer."""


@dataclass(frozen=True)
class NodePort:
    """Where a NodePort Service answers: a node's address and the allocated port."""

    host: str
    port: int


def node_port_service(name: str, app: str, port: int) -> dict[str, Any]:
    """A NodePort Service selecting the pods of Juju application `app` (port `port`); no
    nodePort given: Kubernetes allocates a free one."""
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "osm-mec"}},
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


class KubeApi(Protocol):
    def expose(self, namespace: str, name: str, app: str, port: int) -> NodePort:
        """A NodePort Service `name` in `namespace` for application `app` (created once,
        found again on a re-run), and where it answers."""


class KubeconfigApi:
    """The Kubernetes API server of a kubeconfig (as OSM holds it for a registered cluster):
    bearer token or client certificate, its CA or (when it says so) no TLS check."""

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

    def expose(self, namespace: str, name: str, app: str, port: int) -> NodePort:
        path = f"{self.server}/api/v1/namespaces/{namespace}/services"
        with tempfile.TemporaryDirectory(prefix="osm-mec-kube-") as folder:
            session = self._session(Path(folder))
            try:
                answer = session.post(path, json=node_port_service(name, app, port),
                                      timeout=self.timeout)
                if answer.status_code == 409:  # made by an earlier run: read it back
                    answer = session.get(f"{path}/{name}", timeout=self.timeout)
            except requests.RequestException as exc:
                raise KubeFailed(f"POST {path}: no answer ({type(exc).__name__})") from exc
        if answer.status_code >= 300:
            raise KubeFailed(f"POST {path}: HTTP {answer.status_code}: {answer.text[:300]}")
        return NodePort(server_host(self.kubeconfig), allocated(answer.json()))


@dataclass
class SandboxKube:
    """Test double of the Kubernetes boundary for the embedded sandbox (no Kubernetes API
    here): records each Service asked for and lets the sandbox's simulated cluster
    allocate its NodePort; the node address is where the simulated node answers on this
    machine."""

    client: NbiClient  # the sandbox's NBI
    cluster_id: str
    created: list[dict[str, Any]] = field(default_factory=list)

    def expose(self, namespace: str, name: str, app: str, port: int) -> NodePort:
        manifest = node_port_service(name, app, port)
        self.created.append({"namespace": namespace, **manifest})
        service = self.client.request(
            "POST", f"/sandbox/v1/k8sclusters/{self.cluster_id}/services",
            json={"namespace": namespace, "service": manifest})
        reachable = ((service.get("status") or {}).get("sandbox") or {}).get("reachable")
        if not reachable:
            raise KubeFailed(f"the sandbox's cluster {self.cluster_id} runs no application "
                             f"{app!r} in namespace {namespace}")
        return NodePort(str(reachable), allocated(service))
