"""One generator per OSM package: profile -> SOL006 descriptor (pure functions).

``PACKAGES`` lists every package in onboarding order (VNF/CNF packages before the NS
packages that name them) with what goes into the package besides its descriptor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ...core.errors import UsageError
from ..profile import Profile
from . import baseline_vnf, cloud_init, cnfs, juju_bundle, k8s_cluster_vnf, network_services


@dataclass(frozen=True)
class PackageSpec:
    """What one OSM package is made of."""

    name: str
    kind: str  # "vnf" (VNF or CNF package) or "ns"
    generate: Callable[[Profile], dict[str, Any]]
    charms: tuple[str, ...] = ()
    charts: tuple[str, ...] = ()
    cloud_init: Callable[[Profile], dict[str, str]] | None = None
    bundles: Callable[[Profile], dict[str, dict[str, Any]]] | None = None
    summary: str = field(default="")

    @property
    def descriptor_file(self) -> str:
        return f"{self.name}d.yaml"


def _cluster_cloud_init(profile: Profile) -> dict[str, str]:
    return {cloud_init.file_name(role): cloud_init.template(profile, role)
            for role in cloud_init.ROLES}


PACKAGES: tuple[PackageSpec, ...] = (
    PackageSpec("k8s_cluster_vnf", "vnf", k8s_cluster_vnf.descriptor,
                charms=(k8s_cluster_vnf.CHARM,), cloud_init=_cluster_cloud_init,
                summary="Kubernetes cluster VNF (controller + scalable workers)"),
    PackageSpec("mec_blocks_cnf", "vnf", cnfs.mec_blocks_cnf, charts=(cnfs.MEP_CHART,),
                summary="MEC platform (MEP) CNF"),
    PackageSpec("edge_mano_cnf", "vnf", cnfs.edge_mano_cnf,
                bundles=lambda p: {juju_bundle.FILE_NAME: juju_bundle.bundle(p)},
                summary="Edge OSM CNF (Charmed OSM bundle)"),
    PackageSpec("mec_app_cnf", "vnf", cnfs.mec_app_cnf, charts=(cnfs.MEC_APP_CHART,),
                summary="Sample MEC application CNF"),
    PackageSpec("baseline_vnf", "vnf", baseline_vnf.descriptor,
                charms=(k8s_cluster_vnf.CHARM,),
                cloud_init=lambda p: {baseline_vnf.CLOUD_INIT: baseline_vnf.CLOUD_INIT_TEXT},
                summary="Baseline VNF (one VM, SSH-only day-1)"),
    PackageSpec("baseline_cnf", "vnf", cnfs.baseline_cnf, charts=(cnfs.BASELINE_CHART,),
                summary="Baseline CNF (one Alpine pod)"),
    PackageSpec("k8s_osm_cluster_ns", "ns", network_services.k8s_osm_cluster_ns,
                summary="NSP Kubernetes cluster NS"),
    PackageSpec("mec_env_ns", "ns", network_services.mec_env_ns,
                summary="CSP MEC environment NS"),
    PackageSpec("mec_app_ns", "ns", network_services.mec_app_ns,
                summary="Sample MEC application NS"),
    PackageSpec("baseline_vnf_ns", "ns", network_services.baseline_vnf_ns,
                summary="Baseline VNF NS"),
    PackageSpec("baseline_cnf_ns", "ns", network_services.baseline_cnf_ns,
                summary="Baseline CNF NS"),
)
PACKAGE_NAMES = tuple(spec.name for spec in PACKAGES)


def package_spec(name: str) -> PackageSpec:
    """The spec of a package by name; UsageError listing the names otherwise."""
    for spec in PACKAGES:
        if spec.name == name:
            return spec
    raise UsageError(f"unknown package {name!r}; known packages: {', '.join(PACKAGE_NAMES)}")
