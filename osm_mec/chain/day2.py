"""The day-2 requests the chain sends to the cluster VNF of an NS (k8s-osm-cluster-ns or
mec-env-ns): the charm's register-cluster, list-nodes and remove-node primitives and the
worker-scale aspect. One place builds each request, so the chain and the tests against
OSM's real NBI send exactly the same bodies."""

from __future__ import annotations

from typing import Any

from ..descriptors import network_services as nsd_members
from ..descriptors.k8s_cluster_vnf import SCALING_ASPECT
from ..nbi import NbiClient

CONTROLLER_VDU = "controller"  # the VDU whose charm runs the cluster primitives


def register_cluster_params(into: NbiClient, vim: str, cluster: str) -> dict[str, str]:
    """register-cluster's parameters: the controller registers its cluster in `into`."""
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
