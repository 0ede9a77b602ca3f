"""The CSP's MEP in the chain's steps: its admin token put where the MEP KDU reads it
before mec-env-ns is instantiated (step 3), its URL read back from OSM's record of the MEP
KDU, the sample app registered with it and handed its URL and token before mec-app-ns is
instantiated (step 5; the facade does the same for apps from an AppD: osm_mec.meo.lcm),
and all of it removed again by teardown.

Where things are (docs/security.md): the admin token in ``<state dir>/<csp>.mep/admin-token``
(0600, folder 0700) and in the Secret ``osm-mec-mep-admin`` (key ``admin-token``) in the
MEP KDU's namespace ``<prefix>-<csp>-mep`` on the cluster OSM deploys the MEP to; the
sample app's token in the Secret ``osm-mec-mep-token-<prefix>-<csp>-app`` (keys ``token``,
``client-secret``) in its namespace ``<prefix>-<csp>-mec-app`` on the edge cluster. OSM's
records hold only the Secrets' names, the MEP's URL and the app's instance id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.errors import OsmMecError
from ..offer.descriptors import network_services as nsd_members
from ..offer.descriptors import package_spec
from ..offer.params import add_kdu_values, kdu_namespace
from ..offer.profile import Profile
from ..osm.kube import KubeApi
from ..osm.mep_access import MepAccess, SecretDrop
from ..osm.mep_client import MepClient
from . import names
from .failures import ChainFailed, lcm_gap
from .mep_link import (
    ADMIN_KEY,
    ADMIN_SECRET,
    admin_token_file,
    cluster_api,
    ensure_admin_token,
    kdu_cluster,
    mep_url,
    read_admin_token,
    remove_admin_token,
    sample_registration,
)
from .progress import Progress
from .state import CspState
from .target import OsmTarget

MEP_KDU, APP_KDU = "mep", "mec-app"
MEP_STATE = "mep"        # state key: the MEP's URL and where its admin Secret is
SAMPLE_GRACE = 30.0      # the sample app's graceful termination time (the MEP's default)
CLUSTER_HINT = ("check that the cluster's API server answers with the kubeconfig OSM holds "
                "for it, then run `osm-mec {command} --csp {csp}` again")


@dataclass
class ChainMep:
    """One CSP's MEP as the chain sets it up, uses and removes it."""

    profile: Profile
    csp: str
    state: CspState
    main: OsmTarget
    progress: Progress

    def kube(self, target: OsmTarget, cluster_id: str) -> KubeApi:
        return cluster_api(target.client, target.simulated, cluster_id)

    def knf_cluster(self, target: OsmTarget, vim_name: str, package: str | None,
                    step: str) -> str:
        """The cluster OSM will deploy a KNF of `package` to on VIM `vim_name` (NBI's
        choice: the first of that VIM meeting the VNFD's k8s-cluster requirements)."""
        vim = target.client.find_admin("vim", vim_name)
        if vim is None:
            raise ChainFailed(step, f"VIM account {vim_name!r} not found in the "
                              f"{target.label} OSM", "pass an existing one with --vim / "
                              "--edge-vim")
        wanted = (package_spec(package).generate(self.profile)["vnfd"].get("k8s-cluster")
                  or {}) if package else {}
        try:
            return str(kdu_cluster(target.client, str(vim["_id"]), wanted)["_id"])
        except OsmMecError as exc:
            raise ChainFailed(step, str(exc), f"run `osm-mec provision --csp {self.csp}` "
                              "again once a cluster is registered") from exc

    # -- step 3: the admin token ----------------------------------------------------------
    def admin_secret(self, config: dict[str, Any], nsp_vim: str) -> dict[str, Any]:
        """Before mec-env-ns: the admin token (its file first) in a Secret in the MEP KDU's
        namespace on the cluster OSM deploys it to; the KDU gets the Secret's name only."""
        step = "MEP admin token"
        cluster_id = self.knf_cluster(self.main, nsp_vim, "mec_blocks_cnf", step)
        namespace = kdu_namespace(self.profile, self.csp, MEP_KDU)
        token = ensure_admin_token(self.state.path)
        try:
            self.kube(self.main, cluster_id).ensure_secret(namespace, ADMIN_SECRET,
                                                           {ADMIN_KEY: token})
        except OsmMecError as exc:  # KubeFailed, or the sandbox's NBI refusing
            raise ChainFailed(step, f"Secret {ADMIN_SECRET} in namespace {namespace} of "
                              f"cluster {cluster_id}: {exc}", CLUSTER_HINT.format(
                                  command="provision", csp=self.csp)) from exc
        self.state.record(MEP_STATE, cluster=cluster_id, namespace=namespace,
                          osm=self.main.label)
        add_kdu_values(config, nsd_members.MEP_MEMBER, MEP_KDU,
                       {"adminTokenSecret": ADMIN_SECRET})
        self.progress.status(f"MEP admin token: in {admin_token_file(self.state.path)} and "
                             f"Secret {ADMIN_SECRET} of namespace {namespace}")
        return config

    # -- where the MEP answers ------------------------------------------------------------
    def kdur(self) -> dict[str, Any] | None:
        """The MEP KDU's record in mec-env-ns (None: OSM has none)."""
        env = self.state.get(names.ENV.key)
        if env is None:
            raise OsmMecError(f"{self.state.path}: CSP {self.csp} has no {names.ENV.key} NS; "
                              f"run `osm-mec provision --csp {self.csp}` first")
        records = self.main.client.vnf_records(env["id"])
        return next((k for v in records
                     if v["member-vnf-index-ref"] == nsd_members.MEP_MEMBER
                     for k in v.get("kdur", [])), None)

    def url(self) -> str:
        """The MEP's URL as the chain and the apps reach it: a node address of its cluster
        and the NodePort OSM recorded for its Service (http)."""
        step = "MEP address"
        kdur = self.kdur() or {}
        cluster_id = (kdur.get("k8s-cluster") or {}).get("id")
        try:
            node = self.kube(self.main, str(cluster_id)).node_address() if cluster_id \
                else None
        except OsmMecError as exc:
            raise ChainFailed(step, f"no node address of cluster {cluster_id}: {exc}",
                              CLUSTER_HINT.format(command="provision", csp=self.csp)
                              ) from exc
        if not kdur.get("services"):
            env = self.state.get(names.ENV.key) or {}
            raise ChainFailed(step, lcm_gap(
                f"OSM reported no Kubernetes service for KDU 'mep' of VNF "
                f"{nsd_members.MEP_MEMBER} in {env.get('name')}, so the MEP's address is "
                "unknown"), f"check that KDU in the Main OSM (`osm vnf-show`, `GET "
                f"/nslcm/v1/vnf_instances?nsr-id-ref={env.get('id')}`), then run `osm-mec "
                f"provision --csp {self.csp}` again; `osm-mec teardown --csp {self.csp}` "
                "removes what was created")
        url = mep_url(kdur["services"], node)
        if url is None:
            raise ChainFailed(step, "OSM reports no NodePort or LoadBalancer Service of the "
                              f"MEP KDU (services: {kdur.get('services') or 'none'})",
                              "the MEP must be reachable from the edge cluster: set "
                              "mep.service_type: NodePort in the profile (the default), "
                              f"then `osm-mec teardown --csp {self.csp}` and provision again")
        return url

    def record_url(self) -> str:
        """The MEP's URL, remembered in the state (for `app deploy` and teardown)."""
        url = self.url()
        if (self.state.get(MEP_STATE) or {}).get("url") != url:
            self.state.record(MEP_STATE, url=url)
        return url

    def admin(self, url: str | None = None) -> tuple[str, str] | None:
        """(URL, admin token) of the CSP's MEP (`url` when the caller just read it); None
        when the chain made no token (a mec-env-ns from before the token existed)."""
        token = read_admin_token(self.state.path)
        return None if token is None else (url or self.url(), token)

    def client(self, step: str, url: str | None = None) -> MepClient:
        admin = self.admin(url)
        if admin is None:
            raise ChainFailed(step, f"no MEP admin token in {admin_token_file(self.state.path)}",
                              "mec-env-ns was made without one (by an older osm-mec): "
                              f"`osm-mec teardown --csp {self.csp}`, then provision again")
        return MepClient(*admin)

    # -- step 5: the sample app -----------------------------------------------------------
    def sample_app(self, target: OsmTarget, config: dict[str, Any], edge_vim: str
                   ) -> dict[str, Any]:
        """Before mec-app-ns: the sample app registered with the MEP, its token in a Secret
        in its namespace on the edge cluster; its KDU gets ``mep: {url, appInstanceId,
        existingSecret}``."""
        step = "register the sample app with the MEP"
        app_id = names.APP.ns_name(self.profile, self.csp)
        namespace = kdu_namespace(self.profile, self.csp, APP_KDU)
        cluster_id = self.knf_cluster(target, edge_vim, "mec_app_cnf", step)
        url = self.record_url()
        access = MepAccess(self.client(step, url), SecretDrop(self.kube(target, cluster_id)))
        try:
            values = access.hand_over(app_id, namespace, sample_registration(self.profile))
        except OsmMecError as exc:
            raise ChainFailed(step, str(exc), "check that the MEP and the edge cluster's "
                              f"API answer, then `osm-mec provision --csp {self.csp}` again "
                              "(it registers once)") from exc
        self.state.record(names.APP.key, mep_app=app_id, mep_cluster=cluster_id,
                          mep_namespace=namespace)
        add_kdu_values(config, nsd_members.MEC_APP_MEMBER, APP_KDU, {"mep": values})
        self.progress.status(f"{app_id}: registered with the MEP at {values['url']}, token "
                             f"in Secret {values['existingSecret']} of namespace {namespace}")
        return config

    # -- teardown -------------------------------------------------------------------------
    def release_sample_app(self, target: OsmTarget) -> str | None:
        """The sample app deregistered from the MEP (graceful) and its Secret deleted; a
        note when that failed (None when done or nothing to do)."""
        app = self.state.get(names.APP.key) or {}
        if not app.get("mep_app"):
            return None
        try:
            MepAccess(self.client("deregister the sample app"), SecretDrop(self.kube(
                target, str(app["mep_cluster"])))).take_back(
                str(app["mep_app"]), str(app["mep_namespace"]), SAMPLE_GRACE)
        except OsmMecError as exc:
            return (f"the sample app {app['mep_app']} was not deregistered from the MEP or "
                    f"its Secret not deleted ({exc}); they go with the MEP and the namespace")
        self.progress.status(f"{app['mep_app']}: deregistered from the MEP, Secret deleted")
        return None

    def remove_admin_secret(self) -> str | None:
        """With mec-env-ns: the admin Secret and the token file; a note when the Secret
        could not be deleted (both are then kept for the next teardown)."""
        mep = self.state.get(MEP_STATE) or {}
        if mep.get("cluster"):
            try:
                self.kube(self.main, str(mep["cluster"])).delete_secret(
                    str(mep["namespace"]), ADMIN_SECRET)
            except OsmMecError as exc:
                return (f"Secret {ADMIN_SECRET} in namespace {mep['namespace']} of cluster "
                        f"{mep['cluster']} not deleted ({exc}); " + CLUSTER_HINT.format(
                            command="teardown", csp=self.csp))
        remove_admin_token(self.state.path)
        self.state.forget(MEP_STATE)
        return None
