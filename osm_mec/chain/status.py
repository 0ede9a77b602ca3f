"""`osm-mec status`: what exists for a CSP in its OSMs, live, with its endpoints (the MEP,
the Edge OSM, the application), as a table for people or JSON for machines."""

from __future__ import annotations

from typing import Any

from ..core.errors import OsmMecError
from ..offer.descriptors import network_services as nsd_members
from ..osm.kube import KubeFailed, server_host
from ..osm.mep_client import MepClient
from ..osm.nbi import NbiFailure
from . import names
from .provision import Chain, ChainFailed
from .target import OsmTarget


def service_endpoints(services: list[dict[str, Any]], node: str | None) -> list[str]:
    """host:port of each Kubernetes service as OSM lists it in kdur.services: a
    LoadBalancer's ingress (the only ``external_ip`` OSM records), a NodePort on a node of
    the KDU's cluster (`node`), else the cluster IP."""
    found = []
    for service in services:
        for port in service.get("ports") or []:
            if service.get("external_ip") and port.get("port"):
                found.append(f"{service['external_ip'][0]}:{port['port']}")
            elif port.get("node_port") and node:
                found.append(f"{node}:{port['node_port']}")
            elif service.get("cluster_ip") and port.get("port"):
                found.append(f"{service['cluster_ip']}:{port['port']} (cluster)")
    return found


def cluster_node(target: OsmTarget, cluster_id: str | None) -> str | None:
    """A node address of a registered K8s cluster: its kubeconfig's API server host."""
    if not cluster_id:
        return None
    try:
        return server_host(target.client.get_admin("k8scluster", cluster_id)
                           .get("credentials") or {})
    except (KubeFailed, NbiFailure):
        return None


def _kdu_endpoints(target: OsmTarget, ns_id: str, member: str) -> list[str]:
    found = []
    for vnfr in target.client.vnf_records(ns_id):
        if vnfr["member-vnf-index-ref"] != member:
            continue
        for kdur in vnfr.get("kdur", []):
            node = cluster_node(target, (kdur.get("k8s-cluster") or {}).get("id"))
            found += service_endpoints(kdur.get("services") or [], node)
    return found


def mep_registration(chain: Chain) -> dict[str, Any] | None:
    """Whether the CSP's first app (the sample app, or the one from its AppD) is
    registered in the CSP's MEP (asked live with the admin token); None when the chain
    registered none."""
    app = chain.state.get(names.APP.key) or {}
    app_id = app.get("mep_app") or (str(app.get("name", "")).removeprefix("mecapp-")
                                    if app.get("appd") and app.get("name") else None)
    if not app_id:
        return None
    try:
        admin = chain.mep.admin()
        record = MepClient(*admin).registered(str(app_id)) if admin else None
    except OsmMecError as exc:
        return {"id": app_id, "state": f"unknown: {exc}"}
    return {"id": app_id, "state": str(record.get("state", "REGISTERED")) if record
            else "not registered"}


def status(chain: Chain) -> dict[str, Any]:
    """What exists for the CSP, its state and endpoints (live from OSM)."""
    result: dict[str, Any] = {"csp": chain.csp, "model": chain.profile["model"],
                              "main_osm": chain.main.client.url,
                              "state_file": str(chain.state.path), "ns": {},
                              "registrations": {}, "endpoints": {}}
    ns_ids: dict[str, tuple[Any, str]] = {}
    for role in names.ROLES:
        name = role.ns_name(chain.profile, chain.csp)
        target = chain.main
        if role is names.APP and chain.b2b2c:
            try:
                target = chain.connect_edge(take_over=False)
            except ChainFailed as missing:  # no Edge OSM found (yet or any more)
                result["ns"][name] = {"state": "absent (no Edge OSM)",
                                      "detailed-status": missing.detail}
                continue
        ns = target.client.find_ns(name)
        result["ns"][name] = ({"state": "absent"} if ns is None else
                              {"id": ns["_id"], "osm": target.label, "state": ns.get("nsState"),
                               "detailed-status": ns.get("detailed-status")})
        if ns is not None:
            ns_ids[role.key] = (target, ns["_id"])
    for key, registry, kind, name in (
            ("nsp-cluster", chain.main, "k8scluster", names.nsp_cluster(chain.profile, chain.csp)),
            ("edge-cluster", chain.edge if chain.b2b2c else chain.main, "k8scluster",
             names.edge_cluster(chain.profile, chain.csp)),
            ("edge-vim", chain.edge if chain.b2b2c else None, "vim", chain.edge_vim)):
        if registry is None:
            continue
        found = registry.client.find_admin(kind, name)
        result["registrations"][key] = ({"state": "absent"} if found is None else
                                        {"id": found["_id"], "osm": registry.label,
                                         "state": found["_admin"]["operationalState"]})
    endpoints = result["endpoints"]
    if names.ENV.key in ns_ids:
        endpoints["MEP"] = _kdu_endpoints(*ns_ids[names.ENV.key], nsd_members.MEP_MEMBER)
    if names.APP.key in ns_ids:
        endpoints["application"] = _kdu_endpoints(*ns_ids[names.APP.key],
                                                  nsd_members.MEC_APP_MEMBER)
    if chain.edge is not None:
        result["edge_osm"] = endpoints["Edge OSM"] = [chain.edge.client.url]
    if names.ENV.key in ns_ids:
        registered = mep_registration(chain)
        if registered is not None:
            result["mep_app"] = registered
    return result


def status_table(result: dict[str, Any]) -> str:
    """The status of one CSP as aligned columns: objects, then endpoints."""
    rows = [("NS", name, item.get("osm", ""), str(item.get("state")), item.get("id", ""))
            for name, item in result["ns"].items()]
    rows += [("registration", key, item.get("osm", ""), str(item.get("state")),
              item.get("id", "")) for key, item in result["registrations"].items()]
    rows += [("endpoint", what, "", ", ".join(found) or "not reported by OSM", "")
             for what, found in result["endpoints"].items()]
    if result.get("mep_app"):
        rows.append(("MEP", "app registration", "", result["mep_app"]["state"],
                     result["mep_app"]["id"]))
    header = ("KIND", "NAME", "OSM", "STATE / ADDRESS", "ID")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    lines = [f"CSP {result['csp']} ({result['model']}) on {result['main_osm']}"
             + (" (simulated: embedded sandbox)" if result.get("simulated") else ""),
             f"state file: {result['state_file']}"]
    for row in [header] + rows:
        lines.append("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)
