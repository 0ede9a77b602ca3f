"""Scaling the CSP's edge cluster: the ``worker-scale`` aspect of the cluster VNF in
mec-env-ns. Scale-in first drains and deletes the node through the controller's
``remove-node``; after a scale-out, ``list-nodes`` confirms the new worker is Ready."""

from __future__ import annotations

import json
from typing import Any

from ..descriptors import network_services as nsd_members
from ..descriptors.k8s_cluster_vnf import SCALING_ASPECT
from ..errors import OsmMecError, UsageError
from . import day2, names
from .provision import Chain, primitive_results


def _env(chain: Chain) -> tuple[str, str]:
    name = names.ENV.ns_name(chain.profile, chain.csp)
    ns = chain.main.client.find_ns(name)
    if ns is None:
        raise UsageError(f"CSP {chain.csp}: no {name} in the Main OSM; run `osm-mec provision "
                         f"--csp {chain.csp}` first")
    chain.main.know(ns["_id"], name)
    return ns["_id"], name


def _workers(chain: Chain, ns_id: str) -> list[dict[str, Any]]:
    vnfr = next(v for v in chain.main.client.vnf_records(ns_id)
                if v["member-vnf-index-ref"] == nsd_members.CLUSTER_MEMBER)
    return sorted((v for v in vnfr["vdur"] if v["vdu-id-ref"] == "worker"),
                  key=lambda v: v["count-index"])


def _nodes(chain: Chain, ns_id: str, ns_name: str) -> list[dict[str, Any]]:
    op_id = day2.list_nodes(chain.main.client, ns_id)
    results = primitive_results(chain.main.wait(op_id, ns_name, chain.progress))
    nodes = results.get("nodes", "[]")
    return json.loads(nodes) if isinstance(nodes, str) else list(nodes)


def scale(chain: Chain, out: bool, count: int = 1) -> dict[str, Any]:
    ns_id, ns_name = _env(chain)
    steps = []
    for i in range(count):
        if out:
            chain.progress.step(f"scale out {i + 1}/{count}: {SCALING_ASPECT}")
            before = {v["name"] for v in _workers(chain, ns_id)}
            op_id = day2.scale_workers(chain.main.client, ns_id, True)
            chain.main.wait(op_id, ns_name, chain.progress)
            added = [v["name"] for v in _workers(chain, ns_id) if v["name"] not in before]
            chain.progress.step(f"list-nodes: is {', '.join(added)} Ready?")
            ready = {n["name"] for n in _nodes(chain, ns_id, ns_name) if n.get("ready")}
            missing = [name for name in added if name not in ready]
            if missing:
                raise OsmMecError(f"scale-out of {ns_name} completed but node(s) "
                                  f"{', '.join(missing)} are not Ready in the cluster: check "
                                  "the worker's join-cluster primitive in OSM")
            steps.append({"direction": "out", "op_id": op_id, "added": added})
        else:
            workers = _workers(chain, ns_id)
            if not workers:
                raise OsmMecError(f"{ns_name}: no worker to remove")
            last = workers[-1]["name"]  # OSM removes the highest count-index
            chain.progress.step(f"scale in {i + 1}/{count}: drain and delete node {last}")
            action = day2.remove_node(chain.main.client, ns_id, last)
            chain.main.wait(action, ns_name, chain.progress)
            chain.progress.step(f"scale in {i + 1}/{count}: {SCALING_ASPECT}")
            op_id = day2.scale_workers(chain.main.client, ns_id, False)
            chain.main.wait(op_id, ns_name, chain.progress)
            steps.append({"direction": "in", "op_id": op_id, "removed": last})
    chain.progress.close()
    return {"csp": chain.csp, "ns": ns_name, "steps": steps,
            "workers": [v["name"] for v in _workers(chain, ns_id)]}


def status(chain: Chain) -> dict[str, Any]:
    """What exists for the CSP, its state and endpoints (live from OSM)."""
    result: dict[str, Any] = {"csp": chain.csp, "model": chain.profile["model"],
                              "state_file": str(chain.state.path), "ns": {}, "registrations": {}}
    for role in names.ROLES:
        name = role.ns_name(chain.profile, chain.csp)
        target = chain.main
        if role is names.APP and chain.b2b2c:
            try:
                target = chain.connect_edge()
            except Exception:  # no Edge OSM (yet or any more)
                result["ns"][name] = {"state": "absent (no Edge OSM)"}
                continue
        ns = target.client.find_ns(name)
        result["ns"][name] = ({"state": "absent"} if ns is None else
                              {"id": ns["_id"], "osm": target.label, "state": ns.get("nsState"),
                               "detailed-status": ns.get("detailed-status")})
    for key, target, kind, name in (
            ("nsp-cluster", chain.main, "k8scluster", names.nsp_cluster(chain.profile, chain.csp)),
            ("edge-cluster", chain.edge if chain.b2b2c else chain.main, "k8scluster",
             names.edge_cluster(chain.profile, chain.csp)),
            ("edge-vim", chain.edge if chain.b2b2c else None, "vim", chain.edge_vim)):
        if target is None:
            continue
        found = target.client.find_admin(kind, name)
        result["registrations"][key] = ({"state": "absent"} if found is None else
                                        {"id": found["_id"], "osm": target.label,
                                         "state": found["_admin"]["operationalState"]})
    if chain.edge is not None:
        result["edge_osm"] = chain.edge.client.url
    return result
