"""OSM's K8s cluster ``deployment_methods``: which of LCM's K8s connectors (Juju bundles,
Helm v3 charts) OSM initialises on a cluster it registers.

NBI takes ``deployment_methods: {"juju-bundle": bool, "helm-chart-v3": bool}`` (both keys,
nothing else) on ``POST /admin/v1/k8sclusters``; LCM then initialises only the methods set
to true (none, or no field at all: every method, OSM's default). A cluster that hosts only
Helm KDUs is registered with ``juju-bundle: false``: OSM does not try to initialise Juju on
it (which needs a default StorageClass, and leaves the cluster DEGRADED without one).

The register-cluster action takes the choice as text (``deployment-methods``): ``all`` (or
empty) for OSM's default, or a comma-separated list of the methods to initialise. The
k8s-cluster charm parses the same text with its own stdlib copy of :func:`parse`.

Which OSM releases know the field is decided from the NBI's ``GET /version`` answer
(:func:`nbi_knows`); see docs/real-osm.md for what was verified.
"""

from __future__ import annotations

import re
from typing import Any

METHODS = ("juju-bundle", "helm-chart-v3")
ALL = "all"  # the action's default: the field is not sent (OSM initialises every method)
# The first OSM release whose NBI is taken to accept exactly the two keys above. Verified on
# OSM's NBI master (2025-26) only; the releases that still had Helm v2 also had a
# "helm-chart" method (their osmclient sends all three keys), and the release that dropped it
# was not pinned: below this one the field is not sent (the charm, if asked anyway, offers
# the three-key shape after a refusal, then none).
FIRST_RELEASE = 16
SANDBOX_SUFFIX = "+osm-mec-sandbox"  # the sandbox's /version (it implements NBI master's schema)
_MAJOR = re.compile(r"^v?(\d+)\.")


def parse(text: str) -> dict[str, bool] | None:
    """NBI's ``deployment_methods`` for the action's `text`, None for OSM's default.

    ValueError (naming the parameter, the bad item and the accepted values) for anything
    else than ``all``/empty or a comma-separated list of known methods."""
    value = text.strip()
    if value in ("", ALL):
        return None
    chosen = [item.strip() for item in value.split(",")]
    unknown = [item for item in chosen if item not in METHODS]
    if unknown:
        raise ValueError(f"deployment-methods: {unknown[0]!r} is not a deployment method; use "
                         f"{ALL!r} or a comma-separated list of {', '.join(METHODS)}")
    return {method: method in chosen for method in METHODS}


def shapes(methods: dict[str, bool] | None) -> list[dict[str, bool]]:
    """The bodies to offer an NBI, in order: master's (the two keys), then that of the
    releases that still had Helm v2 (a ``helm-chart`` key too, false; osmclient sends all
    three); none for OSM's default. An NBI refusing both gets no field."""
    return [] if methods is None else [methods, {"helm-chart": False, **methods}]


def describe(methods: dict[str, bool] | None) -> str:
    """register-cluster's result for what OSM holds, worded as the charm words it."""
    if methods is None:
        return "not sent (OSM initialises every method)"
    return ",".join(f"{m}={'true' if on else 'false'}" for m, on in methods.items())


def refused(nbi_url: str, detail: str) -> str:
    """register-cluster's result when the NBI refused every shape (as the charm words it)."""
    return (f"not sent: {nbi_url} refused deployment_methods ({detail}); OSM initialises "
            "every method")


def nbi_knows(version: Any) -> tuple[bool, str]:
    """Whether an NBI whose ``GET /version`` answered `version` takes ``deployment_methods``
    with exactly :data:`METHODS`, and why (for the progress output)."""
    raw = str((version or {}).get("version", "")) if isinstance(version, dict) else ""
    if raw.endswith(SANDBOX_SUFFIX):
        return True, "the osm-mec sandbox takes deployment_methods"
    match = _MAJOR.match(raw)
    if match is None:
        return False, (f"NBI version {raw or 'unknown'!r} is not a release number: "
                       "deployment_methods not sent (OSM initialises every method)")
    release = int(match.group(1))
    if release >= FIRST_RELEASE:
        return True, f"OSM {release} takes deployment_methods"
    return False, (f"OSM {release} (NBI {raw}) is older than release {FIRST_RELEASE}, the "
                   "first known to take deployment_methods with juju-bundle and "
                   "helm-chart-v3 only: not sent (OSM initialises every method)")
