"""Instantiation parameters of an NS (the `osm ns-create --config` file).

Per-cluster values (name, the controller's fixed address on cluster-net) reach the VNF as
additionalParams, the VDUs' cloud-init templates and the charm's day-1 primitives; KDUs get
their namespace and Helm values. Nothing here is secret: the cluster CA is created by
kubeadm on the controller and bootstrap tokens travel in Juju relation data (see
docs/security.md), so this mapping, which OSM stores in its records and publishes on Kafka,
holds no key, token or password.

OSM does not merge VNF- and VDU-level parameters: when a VDU has its own
``additionalParamsForVdu`` item with ``additionalParams``, NBI's
``_format_additional_params`` uses those INSTEAD of the VNF's ``additionalParams`` (NBI
checks the VDU's day-1 ``<param>`` placeholders against the result and refuses the NS with
400 when one is missing; LCM renders the VDU's cloud-init and primitives with the same
result). So a VDU's own item repeats every VNF-level value it needs
(:func:`vdu_params` computes what OSM will use).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from ..core.errors import UsageError
from .descriptors import network_services as ns
from .descriptors.common import MGMT_VL
from .descriptors.k8s_cluster_vnf import CLUSTER_VL, cluster_cpd
from .profile import Profile

CSP_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,29}$")
NS_PACKAGES = ("k8s_osm_cluster_ns", "mec_env_ns", "mec_app_ns", "baseline_vnf_ns",
               "baseline_cnf_ns")


def check_csp(csp: str) -> str:
    """A CSP name usable in host names and namespaces, or UsageError."""
    if not CSP_PATTERN.match(csp):
        raise UsageError(f"--csp {csp!r}: a CSP name is 1-30 lower-case letters, digits or '-', "
                         "starting with a letter")
    return csp


def cluster_name(profile: Profile, csp: str, site: str) -> str:
    """Name of a CSP's cluster: site is 'nsp' (for the CNFs) or 'edge' (the MEC host)."""
    return f"{profile.prefix}-{csp}-{site}"


def namespace(profile: Profile, csp: str) -> str:
    """The prefix of a CSP's Kubernetes namespaces (one per KDU: ``<prefix>-<kdu>``)."""
    return f"{profile.prefix}-{csp}"


def kdu_namespace(profile: Profile, csp: str, kdu: str) -> str:
    """The Kubernetes namespace of one KDU of a CSP (its ``k8s-namespace``)."""
    return f"{namespace(profile, csp)}-{kdu}"


def add_kdu_values(config: dict[str, Any], member: str, kdu: str,
                   values: dict[str, Any]) -> None:
    """Add top-level Helm values to one KDU's ``additionalParams`` in `config` (in place);
    KeyError naming it when the config has no such KDU."""
    for item in config.get("additionalParamsForVnf") or []:
        if item.get("member-vnf-index") != member:
            continue
        for entry in item.get("additionalParamsForKdu") or []:
            if entry.get("kdu_name") == kdu:
                entry["additionalParams"] = {**(entry.get("additionalParams") or {}),
                                             **values}
                return
    raise KeyError(f"no KDU {kdu!r} of member-vnf-index {member!r} in the parameters")


def _image(reference: str) -> dict[str, str]:
    repository, _, tag = reference.rpartition(":")
    if not repository or "/" in tag:
        return {"repository": reference, "tag": "latest"}
    return {"repository": repository, "tag": tag}


def _cluster_member(profile: Profile, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    cluster = profile["cluster"]
    net = ipaddress.IPv4Network(cluster["network_cidr"])
    controller = ipaddress.IPv4Address(cluster["controller_ip"])
    last_host = net.broadcast_address - 1
    additional = {
        "member-vnf-index": ns.CLUSTER_MEMBER,
        "additionalParams": {"cluster_name": name, "controller_ip": str(controller)},
    }
    vnf = {
        "member-vnf-index": ns.CLUSTER_MEMBER,
        "internal-vld": [{
            "name": CLUSTER_VL,
            "ip-profile": {
                "ip-version": "ipv4",
                "subnet-address": str(net),
                "dhcp-params": {"enabled": True, "start-address": str(controller + 1),
                                "count": int(last_host) - int(controller)},
            },
            "internal-connection-point": [{"id-ref": cluster_cpd("controller"),
                                           "ip-address": str(controller)}],
        }],
    }
    return additional, vnf


def vdu_params(config: dict[str, Any], member: str, vdu_id: str) -> dict[str, Any]:
    """The additionalParams OSM renders a VDU's cloud-init and day-1 primitives with: the
    VDU's own ``additionalParamsForVdu`` item when it has ``additionalParams``, otherwise
    the VNF's ``additionalParams`` (NBI replaces, it never merges)."""
    item = next((m for m in config.get("additionalParamsForVnf") or []
                 if m.get("member-vnf-index") == member), None)
    if item is None:
        return {}
    own = next((v for v in item.get("additionalParamsForVdu") or []
                if v.get("vdu_id") == vdu_id), None)
    if own is not None and own.get("additionalParams"):
        return dict(own["additionalParams"])
    return dict(item.get("additionalParams") or {})


def _kdu_member(k8s_namespace: str, member: str, kdu: str, values: dict[str, Any]
                ) -> dict[str, Any]:
    # one namespace per KDU: OSM names a Juju KDU's model after it, and Juju refuses one
    # that exists (a Helm release of another KDU there would block the Edge OSM's bundle)
    item: dict[str, Any] = {"kdu_name": kdu, "k8s-namespace": k8s_namespace}
    if values:
        item["additionalParams"] = values
    return {"member-vnf-index": member, "additionalParamsForKdu": [item]}


def _mep_values(profile: Profile) -> dict[str, Any]:
    mep = profile["mep"]
    # no nodePort: Kubernetes allocates one (CSPs share the NSP cluster) and OSM records it
    # in kdur.services, where the chain reads it
    service: dict[str, Any] = {"type": mep["service_type"]}
    cluster = profile["cluster"]
    # The chart calls back no network unless named: the edge cluster's node and pod networks,
    # where the CSP's MEC applications run, are the ones the MEP must reach.
    callbacks = [cluster["network_cidr"], cluster["pod_cidr"]]
    return {"image": _image(mep["image"]), "replicas": mep["replicas"], "service": service,
            "allowCallbackNetworks": callbacks}


def _mec_app_values(profile: Profile) -> dict[str, Any]:
    app = profile["mec_app"]
    return {"image": _image(app["image"]), "replicas": app["replicas"],
            "serviceName": app["service_name"]}


def instantiation_params(profile: Profile, ns_package: str, csp: str) -> dict[str, Any]:
    """The --config mapping of `osm ns-create` for one NS package and CSP."""
    check_csp(csp)
    if ns_package not in NS_PACKAGES:
        raise UsageError(f"--ns {ns_package!r}: not an NS package; use one of "
                         f"{', '.join(NS_PACKAGES)}")
    vim = profile["vim"]
    additional: list[dict[str, Any]] = []
    vnfs: list[dict[str, Any]] = []
    vlds = [{"name": MGMT_VL, "vim-network-name": vim["nsp_mgmt_network"]}]
    if ns_package in ("k8s_osm_cluster_ns", "mec_env_ns"):
        site = "nsp" if ns_package == "k8s_osm_cluster_ns" else "edge"
        name = cluster_name(profile, csp, site)
        member, vnf = _cluster_member(profile, name)
        additional.append(member)
        vnfs.append(vnf)
    if ns_package == "mec_env_ns":
        vlds.insert(0, {"name": ns.EDGE_VL, "vim-network-name": vim["edge_mgmt_network"]})
        additional.append(_kdu_member(kdu_namespace(profile, csp, "mep"), ns.MEP_MEMBER,
                                      "mep", _mep_values(profile)))
        if profile["model"] == "b2b2c":
            additional.append(_kdu_member(kdu_namespace(profile, csp, "osm"),
                                          ns.EDGE_OSM_MEMBER, "osm", {}))
    elif ns_package == "mec_app_ns":
        vlds = [{"name": MGMT_VL, "vim-network-name": vim["edge_mgmt_network"]}]
        additional.append(_kdu_member(kdu_namespace(profile, csp, "mec-app"),
                                      ns.MEC_APP_MEMBER, "mec-app", _mec_app_values(profile)))
    elif ns_package == "baseline_cnf_ns":
        additional.append(_kdu_member(kdu_namespace(profile, csp, "alpine"),
                                      ns.BASELINE_MEMBER, "alpine", {}))
    config: dict[str, Any] = {"vld": vlds}
    if additional:
        config["additionalParamsForVnf"] = additional
    if vnfs:
        config["vnf"] = vnfs
    return config
