"""What a completed LCM operation leaves in the records: VDUs with their addresses and
interfaces, KDUs with their Kubernetes services, added or removed scaled VDUs."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from .addressing import Subnet, VimNetworks, internal_subnet
from .instances import member_item
from .nbi_params import unyaml
from .store import new_id

STANDARD_PRIMITIVES = {"config", "verify-ssh-credentials", "generate-ssh-key",
                       "get-ssh-public-key"}
DEFAULT_INTERNAL_CIDR = "192.168.250.0/24"


def day1_config(vnfd: dict[str, Any], vdu_id: str) -> dict[str, Any]:
    """The day1-2 entry of one VDU (empty when it has none)."""
    for df in vnfd.get("df", []):
        config = (df.get("lcm-operations-configuration") or {}).get("operate-vnf-op-config") or {}
        for day12 in config.get("day1-2", []):
            if day12.get("id") == vdu_id:
                return day12
    return {}


def vnf_work_kind(vnfd: dict[str, Any]) -> str | None:
    """Timing-model kind of deploying this VNF's VMs: with real day-1 work or plain."""
    if not vnfd.get("vdu"):
        return None
    for vdu in vnfd["vdu"]:
        names = {p.get("name") for p in day1_config(vnfd, vdu["id"]).get(
            "initial-config-primitive", [])}
        if names - STANDARD_PRIMITIVES:
            return "vnf-day1"
    return "vnf-plain"


def initial_counts(vnfd: dict[str, Any]) -> dict[str, int]:
    """VDU id -> instances at instantiation (instantiation level, else the profile's min)."""
    df = (vnfd.get("df") or [{}])[0]
    counts = {p["id"]: int(p.get("min-number-of-instances", 1)) for p in df.get("vdu-profile", [])}
    for level in df.get("instantiation-level", [])[:1]:
        for vdu in level.get("vdu-level", []):
            counts[vdu["vdu-id"]] = int(vdu.get("number-of-instances", 1))
    return counts


def vdu_limits(vnfd: dict[str, Any], vdu_id: str) -> tuple[int, int]:
    df = (vnfd.get("df") or [{}])[0]
    for profile in df.get("vdu-profile", []):
        if profile["id"] == vdu_id:
            return (int(profile.get("min-number-of-instances", 1)),
                    int(profile.get("max-number-of-instances", 1)))
    return 1, 1


def aspect_deltas(vnfd: dict[str, Any], aspect: str) -> dict[str, int] | None:
    """VDU id -> instances per step of a scaling aspect; None when it does not exist."""
    for df in vnfd.get("df", []):
        for candidate in df.get("scaling-aspect", []):
            if candidate.get("id") == aspect:
                return {d["id"]: int(d.get("number-of-instances", 1))
                        for delta in candidate.get("aspect-delta-details", {}).get("deltas", [])
                        for d in delta.get("vdu-delta", [])}
    return None


class VnfNetworks:
    """Addressing of one VNF instance: its internal VLs and the VIM networks of its ext CPs."""

    def __init__(self, nsr: dict[str, Any], vnfr: dict[str, Any], vnfd: dict[str, Any],
                 nsd: dict[str, Any], vim_networks: VimNetworks) -> None:
        body = nsr["instantiate_params"]
        self.vnfd, self.vim_networks = vnfd, vim_networks
        self.vim_id = vnfr["vim-account-id"]
        vnf_item = member_item(body, "vnf", vnfr["member-vnf-index-ref"])
        self.internal: dict[str, Subnet] = {}
        self.fixed: dict[str, str] = {}
        for vl in vnfd.get("int-virtual-link-desc", []):
            vld = next((v for v in vnf_item.get("internal-vld") or []
                        if v.get("name") == vl["id"]), None)
            self.internal[vl["id"]], fixed = internal_subnet(vld, DEFAULT_INTERNAL_CIDR)
            self.fixed.update(fixed)
        ns_vl_of_cp = {}
        profile: dict[str, Any] = next((p for p in (nsd.get("df") or [{}])[0].get("vnf-profile", [])
                        if p["id"] == vnfr["member-vnf-index-ref"]), {})
        for link in profile.get("virtual-link-connectivity", []):
            for cp in link.get("constituent-cpd-id", []):
                ns_vl_of_cp[cp["constituent-cpd-id"]] = link["virtual-link-profile-id"]
        self.vim_net = {vl["id"]: vl.get("vim-network-name") or vl["id"] for vl in nsr["vld"]}
        self.ext_of_int = {e["int-cpd"]["cpd"]: ns_vl_of_cp.get(e["id"])
                           for e in vnfd.get("ext-cpd", []) if "int-cpd" in e}
        self.mgmt_cp = vnfd.get("mgmt-cp")

    def vdur(self, vdu: dict[str, Any], count: int, ns_name: str, member: str,
             template: dict[str, Any]) -> dict[str, Any]:
        """A deployed VDU instance: NBI's vdur (`template`) with addresses and status."""
        interfaces, mgmt_ip = [], None
        nbi_interface = {i.get("internal-connection-point-ref"): i
                         for i in template.get("interfaces", [])}
        mgmt_int = next((e["int-cpd"]["cpd"] for e in self.vnfd.get("ext-cpd", [])
                         if e["id"] == self.mgmt_cp and "int-cpd" in e), None)
        for cpd in vdu.get("int-cpd", []):
            if cpd.get("int-virtual-link-desc"):
                vl = cpd["int-virtual-link-desc"]
                ip = self.internal[vl].take(self.fixed.get(cpd["id"]) if count == 0 else None)
                interface = {"name": cpd["id"], **nbi_interface.get(cpd["id"], {}),
                             "vnf-vld-id": vl, "ip-address": ip}
            else:
                ns_vl = self.ext_of_int.get(cpd["id"])
                ip = self.vim_networks.address(self.vim_id, self.vim_net.get(ns_vl, str(ns_vl)))
                interface = {"name": cpd["id"], **nbi_interface.get(cpd["id"], {}),
                             "ns-vld-id": ns_vl, "ip-address": ip,
                             "mgmt-vnf": cpd["id"] == mgmt_int}
                if cpd["id"] == mgmt_int or mgmt_ip is None:
                    mgmt_ip = ip
            interface["mac-address"] = "fa:16:3e:" + ":".join(
                f"{int(o):02x}" for o in ip.split(".")[1:])
            interfaces.append(interface)
        vdur_id = new_id()
        return {**copy.deepcopy(template), "_id": vdur_id, "id": vdur_id, "vdu-id-ref": vdu["id"],
                "count-index": count, "name": f"{ns_name}-{member}-{vdu['id']}-{count}",
                "status": "ACTIVE", "vim-id": new_id(), "ip-address": mgmt_ip,
                "interfaces": interfaces}


def kdu_values(kdur: dict[str, Any]) -> dict[str, Any]:
    """A KDU's Helm values as LCM reads them from the kdur NBI wrote (a JSON string whose
    mapping values are ``!!yaml`` strings)."""
    raw = kdur.get("additionalParams")
    return unyaml(json.loads(raw) if isinstance(raw, str) else raw)


def service_record(name: str, kind: str, cluster_ip: str, ports: list[dict[str, Any]],
                   ingress: list[str] | None = None) -> dict[str, Any]:
    """One Kubernetes Service as OSM lists it in ``kdur.services`` (N2VC's
    ``Kubectl.get_services``): ``external_ip`` only from a LoadBalancer's ingress, None
    otherwise (a NodePort Service has none: its address is a node's); every port with
    ``node_port`` (None unless NodePort or LoadBalancer) and ``target_port``."""
    return {"name": name, "cluster_ip": cluster_ip, "type": kind,
            "ports": [{"name": p.get("name"), "node_port": p.get("node_port"),
                       "port": p["port"], "protocol": p.get("protocol", "TCP"),
                       "target_port": p.get("target_port", p["port"])} for p in ports],
            "external_ip": list(ingress) if kind == "LoadBalancer" and ingress else None}


def kdu_services(kdu: dict[str, Any], values: dict[str, Any], cluster_ip: str,
                 overrides: dict[str, dict[str, Any]],
                 allocate: Callable[[str, int | None], int]) -> list[dict[str, Any]]:
    """The Kubernetes services of a deployed KDU as OSM lists them in kdur.services; a
    NodePort comes from `allocate(service, the one the values ask for or None)`."""
    service_values = values.get("service") or {}
    services = []
    for service in kdu.get("service", []):
        name = service["name"]
        if name in overrides:
            services.append(overrides[name])
            continue
        node_port = service_values.get("nodePort")
        kind = service_values.get("type") or ("NodePort" if node_port else "ClusterIP")
        port: dict[str, Any] = {"name": "http", "port": int(service_values.get("port", 8080))}
        if kind in ("NodePort", "LoadBalancer"):
            port["node_port"] = allocate(name, int(node_port) if node_port else None)
        services.append(service_record(name, kind, cluster_ip, [port]))
    return services


def edge_osm_services(kafka: str) -> dict[str, dict[str, Any]]:
    """The Services of an Edge OSM (Charmed OSM) KDU that the chain reads: ``nbi`` as the
    osm-nbi charm makes it (ClusterIP, port 9999: reached from outside only through a
    NodePort Service the chain creates), and, unlike a real Charmed OSM, its Kafka as a
    LoadBalancer whose ingress is the sandbox Edge OSM's broker (the chain times the Edge
    OSM's operations from it)."""
    kafka_host, kafka_port = kafka.rsplit(":", 1)
    return {"nbi": service_record("nbi", "ClusterIP", "10.152.183.10",
                                  [{"name": "nbi", "port": 9999}]),
            "kafka": service_record("kafka", "LoadBalancer", "10.152.183.11",
                                    [{"name": "kafka", "port": int(kafka_port),
                                      "node_port": 31092, "target_port": 9092}],
                                    [kafka_host])}


def cluster_node_ip(cluster: dict[str, Any] | None) -> str:
    """The API server host of a registered K8s cluster (where NodePorts answer)."""
    try:
        server = cluster["credentials"]["clusters"][0]["cluster"]["server"]  # type: ignore
        return str(server).split("://", 1)[-1].rsplit(":", 1)[0]
    except (TypeError, KeyError, IndexError):
        return "127.0.0.1"
