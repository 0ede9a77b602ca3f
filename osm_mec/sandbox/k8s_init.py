"""LCM's initialisation of a registered K8s cluster, as the sandbox simulates it (OSM's
``K8sClusterLcm.create``): one init per deployment method, the methods being those set to
true in the cluster's ``deployment_methods`` (none, or no field: every method). Each writes
``_admin.<method>`` (``id``, ``created``, ``operationalState``, ``error_msg``); the cluster is
ENABLED when every init succeeded, DEGRADED when only some did, ERROR when none did, with
LCM's ``detailed-status`` (``ready for <methods>; <errors>``).

Helm v3 init always succeeds here. Juju's needs a default StorageClass (N2VC's ``init_env``
hands it to ``add_k8s``, which refuses an empty one). What the simulated cluster has comes
from its kubeconfig: the sandbox's charm writes the facts of the cluster it built into a
kubeconfig ``extensions`` entry named :data:`FACTS` (standing in for LCM's look at the API
server); a kubeconfig without it (a test's own) is taken to have a default class.

A KDU whose type was not initialised on its cluster fails as LCM's ``deploy_kdus`` fails it
(:func:`kdu_refusal`)."""

from __future__ import annotations

import uuid
from typing import Any

METHODS = ("juju-bundle", "helm-chart-v3")
FACTS = "osm-mec-sandbox/cluster"  # kubeconfig cluster extension with the simulated facts
NO_STORAGE_CLASS = "storage_class must be a non-empty string"  # libjuju add_k8s's refusal


def cluster_facts(default_storage_class: str) -> dict[str, Any]:
    """The kubeconfig cluster extension describing a simulated cluster."""
    return {"name": FACTS, "extension": {"default-storage-class": default_storage_class}}


def default_storage_class(credentials: Any) -> str | None:
    """The default StorageClass the kubeconfig's cluster says it has ("" for none), None
    when it says nothing."""
    clusters = credentials.get("clusters") if isinstance(credentials, dict) else None
    for cluster in clusters or []:
        for extension in (cluster.get("cluster") or {}).get("extensions") or []:
            if isinstance(extension, dict) and extension.get("name") == FACTS:
                return str((extension.get("extension") or {}).get("default-storage-class")
                           or "")
    return None


def methods_to_initialise(doc: dict[str, Any]) -> list[str]:
    """The methods LCM initialises: those set true, or every one when none is."""
    wanted = doc.get("deployment_methods") or {}
    chosen = [m for m in METHODS if wanted.get(m)]
    return chosen or list(METHODS)


def _init_error(method: str, doc: dict[str, Any]) -> str | None:
    if method == "juju-bundle" and default_storage_class(doc.get("credentials")) == "":
        return NO_STORAGE_CLASS
    return None


def initialise(doc: dict[str, Any]) -> tuple[str, str]:
    """Initialise `doc`'s methods as LCM does, recording each under ``_admin``; the
    cluster's (operationalState, detailed-status)."""
    ready, errors = [], []
    for method in methods_to_initialise(doc):
        error = _init_error(method, doc)
        if error:
            errors.append(f"Failing init {method}: {error}")
            doc["_admin"][method] = {"id": None, "error_msg": error,
                                     "operationalState": "ERROR"}
        else:
            ready.append(method)
            doc["_admin"][method] = {"id": str(uuid.uuid4()), "created": True,
                                     "error_msg": None, "operationalState": "ENABLED"}
    if not ready:
        return "ERROR", ";".join(errors)
    return ("DEGRADED" if errors else "ENABLED",
            "ready for " + ", ".join(ready) + "; " + ";".join(errors))


def settle(doc: dict[str, Any]) -> tuple[str, str]:
    """The state after LCM processed an operation on the cluster: its initialisation the
    first time; an edit changes nothing (LCM's k8scluster edit is "Not implemented")."""
    if any(method in doc["_admin"] for method in METHODS):
        return doc["_admin"]["operationalState"], doc["_admin"].get("detailed-status", "")
    return initialise(doc)


def kdu_refusal(cluster: dict[str, Any], kdu: dict[str, Any]) -> str | None:
    """LCM's error when `kdu` (a VNFD kdu entry) cannot go on `cluster`: a Juju bundle on a
    cluster not initialised for Juju. (A Helm chart on one not initialised for Helm makes
    LCM initialise Helm then and there, which succeeds here.)"""
    if "juju-bundle" not in kdu or (cluster["_admin"].get("juju-bundle") or {}).get("id"):
        return None
    return f"K8s cluster '{cluster['_id']}' has not been initialized for 'juju-bundle'"
