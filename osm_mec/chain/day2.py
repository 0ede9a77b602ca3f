"""The day-2 requests the chain sends to the cluster VNF of an NS (k8s-osm-cluster-ns or
mec-env-ns): the charm's register-cluster, list-nodes and remove-node primitives and the
worker-scale aspect. One place builds each request, so the chain and the tests against
OSM's real NBI send exactly the same bodies."""

from __future__ import annotations

import json
from typing import Any, Callable

import yaml

from ..offer.descriptors import network_services as nsd_members
from ..offer.descriptors.k8s_cluster_vnf import SCALING_ASPECT
from ..osm.nbi import NbiClient

CONTROLLER_VDU = "controller"  # the VDU whose charm runs the cluster primitives
WORKER_VDU = "worker"          # the scaled VDU; its charm joins and leaves the cluster
Wait = Callable[[str], dict[str, Any]]  # op id -> the COMPLETED operation


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


def register_cluster_params(into: NbiClient, vim: str, cluster: str) -> dict[str, str]:
    """register-cluster's parameters: the controller registers its cluster in `into`, on
    VIM account `vim` (vim-network is not declared in the VNFD: the charm's default)."""
    creds = into.credentials
    return {"osm-url": into.url, "osm-user": creds.user, "osm-password": creds.password,
            "osm-project": creds.project, "vim-account": vim, "cluster-name": cluster,
            "verify-tls": "true" if into.verify is True else "false"}


def register_cluster(client: NbiClient, ns_id: str, into: NbiClient, vim: str,
                     cluster: str) -> str:
    """Run register-cluster on the controller of NS `ns_id`; the op id."""
    return client.action(ns_id, nsd_members.CLUSTER_MEMBER, "register-cluster",
                         register_cluster_params(into, vim, cluster), vdu_id=CONTROLLER_VDU)


def list_nodes(client: NbiClient, ns_id: str) -> str:
    """Run list-nodes on the controller (its result: the nodes and their readiness)."""
    return client.action(ns_id, nsd_members.CLUSTER_MEMBER, "list-nodes",
                         vdu_id=CONTROLLER_VDU)


def remove_node(client: NbiClient, ns_id: str, node: str) -> str:
    """Drain and delete Kubernetes node `node` through the controller."""
    return client.action(ns_id, nsd_members.CLUSTER_MEMBER, "remove-node", {"node": node},
                         vdu_id=CONTROLLER_VDU)


def get_join_info(client: NbiClient, ns_id: str) -> str:
    """Ask the controller for a fresh bootstrap token, the API endpoint and the CA hash."""
    return client.action(ns_id, nsd_members.CLUSTER_MEMBER, "get-join-info",
                         {"new-token": True}, vdu_id=CONTROLLER_VDU)


def join_cluster_params(info: dict[str, Any]) -> dict[str, str]:
    """join-cluster's parameters from get-join-info's results."""
    endpoint = str(info["endpoint"]).split("://", 1)[-1]
    return {"controller-address": endpoint.rsplit(":", 1)[0],
            "bootstrap-token": str(info["token"]), "ca-cert-hash": str(info["ca-cert-hash"])}


def leave_cluster(client: NbiClient, ns_id: str, count_index: int) -> str:
    """Worker `count_index` resets its kubeadm state (the terminate primitive, as day-2)."""
    return client.action(ns_id, nsd_members.CLUSTER_MEMBER, "leave-cluster",
                         vdu_id=WORKER_VDU, vdu_count_index=count_index)


def join_cluster(client: NbiClient, ns_id: str, count_index: int,
                 info: dict[str, Any]) -> str:
    """Worker `count_index` joins the cluster (its day-1 primitive, as day-2)."""
    return client.action(ns_id, nsd_members.CLUSTER_MEMBER, "join-cluster",
                         join_cluster_params(info), vdu_id=WORKER_VDU,
                         vdu_count_index=count_index)


def rejoin_worker(client: NbiClient, ns_id: str, count_index: int, wait: Wait) -> None:
    """Undo a remove-node: the worker resets and joins again with a fresh token."""
    info = primitive_results(wait(get_join_info(client, ns_id)))
    if not {"endpoint", "token", "ca-cert-hash"} <= set(info):
        raise KeyError(f"get-join-info returned no join information ({info})")
    wait(leave_cluster(client, ns_id, count_index))
    wait(join_cluster(client, ns_id, count_index, info))


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
