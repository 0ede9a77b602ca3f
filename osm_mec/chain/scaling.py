"""Scaling the CSP's edge cluster: the ``worker-scale`` aspect of the cluster VNF in
mec-env-ns. The VNFD's bounds are checked before anything is touched. Scale-in confirms the
node with ``list-nodes``, drains and deletes it through the controller's ``remove-node``, and
rejoins it if OSM then refuses or fails the scale-in; after a scale-out, the new worker
joins (OSM's LCM relates only the first worker's execution environment with the
controller's, so a new worker is joined by the controller's ``add-worker``; see
``day2.join_worker``) and ``list-nodes`` confirms it is a Ready Kubernetes node."""

from __future__ import annotations

from typing import Any

from ..core.errors import OsmMecError, UsageError
from ..offer.descriptors import network_services as nsd_members
from ..offer.descriptors.k8s_cluster_vnf import SCALING_ASPECT
from ..osm.nbi import NbiFailure
from ..osm.waiting import OperationFailed
from . import day2, names, workers
from .provision import Chain, lcm_gap


def _env(chain: Chain) -> tuple[str, str]:
    name = names.ENV.ns_name(chain.profile, chain.csp)
    ns = chain.main.client.find_ns(name)
    if ns is None:
        raise UsageError(f"CSP {chain.csp}: no {name} in the Main OSM; run `osm-mec provision "
                         f"--csp {chain.csp}` first")
    chain.main.know(ns["_id"], name)
    return ns["_id"], name


def _node_name(vdur: dict[str, Any], ns_name: str) -> str:
    """The worker's Kubernetes node name: its VM's name, which OSM's LCM records."""
    if not vdur.get("name"):
        raise OsmMecError(lcm_gap(f"OSM's record of worker VDU count-index "
                                  f"{vdur.get('count-index')} of {ns_name} has no VM name "
                                  "(its Kubernetes node name)"))
    return str(vdur["name"])


def bounds(chain: Chain, vnfr: dict[str, Any]) -> tuple[int, int]:
    """The worker VDU's (min, max) instances in the VNFD onboarded in OSM."""
    vnfd = chain.main.client.find_package("vnf", str(vnfr.get("vnfd-ref")))
    profiles = [p for df in (vnfd or {}).get("df", []) for p in df.get("vdu-profile", [])
                if p.get("id") == day2.WORKER_VDU]
    if not profiles:
        raise OsmMecError(f"VNFD {vnfr.get('vnfd-ref')} in the Main OSM has no vdu-profile "
                          f"for VDU {day2.WORKER_VDU!r}: cannot check the scaling bounds")
    return (int(profiles[0].get("min-number-of-instances", 1)),
            int(profiles[0].get("max-number-of-instances", 1)))


def check_bounds(chain: Chain, vnfr: dict[str, Any], ns_name: str, out: bool,
                 count: int) -> None:
    """Refuse (exit 2) a scale that would leave the VNFD's bounds, before touching anything."""
    low, high = bounds(chain, vnfr)
    now = len(workers.worker_vdurs(vnfr))
    wanted = now + count if out else now - count
    if low <= wanted <= high:
        return
    room = high - now if out else now - low
    raise UsageError(f"{ns_name}: cannot {'add' if out else 'remove'} {count} worker(s): it "
                     f"has {now}, and VNFD {vnfr.get('vnfd-ref')} allows {low} to {high}; "
                     + (f"`osm-mec scale --csp {chain.csp} {'out' if out else 'in'} --count "
                        f"{room}` is the most that fits" if room > 0 else
                        "nothing can be " + ("added" if out else "removed")))


def _nodes(chain: Chain, ns_id: str, ns_name: str) -> list[dict[str, Any]]:
    """The cluster's Kubernetes nodes (list-nodes on the controller)."""
    listed = workers.nodes(chain.main, ns_id, ns_name, chain.progress)
    if listed is None:
        raise OsmMecError(lcm_gap(f"list-nodes on {ns_name} returned no node list"))
    return listed


def _scale_out(chain: Chain, ns_id: str, ns_name: str, step: str) -> dict[str, Any]:
    chain.progress.step(f"{step}: {SCALING_ASPECT}")
    before = {v["count-index"] for v in workers.worker_vdurs(workers.cluster_vnfr(chain.main, ns_id))}
    op_id = day2.scale_workers(chain.main.client, ns_id, True)
    op = chain.main.wait(op_id, ns_name, chain.progress)
    new = [v for v in workers.worker_vdurs(workers.cluster_vnfr(chain.main, ns_id)) if v["count-index"] not in before]
    if not new:
        raise OsmMecError(lcm_gap(f"the scale-out of {ns_name} ended "
                                  f"{op.get('operationState')} but OSM's record of VNF "
                                  f"{nsd_members.CLUSTER_MEMBER} lists no new worker VDU", op))
    added = [_node_name(v, ns_name) for v in new]
    workers.join(chain.main, ns_id, ns_name, chain.progress,
                 [(int(v["count-index"]), _node_name(v, ns_name)) for v in new])
    chain.progress.step(f"list-nodes: is {', '.join(added)} a Ready node?")
    ready = workers.ready_workers(_nodes(chain, ns_id, ns_name))
    missing = [name for name in added if name not in ready]
    if missing:
        raise OsmMecError(f"the scale-out of {ns_name} completed but {', '.join(missing)} "
                          "is not a Ready Kubernetes node: check the worker's join-cluster "
                          f"primitive in OSM (`osm ns-op-list {ns_name}`); `osm-mec scale --csp "
                          f"{chain.csp} in` removes it again")
    return {"direction": "out", "op_id": op_id, "added": added}


def _rejoin(chain: Chain, ns_id: str, ns_name: str, worker: dict[str, Any]) -> str:
    """Undo a remove-node after a refused scale-in; what happened, for the message."""
    try:
        day2.rejoin_worker(chain.main.client, ns_id, int(worker["count-index"]),
                           lambda op: chain.main.wait(op, ns_name, chain.progress))
    except (NbiFailure, OperationFailed, KeyError) as exc:
        return (f"node {worker['name']} was drained and deleted and could NOT rejoin ({exc}); "
                f"run `osm-mec scale --csp {chain.csp} in` to remove its VM, or rejoin it with "
                "the worker's authorize-controller and the controller's add-worker "
                "primitives")
    return f"node {worker['name']} rejoined the cluster: it is as it was"


def _scale_in(chain: Chain, ns_id: str, ns_name: str, step: str) -> dict[str, Any]:
    worker = workers.worker_vdurs(workers.cluster_vnfr(chain.main, ns_id))[-1]  # OSM removes the highest count-index
    name = _node_name(worker, ns_name)
    chain.progress.step(f"{step}: is {name} a node? (list-nodes)")
    is_node = name in {n["name"] for n in _nodes(chain, ns_id, ns_name)}
    if is_node:
        chain.progress.step(f"{step}: drain and delete node {name}")
        chain.main.wait(day2.remove_node(chain.main.client, ns_id, name), ns_name,
                        chain.progress)
    chain.progress.step(f"{step}: {SCALING_ASPECT}")
    try:
        op_id = day2.scale_workers(chain.main.client, ns_id, False)
        op = chain.main.wait(op_id, ns_name, chain.progress)
    except (NbiFailure, OperationFailed) as exc:
        undone = _rejoin(chain, ns_id, ns_name, worker) if is_node else \
            f"{name} was not a node: nothing to undo"
        raise OsmMecError(f"OSM refused or failed the scale-in of {ns_name}: {exc}\n  "
                          f"{undone}\n  what to do: fix the cause, then `osm-mec scale --csp "
                          f"{chain.csp} in` again") from exc
    if name in {v.get("name") for v in workers.worker_vdurs(workers.cluster_vnfr(chain.main, ns_id))}:
        raise OsmMecError(lcm_gap(f"the scale-in of {ns_name} ended "
                                  f"{op.get('operationState')} but OSM's record of VNF "
                                  f"{nsd_members.CLUSTER_MEMBER} still lists {name}", op))
    return {"direction": "in", "op_id": op_id, "removed": name}


def scale(chain: Chain, out: bool, count: int = 1) -> dict[str, Any]:
    ns_id, ns_name = _env(chain)
    check_bounds(chain, workers.cluster_vnfr(chain.main, ns_id), ns_name, out, count)
    steps = []
    for i in range(count):
        step = f"scale {'out' if out else 'in'} {i + 1}/{count}"
        steps.append(_scale_out(chain, ns_id, ns_name, step) if out
                     else _scale_in(chain, ns_id, ns_name, step))
    chain.progress.step("list-nodes: the cluster's workers")
    ready = workers.ready_workers(_nodes(chain, ns_id, ns_name))
    chain.progress.close()
    return {"csp": chain.csp, "ns": ns_name, "steps": steps, "workers": ready}
