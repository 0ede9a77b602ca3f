"""Teardown of everything a CSP owns, in reverse order of the chain, including its
registrations in the Edge OSM and in its MEP (the apps deregistered, their token Secrets
deleted; the MEP's admin Secret and token file with mec-env-ns). Idempotent: every object
is looked up by name, what is already gone is skipped; works after any partial failure."""

from __future__ import annotations

import shutil
from typing import Any

from ..core.errors import OsmMecError
from ..offer.descriptors import package_spec
from ..osm.nbi import NbiError
from . import names
from .edge_osm import accounts_dir, remove_accounts
from .progress import Progress
from .provision import Chain
from .target import OsmTarget


def _delete_ns(chain: Chain, target: OsmTarget, role: names.NsRole, progress: Progress,
               done: list[str]) -> None:
    """Every NS of that name (two runs at once could have made two), one after the other;
    the name recorded in the state file when it differs (an app from its AppD)."""
    name = (chain.state.get(role.key) or {}).get("name") or role.ns_name(chain.profile,
                                                                          chain.csp)
    found = [ns for ns in target.client.list_ns(name) if ns.get("name") == name]
    if not found:
        progress.status(f"{name}: not in the {target.label} OSM")
    for ns in found:
        target.know(ns["_id"], name)
        progress.status(f"{name}: terminating" + (f" ({ns['_id']})" if len(found) > 1 else ""))
        op_id = target.client.delete_ns(ns["_id"])
        if op_id:
            target.wait(op_id, name, progress, gone_ok=True)
        done.append(f"{target.label}: NS {name}" + (f" ({ns['_id']})" if len(found) > 1
                                                     else ""))
    chain.state.forget(role.key)


def _delete_admin(chain: Chain, target: OsmTarget, kind: str, name: str, key: str, progress: Progress,
                  done: list[str]) -> bool:
    """Delete a registration; False when OSM refuses because other NS still use it."""
    found = target.client.find_admin(kind, name)
    if found is not None:
        try:
            target.client.delete_admin(kind, found["_id"])
        except NbiError as exc:
            if exc.status != 409:
                raise
            progress.status(f"{name}: still in use in the {target.label} OSM, kept")
            return False
        done.append(f"{target.label}: {kind} {name}")
        progress.status(f"{name}: deleted from the {target.label} OSM")
    chain.state.forget(key)
    return True


def _delete_app_ns(chain: Chain, target: OsmTarget, progress: Progress, done: list[str],
                   notes: list[str]) -> None:
    """The sample app: deregistered from the MEP and its Secret deleted, then its NS."""
    note = chain.mep.release_sample_app(target)
    if note:
        notes.append(note)
    _delete_ns(chain, target, names.APP, progress, done)


def _remove_appd_apps(chain: Chain, edge: OsmTarget, progress: Progress,
                      done: list[str]) -> None:
    """Every application deployed from an AppD on the CSP's edge (`provision --appd`, `app
    deploy`): terminated and deleted with their packages through the facade's code."""
    if not chain.facade_folder.is_dir():
        return
    from ..meo import lcm, pkgm
    from ..meo.problems import Problem

    apps = chain.edge_apps(edge, removing=True)
    try:
        store = apps.meo.store
        for appd_id in sorted({d["appDId"] for kind in (lcm.INSTANCES, pkgm.KIND)
                               for d in store.all(kind)}):
            try:
                removed = apps.remove(appd_id, graceful=True)
            except Problem as exc:
                raise OsmMecError(f"removing application {appd_id} from the Edge OSM: "
                                  f"{exc.detail}") from exc
            done.append(f"edge: application {appd_id} ({len(removed['removed_instances'])} "
                        "instance(s) and its package)")
    finally:
        apps.close()


def _remove_csp_accounts(chain: Chain, edge: OsmTarget, progress: Progress, done: list[str],
                         notes: list[str]) -> None:
    """The CSP's packages, user and project in its Edge OSM (NBI refuses to delete a
    project that packages still belong to); the user last: its tokens end with it."""
    for spec_name in reversed(names.EDGE_PACKAGES):  # the NS package before its VNFs
        spec = package_spec(spec_name)
        found = edge.client.find_package(spec.kind, chain.profile.descriptor_id(spec_name))
        if found is not None:
            edge.client.delete_package(spec.kind, found["_id"])
            done.append(f"edge: package {found.get('id', spec_name)}")
    try:
        removed = chain.edge_access(edge.client.url).remove_csp()
    except OsmMecError as exc:
        notes.append(f"Edge OSM: the CSP's user and project were not removed ({exc})")
        return
    done += [f"edge: {what}" for what in removed]
    progress.status(f"Edge OSM: {', '.join(removed) or 'no CSP user or project'} removed")


def teardown(chain: Chain, keys: set[str] | None = None) -> dict[str, Any]:
    """Delete the CSP's objects (only `keys` of the state file when given: a rollback)."""
    progress = chain.progress
    done: list[str] = []
    notes: list[str] = []
    wanted = (lambda key: True) if keys is None else (lambda key: key in keys)
    edge_cluster = names.edge_cluster(chain.profile, chain.csp)
    if chain.b2b2c:
        progress.step("Edge OSM: application, edge cluster and edge VIM")
        edge = None
        if chain.state.get("edge-osm") or chain.main.client.find_ns(
                names.ENV.ns_name(chain.profile, chain.csp)):
            try:
                edge = chain.connect_edge(take_over=False)
            except OsmMecError as exc:  # the Edge OSM may be gone already
                notes.append(f"Edge OSM not reachable ({exc}); its objects go with it")
        if edge is not None:
            if wanted(names.APP.key):
                chain.label_appd_app()
                _remove_appd_apps(chain, edge, progress, done)
                _delete_app_ns(chain, edge, progress, done, notes)
            if wanted("edge-cluster"):
                _delete_admin(chain, edge, "k8scluster", edge_cluster, "edge-cluster",
                              progress, done)
            if wanted("edge-vim"):
                _delete_admin(chain, edge, "vim", chain.edge_vim, "edge-vim", progress, done)
            if wanted(names.ENV.key):  # the Edge OSM goes with mec-env-ns
                _remove_csp_accounts(chain, edge, progress, done, notes)
                edge.stop_kafka()
    else:
        progress.step("Main OSM: application and edge cluster registration")
        if wanted(names.APP.key):
            _delete_app_ns(chain, chain.main, progress, done, notes)
        if wanted("edge-cluster"):
            _delete_admin(chain, chain.main, "k8scluster", edge_cluster, "edge-cluster",
                          progress, done)
    if wanted(names.ENV.key):
        progress.step("Main OSM: mec-env-ns" + (" (and with it the Edge OSM)"
                                                 if chain.b2b2c else ""))
        _delete_ns(chain, chain.main, names.ENV, progress, done)
        note = chain.mep.remove_admin_secret()
        notes += [note] if note else []
        chain.state.forget("edge-osm")
        remove_accounts(accounts_dir(chain.state.path))
        if chain.b2b2c:  # the facade's state of that Edge OSM goes with it
            shutil.rmtree(chain.facade_folder, ignore_errors=True)
    kept = False
    if wanted("nsp-cluster"):
        progress.step("Main OSM: NSP cluster registration")
        kept = not _delete_admin(chain, chain.main, "k8scluster",
                                 names.nsp_cluster(chain.profile, chain.csp), "nsp-cluster",
                                 progress, done)
    if kept:
        # OSM places the KDUs of every NS on the first ENABLED cluster of a VIM: other
        # CSPs' CNFs run on this one, so its VMs must stay
        notes.append(f"kept {names.nsp_cluster(chain.profile, chain.csp)} and its NS: other "
                     "CSPs' CNFs run on it (OSM uses the first cluster of a VIM); run "
                     f"`osm-mec teardown --csp {chain.csp}` again once they are gone, or give "
                     "each CSP its own NSP VIM account (--vim)")
    elif wanted(names.NSP_CLUSTER.key):
        progress.step("Main OSM: k8s-osm-cluster-ns")
        _delete_ns(chain, chain.main, names.NSP_CLUSTER, progress, done)
    progress.close()
    if keys is None and not chain.state.data["objects"]:
        chain.state.delete()
    return {"csp": chain.csp, "deleted": done, "notes": notes}
