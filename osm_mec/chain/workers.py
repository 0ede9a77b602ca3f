"""The cluster VNF's workers as Kubernetes nodes: which VDUs are Ready nodes (the
controller's list-nodes) and how the others join.

OSM's LCM relates only the FIRST worker's execution environment with the controller's (it
resolves a VDU end of a relation without the count index), so worker 0 joins through the
cluster-join relation by itself and every other worker, at instantiation or scale-out, is
joined by the controller's add-worker after the worker's authorize-controller
(``day2.join_worker``): public parameters only, the token never leaves the controller.
"""

from __future__ import annotations

import json
from typing import Any

from ..core.errors import OsmMecError
from ..core.retry import Backoff, poll
from ..offer.descriptors import network_services as nsd_members
from . import day2
from .day2 import primitive_results
from .progress import Progress
from .target import OsmTarget

RELATION_JOIN_TIMEOUT = 900.0  # seconds for a related worker's charm to join by itself
POLL = 15.0


def cluster_vnfr(target: OsmTarget, ns_id: str) -> dict[str, Any]:
    """The cluster member's VNF record."""
    return next(v for v in target.client.vnf_records(ns_id)
                if v["member-vnf-index-ref"] == nsd_members.CLUSTER_MEMBER)


def worker_vdurs(vnfr: dict[str, Any]) -> list[dict[str, Any]]:
    """The worker VDU records OSM has, by count-index (OSM removes the highest first)."""
    return sorted((v for v in vnfr.get("vdur", []) if v["vdu-id-ref"] == day2.WORKER_VDU),
                  key=lambda v: v["count-index"])


def nodes(target: OsmTarget, ns_id: str, ns_name: str, progress: Progress
          ) -> list[dict[str, Any]] | None:
    """The cluster's Kubernetes nodes (list-nodes on the controller); None when the
    operation ended without a node list (no LCM ran the charm)."""
    op = target.wait(day2.list_nodes(target.client, ns_id), ns_name, progress)
    listed = primitive_results(op).get("nodes")
    if listed is None:
        return None
    return json.loads(listed) if isinstance(listed, str) else list(listed)


def ready_workers(listed: list[dict[str, Any]]) -> list[str]:
    return sorted(n["name"] for n in listed if n.get("ready")
                  and "control-plane" not in (n.get("roles") or []))


def wait_ready(target: OsmTarget, ns_id: str, ns_name: str, progress: Progress,
               names: list[str], timeout: float = RELATION_JOIN_TIMEOUT) -> list[str]:
    """Poll list-nodes until every named worker is a Ready node (a relation join happens in
    the worker's charm after OSM's operation ended); the names still missing."""
    missing = list(names)

    def all_ready() -> bool | None:
        nonlocal missing
        ready = ready_workers(nodes(target, ns_id, ns_name, progress) or [])
        missing = [n for n in names if n not in ready]
        if not missing:
            return True
        progress.status(f"waiting for {', '.join(missing)} to join (cluster-join relation)")
        return None

    poll(all_ready, timeout, Backoff(POLL, factor=1.0))
    return missing


def join(target: OsmTarget, ns_id: str, ns_name: str, progress: Progress,
         workers: list[tuple[int, str]]) -> None:
    """Make each (count index, node name) worker a node: through the cluster-join relation
    when OSM related it, through the controller's add-worker otherwise."""
    related = []
    for index, name in workers:
        progress.step(f"join {name}")
        how = day2.join_worker(target.client, ns_id, index,
                               lambda op: target.wait(op, ns_name, progress))
        if how == "related":
            related.append(name)
    missing = wait_ready(target, ns_id, ns_name, progress, related) if related else []
    if missing:
        raise OsmMecError(f"{', '.join(missing)} did not join {ns_name} through the "
                          "cluster-join relation: check the worker's charm status in OSM "
                          f"(`osm ns-show {ns_name}`, vcaStatus)")


def join_pending(target: OsmTarget, ns_id: str, ns_name: str, progress: Progress) -> None:
    """After an instantiation: every worker VDU that is not a Ready node joins. Nothing to
    do when OSM's LCM gave no node list or no VM names (it ran no charm)."""
    listed = nodes(target, ns_id, ns_name, progress)
    vdurs = worker_vdurs(cluster_vnfr(target, ns_id))
    if listed is None or not all(v.get("name") for v in vdurs):
        progress.status(f"{ns_name}: no node list from the controller; workers not checked")
        return
    ready = set(ready_workers(listed))
    join(target, ns_id, ns_name, progress, [(int(v["count-index"]), str(v["name"]))
                                            for v in vdurs if v["name"] not in ready])
