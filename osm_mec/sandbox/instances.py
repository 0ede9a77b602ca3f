"""NS instance creation as OSM's NBI does it (NsrTopic): the request checked against NBI's
schema, the additional parameters formatted and checked per NS, VNF, VDU and KDU
(``nbi_params``), and the records NBI writes: the nsr and one vnfr per vnf-profile with its
vdur and kdur. Every refusal is worded as NBI words it (a ``store.Refusal``), followed by the
step NBI was at."""

from __future__ import annotations

import copy
from typing import Any

from .inputs import INSTANTIATE, check
from .nbi_params import format_params
from .store import NotFound, Refusal, Store, new_id


def _vnfd_by_id(store: Store, descriptor_id: str) -> dict[str, Any]:
    found = next(store.find("vnfds", id=descriptor_id), None)
    if found is None:
        raise NotFound(f"database exception Not found entry with filter='{{'id': "
                       f"'{descriptor_id}'}}'")
    return found


def _kdur(request: dict[str, Any], member: str, kdu: dict[str, Any], vnfd: dict[str, Any],
          namespace: Any) -> dict[str, Any]:
    params, item = format_params(request, member, kdu_name=kdu["name"], descriptor=vnfd)
    item = item or {}
    kdur = {"additionalParams": params, "k8s-namespace": item.get("k8s-namespace") or namespace,
            "kdu-deployment-name": item.get("kdu-deployment-name") or "",
            "kdu-name": kdu["name"], "ip-address": None, "k8s-cluster": {}}
    if kdu.get("helm-version"):
        kdur["helm-version"] = kdu["helm-version"]
    for kind in ("helm-chart", "juju-bundle"):
        if kdu.get(kind):
            kdur[kind] = item.get("kdu_model") or kdu[kind]
    return kdur


def _vdu_count(vnfd: dict[str, Any], vdu_id: str) -> int:
    try:
        levels = vnfd["df"][0]["instantiation-level"][0]["vdu-level"]
    except (KeyError, IndexError, TypeError):
        return 1
    return int(next((v.get("number-of-instances", 1) for v in levels
                     if v.get("vdu-id") == vdu_id), 1))


def _vdurs(request: dict[str, Any], member: str, vnfd: dict[str, Any]) -> list[dict[str, Any]]:
    mgmt_ext = vnfd.get("mgmt-cp")
    ext_of = {e["int-cpd"]["cpd"]: e["id"] for e in vnfd.get("ext-cpd", []) if "int-cpd" in e}
    vdurs = []
    for vdu in vnfd.get("vdu", []):
        params, _ = format_params(request, member, vdu_id=vdu["id"], descriptor=vnfd)
        interfaces = []
        for cpd in vdu.get("int-cpd", []):
            for nic in cpd.get("virtual-network-interface-requirement", []):
                interface = {k: nic[k] for k in ("name", "position") if k in nic}
                interface["internal-connection-point-ref"] = cpd["id"]
                if cpd["id"] in ext_of:
                    interface["external-connection-point-ref"] = ext_of[cpd["id"]]
                    if ext_of[cpd["id"]] == mgmt_ext:
                        interface.update({"mgmt-vnf": True, "mgmt-interface": True})
                elif cpd.get("int-virtual-link-desc"):
                    interface["vnf-vld-id"] = cpd["int-virtual-link-desc"]
                interfaces.append(interface)
        template = {"vdu-id-ref": vdu["id"], "ip-address": None,
                    "internal-connection-point": [{"id": c["id"], "connection-point-id": c["id"],
                                                   "name": c["id"]}
                                                  for c in vdu.get("int-cpd", [])],
                    "interfaces": interfaces, "additionalParams": params,
                    "vdu-name": vdu.get("name", vdu["id"])}
        for index in range(_vdu_count(vnfd, vdu["id"])):
            vdur_id = new_id()
            vdurs.append({**copy.deepcopy(template), "_id": vdur_id, "id": vdur_id,
                          "count-index": index})
    return vdurs


def new_vnfr(request: dict[str, Any], nsr: dict[str, Any], member: str, vnfd: dict[str, Any],
             namespace: Any, admin: dict[str, Any], now: float) -> dict[str, Any]:
    """The vnfr NBI writes for one vnf-profile of a new NS (not instantiated: no addresses)."""
    params, vnf_item = format_params(request, member, descriptor=vnfd)
    if vnf_item and vnf_item.get("k8s-namespace"):
        namespace = vnf_item["k8s-namespace"]
    vnfr_id = new_id()
    vnfr: dict[str, Any] = {
        "id": vnfr_id, "_id": vnfr_id, "nsr-id-ref": nsr["_id"], "member-vnf-index-ref": member,
        "additionalParamsForVnf": params, "created-time": now, "vnfd-ref": vnfd["id"],
        "vnfd-id": vnfd["_id"], "vim-account-id": None, "vca-id": None, "vdur": [],
        "connection-point": [{"name": cp["id"], "connection-point-id": cp.get("int-cpd", {})
                              .get("cpd"), "connection-point-vdu-id": cp.get("int-cpd", {})
                              .get("vdu-id"), "id": cp["id"]} for cp in vnfd.get("ext-cpd", [])],
        "ip-address": None, "revision": 1}
    if vnfd.get("int-virtual-link-desc"):
        vnfr["vld"] = copy.deepcopy(vnfd["int-virtual-link-desc"])
    if vnfd.get("k8s-cluster"):
        vnfr["k8s-cluster"] = copy.deepcopy(vnfd["k8s-cluster"])
    if vnfd.get("kdu"):
        vnfr["kdur"] = [_kdur(request, member, kdu, vnfd, namespace) for kdu in vnfd["kdu"]]
    vnfr["vdur"] = _vdurs(request, member, vnfd)
    vnfr["_admin"] = {**copy.deepcopy(admin), "nsState": "NOT_INSTANTIATED"}
    return vnfr


def _nsr(request: dict[str, Any], nsd: dict[str, Any], nsr_id: str, admin: dict[str, Any],
         now: float) -> dict[str, Any]:
    ns_params, _ = format_params(request, descriptor=nsd)
    shown = {k: v for k, v in request.items()
             if k not in ("additionalParamsForNs", "additionalParamsForVnf")}
    connections: dict[str, list[dict[str, Any]]] = {}
    for profile in (nsd.get("df") or [{}])[0].get("vnf-profile", []):
        for link in profile.get("virtual-link-connectivity", []):
            connections.setdefault(link["virtual-link-profile-id"], []).extend(
                {"member-vnf-index-ref": cp.get("constituent-base-element-id"),
                 "vnfd-connection-point-ref": cp.get("constituent-cpd-id"),
                 "vnfd-id-ref": profile.get("vnfd-id")}
                for cp in link.get("constituent-cpd-id", []))
    name = request["nsName"]
    return {
        "name": name, "name-ref": name, "short-name": name, "admin-status": "ENABLED",
        "nsState": "NOT_INSTANTIATED", "currentOperation": "IDLE", "currentOperationID": None,
        "errorDescription": None, "errorDetail": None, "deploymentStatus": None,
        "configurationStatus": None, "vcaStatus": None,
        "nsd": copy.deepcopy(nsd),
        "datacenter": request["vimAccountId"], "resource-orchestrator": "osmopenmano",
        "description": request.get("nsDescription", ""), "constituent-vnfr-ref": [],
        "operational-status": "init", "config-status": "init", "detailed-status": "scheduled",
        "orchestration-progress": {}, "create-time": now, "nsd-name-ref": nsd.get("name"),
        "operational-events": [], "nsd-ref": nsd["id"], "nsd-id": nsd["_id"], "vnfd-id": [],
        "instantiate_params": shown, "additionalParamsForNs": ns_params,
        "ns-instance-config-ref": nsr_id, "id": nsr_id, "_id": nsr_id,
        "ssh-authorized-key": request.get("ssh_keys"), "flavor": [], "image": [],
        "affinity-or-anti-affinity-group": [], "shared-volumes": [], "vnffgd": [],
        "revision": 1,
        "vld": [{**copy.deepcopy(vl), "vnfd-connection-point-ref": connections.get(vl["id"], []),
                 "name": vl["id"]} for vl in nsd.get("virtual-link-desc", [])],
        "_admin": {**copy.deepcopy(admin), "nsState": "NOT_INSTANTIATED"}}


def new_ns(store: Store, body: Any, project_id: str, now: float
           ) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """NBI's NS creation: (nsr, vnfrs, the request as NBI left it) or a Refusal."""
    step = "validating input parameters"
    try:
        check(body, INSTANTIATE)
        request = copy.deepcopy(body)
        step = f"getting nsd id='{request['nsdId']}' from database"
        nsd = store.data["nsds"].get(request["nsdId"])
        if nsd is None:
            raise NotFound(f"database exception Not found entry with filter='{{'_id': "
                           f"'{request['nsdId']}'}}'")
        ns_params, _ = format_params(request, descriptor=nsd)
        namespace = request.get("k8s-namespace") or project_id
        if ns_params and ns_params.get("k8s-namespace"):
            namespace = ns_params["k8s-namespace"]
        step = "filling nsr from input data"
        nsr_id = new_id()
        admin = {"created": now, "modified": now, "projects_read": [project_id],
                 "projects_write": [project_id]}
        nsr = _nsr(request, nsd, nsr_id, admin, now)
        request["nsr_id"] = nsr_id
        vnfrs = []
        for profile in (nsd.get("df") or [{}])[0].get("vnf-profile", []):
            step = (f"filling vnfr  vnfd-id='{profile['vnfd-id']}' constituent-vnfd="
                    f"'{profile['id']}'")
            vnfd = _vnfd_by_id(store, profile["vnfd-id"])
            if vnfd["_id"] not in nsr["vnfd-id"]:
                nsr["vnfd-id"].append(vnfd["_id"])
            vnfrs.append(new_vnfr(request, nsr, profile["id"], vnfd, namespace, admin, now))
            nsr["constituent-vnfr-ref"].append(vnfrs[-1]["_id"])
    except Refusal as refusal:  # NBI appends the step it was at to its creation errors
        raise refusal.during(step) from None
    return nsr, vnfrs, request


def member_item(body: dict[str, Any], key: str, member: str) -> dict[str, Any]:
    """The item of one member in a list of per-VNF instantiation parameters (empty if none)."""
    return next((item for item in body.get(key) or []
                 if item.get("member-vnf-index") == member), {})
