"""The Juju bundle of the Edge-MANO CNF: Charmed OSM from Charmhub.

Rebuilt from the single-instance bundle OSM publishes (devops
``installers/charm/bundles/osm/bundle.yaml``, released on Charmhub as ``osm``) and from the
relations OSM's charms are integrated with in their own integration tests. Differences,
on purpose:

- no grafana and no nginx-ingress-integrator: the Edge OSM needs no dashboard, and its NBI
  is reached through a NodePort Service the chain creates with the NSP cluster's
  kubeconfig (osm-nbi's own Service is ClusterIP; the charm has no option to change that);
- no secret in any option (database common key, VCA accounts): the operator sets them with
  ``juju config`` after deployment (docs/real-osm.md), so ``vca`` stays ``blocked`` until
  then, which N2VC accepts as ready.

tests/data/charmed-osm-facts.yaml records, for every charm pinned here, the option and
endpoint names read from the charm's sources; tests/test_bundle.py checks this bundle
against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..profile import Profile

FILE_NAME = "charmed-osm.yaml"
NBI_SERVICE = "nbi"
OSM_RELEASE_TRACK = "osm"  # charms whose channel follows the profile's edge_osm.channel


@dataclass(frozen=True)
class App:
    """One application of the bundle: its charm, channel, series and options."""

    charm: str
    channel: str
    series: str
    options: dict[str, Any] = field(default_factory=dict)


LOG_LEVEL = {"log-level": "INFO"}
# application -> charm, channel ("osm": the profile's OSM release channel), series.
APPLICATIONS: dict[str, App] = {
    "zookeeper": App("zookeeper-k8s", "latest/stable", "focal"),
    "kafka": App("kafka-k8s", "latest/stable", "focal"),
    "mongodb": App("mongodb-k8s", "5/edge", "jammy"),
    "mariadb": App("charmed-osm-mariadb-k8s", "latest/stable", "focal"),
    "prometheus": App("osm-prometheus", OSM_RELEASE_TRACK, "focal"),
    "keystone": App("osm-keystone", "latest/beta", "jammy"),
    "vca": App("osm-vca-integrator", OSM_RELEASE_TRACK, "jammy"),
    "nbi": App("osm-nbi", OSM_RELEASE_TRACK, "jammy", LOG_LEVEL),
    "lcm": App("osm-lcm", OSM_RELEASE_TRACK, "jammy", LOG_LEVEL),
    "ro": App("osm-ro", OSM_RELEASE_TRACK, "jammy", LOG_LEVEL),
    "mon": App("osm-mon", OSM_RELEASE_TRACK, "jammy", LOG_LEVEL),
    "pol": App("osm-pol", OSM_RELEASE_TRACK, "jammy", LOG_LEVEL),
    "ng-ui": App("osm-ng-ui", OSM_RELEASE_TRACK, "jammy"),
}
# (requirer endpoint, provider endpoint)
RELATIONS: list[tuple[str, str]] = [
    ("kafka:zookeeper", "zookeeper:zookeeper"),
    ("keystone:db", "mariadb:mysql"),
    ("nbi:kafka", "kafka:kafka"), ("nbi:mongodb", "mongodb:database"),
    ("nbi:prometheus", "prometheus:prometheus"), ("nbi:keystone", "keystone:keystone"),
    ("lcm:kafka", "kafka:kafka"), ("lcm:mongodb", "mongodb:database"), ("lcm:ro", "ro:ro"),
    ("lcm:vca", "vca:vca"),
    ("ro:kafka", "kafka:kafka"), ("ro:mongodb", "mongodb:database"),
    ("mon:kafka", "kafka:kafka"), ("mon:mongodb", "mongodb:database"),
    ("mon:prometheus", "prometheus:prometheus"), ("mon:keystone", "keystone:keystone"),
    ("mon:vca", "vca:vca"),
    ("pol:kafka", "kafka:kafka"), ("pol:mongodb", "mongodb:database"),
    ("pol:mysql", "mariadb:mysql"),
    ("ng-ui:nbi", "nbi:nbi"),
]


def bundle(profile: Profile) -> dict[str, Any]:
    """The Charmed OSM bundle for the profile's OSM release channel."""
    release = profile["edge_osm"]["channel"]
    applications: dict[str, Any] = {}
    for name, app in APPLICATIONS.items():
        spec: dict[str, Any] = {
            "charm": app.charm,
            "channel": release if app.channel == OSM_RELEASE_TRACK else app.channel,
            "series": app.series, "scale": 1, "trust": True,
        }
        if app.options:
            spec["options"] = dict(app.options)
        applications[name] = spec
    return {
        "description": f"Charmed OSM ({release}) as the Edge MANO of one CSP (osm-mec)",
        "bundle": "kubernetes",
        "applications": applications,
        "relations": [[left, right] for left, right in RELATIONS],
    }
