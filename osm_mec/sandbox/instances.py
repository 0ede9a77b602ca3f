"""NS instance creation as OSM's NBI does it: the request checked against NBI's schema, the
additional parameters formatted and checked per NS, VNF, VDU and KDU (NBI's rules, defects
included), the records NBI writes (nsr, one vnfr per vnf-profile with its vdur and kdur), then
the instantiate operation's own checks (VIM account, `vnf[]` overrides, `vld[]` names, a K8s
cluster for every KNF). Every refusal is a Problem with NBI's status code and wording."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import yaml

from .inputs import INSTANTIATE, check
from .store import Problem, Store, new_id

PARAM_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
BUILTIN_VALUES = {"<rw_mgmt_ip>", "<VDU_SCALE_INFO>", "<ns_config_info>", "<OSM>"}
YAML_PREFIX = "!!yaml "


def _iter(value: Any) -> list[Any]:
    return list(value) if value else []


def day12_configs(vnfd: dict[str, Any]) -> list[dict[str, Any]]:
    """The day1-2 entries of a VNFD's first deployment flavour."""
    try:
        return list(vnfd["df"][0]["lcm-operations-configuration"]["operate-vnf-op-config"]
                    ["day1-2"])
    except (KeyError, IndexError, TypeError):
        return []


def _yaml_values(params: dict[str, Any]) -> None:
    """NBI passes mapping and list values as ``!!yaml <YAML text>`` strings (in place)."""
    for key, value in params.items():
        if isinstance(value, (dict, list, tuple)):
            params[key] = YAML_PREFIX + yaml.safe_dump(value)


def unyaml(params: dict[str, Any] | None) -> dict[str, Any]:
    """LCM's reading of formatted parameters: ``!!yaml`` strings back to their values."""
    out = {}
    for key, value in (params or {}).items():
        if isinstance(value, str) and value.startswith(YAML_PREFIX):
            value = yaml.safe_load(value[len(YAML_PREFIX):])
        out[key] = value
    return out


def _selected(request: dict[str, Any], member: str | None, vdu_id: str | None,
              kdu_name: str | None) -> tuple[Any, Any, str]:
    """(parameters, the item they came from, where) as NBI picks them: a VDU's or a KDU's
    own additionalParams REPLACE the VNF's (no merge), and are NBI's live objects."""
    if not member:
        return copy.copy(request.get("additionalParamsForNs")), None, "additionalParamsForNs"
    if not request.get("additionalParamsForVnf"):
        return None, None, ""
    where = f"additionalParamsForVnf[member-vnf-index={member}]"
    item = next((x for x in request["additionalParamsForVnf"]
                 if x["member-vnf-index"] == member), None)
    if item is None:
        return None, None, where
    other = item if not vdu_id and not kdu_name else None
    params = copy.copy(item.get("additionalParams")) or {}
    if vdu_id and item.get("additionalParamsForVdu"):
        other = next((x for x in item["additionalParamsForVdu"] if x["vdu_id"] == vdu_id), None)
        if other and other.get("additionalParams"):
            where += f".additionalParamsForVdu[vdu_id={vdu_id}]"
            params = other["additionalParams"]
    if kdu_name:
        params = {}
        other = next((x for x in item.get("additionalParamsForKdu") or []
                      if x["kdu_name"] == kdu_name), None)
        if other and other.get("additionalParams"):
            where += f".additionalParamsForKdu[kdu_name={kdu_name}]"
            params = other["additionalParams"]
    return params, other, where


def _check_keys(params: dict[str, Any], where: str, kdu: bool) -> None:
    for key in params:
        if not kdu and not PARAM_NAME.match(str(key)):
            raise Problem(400, f"Invalid param name at {where}:{key}. Must contain only "
                               "alphanumeric characters and underscores, and cannot start "
                               "with a digit")
        if not isinstance(key, str):
            raise Problem(400, f"Invalid param at {where}:{key}. Only string keys are allowed")
        if "$" in key:
            raise Problem(400, f"Invalid param at {where}:{key}. Keys must not contain $ "
                               "symbol")


def _initial_primitives(descriptor: dict[str, Any], member: str | None, selector: str
                        ) -> list[dict[str, Any]]:
    if not member:
        return _iter((descriptor.get("ns-configuration") or {}).get("initial-config-primitive"))
    return [p for config in day12_configs(descriptor) if config.get("id") == selector
            for p in _iter(config.get("initial-config-primitive"))]


def format_params(request: dict[str, Any], member: str | None = None, vdu_id: str | None = None,
                  kdu_name: str | None = None, descriptor: dict[str, Any] | None = None
                  ) -> tuple[Any, Any]:
    """NBI's formatting of one target's additional parameters (NS, VNF, VDU or KDU):
    names checked, mappings as ``!!yaml`` strings, a KDU's as a JSON string; every `<param>`
    of the target's initial primitives must be among them. (params or None, item or None)."""
    params, other, where = _selected(request, member, vdu_id, kdu_name)
    if params:
        _check_keys(params, where, bool(kdu_name))
        _yaml_values(params)
    selector = vdu_id or kdu_name or (descriptor or {}).get("id")
    for primitive in _initial_primitives(descriptor or {}, member, str(selector)):
        for parameter in _iter(primitive.get("parameter")):
            value = str(parameter.get("value", ""))
            if not (value.startswith("<") and value.endswith(">")) or value in BUILTIN_VALUES:
                continue
            if not params or value[1:-1] not in params:
                raise Problem(400, f"Parameter '{value}' needed for vnfd[id="
                                   f"{(descriptor or {}).get('id')}]:day1-2 configuration:"
                                   f"initial-config-primitive[name={primitive.get('name')}] "
                                   "not supplied")
    if kdu_name and params:
        params = json.dumps(params)
    return params or None, other or None


def _during(step: str, problem: Problem) -> Problem:
    """NBI appends the step it was at to the errors of an NS creation."""
    return Problem(problem.status, f"{problem.detail} while '{step}'")


def _vnfd_by_id(store: Store, descriptor_id: str) -> dict[str, Any]:
    found = next(store.find("vnfds", id=descriptor_id), None)
    if found is None:
        raise Problem(404, f"database exception Not found entry with filter='{{'id': "
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
    """NBI's NS creation: (nsr, vnfrs, the request as NBI left it) or Problem."""
    step = "validating input parameters"
    try:
        check(body, INSTANTIATE)
        request = copy.deepcopy(body)
        step = f"getting nsd id='{request['nsdId']}' from database"
        nsd = store.data["nsds"].get(request["nsdId"])
        if nsd is None:
            raise Problem(404, f"database exception Not found entry with filter='{{'_id': "
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
    except Problem as problem:
        raise _during(step, problem) from None
    return nsr, vnfrs, request


# -- the instantiate operation's checks (NsLcmOpTopic in NBI) ---------------------------------
def _check_vim(store: Store, vim_id: str) -> None:
    if vim_id not in store.data["vim_accounts"]:
        raise Problem(400, f"Invalid vimAccountId='{vim_id}' not present for the project")


def vnfd_of_member(store: Store, vnfrs: list[dict[str, Any]], member: str) -> dict[str, Any]:
    """The VNFD of one member-vnf-index of an NS, or NBI's 400."""
    vnfr = next((v for v in vnfrs if v["member-vnf-index-ref"] == member), None)
    if vnfr is None:
        raise Problem(400, f"Invalid parameter member_vnf_index='{member}' is not one of the "
                           "nsd:constituent-vnfd")
    vnfd = store.data["vnfds"].get(vnfr["vnfd-id"])
    if vnfd is None:
        raise Problem(400, f"vnfd id={vnfr['vnfd-id']} has been deleted!. Operation cannot be "
                           "performed")
    return vnfd


def _check_vdu_overrides(item: dict[str, Any], vnfd: dict[str, Any]) -> None:
    member = item["member-vnf-index"]
    for override in _iter(item.get("vdu")):
        vdu = next((v for v in vnfd.get("vdu", []) if v["id"] == override.get("id")), None)
        if vdu is None:
            raise Problem(400, f"Invalid parameter vnf[member-vnf-index='{member}']:vdu[id="
                               f"'{override.get('id')}'] is not present at vnfd:vdu")


def _check_internal_vlds(item: dict[str, Any], vnfd: dict[str, Any]) -> None:
    """NBI's check of ``internal-vld[].internal-connection-point[].id-ref``, with its defect
    (OSM v8 to 2026): per internal VL it keeps only the LAST int-cpd id (a string) and tests
    ``id-ref in <that string>``, so any other CP is refused and substrings pass."""
    member = item["member-vnf-index"]
    last_cpd: dict[str, Any] = {vl.get("id"): set() for vl in
                                _iter(vnfd.get("int-virtual-link-desc"))}
    for vdu in vnfd.get("vdu", []):
        for cpd in vdu.get("int-cpd", []):
            if cpd.get("int-virtual-link-desc"):
                last_cpd[cpd["int-virtual-link-desc"]] = cpd.get("id")
    for vld in _iter(item.get("internal-vld")):
        if vld.get("name") not in last_cpd:
            raise Problem(400, f"Invalid parameter vnf[member-vnf-index='{member}']:"
                               f"internal-vld:name='{vld.get('name')}' is not present at "
                               f"vnfd '{vnfd['id']}'")
        for cp in _iter(vld.get("internal-connection-point")):
            if cp["id-ref"] not in last_cpd[vld["name"]]:
                raise Problem(400, f"Invalid parameter vnf[member-vnf-index='{member}']:"
                                   f"internal-vld[name='{vld['name']}']:internal-connection-"
                                   f"point[id-ref:'{cp['id-ref']}'] is not present at vnfd:"
                                   "internal-vld:name/id:internal-connection-point")


def _k8s_cluster_for(store: Store, vnfr: dict[str, Any], vim_id: str) -> dict[str, Any]:
    """NBI's choice of a K8s cluster for a KNF: any cluster of the VIM (ENABLED or not) that
    meets the VNFD's k8s-cluster cni, version and network count; else 400."""
    wanted = vnfr.get("k8s-cluster") or {}
    requirements: dict[str, Any] = {}
    for cluster in store.find("k8sclusters", vim_account=vim_id):
        if not wanted:
            return cluster
        if wanted.get("cni"):
            requirements["cni"] = wanted["cni"]
            if not set(wanted["cni"]) & set(cluster.get("cni") or ()):
                continue
        if wanted.get("version"):
            requirements["version"] = wanted["version"]
            if cluster.get("k8s_version") not in wanted["version"]:
                continue
        if wanted.get("nets"):
            requirements["networks"] = len(wanted["nets"])
            if len(cluster.get("nets") or {}) < len(wanted["nets"]):
                continue
        return cluster
    raise Problem(400, f"No k8scluster with requirements='{requirements}' at vim_account="
                       f"{vim_id} found for member_vnf_index={vnfr['member-vnf-index-ref']}")


def check_instantiate(store: Store, nsr: dict[str, Any], vnfrs: list[dict[str, Any]],
                      request: dict[str, Any]) -> None:
    """NBI's checks of an instantiate operation; fills each vnfr's VIM account and the K8s
    cluster of its KDUs, as NBI does before it records the operation."""
    check(request, INSTANTIATE)
    _check_vim(store, request["vimAccountId"])
    vim_of = {}
    for item in _iter(request.get("vnf")):
        vnfd = vnfd_of_member(store, vnfrs, item["member-vnf-index"])
        _check_vdu_overrides(item, vnfd)
        _check_internal_vlds(item, vnfd)
        if item.get("vimAccountId"):
            _check_vim(store, item["vimAccountId"])
            vim_of[item["member-vnf-index"]] = item["vimAccountId"]
    names = {vl["id"] for vl in nsr["nsd"].get("virtual-link-desc", [])}
    for vld in _iter(request.get("vld")):
        if vld["name"] not in names:
            raise Problem(400, f"Invalid parameter vld:name='{vld['name']}' is not present at "
                               "nsd:vld")
    for vnfr in vnfrs:
        vim_id = vim_of.get(vnfr["member-vnf-index-ref"], request["vimAccountId"])
        vnfr["vim-account-id"] = vim_id
        if vnfr.get("kdur"):
            cluster = _k8s_cluster_for(store, vnfr, vim_id)
            for kdur in vnfr["kdur"]:
                kdur["k8s-cluster"] = {"id": cluster["_id"]}


def operation_params(request: dict[str, Any]) -> dict[str, Any]:
    """What NBI records as an operation's operationParams: non-empty primitive_params, else
    additionalParamsForVnf, as JSON strings."""
    params = dict(request)
    if params.get("primitive_params"):
        params["primitive_params"] = json.dumps(params["primitive_params"])
    elif params.get("additionalParamsForVnf"):
        params["additionalParamsForVnf"] = json.dumps(params["additionalParamsForVnf"])
    return params


def member_item(body: dict[str, Any], key: str, member: str) -> dict[str, Any]:
    """The item of one member in a list of per-VNF instantiation parameters (empty if none)."""
    return next((item for item in body.get(key) or []
                 if item.get("member-vnf-index") == member), {})
