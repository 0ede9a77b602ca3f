"""`osm-mec app deploy|remove`: a MEC application on a provisioned CSP's edge, from its
AppD, through the same code as the CSP's MEC 010-2 facade (osm_mec.meo) and on the same
state (``<state dir>/<csp>.meo/``, so `osm-mec meo serve --state` on that folder shows and
manages these applications too).

deploy: the AppD package (an AppD file with its chart, or an AppD package archive) is
onboarded into the CSP's Edge OSM (CNF + NS package; an AppD onboarded already is reused),
an application instance is created, registered in the CSP's MEP (the one --mep-url names,
else the one provisioning recorded, with the admin token beside the state file) with its
token as a Secret in its namespace on the edge cluster, and instantiated with the MEP's URL,
its instance id and the Secret's name as Helm values (osm_mec.osm.mep_access). remove:
every instance of that AppD is terminated (and deregistered, its Secret deleted) and
deleted, then the package. Both record the timings of their OSM
operations like every chain command (Kafka records of the Edge OSM, else its operation
records) in the CSP's timings file."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..appd import is_package_name, load_appd, load_chart, read_appd_package
from ..appd.writer import appd_package_bytes
from ..core.errors import OsmMecError, UsageError
from ..core.retry import Backoff, poll
from ..meo import MeoContext, MeoSettings, build_context, lcm, pkgm
from ..meo.edge import OP_TIMEOUT
from ..meo.models import (
    Checksum,
    CreateAppInstanceRequest,
    CreateAppPkg,
    InstantiateAppRequest,
    MECHostInformation,
    TerminateAppRequest,
)
from ..meo.problems import Problem
from ..osm.credentials import Credentials, read_credentials_file
from ..osm.kube import KubeApi
from ..osm.nbi import NbiClient
from ..timings.records import write_jsonl
from .lock import CspLock
from .mep_link import cluster_api, read_admin_token
from .progress import Progress
from .state import CspState, facade_state
from .target import OsmTarget

FINAL = ("COMPLETED", "FAILED")
# how long an application's operation may take: OSM's operation (the facade's wait for it),
# plus a graceful deregistration from the MEP
RUN_TIMEOUT = OP_TIMEOUT + 600.0
RUN_POLL = Backoff(0.05, factor=1.5, ceiling=2.0)


@dataclass(frozen=True)
class AppSource:
    """What `app deploy` was given: the AppD package's bytes and the AppD's id."""

    content: bytes
    appd_id: str
    label: str


def read_source(path: Path, chart: str | None) -> AppSource:
    """An AppD package archive, or an AppD file with --chart (a folder or repo/chart)."""
    if is_package_name(path.name):
        if chart is not None:
            raise UsageError(f"{path}: an AppD package carries its chart; drop --chart")
        package = read_appd_package(path)
        return AppSource(path.read_bytes(), package.appd.appd_id, str(path))
    if chart is None:
        raise UsageError(f"{path}: an AppD file needs --chart DIR (the application's Helm "
                         "chart); or give an AppD package archive (.zip, .tar.gz)")
    appd = load_appd(path)
    content = appd_package_bytes(path.read_bytes(), path.name, load_chart(chart))
    return AppSource(content, appd.appd_id, str(path))


def appd_id_of(given: str) -> str:
    """remove's argument: an AppD file or package (its appDId), or the appDId itself."""
    path = Path(given)
    if not path.exists():
        return given
    if is_package_name(path.name):
        return read_appd_package(path).appd.appd_id
    return load_appd(path).appd_id


def edge_of(state: CspState, fallback: Callable[[], Credentials]
            ) -> tuple[str, str | None, Credentials]:
    """The CSP's Edge OSM (URL, Kafka) from its state, and whom to log in as: the CSP's
    own Edge OSM account when provisioning made one (``<csp>.edge-osm/csp.yaml`` beside
    the state file), else the chain's credentials."""
    edge = state.get("edge-osm")
    if not state.exists or not edge or not edge.get("url"):
        raise UsageError(f"CSP {state.csp} has no Edge OSM in {state.path}: run `osm-mec "
                         f"provision --csp {state.csp}` first (B2B2C model)")
    own = state.path.with_name(f"{state.csp}.edge-osm") / "csp.yaml"
    if not own.exists():
        return str(edge["url"]), edge.get("kafka"), fallback()
    data = read_credentials_file(own)
    return str(edge["url"]), edge.get("kafka"), Credentials(
        data.get("user", ""), data.get("password", ""), data.get("project", "admin"))


class EdgeApps:
    """The facade's code and state for one CSP, in-process, on an Edge OSM target (its
    Kafka listener follows the operations, its records time them). `provision --appd`
    gives the chain's own Edge OSM target; `app deploy|remove` open one (open_edge_apps)."""

    def __init__(self, target: OsmTarget, make_client: Callable[[], NbiClient],
                 folder: Path, vim: str, mep: tuple[str, str] | None,
                 progress: Progress, app_cluster: KubeApi | None = None,
                 run_timeout: float = RUN_TIMEOUT) -> None:
        self.target, self.progress, self.run_timeout = target, progress, run_timeout
        self.meo: MeoContext = build_context(
            MeoSettings(public_url="http://127.0.0.1:8090", state_dir=folder),
            make_client, "unused-in-process", vim, mep, target.listener)
        self.meo.app_cluster = app_cluster

    def close(self) -> None:
        self.meo.store.close()

    # -- steps ----------------------------------------------------------------------------
    def onboard(self, source: AppSource) -> dict[str, Any]:
        """The onboarded package of the AppD (onboarded now, or found)."""
        try:
            return pkgm.by_appd(self.meo, source.appd_id)
        except Problem:
            pass
        self.progress.status(f"{source.appd_id}: onboarding into the Edge OSM")
        info = pkgm.create(self.meo, CreateAppPkg(
            appPkgName=source.appd_id, appPkgVersion="1", appPkgPath=source.label,
            checksum=Checksum(algorithm="SHA-256",
                              hash=hashlib.sha256(source.content).hexdigest())))
        try:
            pkgm.upload(self.meo, info["id"], source.content)
        except Problem:
            pkgm.delete(self.meo, info["id"])
            raise
        return pkgm.get(self.meo, info["id"])

    def run(self, op: dict[str, Any]) -> dict[str, Any]:
        """Until the facade's operation ends (at most run_timeout seconds); its record;
        the OSM operation is timed."""
        def ended() -> dict[str, Any] | None:
            current = self.meo.store.get(lcm.OPS, op["id"]) or op
            return current if current["operationState"] in FINAL else None

        current = poll(ended, self.run_timeout, RUN_POLL)
        if current is None:
            raise OsmMecError(
                f"{op['lcmOperation'].lower()} of application instance {op['appInstanceId']} "
                f"(operation {op['id']}) did not end within {self.run_timeout:g} s; OSM "
                "may still finish it: `osm-mec app remove` (or teardown) later cleans up")
        instance = self.meo.store.get(lcm.INSTANCES, current["appInstanceId"]) or {}
        name = lcm.ns_name(instance or {"id": current["appInstanceId"]})
        ns = (instance.get("_ns") or {}).get("id") or current.get("_nsId")
        if ns:
            self.target.know(str(ns), name)
        osm_op = current.get("_osmOp")
        if osm_op and current["lcmOperation"] == lcm.INSTANTIATE:
            with contextlib.suppress(OsmMecError):  # Kafka's records still time it
                self.target.waited.append((self.meo.edge.operation(osm_op), name))
        if current["operationState"] == "FAILED":
            raise OsmMecError(f"{current['lcmOperation'].lower()} of application instance "
                              f"{current['appInstanceId']} failed: "
                              f"{(current.get('error') or {}).get('detail', 'no detail')}")
        return current

    def deploy(self, source: AppSource, name: str | None) -> dict[str, Any]:
        package = self.onboard(source)
        instance = lcm.create(self.meo, CreateAppInstanceRequest(
            appDId=source.appd_id, appInstanceName=name or package["appName"]))
        self.progress.status(f"{instance['id']}: instantiating {lcm.ns_name(instance)}")
        op = lcm.instantiate(self.meo, instance["id"], InstantiateAppRequest(
            selectedMECHostInfo=[MECHostInformation(hostId={"csp": self.target.label})]))
        self.run(op)
        registered = self.meo.mep_access is not None
        ns = (self.meo.store.get(lcm.INSTANCES, instance["id"]) or {}).get("_ns") or {}
        return {"appDId": source.appd_id, "appPkgId": package["id"],
                "appInstanceId": instance["id"], "ns": lcm.ns_name(instance),
                "ns_id": ns.get("id", ""),
                "mep": "registered" if registered else "not registered (no --mep-url)"}

    def remove(self, appd_id: str, graceful: bool) -> dict[str, Any]:
        removed = []
        for instance in [i for i in self.meo.store.all(lcm.INSTANCES)
                         if i["appDId"] == appd_id]:
            if instance["instantiationState"] == "INSTANTIATED":
                self.progress.status(f"{instance['id']}: terminating {lcm.ns_name(instance)}")
                op = lcm.terminate(self.meo, instance["id"], TerminateAppRequest(
                    terminationType="GRACEFUL" if graceful else "FORCEFUL"))
                self.run(op)
            lcm.delete(self.meo, instance["id"])
            removed.append(instance["id"])
        packages = [p for p in self.meo.store.all(pkgm.KIND) if p["appDId"] == appd_id]
        for package in packages:
            pkgm.delete(self.meo, package["id"])
        if not removed and not packages:
            raise UsageError(f"no application {appd_id!r} was deployed on this CSP's edge "
                             "(`osm-mec app deploy`)")
        return {"appDId": appd_id, "removed_instances": removed,
                "removed_packages": [p["id"] for p in packages]}

    def record_timings(self, timings_dir: Path, csp: str) -> list[str]:
        timings, notes = self.target.timings({})
        write_jsonl(timings_dir / f"{csp}.jsonl", timings)
        return notes


def open_edge_apps(state: CspState, fallback: Callable[[], Credentials], verify: bool | str,
                   mep: tuple[str, str] | None, progress: Progress) -> EdgeApps:
    """EdgeApps on the CSP's Edge OSM as its state file names it."""
    url, kafka, credentials = edge_of(state, fallback)
    target = OsmTarget("edge", NbiClient(url, credentials, verify=verify), kafka)
    target.simulated = target.client.is_sandbox
    target.connect_kafka()
    vim = (state.get("edge-vim") or {}).get("name") or "edge-vim"
    cluster = (state.get("edge-cluster") or {}).get("id")
    return EdgeApps(target, lambda: NbiClient(url, credentials, verify=verify),
                    facade_state(state.path), vim, mep or recorded_mep(state), progress,
                    cluster_api(target.client, target.simulated, cluster) if cluster else None)


def recorded_mep(state: CspState) -> tuple[str, str] | None:
    """The CSP's MEP as provisioning recorded it (URL in the state, admin token in its
    file beside it), or None."""
    url = (state.get("mep") or {}).get("url")
    token = read_admin_token(state.path) if url else None
    return (str(url), token) if url and token else None


def app_command(action: str, csp: str, state_dir: Path, timings_dir: Path,
                fallback: Callable[[], Credentials], verify: bool | str,
                mep: tuple[str, str] | None,
                progress: Progress, **arguments: Any) -> dict[str, Any]:
    """deploy or remove for one CSP, under the CSP's lock, timings recorded."""
    state = CspState.load(state_dir, csp)
    with CspLock(state_dir, csp, f"app {action}"):
        apps = open_edge_apps(state, fallback, verify, mep, progress)
        try:
            try:
                if action == "deploy":
                    result = apps.deploy(arguments["source"], arguments.get("name"))
                else:
                    result = apps.remove(arguments["appd_id"], arguments.get("graceful", True))
            except Problem as exc:
                raise OsmMecError(f"app {action} for CSP {csp}: {exc.detail}") from exc
            finally:
                notes = apps.record_timings(timings_dir, csp)
        finally:
            apps.close()
            apps.target.close()
    progress.close()
    result = {"csp": csp, **result, "timings_file": str(timings_dir / f"{csp}.jsonl")}
    if notes:
        result["notes"] = notes
    if apps.target.simulated:
        result["simulated"] = True
    return result
