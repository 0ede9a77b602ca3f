"""The NS packages of the B2B2C chain and the paper's baselines.

Member indexes (``member-vnf-index``) are stable names that instantiation parameters,
scale and action requests refer to.
"""

from __future__ import annotations

from typing import Any

from ..profile import Profile
from .common import MGMT_VL, nsd
from .k8s_cluster_vnf import mgmt_ext_cpd

CLUSTER_MEMBER = "cluster"
MEP_MEMBER = "mep"
EDGE_OSM_MEMBER = "edge-osm"
MEC_APP_MEMBER = "mec-app"
BASELINE_MEMBER = "baseline"
EDGE_VL = "edge-mgmt"


def _cluster_links(vl: str) -> list[tuple[str, str]]:
    return [(vl, mgmt_ext_cpd("controller")), (vl, mgmt_ext_cpd("worker"))]


def k8s_osm_cluster_ns(profile: Profile) -> dict[str, Any]:
    """The NSP's Kubernetes cluster that will run the CNFs (registered in the Main OSM)."""
    return nsd(profile, "k8s_osm_cluster_ns",
               "Kubernetes cluster in the NSP cloud for the MEC-blocks and Edge-MANO CNFs",
               [(MGMT_VL, profile["vim"]["nsp_mgmt_network"])],
               [(CLUSTER_MEMBER, "k8s_cluster_vnf", _cluster_links(MGMT_VL))])


def mec_env_ns(profile: Profile) -> dict[str, Any]:
    """The CSP's MEC environment: edge cluster VNF, MEC blocks and (b2b2c) Edge MANO."""
    members = [
        (CLUSTER_MEMBER, "k8s_cluster_vnf", _cluster_links(EDGE_VL)),
        (MEP_MEMBER, "mec_blocks_cnf", [(MGMT_VL, "mgmt-ext")]),
    ]
    if profile["model"] == "b2b2c":
        members.append((EDGE_OSM_MEMBER, "edge_mano_cnf", [(MGMT_VL, "mgmt-ext")]))
    return nsd(profile, "mec_env_ns",
               f"MEC environment of one CSP ({profile['model']}): edge Kubernetes cluster, "
               "MEC platform" + (" and Edge OSM" if profile["model"] == "b2b2c" else ""),
               [(EDGE_VL, profile["vim"]["edge_mgmt_network"]),
                (MGMT_VL, profile["vim"]["nsp_mgmt_network"])],
               members)


def mec_app_ns(profile: Profile) -> dict[str, Any]:
    """The sample MEC application on the edge cluster."""
    return nsd(profile, "mec_app_ns", "Sample MEC application on the CSP's edge cluster",
               [(MGMT_VL, profile["vim"]["edge_mgmt_network"])],
               [(MEC_APP_MEMBER, "mec_app_cnf", [(MGMT_VL, "mgmt-ext")])])


def baseline_vnf_ns(profile: Profile) -> dict[str, Any]:
    """The paper's VNF baseline."""
    return nsd(profile, "baseline_vnf_ns", "Baseline: one VM with an SSH-only day-1",
               [(MGMT_VL, profile["vim"]["nsp_mgmt_network"])],
               [(BASELINE_MEMBER, "baseline_vnf", [(MGMT_VL, "vdu-mgmt-ext")])])


def baseline_cnf_ns(profile: Profile) -> dict[str, Any]:
    """The paper's CNF baseline."""
    return nsd(profile, "baseline_cnf_ns", "Baseline: one idle Alpine pod",
               [(MGMT_VL, profile["vim"]["nsp_mgmt_network"])],
               [(BASELINE_MEMBER, "baseline_cnf", [(MGMT_VL, "mgmt-ext")])])
