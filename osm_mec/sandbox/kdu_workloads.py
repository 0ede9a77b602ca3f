"""What the sandbox runs for real for a Helm KDU, and the Secrets a KDU's pods need.

- The MEP chart (``mep``) with ``adminTokenSecret``: a real MEP (``mep_runner``) with the
  admin token from that Secret (key ``admin-token``) in the KDU's namespace, served by the
  simulated cluster as application ``mep`` (its NodePort Service answers at the MEP's port).
  Without ``adminTokenSecret`` nothing runs (the chart's own generated token: the records
  alone are simulated, as before).
- The sample app chart (``mec-app``) with ``mep.existingSecret``: the sample application
  (``app_runner``) with the token (or OAuth client secret) from that Secret and the MEP URL
  of ``mep.url``; served as application ``mec-app``. Without the Secret, or with neither key
  in it, the application exits on its empty token (the chart's keys are optional).

A missing Secret fails the KDU as ``helm install --atomic`` fails when a pod never gets
ready (CreateContainerConfigError for a missing ``secretKeyRef``), naming the Secret."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from .app_runner import CLIENT_SECRET_KEY, TOKEN_KEY, RunningMecApp, mep_values
from .kube_sim import SimulatedClusters
from .mep_runner import RunningMep
from .served_app import WorkloadFailed
from .store import NotFound

MEP_CHART, APP_CHART = "mep", "mec-app"
ADMIN_TOKEN_KEY = "admin-token"  # the key of the MEP's admin token in adminTokenSecret


def chart_name(kdu: dict[str, Any]) -> str:
    """The chart's name of a Helm KDU ("mep" for "mep", "helm-chart-v3s/mep", "repo/mep")."""
    return PurePosixPath(str(kdu.get("helm-chart") or "")).name


def _atomic_failure(kdu: str, namespace: str, why: str) -> WorkloadFailed:
    return WorkloadFailed(
        f"helm install --atomic in namespace {namespace}: release of KDU {kdu} failed, and "
        f"has been uninstalled due to atomic being set: timed out waiting for the condition "
        f"({why})")


def _secret(kube: SimulatedClusters, cluster: str, namespace: str, kdu: str, name: str,
            ) -> dict[str, str]:
    try:
        return kube.secret(cluster, namespace, name)
    except NotFound:
        raise _atomic_failure(kdu, namespace, f'pod {kdu}: CreateContainerConfigError: '
                              f'secret "{name}" not found in namespace {namespace}') from None


def _run_mep(kube: SimulatedClusters, cluster: str, namespace: str, kdu: str,
             secret_name: str) -> Callable[[], None]:
    data = _secret(kube, cluster, namespace, kdu, secret_name)
    token = data.get(ADMIN_TOKEN_KEY)
    if not token:
        raise _atomic_failure(kdu, namespace, f"pod {kdu}: CreateContainerConfigError: "
                              f"couldn't find key {ADMIN_TOKEN_KEY} in Secret "
                              f"{namespace}/{secret_name}")
    mep = RunningMep(token).start()
    kube.serve(cluster, namespace, MEP_CHART, mep.host, mep.port)
    return mep.stop


def _run_app(kube: SimulatedClusters, cluster: str, namespace: str, kdu: str,
             values: dict[str, Any], secret_name: str) -> Callable[[], None]:
    try:
        data = kube.secret(cluster, namespace, secret_name)
    except NotFound:
        data = {}  # the chart's secretKeyRefs are optional: the pod starts without them
        why = f'secret "{secret_name}" not found in namespace {namespace}'
    else:
        why = f"secret {namespace}/{secret_name} has neither key {TOKEN_KEY} nor " \
              f"{CLIENT_SECRET_KEY}"
    if not (data.get(TOKEN_KEY) or data.get(CLIENT_SECRET_KEY)):
        raise _atomic_failure(kdu, namespace, f"pod {kdu}: CrashLoopBackOff: {why}: the "
                              "application exits without its MEP token")
    app = RunningMecApp(values, data).start()
    kube.serve(cluster, namespace, APP_CHART, app.host, app.port)
    return app.stop


def launch(kube: SimulatedClusters, cluster: str, namespace: str, kdu: dict[str, Any],
           values: dict[str, Any]) -> Callable[[], None] | None:
    """Start what the sandbox runs for this Helm KDU (its stop), None when nothing runs;
    WorkloadFailed, worded as helm's failure, when it cannot."""
    chart, name = chart_name(kdu), str(kdu.get("name"))
    if chart == MEP_CHART and values.get("adminTokenSecret"):
        return _run_mep(kube, cluster, namespace, name, str(values["adminTokenSecret"]))
    app_secret = mep_values(values).get("existingSecret")
    if chart == APP_CHART and app_secret:
        return _run_app(kube, cluster, namespace, name, values, str(app_secret))
    return None
