"""Day-2 primitives of the k8s-cluster proxy charm as the sandbox runs them: the results a
real charm returns, computed from the VDUs that exist. A worker is a Kubernetes node only
once it has joined: through the cluster-join relation (``relations``) or the controller's
``add-worker`` after the worker's ``authorize-controller``. ``register-cluster`` makes the
real NBI calls to the OSM it is given (this sandbox, its Edge OSM, or any other) with the
NBI token it is given, never a password."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..core.errors import OsmMecError
from ..osm import deployment_methods
from ..osm.nbi import NbiClient, NbiError, RetryPolicy
from ..osm.waiting import wait_for_admin
from .deploy import day1_config
from .k8s_init import cluster_facts

CONTROLLER_ONLY = {"get-join-info", "get-kubeconfig", "remove-node", "list-nodes",
                   "register-cluster", "add-worker"}
WORKER_ONLY = {"authorize-controller"}


class PrimitiveFailed(Exception):
    """The charm's action failed; the message is its results['output']."""


@dataclass
class ClusterView:
    """One cluster VNF instance as its controller's charm sees it."""

    vnfr: dict[str, Any]
    vnfd: dict[str, Any]
    params: dict[str, Any]
    joined: set[str] = field(default_factory=set)       # workers that are nodes
    authorized: dict[str, str] = field(default_factory=dict)  # worker -> controller key

    def vdur(self, vdu_id: str, count: int = 0) -> dict[str, Any] | None:
        return next((v for v in self.vnfr["vdur"] if v["vdu-id-ref"] == vdu_id
                     and v["count-index"] == count), None)

    def join_related(self, related: set[tuple[str, int]]) -> None:
        """Workers related to the controller join with the relation's data."""
        for vdu_id, index in related:
            vdur = self.vdur(vdu_id, index)
            if vdu_id == "worker" and vdur is not None:
                self.joined.add(vdur["name"])

    def forget(self, name: str) -> None:
        """A worker VDU removed by a scale-in."""
        self.joined.discard(name)
        self.authorized.pop(name, None)

    def day1_value(self, name: str, default: str) -> str:
        """A parameter of the controller's day-1 primitives (the charm's default if unset)."""
        for primitive in day1_config(self.vnfd, "controller").get("initial-config-primitive", []):
            for parameter in primitive.get("parameter", []):
                if parameter["name"] == name:
                    return str(parameter.get("value"))
        return default

    def k8s_version(self) -> str:
        return self.day1_value("kubernetes-version", "1.30")

    def default_storage_class(self) -> str:
        """The default StorageClass init-control-plane installed ("" with storage none)."""
        storage = self.day1_value("storage", "local-path")
        return "" if storage == "none" else storage

    def api_server(self) -> str:
        controller = self.vdur("controller")
        return f"https://{controller['ip-address'] if controller else '127.0.0.1'}:6443"


def _nodes(view: ClusterView) -> list[dict[str, Any]]:
    version = f"v{view.k8s_version()}.4"
    return [{"name": v["name"], "roles": ["control-plane"] if v["vdu-id-ref"] == "controller"
             else [], "ready": True, "kubelet-version": version}
            for v in view.vnfr["vdur"]
            if v["vdu-id-ref"] == "controller" or v["name"] in view.joined]


def _host_key(vdur: dict[str, Any]) -> str:
    """The simulated VM's SSH host key (stable per VDU instance)."""
    digest = hashlib.sha256(str(vdur["_id"]).encode()).digest()
    return "ssh-ed25519 " + __import__("base64").b64encode(b"\0\0\0\x0bssh-ed25519"
                                                            + digest).decode()


def _unit_key(view: ClusterView) -> str:
    """The controller unit's SSH public key (what get-ssh-public-key returns)."""
    controller = view.vdur("controller") or {"_id": view.vnfr["_id"]}
    return _host_key(controller) + " osm-mec-sandbox"


def _kubeconfig(view: ClusterView, account: str) -> dict[str, Any]:
    name = str(view.params.get("cluster_name", "cluster"))
    return {"apiVersion": "v1", "kind": "Config", "current-context": name,
            "clusters": [{"name": name, "cluster": {
                "server": view.api_server(), "insecure-skip-tls-verify": True,
                "extensions": [cluster_facts(view.default_storage_class())]}}],
            "users": [{"name": account, "user": {"token": secrets.token_urlsafe(32)}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": account}}]}


def _register(view: ClusterView, p: dict[str, Any]) -> dict[str, Any]:
    """register-cluster as the charm runs it: the target OSM's NBI with the given token,
    ``deployment_methods`` when asked (an NBI refusing the field gets the body again
    without it), then the wait for ENABLED (DEGRADED and ERROR are final)."""
    try:
        methods = deployment_methods.parse(str(p.get("deployment-methods") or ""))
    except ValueError as exc:
        raise PrimitiveFailed(f"parameters failed: {exc}") from exc
    client = NbiClient.with_token(str(p["osm-url"]), str(p["osm-token"]),
                                  verify=str(p.get("verify-tls", "true")).lower() != "false",
                                  timeout=30, retry=RetryPolicy(attempts=6, base_delay=0.2))
    try:
        vim = client.find_admin("vim", str(p["vim-account"]))
        if vim is None:
            raise PrimitiveFailed(f"VIM account {p['vim-account']!r} not found in "
                                  f"{p['osm-url']}; create it or pass its name or id as "
                                  "vim-account")
        existing = client.find_admin("k8scluster", str(p["cluster-name"]))
        if existing:
            cluster_id = existing["_id"]
            held = deployment_methods.describe(existing.get("deployment_methods"))
        else:
            cluster_id, held = _create(client, {
                "name": p["cluster-name"], "credentials": _kubeconfig(view, "osm-admin"),
                "vim_account": vim["_id"], "k8s_version": view.k8s_version(),
                "nets": {"net1": p.get("vim-network") or None}, "namespace": "kube-system",
                "description": "registered by osm-mec"}, methods)
        # poll fast: the sandbox's real seconds are many simulated ones
        state = wait_for_admin(client, "k8scluster", cluster_id,
                               timeout=float(p.get("timeout") or 600),
                               sleep=lambda _: time.sleep(0.02))
    except OsmMecError as exc:  # NbiError, OperationFailed: the charm's output
        raise PrimitiveFailed(f"register-cluster: {exc}") from exc
    return {"cluster-id": cluster_id, "state": state["_admin"]["operationalState"],
            "created": "false" if existing else "true",
            "deployment-methods": held}


def _create(client: NbiClient, body: dict[str, Any], methods: dict[str, bool] | None
            ) -> tuple[str, str]:
    """POST the registration, offering ``deployment_methods`` in each shape in turn
    (deployment_methods.shapes) while the NBI refuses the field (422 naming it), then
    without it. (id, what OSM holds, as the charm's result says it)."""
    refusal = ""
    for shape in deployment_methods.shapes(methods):
        try:
            return (client.create_admin("k8scluster", {**body, "deployment_methods": shape}),
                    deployment_methods.describe(shape))
        except NbiError as exc:
            if exc.status != 422 or "deployment_methods" not in exc.detail:
                raise
            refusal = exc.detail.strip()
    return client.create_admin("k8scluster", body), (
        deployment_methods.refused(client.url, refusal) if refusal
        else deployment_methods.describe(None))


def _join_info(view: ClusterView, p: dict[str, Any]) -> dict[str, Any]:
    """Public join data only: no token leaves the controller through OSM."""
    digest = hashlib.sha256(str(view.vnfr["_id"]).encode()).hexdigest()
    return {"endpoint": view.api_server(), "ca-cert-hash": f"sha256:{digest}"}


def _remove_node(view: ClusterView, p: dict[str, Any]) -> dict[str, Any]:
    node = str(p["node"])
    if node not in {n["name"] for n in _nodes(view)}:
        return {"output": f"node {node} is not in the cluster: nothing to remove"}
    view.joined.discard(node)
    return {"output": f"node {node} drained and deleted"}


def _worker(view: ClusterView, count_index: int) -> dict[str, Any]:
    vdur = view.vdur("worker", count_index)
    if vdur is None:
        raise PrimitiveFailed(f"no worker VDU with count-index {count_index}")
    return vdur


def _authorize(view: ClusterView, p: dict[str, Any], count_index: int,
               related: bool) -> dict[str, Any]:
    """authorize-controller: the worker lets the controller's key in; public answers."""
    key = " ".join(str(p.get("public-key") or "").split()[:2])
    if not key.startswith(("ssh-", "ecdsa-")) or len(key.split()) != 2:
        raise PrimitiveFailed("parameters failed: public-key: not an OpenSSH public key line")
    vdur = _worker(view, count_index)
    view.authorized[vdur["name"]] = key
    return {"address": vdur["ip-address"], "port": "22", "username": "ubuntu",
            "host-key": _host_key(vdur), "related": "true" if related else "false",
            "joined": "true" if vdur["name"] in view.joined else "false"}


def _add_worker(view: ClusterView, p: dict[str, Any]) -> dict[str, Any]:
    """add-worker: the controller joins the worker VM over SSH (its key must have been
    authorised there, the host key must match), with a token that never leaves it."""
    vdur = next((v for v in view.vnfr["vdur"] if v["vdu-id-ref"] == "worker"
                 and v["ip-address"] == p.get("address")), None)
    if vdur is None:
        raise PrimitiveFailed(f"connect failed: no VM answers at {p.get('address')}")
    if str(p.get("host-key")) != _host_key(vdur):
        raise PrimitiveFailed(f"connect failed: the host key of {p['address']} does not match "
                              "the pinned one")
    if view.authorized.get(vdur["name"]) != " ".join(_unit_key(view).split()[:2]):
        raise PrimitiveFailed(f"connect failed: {p['address']} refused the unit's key "
                              "(run authorize-controller on that worker first)")
    view.joined.add(vdur["name"])
    del view.authorized[vdur["name"]]  # add-worker removes its key again
    return {"node-name": vdur["name"]}


def _leave(view: ClusterView, count_index: int) -> dict[str, Any]:
    vdur = view.vdur("worker", count_index)
    if vdur is not None:
        view.joined.discard(vdur["name"])
    return {"output": "left the cluster"}


HANDLERS: dict[str, Callable[[ClusterView, dict[str, Any]], dict[str, Any]]] = {
    "list-nodes": lambda view, p: {"nodes": json.dumps(_nodes(view))},
    "get-join-info": _join_info,
    "get-kubeconfig": lambda view, p: {"kubeconfig": yaml.safe_dump(
        _kubeconfig(view, str(p.get("service-account") or "osm-admin")), sort_keys=False)},
    "remove-node": _remove_node,
    "register-cluster": _register,
    "verify-ssh-credentials": lambda view, p: {"verified": True},
    "generate-ssh-key": lambda view, p: {"output": "ssh key present"},
    "add-worker": _add_worker,
    "get-ssh-public-key": lambda view, p: {"pubkey": _unit_key(view)},
    "run": lambda view, p: {"output": ""},
}


def run_primitive(view: ClusterView, vdu_id: str, primitive: str, params: dict[str, Any],
                  count_index: int = 0, related: bool = False) -> dict[str, Any]:
    """The action's results, or PrimitiveFailed with the charm's output. `related`: whether
    this unit has its cluster-join relation (LCM related it)."""
    if primitive in CONTROLLER_ONLY and vdu_id != "controller":
        raise PrimitiveFailed(f"{primitive} runs on the controller unit only (this unit is "
                              f"{vdu_id!r})")
    if primitive in WORKER_ONLY and vdu_id != "worker":
        raise PrimitiveFailed(f"{primitive} runs on a worker unit only (this unit is "
                              f"{vdu_id!r})")
    if primitive == "authorize-controller":
        return _authorize(view, params, count_index, related)
    if primitive == "leave-cluster":
        return _leave(view, count_index)
    handler = HANDLERS.get(primitive)
    if handler is None:
        raise PrimitiveFailed(f"{primitive}: the charm has no such action")
    return handler(view, params)
