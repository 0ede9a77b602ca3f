"""The Kubernetes side of the sandbox's simulated clusters, at the one boundary the chain
crosses: the Services it creates through a cluster's kubeconfig (there is no Kubernetes API
here). Each Service asked for is recorded (tests read ``SimulatedClusters.services``) and
given a NodePort as Kubernetes would (the one asked for, else a free one of 30000-32767;
422 when taken, as the API server answers); a NodePort Service that selects a workload the
sandbox really runs (an Edge OSM's NBI) gets that workload's port, and the answer says at
which address this machine reaches the simulated node (``status.sandbox.reachable``,
``node_address``). Namespaces and Opaque Secrets are kept in memory (never written anywhere),
with the API server's refusals of bad names and keys; the KDUs the sandbox runs for real read
their Secrets here.

Only the boundary double (``osm_mec.osm.kube.SandboxKube``) calls it, through the
sandbox-only paths ``/osm/sandbox/v1/k8sclusters/<id>/...`` (``kube_routes``)."""

from __future__ import annotations

import copy
import re
import threading
from typing import Any

from .store import FormatError, NotFound

NODE_PORTS = range(30000, 32768)
APP_LABEL = "app.kubernetes.io/name"  # the label Juju gives the pods of an application
NODE_ADDRESS = "127.0.0.1"  # where every simulated node (and the workloads it runs) answers
LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")


def check_namespace(name: str) -> None:
    """FormatError, worded as the API server's, unless `name` is an RFC 1123 label."""
    if not (LABEL.fullmatch(name) and len(name) <= 63):
        raise FormatError(
            f'Namespace "{name}" is invalid: metadata.name: Invalid value: "{name}": a '
            "lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
            "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
            "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def check_secret(name: str, data: Any) -> dict[str, str]:
    """The Secret's string data; FormatError, worded as the API server's, for a name that is
    no RFC 1123 subdomain, a key that is no config key or a value that is not a string."""
    if not (SUBDOMAIN.fullmatch(name) and len(name) <= 253):
        raise FormatError(
            f'Secret "{name}" is invalid: metadata.name: Invalid value: "{name}": a lowercase '
            "RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
            "'.', and must start and end with an alphanumeric character (e.g. 'example.com', "
            "regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
    if not isinstance(data, dict):
        raise FormatError(f'Secret "{name}" is invalid: stringData: a map of strings expected')
    for key, value in data.items():
        if not (isinstance(key, str) and CONFIG_KEY.fullmatch(key) and len(key) <= 253):
            raise FormatError(
                f'Secret "{name}" is invalid: data[{key}]: Invalid value: "{key}": a valid '
                "config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
                "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
                "'[-._a-zA-Z0-9]+')")
        if not isinstance(value, str):  # the value itself is never repeated
            raise FormatError(f'Secret "{name}" is invalid: stringData[{key}]: a string '
                              "expected")
    return dict(data)


class SimulatedClusters:
    """Services and served workloads of every simulated cluster of one sandbox OSM."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.services: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._served: dict[tuple[str, str, str], tuple[str, int]] = {}
        self.namespaces: set[tuple[str, str]] = set()
        self._secrets: dict[tuple[str, str, str], dict[str, str]] = {}

    def node_address(self, cluster_id: str) -> str:
        """The address at which this machine reaches the cluster's (simulated) node."""
        return NODE_ADDRESS

    def put_secret(self, cluster_id: str, namespace: str, name: str, data: Any) -> None:
        """An Opaque Secret created or replaced (its namespace created when missing)."""
        check_namespace(namespace)
        secret = check_secret(name, data)
        with self._lock:
            self.namespaces.add((cluster_id, namespace))
            self._secrets[(cluster_id, namespace, name)] = secret

    def secret(self, cluster_id: str, namespace: str, name: str) -> dict[str, str]:
        """A Secret's data (NotFound, as the API server words it, when missing)."""
        with self._lock:
            data = self._secrets.get((cluster_id, namespace, name))
        if data is None:
            raise NotFound(f'secrets "{name}" not found')
        return dict(data)

    def delete_secret(self, cluster_id: str, namespace: str, name: str) -> None:
        with self._lock:
            if self._secrets.pop((cluster_id, namespace, name), None) is None:
                raise NotFound(f'secrets "{name}" not found')

    def serve(self, cluster_id: str, namespace: str, app: str, host: str, port: int) -> None:
        """A workload the sandbox runs for real: its pods answer at host:port."""
        with self._lock:
            self._served[(cluster_id, namespace, app)] = (host, port)

    def forget(self, cluster_id: str, namespace: str) -> None:
        """The namespace went away (its KDU was deleted): its workloads, Services and
        Secrets."""
        with self._lock:
            self.namespaces.discard((cluster_id, namespace))
            tables: tuple[dict[Any, Any], ...] = (self._served, self.services, self._secrets)
            for table in tables:
                for key in [k for k in table if k[:2] == (cluster_id, namespace)]:
                    del table[key]

    def _taken(self, cluster_id: str) -> set[int]:
        return {p.get("nodePort") for (c, _, _), s in self.services.items() if c == cluster_id
                for p in s["spec"].get("ports") or []}

    def create_service(self, cluster_id: str, namespace: str, manifest: Any) -> dict[str, Any]:
        """The Service as the API server returns it (an existing one of that name as it is)."""
        if not isinstance(manifest, dict) or manifest.get("kind") != "Service" \
                or not isinstance(manifest.get("spec"), dict) \
                or not (manifest.get("metadata") or {}).get("name"):
            raise FormatError("Service manifest expected: kind Service, metadata.name, spec")
        name = manifest["metadata"]["name"]
        with self._lock:
            key = (cluster_id, namespace, name)
            if key in self.services:
                return copy.deepcopy(self.services[key])
            service = copy.deepcopy(manifest)
            service["metadata"]["namespace"] = namespace
            spec = service["spec"]
            app = (spec.get("selector") or {}).get(APP_LABEL, "")
            served = self._served.get((cluster_id, namespace, app))
            if spec.get("type") in ("NodePort", "LoadBalancer"):
                for port in spec.get("ports") or []:
                    port["nodePort"] = self._node_port(cluster_id, port.get("nodePort"),
                                                       served)
            service["status"] = {"loadBalancer": {},
                                 "sandbox": {"reachable": served[0] if served else None}}
            self.services[key] = service
            return copy.deepcopy(service)

    def _node_port(self, cluster_id: str, wanted: int | None,
                   served: tuple[str, int] | None) -> int:
        taken = self._taken(cluster_id)
        if served is not None:
            return served[1]
        if wanted is not None:
            if wanted in taken or wanted not in NODE_PORTS:
                raise FormatError(f"Service is invalid: spec.ports[0].nodePort: Invalid "
                                  f"value: {wanted}: provided port is already allocated"
                                  if wanted in taken else f"Service is invalid: "
                                  f"spec.ports[0].nodePort: Invalid value: {wanted}: provided "
                                  "port is not in the valid range 30000-32767")
            return wanted
        free = next((p for p in NODE_PORTS if p not in taken), None)
        if free is None:
            raise FormatError("Service is invalid: no NodePort left in 30000-32767")
        return free

    def allocate(self, cluster_id: str, namespace: str, name: str, wanted: int | None,
                 app: str = "") -> int:
        """The NodePort of a KDU's NodePort Service (a Helm release's, selecting the pods of
        application `app`): the port of the workload the sandbox runs as `app` there, else
        the one its values ask for, else a free one; FormatError, as the API server
        answers, when taken."""
        service = self.create_service(cluster_id, namespace, {
            "kind": "Service", "metadata": {"name": name},
            "spec": {"type": "NodePort", "selector": {APP_LABEL: app} if app else {},
                     "ports": [{"port": 0, **({"nodePort": wanted} if wanted else {})}]}})
        return int(service["spec"]["ports"][0]["nodePort"])

    def get_service(self, cluster_id: str, namespace: str, name: str) -> dict[str, Any]:
        with self._lock:
            service = self.services.get((cluster_id, namespace, name))
        if service is None:
            raise NotFound(f'services "{name}" not found')
        return copy.deepcopy(service)
