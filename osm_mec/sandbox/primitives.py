"""Day-2 primitives of the k8s-cluster proxy charm as the sandbox runs them: the results a
real charm returns, computed from the VDUs that exist. ``register-cluster`` makes the real
NBI calls to the OSM it is given (this sandbox, its Edge OSM, or any other)."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import yaml

from ..osm.credentials import Credentials
from ..core.errors import OsmMecError
from ..osm.nbi import NbiClient, RetryPolicy
from ..osm.waiting import wait_for_admin
from .deploy import day1_config

CONTROLLER_ONLY = {"get-join-info", "get-kubeconfig", "remove-node", "list-nodes",
                   "register-cluster"}


class PrimitiveFailed(Exception):
    """The charm's action failed; the message is its results['output']."""


@dataclass
class ClusterView:
    """One cluster VNF instance as its controller's charm sees it."""

    vnfr: dict[str, Any]
    vnfd: dict[str, Any]
    params: dict[str, Any]
    removed_nodes: set[str] = field(default_factory=set)

    def vdur(self, vdu_id: str, count: int = 0) -> dict[str, Any] | None:
        return next((v for v in self.vnfr["vdur"] if v["vdu-id-ref"] == vdu_id
                     and v["count-index"] == count), None)

    def k8s_version(self) -> str:
        for primitive in day1_config(self.vnfd, "controller").get("initial-config-primitive", []):
            for parameter in primitive.get("parameter", []):
                if parameter["name"] == "kubernetes-version":
                    return str(parameter.get("value"))
        return "1.30"

    def api_server(self) -> str:
        controller = self.vdur("controller")
        return f"https://{controller['ip-address'] if controller else '127.0.0.1'}:6443"


def _nodes(view: ClusterView) -> list[dict[str, Any]]:
    version = f"v{view.k8s_version()}.4"
    return [{"name": v["name"], "roles": ["control-plane"] if v["vdu-id-ref"] == "controller"
             else [], "ready": True, "kubelet-version": version}
            for v in view.vnfr["vdur"] if v["name"] not in view.removed_nodes]


def _kubeconfig(view: ClusterView, account: str) -> dict[str, Any]:
    name = str(view.params.get("cluster_name", "cluster"))
    return {"apiVersion": "v1", "kind": "Config", "current-context": name,
            "clusters": [{"name": name, "cluster": {"server": view.api_server(),
                                                    "insecure-skip-tls-verify": True}}],
            "users": [{"name": account, "user": {"token": secrets.token_urlsafe(32)}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": account}}]}


def _register(view: ClusterView, p: dict[str, Any]) -> dict[str, Any]:
    client = NbiClient(str(p["osm-url"]), Credentials(str(p["osm-user"]), str(p["osm-password"]),
                                                      str(p.get("osm-project") or "admin")),
                       verify=str(p.get("verify-tls", "true")).lower() != "false",
                       timeout=30, retry=RetryPolicy(attempts=6, base_delay=0.2))
    try:
        vim = client.find_admin("vim", str(p["vim-account"]))
        if vim is None:
            raise PrimitiveFailed(f"VIM account {p['vim-account']!r} not found in "
                                  f"{p['osm-url']}; create it or pass its name or id as "
                                  "vim-account")
        existing = client.find_admin("k8scluster", str(p["cluster-name"]))
        cluster_id = existing["_id"] if existing else client.create_admin("k8scluster", {
            "name": p["cluster-name"], "credentials": _kubeconfig(view, "osm-admin"),
            "vim_account": vim["_id"], "k8s_version": view.k8s_version(),
            "nets": {"net1": p.get("vim-network") or None}, "namespace": "kube-system",
            "description": "registered by osm-mec"})
        # poll fast: the sandbox's real seconds are many simulated ones
        state = wait_for_admin(client, "k8scluster", cluster_id,
                               timeout=float(p.get("timeout") or 600),
                               sleep=lambda _: time.sleep(0.02))
    except OsmMecError as exc:  # NbiError, OperationFailed: the charm's output
        raise PrimitiveFailed(f"register-cluster: {exc}") from exc
    return {"cluster-id": cluster_id, "state": state["_admin"]["operationalState"],
            "created": "false" if existing else "true"}


def _join_info(view: ClusterView, p: dict[str, Any]) -> dict[str, Any]:
    token = str(view.params.get("bootstrap_token", ""))
    if str(p.get("new-token", "false")).lower() == "true" or not token:
        token = f"{secrets.token_hex(3)}.{secrets.token_hex(8)}"
    endpoint = view.api_server().removeprefix("https://")
    ca_hash = str(view.params.get("ca_cert_hash", ""))
    return {"endpoint": view.api_server(), "ca-cert-hash": ca_hash, "token": token,
            "join-command": f"kubeadm join {endpoint} --token {token} "
                            f"--discovery-token-ca-cert-hash {ca_hash}"}


def _remove_node(view: ClusterView, p: dict[str, Any]) -> dict[str, Any]:
    node = str(p["node"])
    if node not in {n["name"] for n in _nodes(view)}:
        return {"output": f"node {node} is not in the cluster: nothing to remove"}
    view.removed_nodes.add(node)
    return {"output": f"node {node} drained and deleted"}


def _rejoin(view: ClusterView, p: dict[str, Any]) -> dict[str, Any]:
    """join-cluster as a day-2 action (osm-mec's undo of a remove-node): workers drained and
    deleted whose VM is still there are nodes again."""
    back = {v["name"] for v in view.vnfr["vdur"]} & view.removed_nodes
    view.removed_nodes -= back
    return {"output": f"joined: {', '.join(sorted(back)) or 'already a node'}"}


HANDLERS: dict[str, Callable[[ClusterView, dict[str, Any]], dict[str, Any]]] = {
    "leave-cluster": lambda view, p: {"output": "kubeadm reset: done"},
    "join-cluster": _rejoin,
    "list-nodes": lambda view, p: {"nodes": json.dumps(_nodes(view))},
    "get-join-info": _join_info,
    "get-kubeconfig": lambda view, p: {"kubeconfig": yaml.safe_dump(
        _kubeconfig(view, str(p.get("service-account") or "osm-admin")), sort_keys=False)},
    "remove-node": _remove_node,
    "register-cluster": _register,
    "verify-ssh-credentials": lambda view, p: {"verified": True},
    "generate-ssh-key": lambda view, p: {"output": "ssh key present"},
    "get-ssh-public-key": lambda view, p: {"pubkey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA "
                                                     "osm-mec-sandbox"},
    "run": lambda view, p: {"output": ""},
}


def run_primitive(view: ClusterView, vdu_id: str, primitive: str,
                  params: dict[str, Any]) -> dict[str, Any]:
    """The action's results, or PrimitiveFailed with the charm's output."""
    if primitive in CONTROLLER_ONLY and vdu_id != "controller":
        raise PrimitiveFailed(f"{primitive} runs on the controller unit only (this unit is "
                              f"{vdu_id!r})")
    handler = HANDLERS.get(primitive)
    if handler is None:
        raise PrimitiveFailed(f"{primitive}: the charm has no such action")
    return handler(view, params)
