"""The Juju bundle of the Edge-MANO CNF: Charmed OSM from Charmhub."""

from __future__ import annotations

from typing import Any

from ..profile import Profile

FILE_NAME = "charmed-osm.yaml"
NBI_SERVICE = "nbi"

# application -> charm on Charmhub (single-unit Charmed OSM, Kubernetes bundle)
APPLICATIONS: dict[str, str] = {
    "zookeeper": "zookeeper-k8s",
    "kafka": "kafka-k8s",
    "mongodb": "mongodb-k8s",
    "mariadb": "charmed-osm-mariadb-k8s",
    "prometheus": "osm-prometheus",
    "keystone": "osm-keystone",
    "nbi": "osm-nbi",
    "lcm": "osm-lcm",
    "ro": "osm-ro",
    "mon": "osm-mon",
    "pol": "osm-pol",
    "ng-ui": "osm-ng-ui",
    "grafana": "osm-grafana",
}
# Infrastructure charms follow their own channels, not OSM's release channel.
_OWN_CHANNELS = {"zookeeper-k8s": "3/stable", "kafka-k8s": "3/stable",
                 "mongodb-k8s": "5/edge", "charmed-osm-mariadb-k8s": "stable"}
RELATIONS: list[tuple[str, str]] = [
    ("kafka:zookeeper", "zookeeper:zookeeper"),
    ("keystone:db", "mariadb:mysql"),
    ("nbi:kafka", "kafka:kafka"), ("nbi:mongodb", "mongodb:database"),
    ("nbi:prometheus", "prometheus:prometheus"), ("nbi:keystone", "keystone:keystone"),
    ("lcm:kafka", "kafka:kafka"), ("lcm:mongodb", "mongodb:database"), ("lcm:ro", "ro:ro"),
    ("ro:kafka", "kafka:kafka"), ("ro:mongodb", "mongodb:database"),
    ("mon:kafka", "kafka:kafka"), ("mon:mongodb", "mongodb:database"),
    ("mon:prometheus", "prometheus:prometheus"), ("mon:keystone", "keystone:keystone"),
    ("pol:kafka", "kafka:kafka"), ("pol:mongodb", "mongodb:database"),
    ("ng-ui:nbi", "nbi:nbi"),
    ("grafana:prometheus", "prometheus:prometheus"),
]


def bundle(profile: Profile) -> dict[str, Any]:
    """The Charmed OSM bundle with the profile's channel and NBI exposure."""
    channel = profile["edge_osm"]["channel"]
    applications: dict[str, Any] = {}
    for app, charm in APPLICATIONS.items():
        spec: dict[str, Any] = {"charm": charm, "channel": _OWN_CHANNELS.get(charm, channel),
                                "scale": 1, "trust": True}
        if app == NBI_SERVICE:
            spec["options"] = {"service-type": "NodePort",
                               "node-port": profile["edge_osm"]["nbi_node_port"]}
        applications[app] = spec
    return {
        "description": f"Charmed OSM ({channel}) as the Edge MANO of one CSP (osm-mec)",
        "bundle": "kubernetes",
        "applications": applications,
        "relations": [[left, right] for left, right in RELATIONS],
    }
