"""The Kubernetes side of the sandbox's simulated clusters, at the one boundary the chain
crosses: the Services it creates through a cluster's kubeconfig (there is no Kubernetes API
here). Each Service asked for is recorded (tests read ``SimulatedClusters.services``) and
given a NodePort as Kubernetes would (the one asked for, else a free one of 30000-32767;
422 when taken, as the API server answers); a NodePort Service that selects a workload the
sandbox really runs (an Edge OSM's NBI) gets that workload's port, and the answer says at
which address this machine reaches the simulated node (``status.sandbox.reachable``).

Only the chain's boundary double (``osm_mec.chain.kube.SandboxKube``) calls it, through the
sandbox-only path ``POST /osm/sandbox/v1/k8sclusters/<id>/services``."""

from __future__ import annotations

import copy
import threading
from typing import Any

from .store import FormatError, NotFound

NODE_PORTS = range(30000, 32768)
APP_LABEL = "app.kubernetes.io/name"  # the label Juju gives the pods of an application


class SimulatedClusters:
    """Services and served workloads of every simulated cluster of one sandbox OSM."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.services: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._served: dict[tuple[str, str, str], tuple[str, int]] = {}

    def serve(self, cluster_id: str, namespace: str, app: str, host: str, port: int) -> None:
        """A workload the sandbox runs for real: its pods answer at host:port."""
        with self._lock:
            self._served[(cluster_id, namespace, app)] = (host, port)

    def forget(self, cluster_id: str, namespace: str) -> None:
        """The namespace went away (its KDU was deleted): its workloads and Services."""
        with self._lock:
            for table in (self._served, self.services):
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

    def allocate(self, cluster_id: str, namespace: str, name: str, wanted: int | None) -> int:
        """The NodePort of a KDU's NodePort Service (a Helm release's): the one its values
        ask for, else a free one; FormatError, as the API server answers, when taken."""
        service = self.create_service(cluster_id, namespace, {
            "kind": "Service", "metadata": {"name": name},
            "spec": {"type": "NodePort",
                     "ports": [{"port": 0, **({"nodePort": wanted} if wanted else {})}]}})
        return int(service["spec"]["ports"][0]["nodePort"])

    def get_service(self, cluster_id: str, namespace: str, name: str) -> dict[str, Any]:
        with self._lock:
            service = self.services.get((cluster_id, namespace, name))
        if service is None:
            raise NotFound(f'services "{name}" not found')
        return copy.deepcopy(service)
