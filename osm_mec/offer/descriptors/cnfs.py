"""The CNF packages: MEC blocks (MEP), Edge MANO (Charmed OSM), sample MEC app, baseline."""

from __future__ import annotations

from typing import Any

from ..profile import Profile
from . import juju_bundle
from .common import helm_kdu, knf

MEP_CHART = "mep"
MEC_APP_CHART = "mec-app"
BASELINE_CHART = "baseline-alpine"


def mec_blocks_cnf(profile: Profile) -> dict[str, Any]:
    """The MEC functional blocks: the MEP (MEC 011 Mp1) from the local chart helm/mep."""
    return knf(profile, "mec_blocks_cnf", "MEC functional blocks: the MEC platform (MEP) "
               "serving MEC 011 Mp1", [helm_kdu("mep", MEP_CHART, ["mep"])])


def edge_mano_cnf(profile: Profile) -> dict[str, Any]:
    """The Edge MANO: a dedicated OSM for the CSP, as the Charmed OSM Juju bundle.

    The KDU lists its NBI service by name only: OSM's information model dropped
    ``kdu.service.mgmt-service`` in 2021 (OSM 11) and NBI refuses a VNFD that has it (422).
    The chain finds the Edge OSM's NBI by that service name in the KDU record.
    """
    kdu = {"name": "osm", "description": "Charmed OSM (Edge OSM of one CSP)",
           "juju-bundle": juju_bundle.FILE_NAME,
           "service": [{"name": juju_bundle.NBI_SERVICE}]}
    return knf(profile, "edge_mano_cnf", "Edge MANO: Charmed OSM for one CSP", [kdu])


def mec_app_cnf(profile: Profile) -> dict[str, Any]:
    """The sample MEC application (an Mp1 client of the MEP)."""
    return knf(profile, "mec_app_cnf", "Sample MEC application using the MEP over Mp1",
               [helm_kdu("mec-app", MEC_APP_CHART, ["mec-app"])])


def baseline_cnf(profile: Profile) -> dict[str, Any]:
    """The paper's dummy CNF: one Deployment and Service running an empty Alpine container."""
    return knf(profile, "baseline_cnf", "Baseline CNF: one idle Alpine pod",
               [helm_kdu("alpine", BASELINE_CHART, ["alpine"])])
