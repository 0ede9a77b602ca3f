"""Names of what the chain creates for a CSP, in OSM and in the state file."""

from __future__ import annotations

from dataclasses import dataclass

from ..offer.params import cluster_name
from ..offer.profile import Profile


@dataclass(frozen=True)
class NsRole:
    key: str        # state-file key
    package: str    # NS package
    suffix: str     # NS name = <prefix>-<csp>-<suffix>
    paper: str      # the paper's column name

    def ns_name(self, profile: Profile, csp: str) -> str:
        return f"{profile.prefix}-{csp}-{self.suffix}"


NSP_CLUSTER = NsRole("nsp-cluster-ns", "k8s_osm_cluster_ns", "nsp-cluster", "k8s-osm-cluster-ns")
ENV = NsRole("env-ns", "mec_env_ns", "env", "mec-env-ns")
APP = NsRole("app-ns", "mec_app_ns", "app", "mec-app-ns")
ROLES = (NSP_CLUSTER, ENV, APP)
MAIN_PACKAGES = ("k8s_cluster_vnf", "mec_blocks_cnf", "edge_mano_cnf", "mec_app_cnf",
                 "k8s_osm_cluster_ns", "mec_env_ns", "mec_app_ns")
B2C_MAIN_PACKAGES = tuple(p for p in MAIN_PACKAGES if p != "edge_mano_cnf")  # no Edge MANO
EDGE_PACKAGES = ("mec_app_cnf", "mec_app_ns")


def paper_labels(profile: Profile, csp: str) -> dict[str, str]:
    """NS name -> the paper's column, for the timing records."""
    return {role.ns_name(profile, csp): role.paper for role in ROLES}


def nsp_cluster(profile: Profile, csp: str) -> str:
    return cluster_name(profile, csp, "nsp")


def edge_cluster(profile: Profile, csp: str) -> str:
    return cluster_name(profile, csp, "edge")
