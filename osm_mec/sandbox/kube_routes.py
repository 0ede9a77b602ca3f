"""The sandbox-only path of the simulated clusters' Kubernetes boundary (``kube_sim``):
``POST /sandbox/v1/k8sclusters/<id>/services`` with ``{namespace, service}`` creates a
Service (or returns the one of that name), ``GET .../services/<namespace>/<name>`` reads it.
Not an OSM path: only ``osm_mec.chain.kube.SandboxKube`` uses it. ``server`` registers it."""

from __future__ import annotations

from typing import Any

from .admin_routes import Answer, Request
from .engine import SandboxOsm
from .store import FormatError

BASE = r"/sandbox/v1/k8sclusters/(?P<id>[^/]+)/services"


def create_service(osm: SandboxOsm, r: Request) -> Answer:
    osm.store.get("k8sclusters", r["id"], "k8scluster")
    body: Any = r.json()
    if not isinstance(body, dict) or not isinstance(body.get("namespace"), str):
        raise FormatError("expected {namespace, service}")
    return 201, osm.kube.create_service(r["id"], body["namespace"], body.get("service"))


def get_service(osm: SandboxOsm, r: Request) -> Answer:
    osm.store.get("k8sclusters", r["id"], "k8scluster")
    return 200, osm.kube.get_service(r["id"], r["namespace"], r["name"])


ROUTES = (("POST", BASE, create_service),
          ("GET", f"{BASE}/(?P<namespace>[^/]+)/(?P<name>[^/]+)", get_service))
