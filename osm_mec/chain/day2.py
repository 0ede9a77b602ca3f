"""The day-2 requests the chain sends to the cluster VNF of an NS (k8s-osm-cluster-ns or
mec-env-ns): the charm's register-cluster, list-nodes, remove-node, authorize-controller and
add-worker primitives and the worker-scale aspect. One place builds each request, so the
chain and the tests against OSM's real NBI send exactly the same bodies.

No request carries a secret, since OSM keeps every primitive parameter in its operation
records and publishes it on Kafka: register-cluster gets an NBI token issued for it alone and
revoked when the operation ends; a worker joins through the cluster-join relation or through
add-worker, whose parameters are public (address, host key, public key).

register-cluster also tells OSM which K8s deployment methods to initialise on the cluster
(``deployment-methods``) where that OSM's NBI knows the field (``GET /version``)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

import yaml

from ..offer.descriptors import network_services as nsd_members
from ..offer.descriptors.k8s_cluster_vnf import SCALING_ASPECT
from ..osm import deployment_methods
from ..osm.errors import NbiFailure
from ..osm.nbi import NbiClient

log = logging.getLogger(__name__)

CONTROLLER_VDU = "controller"  # the VDU whose charm runs the cluster primitives
WORKER_VDU = "worker"          # the scaled VDU; its charm joins and leaves the cluster
Wait = Callable[[str], dict[str, Any]]  # op id -> the COMPLETED operation
Say = Callable[[str], None]  # progress output
# The edge cluster hosts only Helm KDUs (the MEC apps): OSM need not initialise Juju there.
EDGE_CLUSTER_METHODS = ("helm-chart-v3",)


def primitive_results(op: dict[str, Any]) -> dict[str, Any]:
    """An action's results from its detailed-status (JSON or YAML text)."""
    text = op.get("detailed-status") or "{}"
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = None
    return value if isinstance(value, dict) else {"output": text}


def register_cluster_params(into: NbiClient, token: str, vim: str, cluster: str,
                            methods: str | None = None) -> dict[str, str]:
    """register-cluster's parameters: the controller registers its cluster in `into`, on
    VIM account `vim`, with `token`, an NBI token of `into` issued for this registration
    (vim-network is not declared in the VNFD: the charm's default); `methods`, the
    deployment-methods value, only when one is to be sent (else the VNFD's default, all)."""
    params = {"osm-url": into.url, "osm-token": token, "vim-account": vim,
              "cluster-name": cluster, "verify-tls": "true" if into.verify is True else "false"}
    if methods is not None:
        params["deployment-methods"] = methods
    return params


def cluster_methods(client: NbiClient, ns_id: str) -> tuple[str, ...]:
    """The deployment methods the cluster of NS `ns_id` needs: the edge cluster (the one of
    mec-env-ns, the NS that also holds the MEC platform) hosts only Helm KDUs (the MEC
    apps); the NSP cluster hosts the Edge OSM (a Juju bundle) and the MEP (Helm): every
    method, OSM's default (empty)."""
    members = {v.get("member-vnf-index-ref") for v in client.vnf_records(ns_id)}
    return EDGE_CLUSTER_METHODS if nsd_members.MEP_MEMBER in members else ()


def methods_param(into: NbiClient, wanted: Sequence[str], say: Say) -> str | None:
    """The deployment-methods value to send to `into`: the `wanted` methods when its NBI
    knows deployment_methods (its GET /version), else None (OSM's default), said why."""
    if not wanted or set(wanted) >= set(deployment_methods.METHODS):
        return None
    try:
        version = into.request("GET", "/version", auth=False)
    except NbiFailure as exc:
        say(f"{into.url}: GET /version failed ({exc}): deployment_methods not sent "
            "(OSM initialises every method)")
        return None
    knows, why = deployment_methods.nbi_knows(version)
    wanted_text = ",".join(wanted)
    say(f"{into.url}: {why}" + (f"; registering with deployment-methods {wanted_text}"
                                if knows else f" (wanted: {wanted_text})"))
    return wanted_text if knows else None


def register_cluster(client: NbiClient, ns_id: str, into: NbiClient, vim: str,
                     cluster: str, wait: Wait, methods: Sequence[str] | None = None,
                     say: Say = log.info) -> dict[str, Any]:
    """Run register-cluster on the controller of NS `ns_id` and wait for it: the ended
    operation. Its NBI token is revoked as soon as the operation ends, success or failure,
    so the value OSM keeps in the operation record no longer opens `into`. `methods`: the
    deployment methods the cluster needs (None: :func:`cluster_methods`), sent where
    `into` knows the field; `say` reports that decision."""
    wanted = cluster_methods(client, ns_id) if methods is None else tuple(methods)
    chosen = methods_param(into, wanted, say)
    token = into.issue_token()
    try:
        return wait(client.action(ns_id, nsd_members.CLUSTER_MEMBER, "register-cluster",
                                  register_cluster_params(into, token, vim, cluster, chosen),
                                  vdu_id=CONTROLLER_VDU))
    finally:
        into.revoke_token(token)


def list_nodes(client: NbiClient, ns_id: str) -> str:
    """Run list-nodes on the controller (its result: the nodes and their readiness)."""
    return client.action(ns_id, nsd_members.CLUSTER_MEMBER, "list-nodes",
                         vdu_id=CONTROLLER_VDU)


def remove_node(client: NbiClient, ns_id: str, node: str) -> str:
    """Drain and delete Kubernetes node `node` through the controller."""
    return client.action(ns_id, nsd_members.CLUSTER_MEMBER, "remove-node", {"node": node},
                         vdu_id=CONTROLLER_VDU)


def leave_cluster(client: NbiClient, ns_id: str, count_index: int) -> str:
    """Worker `count_index` resets its kubeadm state (the terminate primitive, as day-2)."""
    return client.action(ns_id, nsd_members.CLUSTER_MEMBER, "leave-cluster",
                         vdu_id=WORKER_VDU, vdu_count_index=count_index)


def controller_key(client: NbiClient, ns_id: str, wait: Wait) -> str:
    """The controller unit's SSH public key (OSM's standard get-ssh-public-key)."""
    op = wait(client.action(ns_id, nsd_members.CLUSTER_MEMBER, "get-ssh-public-key",
                            vdu_id=CONTROLLER_VDU))
    key = primitive_results(op).get("pubkey")
    if not key:
        raise KeyError(f"get-ssh-public-key returned no pubkey ({primitive_results(op)})")
    return str(key)


def authorize_controller(client: NbiClient, ns_id: str, count_index: int, key: str,
                         wait: Wait) -> dict[str, Any]:
    """Worker `count_index` lets the controller's key in; its address, host key, whether
    it is related to the controller and whether it has joined."""
    op = wait(client.action(ns_id, nsd_members.CLUSTER_MEMBER, "authorize-controller",
                            {"public-key": key}, vdu_id=WORKER_VDU,
                            vdu_count_index=count_index))
    return primitive_results(op)


def add_worker_params(worker: dict[str, Any]) -> dict[str, str]:
    """add-worker's parameters from authorize-controller's results (all public)."""
    return {"address": str(worker["address"]), "host-key": str(worker["host-key"]),
            "username": str(worker.get("username") or "ubuntu"),
            "port": str(worker.get("port") or 22)}


def add_worker(client: NbiClient, ns_id: str, worker: dict[str, Any], wait: Wait
               ) -> dict[str, Any]:
    """The controller joins the worker itself (a token that never leaves the controller)."""
    op = wait(client.action(ns_id, nsd_members.CLUSTER_MEMBER, "add-worker",
                            add_worker_params(worker), vdu_id=CONTROLLER_VDU))
    return primitive_results(op)


def join_worker(client: NbiClient, ns_id: str, count_index: int, wait: Wait) -> str:
    """Join worker `count_index` unless it joins through the cluster-join relation; what
    happened: "joined", "related" (the relation joins it) or "added" (add-worker)."""
    key = controller_key(client, ns_id, wait)
    worker = authorize_controller(client, ns_id, count_index, key, wait)
    if not {"address", "host-key"} <= set(worker):
        raise KeyError(f"authorize-controller returned no address or host key ({worker})")
    if worker.get("joined") == "true":
        return "joined"
    if worker.get("related") == "true":
        return "related"
    add_worker(client, ns_id, worker, wait)
    return "added"


def rejoin_worker(client: NbiClient, ns_id: str, count_index: int, wait: Wait) -> None:
    """Undo a remove-node: the worker resets, and the controller joins it again."""
    wait(leave_cluster(client, ns_id, count_index))
    key = controller_key(client, ns_id, wait)
    add_worker(client, ns_id, authorize_controller(client, ns_id, count_index, key, wait),
               wait)


def scale_workers(client: NbiClient, ns_id: str, out: bool) -> str:
    """One step of the worker-scale aspect of the cluster VNF, out or in; the op id."""
    return client.scale(ns_id, nsd_members.CLUSTER_MEMBER, SCALING_ASPECT, out)


def edge_vim_body(name: str, source: dict[str, Any], password: str, csp: str
                  ) -> dict[str, Any]:
    """The Edge OSM's VIM account `name`: a copy of the Main OSM's `source` (a GET answer)."""
    return {"name": name, "vim_type": source["vim_type"],
            "vim_url": source["vim_url"], "vim_user": source["vim_user"],
            "vim_password": password, "vim_tenant_name": source["vim_tenant_name"],
            **({"config": source["config"]} if source.get("config") else {}),
            "description": f"edge VIM of CSP {csp} (osm-mec)"}
