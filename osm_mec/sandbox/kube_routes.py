"""The sandbox-only paths of the simulated clusters' Kubernetes boundary (``kube_sim``):
``POST /sandbox/v1/k8sclusters/<id>/services`` with ``{namespace, service}`` creates a
Service (or returns the one of that name), ``GET .../services/<namespace>/<name>`` reads it;
``GET .../node`` says where the cluster's node answers (``{address}``);
``PUT .../secrets/<namespace>/<name>`` with a Secret manifest (its ``stringData``) creates or
replaces an Opaque Secret (204; the answer never carries its data), ``DELETE`` removes it.
Not OSM paths: only ``osm_mec.osm.kube.SandboxKube`` uses them. ``server`` registers them."""

from __future__ import annotations

from typing import Any

from .admin_routes import Answer, Request
from .engine import SandboxOsm
from .store import FormatError

CLUSTER = r"/sandbox/v1/k8sclusters/(?P<id>[^/]+)"
BASE = f"{CLUSTER}/services"
SECRET = f"{CLUSTER}/secrets/(?P<namespace>[^/]+)/(?P<name>[^/]+)"


def _cluster(osm: SandboxOsm, r: Request) -> str:
    osm.store.get("k8sclusters", r["id"], "k8scluster")
    return r["id"]


def create_service(osm: SandboxOsm, r: Request) -> Answer:
    cluster = _cluster(osm, r)
    body: Any = r.json()
    if not isinstance(body, dict) or not isinstance(body.get("namespace"), str):
        raise FormatError("expected {namespace, service}")
    return 201, osm.kube.create_service(cluster, body["namespace"], body.get("service"))


def get_service(osm: SandboxOsm, r: Request) -> Answer:
    return 200, osm.kube.get_service(_cluster(osm, r), r["namespace"], r["name"])


def node(osm: SandboxOsm, r: Request) -> Answer:
    return 200, {"address": osm.kube.node_address(_cluster(osm, r))}


def put_secret(osm: SandboxOsm, r: Request) -> Answer:
    cluster = _cluster(osm, r)
    body: Any = r.json()
    if not isinstance(body, dict) or body.get("kind", "Secret") != "Secret":
        raise FormatError("expected a Secret manifest with stringData")
    osm.kube.put_secret(cluster, r["namespace"], r["name"], body.get("stringData") or {})
    return 204, None


def delete_secret(osm: SandboxOsm, r: Request) -> Answer:
    osm.kube.delete_secret(_cluster(osm, r), r["namespace"], r["name"])
    return 204, None


ROUTES = (("POST", BASE, create_service),
          ("GET", f"{BASE}/(?P<namespace>[^/]+)/(?P<name>[^/]+)", get_service),
          ("GET", f"{CLUSTER}/node", node),
          ("PUT", SECRET, put_secret),
          ("DELETE", SECRET, delete_secret))
