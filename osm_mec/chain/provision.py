"""Steps 1 to 5 of the B2B2C chain (ARCHITECTURE.md), each resumable: what exists in OSM
(found by name) is adopted, only what is missing is created, and every object is recorded
in the CSP's state file as soon as OSM gives it an id."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import OsmMecError, UsageError
from ..offer.descriptors import network_services as nsd_members
from ..offer.descriptors import package_spec
from ..offer.descriptors.juju_bundle import NBI_SERVICE
from ..offer.images import require_registry_images
from ..offer.packages import archive_bytes, package_files
from ..offer.params import instantiation_params
from ..offer.profile import Profile
from ..osm.credentials import Credentials
from ..osm.kube import KubeApi, KubeFailed
from ..osm.nbi import NbiClient, NbiError, NbiFailure, RetryPolicy
from ..osm.waiting import OperationFailed
from . import day2, names, workers
from .day2 import primitive_results
from .edge_osm import EdgeOsmAccess, accounts_dir
from .failures import ChainFailed, lcm_gap
from .mep_link import cluster_api
from .mep_steps import ChainMep
from .placement import networks_per_vim
from .progress import Progress
from .state import CspState, facade_state
from .target import OsmTarget

if TYPE_CHECKING:  # the MEO's code needs the meo extra: imported when an AppD is given
    from .apps import AppSource, EdgeApps

EDGE_OSM_WAIT = 600.0
NBI_NODE_PORT_SERVICE = "osm-mec-nbi"  # the NodePort Service the chain puts in front of it
EDGE_RETRY = RetryPolicy(attempts=8, base_delay=1.0, max_delay=15.0)  # it may still start


def nbi_hint(exc: NbiFailure, command: str, csp: str) -> str:
    """What to do after OSM's NBI refused a request or did not answer."""
    again = f"`osm-mec {command} --csp {csp}`"
    if exc.status == 0:
        return f"when OSM answers again, {again} again resumes (what exists is adopted)"
    if exc.status in (401, 403):
        return (f"check the OSM user, project and password (OSM_PASSWORD or "
                f"--osm-credentials), then {again} again")
    if exc.status >= 500:
        return f"OSM failed ({exc.status}): when it works again, {again} again resumes"
    return (f"OSM refused the request ({exc.status}): fix what it names, then {again} "
            "again resumes")


@dataclass
class Chain:
    """One CSP's chain on one Main OSM."""

    profile: Profile
    csp: str
    main: OsmTarget
    state: CspState
    progress: Progress
    nsp_vim: str = "nsp-vim"
    edge_vim: str = "edge-vim"
    edge_credentials: Credentials | None = None
    edge_vim_password: str | None = None
    edge: OsmTarget | None = None
    created: list[tuple[str, str]] = field(default_factory=list)  # (osm, state key)
    onboarding: threading.Lock = field(default_factory=threading.Lock)  # shared by a session
    embedded: bool = False  # the Main OSM is an embedded sandbox that ends with the command
    appd: AppSource | None = None  # the CSP's first MEC app from its AppD (B2B2C), not the sample
    appd_ns_names: set[str] = field(default_factory=set)  # its NS, timed as mec-app-ns
    _vims: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def vim(self, target: OsmTarget, name: str) -> dict[str, Any] | None:
        """A VIM account of `target` by name or id (remembered for this run)."""
        key = (target.label, name)
        if key not in self._vims:
            found = target.client.find_admin("vim", name)
            if found is None:
                return None
            self._vims[key] = found
        return self._vims[key]

    @property
    def b2b2c(self) -> bool:
        return self.profile["model"] == "b2b2c"

    def app_target(self) -> OsmTarget:
        return self.edge if self.b2b2c and self.edge else self.main

    # -- the whole chain ------------------------------------------------------------------
    def provision(self) -> dict[str, Any]:
        if self.appd is not None and not self.b2b2c:
            raise UsageError(f"--appd {self.appd.label}: the first MEC app from an AppD goes "
                             "to the CSP's Edge OSM, which only the b2b2c model has; drop "
                             "--appd (`osm-mec app deploy` needs an Edge OSM too)")
        # a real OSM pulls the images: refuse those it cannot pull (the sandbox pulls none)
        require_registry_images(self.profile, sandbox=self.main.simulated)
        self.state.set(csp=self.csp, model=self.profile["model"], main_url=self.main.client.url,
                       embedded=self.embedded)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("1 onboard packages into the Main OSM", self.onboard_main),
            ("2 k8s-osm-cluster-ns: NSP cluster, registered in the Main OSM", self.nsp_cluster),
            ("3 mec-env-ns: edge cluster, MEC platform"
             + (", Edge OSM" if self.b2b2c else ""), self.environment),
        ]
        if self.b2b2c:
            steps.append(("4 Edge OSM: edge VIM and edge cluster registered, ENABLED",
                          self.edge_registrations))
        else:
            steps.append(("4 edge cluster registered in the Main OSM (B2C)",
                          self.edge_registrations))
        steps.append(("5 mec-app-ns on the " + ("Edge" if self.b2b2c else "Main") + " OSM",
                      self.application))
        steps.append(("6 endpoints: the MEP's service as OSM reports it", self.check_endpoints))
        for title, run in steps:
            self.progress.step(title)
            try:
                run()
            except ChainFailed as exc:  # say which step of the chain it was
                raise ChainFailed(title, f"{exc.step}: {exc.detail}", exc.hint) from exc
            except OperationFailed as exc:
                raise ChainFailed(title, f"OSM operation {exc.operation} {exc.op_id} "
                                  f"{exc.state}: {exc.detail}", self.operation_hint(exc)
                                  ) from exc
            except NbiFailure as exc:
                raise ChainFailed(title, str(exc), nbi_hint(exc, "provision", self.csp)) \
                    from exc
        self.progress.close()
        return self.summary()

    def operation_hint(self, exc: OperationFailed) -> str:
        """What to do after an OSM operation of provisioning failed (what works next)."""
        again = f"`osm-mec provision --csp {self.csp}`"
        if exc.state == "TIMEOUT":
            return (f"OSM may still finish it: {again} again waits for it (it resumes); "
                    f"`osm-mec status --csp {self.csp}` shows where it is")
        if exc.operation == "instantiate":
            return (f"the NS stays in OSM as it failed, for inspection (`osm ns-op-show "
                    f"{exc.op_id}`); fix the cause, then `osm-mec "
                    f"teardown --csp {self.csp}` and {again} (a failed NS is never adopted)")
        if exc.operation.endswith("registration"):
            return (f"fix the cause, then {again}: it deletes the registration in ERROR "
                    "and makes it again (it resumes)")
        return f"fix the cause, then {again} again: it resumes at this step"

    # -- step 1 and 5's onboarding --------------------------------------------------------
    def onboard(self, target: OsmTarget, packages: tuple[str, ...]) -> None:
        onboarded = {kind: {p["id"]: p for p in target.client.list_packages(kind)}
                     for kind in ("vnf", "ns")}  # two lists instead of one lookup each
        for name in packages:
            spec = package_spec(name)
            generated = spec.generate(self.profile)
            body = generated["vnfd"] if spec.kind == "vnf" else generated["nsd"]["nsd"][0]
            existing = onboarded[spec.kind].get(body["id"])
            if existing is None:
                data = archive_bytes(name, package_files(spec, self.profile))
                try:
                    target.client.upload_package(spec.kind, data, f"{name}.tar.gz", body["id"])
                    self.progress.status(f"{body['id']}: onboarded")
                    continue
                except NbiError as exc:  # another CSP's run onboarded it meanwhile
                    existing = target.client.find_package(spec.kind, body["id"])
                    if exc.status != 409 or existing is None:
                        raise
            if existing is not None:
                stored = {k: v for k, v in existing.items() if not k.startswith("_")}
                if json.dumps(stored, sort_keys=True) != json.dumps(body, sort_keys=True):
                    raise ChainFailed(f"onboard {name}", f"{target.label} OSM already has a "
                                      f"different {body['id']} (_id {existing['_id']})",
                                      "delete that package from OSM or use another profile "
                                      "prefix; packages are never overwritten silently")
                self.progress.status(f"{body['id']}: already onboarded, unchanged")

    def onboard_main(self) -> None:
        with self.onboarding:  # parallel CSPs: the first onboards, the others find them
            self.onboard(self.main, names.MAIN_PACKAGES if self.b2b2c
                         else names.B2C_MAIN_PACKAGES)

    # -- NS instances ---------------------------------------------------------------------
    def ensure_ns(self, target: OsmTarget, role: names.NsRole, vim: str,
                  config: Callable[[], dict[str, Any]]) -> str:
        name = role.ns_name(self.profile, self.csp)
        existing = target.client.find_ns(name)
        if existing is not None:
            ns_id = existing["_id"]
            target.know(ns_id, name)
            self.state.record(role.key, id=ns_id, name=name, osm=target.label)
            state = existing.get("nsState")
            if state == "READY":
                self.progress.status(f"{name}: exists and is READY")
                return ns_id
            pending = [op for op in target.client.list_operations(ns_id)
                       if op.get("operationState") == "PROCESSING"]
            if state == "BUILDING" and pending:
                self.progress.status(f"{name}: still being instantiated, waiting")
                target.wait(pending[0]["_id"], name, self.progress)
                return ns_id
            raise ChainFailed(f"instantiate {name}", f"{name} exists in the {target.label} OSM "
                              f"in state {state}", f"run `osm-mec teardown --csp {self.csp}` "
                              "(or delete that NS), then provision again")
        nsd = target.client.find_package("ns", self.profile.descriptor_id(role.package))
        if nsd is None:
            raise ChainFailed(f"instantiate {name}", f"NSD {role.package} is not onboarded "
                              f"in the {target.label} OSM", "run provision again (step 1 "
                              "onboards it)")
        vim_doc = self.vim(target, vim)
        if vim_doc is None:
            raise ChainFailed(f"instantiate {name}", f"VIM account {vim!r} not found in the "
                              f"{target.label} OSM", "pass an existing one with --vim / "
                              "--edge-vim")
        ns_id, op_id = target.client.create_ns(name, nsd["_id"], vim_doc["_id"],
                                               f"osm-mec {role.paper} of CSP {self.csp}",
                                               config())
        target.know(ns_id, name)
        self.state.record(role.key, id=ns_id, name=name, osm=target.label)
        self.created.append((target.label, role.key))
        target.wait(op_id, name, self.progress)
        return ns_id

    def _config(self, role: names.NsRole, vnf_vims: dict[str, str] | None = None,
                mgmt_networks: dict[str, str] | None = None) -> Callable[[], dict[str, Any]]:
        """The NS's instantiation parameters: VNFs placed on `vnf_vims` (member -> VIM
        account id), networks mapped on every VIM (`mgmt_networks`: VIM id -> network)."""
        def build() -> dict[str, Any]:
            config = instantiation_params(self.profile, role.package, self.csp)
            for item in config.get("vnf", []):
                if vnf_vims and item["member-vnf-index"] in vnf_vims:
                    item["vimAccountId"] = vnf_vims[item["member-vnf-index"]]
            if mgmt_networks:
                networks_per_vim(config, mgmt_networks)
            return config
        return build

    # -- registrations --------------------------------------------------------------------
    def register_cluster(self, ns_key: str, into: OsmTarget, vim: str, cluster: str,
                         state_key: str) -> None:
        """The cluster's controller registers its cluster in `into` (register-cluster)."""
        existing = self.drop_failed(into, "k8scluster", cluster)
        if existing is not None and existing["_admin"]["operationalState"] == "ENABLED":
            self.state.record(state_key, id=existing["_id"], name=cluster, osm=into.label)
            self.progress.status(f"{cluster}: already registered and ENABLED")
            return
        ns = self.state.get(ns_key)
        if ns is None:
            raise OsmMecError(f"{self.state.path}: no {ns_key} NS recorded for CSP {self.csp}; "
                              f"run `osm-mec provision --csp {self.csp}` again to create it")
        op = day2.register_cluster(self.main.client, ns["id"], into.client, vim, cluster,
                                   lambda op_id: self.main.wait(op_id, ns["name"],
                                                                self.progress),
                                   say=self.progress.status)
        op_id = op.get("_id", "")
        result = primitive_results(op)
        registered = into.client.find_admin("k8scluster", cluster)
        cluster_id = result.get("cluster-id") or (registered or {}).get("_id")
        if not cluster_id:
            raise ChainFailed(
                f"register {cluster}", lcm_gap(
                    f"register-cluster on {ns['name']} ended {op.get('operationState')} but "
                    f"its result has no cluster-id and the {into.label} OSM has no K8s "
                    f"cluster named {cluster}", op),
                f"check the charm's action in OSM (`osm ns-op-show {op_id}`); or register "
                f"the cluster yourself (`osm k8scluster-add {cluster} --vim {vim} ...`) and "
                f"run `osm-mec provision --csp {self.csp}` again: it adopts an ENABLED "
                "cluster of that name")
        if existing is None:
            self.created.append((into.label, state_key))
        self.state.record(state_key, id=str(cluster_id), name=cluster, osm=into.label)
        into.client.wait_for_admin("k8scluster", cluster_id, progress=self.progress.status)

    def drop_failed(self, target: OsmTarget, kind: str, name: str) -> dict[str, Any] | None:
        """The registration `name`, or None; one in ERROR (an earlier run's) is deleted
        first, so that it is made again."""
        found = target.client.find_admin(kind, name)
        if found is None or found.get("_admin", {}).get("operationalState") != "ERROR":
            return found
        self.progress.status(f"{name}: in ERROR in the {target.label} OSM "
                             f"({found['_admin'].get('detailed-status', 'no detail')}); "
                             "deleting it to register it again")
        target.client.delete_admin(kind, found["_id"])
        target.client.wait_for_admin_gone(kind, found["_id"])
        return None

    def nsp_cluster(self) -> None:
        ns_id = self.ensure_ns(self.main, names.NSP_CLUSTER, self.nsp_vim,
                               self._config(names.NSP_CLUSTER))
        workers.join_pending(self.main, ns_id, names.NSP_CLUSTER.ns_name(self.profile,
                                                                         self.csp),
                             self.progress)
        self.register_cluster(names.NSP_CLUSTER.key, self.main, self.nsp_vim,
                              names.nsp_cluster(self.profile, self.csp), "nsp-cluster")

    def environment(self) -> None:
        edge_vim = self.vim(self.main, self.edge_vim)
        if edge_vim is None:
            raise ChainFailed("mec-env-ns", f"edge VIM account {self.edge_vim!r} not found in "
                              "the Main OSM", "pass an existing one with --edge-vim")
        nsp_vim = self.vim(self.main, self.nsp_vim)
        networks = self.profile["vim"]
        mgmt = {edge_vim["_id"]: networks["edge_mgmt_network"]}
        if nsp_vim is not None:  # (ensure_ns names a missing one)
            mgmt[nsp_vim["_id"]] = networks["nsp_mgmt_network"]
        config = self._config(names.ENV, {nsd_members.CLUSTER_MEMBER: edge_vim["_id"]}, mgmt)
        ns_id = self.ensure_ns(self.main, names.ENV, self.nsp_vim,
                               lambda: self.mep.admin_secret(config(), self.nsp_vim))
        workers.join_pending(self.main, ns_id, names.ENV.ns_name(self.profile, self.csp),
                             self.progress)

    # -- step 4 ---------------------------------------------------------------------------
    def edge_osm_kdu(self) -> dict[str, Any]:
        """The Edge-MANO KDU's record (kdur) in mec-env-ns, or ChainFailed."""
        env = self.state.get(names.ENV.key)
        if env is None:
            raise ChainFailed("Edge OSM discovery", "mec-env-ns is not in the state file",
                              f"run `osm-mec provision --csp {self.csp}`")
        vnfrs = self.main.client.vnf_records(env["id"])
        kdur = next((k for v in vnfrs if v["member-vnf-index-ref"] == nsd_members.EDGE_OSM_MEMBER
                     for k in v.get("kdur", [])), None)
        if kdur is None or not kdur.get("services"):
            raise ChainFailed("Edge OSM discovery", lcm_gap(
                f"OSM reported no Kubernetes service (no {NBI_SERVICE!r}) for KDU 'osm' of "
                f"VNF {nsd_members.EDGE_OSM_MEMBER} in {env['name']}, so the Edge OSM's "
                "address is unknown"),
                "check the KDU in the Main OSM (`osm vnf-show` of that VNF, or `GET "
                f"/nslcm/v1/vnf_instances?nsr-id-ref={env['id']}`), then run `osm-mec "
                f"provision --csp {self.csp}` again; `osm-mec teardown --csp {self.csp}` "
                "removes what was created")
        return kdur

    def kube(self, cluster_id: str) -> KubeApi:
        """The Kubernetes API of a cluster registered in the Main OSM (the sandbox's
        simulated one when the Main OSM is a sandbox)."""
        return cluster_api(self.main.client, self.main.simulated, cluster_id)

    @property
    def mep(self) -> ChainMep:
        """The CSP's MEP: admin token, URL, the sample app's registration."""
        return ChainMep(self.profile, self.csp, self.state, self.main, self.progress)

    def edge_osm_endpoint(self) -> tuple[str, str | None]:
        """The Edge OSM's NBI URL (and Kafka, when exposed), found as OSM records it: OSM
        fills a Service's ``external_ip`` only from a LoadBalancer's ingress. The osm-nbi
        charm's Service is ClusterIP, so the chain puts a NodePort Service in front of it
        through the cluster's Kubernetes API; the NBI (Charmed OSM 12+) serves plain http
        on 9999, so http unless the record shows a LoadBalancer on 443."""
        kdur = self.edge_osm_kdu()
        services = {s.get("name"): s for s in kdur.get("services") or []}
        nbi = services.get(NBI_SERVICE)
        if nbi is None or not nbi.get("ports"):
            found = ", ".join(sorted(str(n) for n in services)) or "none"
            raise ChainFailed("Edge OSM discovery", lcm_gap(
                f"OSM reported no Service {NBI_SERVICE!r} for KDU 'osm' (services in its "
                f"record: {found})"), "check the Charmed OSM bundle's applications in the "
                f"KDU's Juju model, then run `osm-mec provision --csp {self.csp}` again")
        port = nbi["ports"][0]
        if nbi.get("type") == "LoadBalancer" and nbi.get("external_ip"):
            scheme = "https" if port["port"] == 443 else "http"
            url = f"{scheme}://{nbi['external_ip'][0]}:{port['port']}/osm"
        else:
            cluster_id = str((kdur.get("k8s-cluster") or {}).get("id"))
            try:
                where = self.kube(cluster_id).expose(
                    str(kdur.get("k8s-namespace")), NBI_NODE_PORT_SERVICE, NBI_SERVICE,
                    int(port["port"]))
            except (KubeFailed, NbiFailure) as exc:
                raise ChainFailed("Edge OSM discovery", f"NodePort Service for the Edge "
                                  f"OSM's NBI in cluster {cluster_id}: {exc}",
                                  "check that the cluster's API server answers with the "
                                  "kubeconfig OSM holds for it, then run `osm-mec provision "
                                  f"--csp {self.csp}` again") from exc
            url = f"http://{where.host}:{where.port}/osm"
        kafka = services.get("kafka")
        bootstrap = (f"{kafka['external_ip'][0]}:{kafka['ports'][0]['port']}"
                     if kafka and kafka.get("external_ip") else None)
        return url, bootstrap

    def edge_access(self, url: str) -> EdgeOsmAccess:
        """Logging in to the Edge OSM at `url` as this CSP (its accounts beside the state)."""
        return EdgeOsmAccess(url, accounts_dir(self.state.path), self.csp,
                             verify=self.main.client.verify, retry=EDGE_RETRY,
                             status=self.progress.status)

    def connect_edge(self, take_over: bool = True) -> OsmTarget:
        """The Edge OSM as the CSP's user; on first contact (`take_over`) the initial admin
        password is replaced and the CSP's user and project are created (chain.edge_osm).
        Status and teardown pass take_over=False: they change nothing."""
        if self.edge is not None:
            return self.edge
        url, kafka = self.edge_osm_endpoint()
        self.state.record("edge-osm", url=url, kafka=kafka)
        credentials = self.edge_credentials or self.edge_access(url).csp_credentials(take_over)
        client = NbiClient(url, credentials, verify=self.main.client.verify, retry=EDGE_RETRY)
        self.edge = OsmTarget("edge", client, kafka, self.main.simulated)
        self.edge.connect_kafka()
        client.list_admin("vim")  # answers once the Edge OSM is up (GETs are retried)
        self.progress.status(f"Edge OSM answers at {url} (user {credentials.user})")
        return self.edge

    def ensure_edge_vim(self, edge: OsmTarget) -> None:
        existing = self.drop_failed(edge, "vim", self.edge_vim)
        if existing is None:
            source = self.vim(self.main, self.edge_vim)
            if source is None:
                raise OsmMecError(f"VIM account {self.edge_vim!r} not found in the Main OSM; "
                                  "register it there, or pass --edge-vim with its name")
            password = self.edge_vim_password
            if password is None:
                if not self.main.simulated:
                    raise ChainFailed("register the edge VIM in the Edge OSM", "no password for "
                                      f"VIM account {self.edge_vim!r}", "set "
                                      "OSM_EDGE_VIM_PASSWORD (never on the command line)")
                password = secrets.token_urlsafe(12)  # the sandbox checks no VIM password
            vim_id = edge.client.create_admin("vim", day2.edge_vim_body(
                self.edge_vim, source, password, self.csp))
            self.created.append(("edge", "edge-vim"))
        else:
            vim_id = existing["_id"]
        self.state.record("edge-vim", id=vim_id, name=self.edge_vim, osm="edge")
        edge.client.wait_for_admin("vim", vim_id, progress=self.progress.status)

    def edge_registrations(self) -> None:
        if self.b2b2c:
            edge = self.connect_edge()
            self.ensure_edge_vim(edge)
            self.register_cluster(names.ENV.key, edge, self.edge_vim,
                                  names.edge_cluster(self.profile, self.csp), "edge-cluster")
        else:
            self.register_cluster(names.ENV.key, self.main, self.edge_vim,
                                  names.edge_cluster(self.profile, self.csp), "edge-cluster")

    # -- step 5 ---------------------------------------------------------------------------
    def application(self) -> None:
        target = self.app_target()
        recorded = self.state.get(names.APP.key) or {}
        if self.b2b2c and (self.appd is not None or recorded.get("appd")):
            self.application_from_appd(target, recorded)
            return
        if self.b2b2c:
            self.onboard(target, names.EDGE_PACKAGES)
        config = self._config(names.APP)
        self.ensure_ns(target, names.APP, self.edge_vim,
                       lambda: self.mep.sample_app(target, config(), self.edge_vim))

    @property
    def facade_folder(self) -> Path:
        """The MEC 010-2 facade's state of this CSP."""
        return facade_state(self.state.path)

    def edge_apps(self, target: OsmTarget, removing: bool = False) -> EdgeApps:
        """The MEC 010-2 facade's code and state on the Edge OSM `target`, with the CSP's
        MEP and the Kubernetes API of the cluster the Edge OSM deploys the apps to (their
        MEP tokens go there as Secrets). `removing` (teardown): a MEP that cannot be
        reached any more is left out (the apps are removed without deregistering)."""
        from .apps import EdgeApps

        client = target.client
        step = "the MEC apps' MEP access"
        try:
            mep = self.mep.admin()
            cluster = self.mep.kube(target, self.mep.knf_cluster(target, self.edge_vim, None,
                                                                 step))
        except OsmMecError as exc:
            if not removing:
                raise
            self.progress.status(f"the MEP is out of reach ({exc}); the apps are removed "
                                 "without deregistering")
            mep, cluster = None, None
        return EdgeApps(target, lambda: NbiClient(client.url, client.credentials,
                                                  verify=client.verify, retry=EDGE_RETRY),
                        self.facade_folder, self.edge_vim, mep, self.progress, cluster)

    def application_from_appd(self, target: OsmTarget, recorded: dict[str, Any]) -> None:
        """The first MEC app deployed from its AppD through the facade's code (its NS in
        the Edge OSM recorded as mec-app-ns); a READY one recorded earlier is kept."""
        from ..meo.problems import Problem

        wanted = self.appd.appd_id if self.appd is not None else recorded["appd"]
        step = f"deploy {wanted}"
        if recorded.get("appd") not in (None, wanted) or (recorded and not recorded.get("appd")):
            raise ChainFailed(step, f"the CSP's first application is already "
                              f"{recorded.get('appd') or 'the sample app'} "
                              f"({recorded.get('name')})", "deploy more applications with "
                              f"`osm-mec app deploy --csp {self.csp}`, or `osm-mec teardown "
                              f"--csp {self.csp}` first")
        existing = target.client.find_ns(recorded["name"]) if recorded.get("name") else None
        if existing is not None and existing.get("nsState") == "READY":
            target.know(existing["_id"], recorded["name"])
            self.progress.status(f"{recorded['name']} ({wanted}): exists and is READY")
            return
        if existing is not None or self.appd is None:
            state = existing.get("nsState") if existing else "missing"
            raise ChainFailed(step, f"{recorded['name']} of {wanted} is {state} in the "
                              f"{target.label} OSM", f"run `osm-mec teardown --csp "
                              f"{self.csp}`, then provision again with --appd")
        apps = self.edge_apps(target)
        self.created.append((target.label, names.APP.key))
        self.state.record(names.APP.key, appd=wanted, osm=target.label)
        try:
            deployed = apps.deploy(self.appd, None)
        except Problem as exc:
            raise ChainFailed(step, f"{self.appd.label}: {exc.detail}", "fix the AppD or its "
                              f"chart, then `osm-mec provision --csp {self.csp} --appd ...` "
                              "again") from exc
        except OsmMecError as exc:
            raise ChainFailed(step, str(exc), f"`osm-mec teardown --csp {self.csp}` removes "
                              "it; fix the cause, then provision again with --appd") from exc
        finally:
            apps.close()
        self.state.record(names.APP.key, id=deployed["ns_id"], name=deployed["ns"],
                          appd=wanted, osm=target.label)

    def label_appd_app(self) -> None:
        """Remember the NS of the first app from an AppD as mec-app-ns for this command's
        timings (teardown forgets it in the state before they are written)."""
        app = self.state.get(names.APP.key) or {}
        if app.get("appd") and app.get("name"):
            self.appd_ns_names.add(app["name"])

    def timing_labels(self) -> dict[str, str]:
        """NS name -> the paper's column; the first app from an AppD is mec-app-ns."""
        self.label_appd_app()
        return {**names.paper_labels(self.profile, self.csp),
                **dict.fromkeys(self.appd_ns_names, names.APP.paper)}

    # -- results --------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        objects = self.state.data["objects"]
        result: dict[str, Any] = {"csp": self.csp, "model": self.profile["model"],
                                  "main_osm": self.main.client.url, "objects": objects}
        app = objects.get(names.APP.key)
        if app and app.get("id"):
            target = self.app_target()
            records = target.client.vnf_records(app["id"])
            result["application"] = [s for v in records for k in v.get("kdur", [])
                                     for s in k.get("services", [])]
        if objects.get(names.ENV.key):
            result["mep"] = self.mep_services()
        return result

    def mep_services(self) -> list[dict[str, Any]]:
        """The Kubernetes services of the MEP KDU, from mec-env-ns's VNF records."""
        return list((self.mep.kdur() or {}).get("services") or [])

    def check_endpoints(self) -> None:
        """The MEP must be reachable: OSM reports its KDU's service once deployed (its URL
        is remembered in the state)."""
        if self.mep_services():
            self.mep.record_url()
            return
        env = self.state.get(names.ENV.key) or {}
        raise ChainFailed("endpoints", lcm_gap(
            f"OSM reported no Kubernetes service for KDU 'mep' of VNF "
            f"{nsd_members.MEP_MEMBER} in {env.get('name')}, so the MEP's address is unknown"),
            "check that KDU in the Main OSM (`osm vnf-show`, `GET /nslcm/v1/vnf_instances?"
            f"nsr-id-ref={env.get('id')}`); `osm-mec status --csp {self.csp}` shows it once "
            f"OSM reports it; `osm-mec teardown --csp {self.csp}` removes what was created")

    def close(self) -> None:
        for target in (self.main, self.edge):
            if target is not None:
                target.close()


def provision_with(appd: AppSource | None) -> Callable[[Chain], dict[str, Any]]:
    """The provision action, the CSP's first MEC app from `appd` when given."""
    def provision_action(chain: Chain) -> dict[str, Any]:
        chain.appd = appd
        return chain.provision()
    return provision_action
