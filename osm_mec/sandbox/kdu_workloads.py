"""What the sandbox runs for real for a Helm KDU, and the Secrets a KDU's pods need.

- The MEP chart (``mep``) with ``adminTokenSecret``: a real MEP (``mep_runner``) with the
  admin token from that Secret (key ``admin-token``) in the KDU's namespace, served by the
  simulated cluster as application ``mep`` (its NodePort Service answers at the MEP's port).
  Without ``adminTokenSecret`` nothing runs (the chart's own generated token: the records
  alone are simulated, as before).
- The sample app chart (``mec-app``) with ``mep.existingSecret``: that Secret must exist
  (the application exits on an empty token).

A missing Secret fails the KDU as ``helm install --atomic`` fails when a pod never gets
ready (CreateContainerConfigError for a missing ``secretKeyRef``), naming the Secret."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from .kube_sim import SimulatedClusters
from .mep_runner import RunningMep, WorkloadFailed
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


def launch(kube: SimulatedClusters, cluster: str, namespace: str, kdu: dict[str, Any],
           values: dict[str, Any]) -> Callable[[], None] | None:
    """Start what the sandbox runs for this Helm KDU (its stop), None when nothing runs;
    WorkloadFailed, worded as helm's failure, when it cannot."""
    chart, name = chart_name(kdu), str(kdu.get("name"))
    if chart == MEP_CHART and values.get("adminTokenSecret"):
        return _run_mep(kube, cluster, namespace, name, str(values["adminTokenSecret"]))
    mep_values = values.get("mep")
    mep_values = mep_values if isinstance(mep_values, dict) else {}
    if chart == APP_CHART and mep_values.get("existingSecret"):
        secret = str(mep_values["existingSecret"])
        try:
            kube.secret(cluster, namespace, secret)
        except NotFound:
            raise _atomic_failure(name, namespace, f"pod {name}: CrashLoopBackOff: secret "
                                  f'"{secret}" not found in namespace {namespace}: the '
                                  "application exits without its MEP token") from None
    return None
