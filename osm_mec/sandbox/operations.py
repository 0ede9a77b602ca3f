"""NBI's checks of an operation on an NS instance (NsLcmOpTopic), after its schema (422):
the NS's state (409), then per operation: instantiate's VIM accounts, `vnf[]` overrides
(with NBI's internal-connection-point defect), `vld[]` names and K8s clusters; an action's
primitive at the level it names (VNF, VDU or KDU) and its parameters; a scale's member and
aspect (400). Also what NBI records as the operation's parameters."""

from __future__ import annotations

import json
from typing import Any

from .inputs import INSTANTIATE, check
from .nbi_params import day12_configs, iterable
from .store import Conflict, InvalidRequest, Store

KDU_BUILTIN_PRIMITIVES = ("upgrade", "rollback", "status", "inspect", "readme")


def _check_vim(store: Store, vim_id: str) -> None:
    if vim_id not in store.data["vim_accounts"]:
        raise InvalidRequest(f"Invalid vimAccountId='{vim_id}' not present for the project")


def vnfd_of_member(store: Store, vnfrs: list[dict[str, Any]], member: str) -> dict[str, Any]:
    """The VNFD of one member-vnf-index of an NS, or NBI's 400."""
    vnfr = next((v for v in vnfrs if v["member-vnf-index-ref"] == member), None)
    if vnfr is None:
        raise InvalidRequest(f"Invalid parameter member_vnf_index='{member}' is not one of the "
                             "nsd:constituent-vnfd")
    vnfd = store.data["vnfds"].get(vnfr["vnfd-id"])
    if vnfd is None:
        raise InvalidRequest(f"vnfd id={vnfr['vnfd-id']} has been deleted!. Operation cannot be "
                             "performed")
    return vnfd


def _check_vdu_overrides(item: dict[str, Any], vnfd: dict[str, Any]) -> None:
    member = item["member-vnf-index"]
    for override in iterable(item.get("vdu")):
        vdu = next((v for v in vnfd.get("vdu", []) if v["id"] == override.get("id")), None)
        if vdu is None:
            raise InvalidRequest(f"Invalid parameter vnf[member-vnf-index='{member}']:vdu[id="
                                 f"'{override.get('id')}'] is not present at vnfd:vdu")


def _check_internal_vlds(item: dict[str, Any], vnfd: dict[str, Any]) -> None:
    """NBI's check of ``internal-vld[].internal-connection-point[].id-ref``, with its defect
    (OSM v8 to 2026): per internal VL it keeps only the LAST int-cpd id (a string) and tests
    ``id-ref in <that string>``, so any other CP is refused and substrings pass."""
    member = item["member-vnf-index"]
    last_cpd: dict[str, Any] = {vl.get("id"): set() for vl in
                                iterable(vnfd.get("int-virtual-link-desc"))}
    for vdu in vnfd.get("vdu", []):
        for cpd in vdu.get("int-cpd", []):
            if cpd.get("int-virtual-link-desc"):
                last_cpd[cpd["int-virtual-link-desc"]] = cpd.get("id")
    for vld in iterable(item.get("internal-vld")):
        if vld.get("name") not in last_cpd:
            raise InvalidRequest(f"Invalid parameter vnf[member-vnf-index='{member}']:"
                                 f"internal-vld:name='{vld.get('name')}' is not present at "
                                 f"vnfd '{vnfd['id']}'")
        for cp in iterable(vld.get("internal-connection-point")):
            if cp["id-ref"] not in last_cpd[vld["name"]]:
                raise InvalidRequest(f"Invalid parameter vnf[member-vnf-index='{member}']:"
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
    raise InvalidRequest(f"No k8scluster with requirements='{requirements}' at vim_account="
                         f"{vim_id} found for member_vnf_index={vnfr['member-vnf-index-ref']}")


def check_instantiate(store: Store, nsr: dict[str, Any], vnfrs: list[dict[str, Any]],
                      request: dict[str, Any]) -> None:
    """NBI's checks of an instantiate operation; fills each vnfr's VIM account and the K8s
    cluster of its KDUs, as NBI does before it records the operation."""
    check(request, INSTANTIATE)
    _check_vim(store, request["vimAccountId"])
    vim_of = {}
    for item in iterable(request.get("vnf")):
        vnfd = vnfd_of_member(store, vnfrs, item["member-vnf-index"])
        _check_vdu_overrides(item, vnfd)
        _check_internal_vlds(item, vnfd)
        if item.get("vimAccountId"):
            _check_vim(store, item["vimAccountId"])
            vim_of[item["member-vnf-index"]] = item["vimAccountId"]
    names = {vl["id"] for vl in nsr["nsd"].get("virtual-link-desc", [])}
    for vld in iterable(request.get("vld")):
        if vld["name"] not in names:
            raise InvalidRequest(f"Invalid parameter vld:name='{vld['name']}' is not present at "
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


def check_state(nsr: dict[str, Any], operation: str, autoremove: bool = False) -> bool:
    """False when NBI accepts the request without recording an operation (a terminate with
    autoremove of an NS that was never instantiated); 409 for other operations then."""
    state = nsr["_admin"].get("nsState")
    if not state or state == "NOT_INSTANTIATED":
        if operation == "terminate" and autoremove:
            return False
        if operation != "instantiate":
            raise Conflict(f"ns_instance '{nsr['_id']}' cannot be '{operation}' because "
                           "it is not instantiated")
    elif operation == "instantiate":
        raise Conflict(f"ns_instance '{nsr['_id']}' cannot be '{operation}' because it is "
                       "already instantiated")
    return True


def _vnfrs(store: Store, nsr: dict[str, Any]) -> list[dict[str, Any]]:
    return [store.data["vnfrs"][v] for v in nsr["constituent-vnfr-ref"]
            if v in store.data["vnfrs"]]


def _named(items: list[dict[str, Any]], key: str, value: str, what: str, where: str
           ) -> dict[str, Any]:
    found = next((i for i in items if i.get(key) == value), None)
    if found is None:
        raise InvalidRequest(f"Invalid parameter {what}='{value}' not present at {where}")
    return found


def declared_primitives(store: Store, nsr: dict[str, Any], body: dict[str, Any]
                        ) -> list[dict[str, Any]]:
    """The config-primitives at the level an action names: a VDU's or a KDU's when it gives
    vdu_id or kdu_name, else the VNF's own (day1-2 id = VNFD id), or the NSD's."""
    member = body.get("member_vnf_index")
    if not member:
        return list((nsr["nsd"].get("ns-configuration") or {}).get("config-primitive") or [])
    vnfd = vnfd_of_member(store, _vnfrs(store, nsr), member)
    if body.get("vdu_id"):
        _named(vnfd.get("vdu", []), "id", body["vdu_id"], "vdu_id", "vnfd:vdu:id")
        level = body["vdu_id"]
    elif body.get("kdu_name"):
        _named(vnfd.get("kdu", []), "name", body["kdu_name"], "kdu_name", "vnfd:kdu:name")
        level = body["kdu_name"]
    else:
        level = vnfd["id"]
    config = next((c for c in day12_configs(vnfd) if c.get("id") == level), None)
    return list((config or {}).get("config-primitive") or [])


def check_action(store: Store, nsr: dict[str, Any], body: dict[str, Any]) -> None:
    """NBI's action check: a parameter without a (non-empty) default-value is required, no
    undeclared parameter, the primitive declared at the named level."""
    if body.get("vnf_member_index"):
        body["member_vnf_index"] = body.pop("vnf_member_index")
    primitives = declared_primitives(store, nsr, body)
    name = body["primitive"]
    if body.get("kdu_name") and name in KDU_BUILTIN_PRIMITIVES:
        if not body.get("member_vnf_index"):
            raise InvalidRequest(f"Missing action parameter 'member_vnf_index' for default KDU "
                                 f"primitive '{name}'")
        return
    declared = next((p for p in primitives if p.get("name") == name), None)
    if declared is None:
        raise InvalidRequest(f"Invalid primitive '{name}' is not present at vnfd/nsd")
    left = dict(body.get("primitive_params") or {})
    for parameter in declared.get("parameter") or []:
        if parameter["name"] in left:
            del left[parameter["name"]]
        elif not parameter.get("default-value"):
            raise InvalidRequest(f"Needed parameter {parameter['name']} not provided for "
                                 f"primitive '{name}'")
    if left:
        raise InvalidRequest(f"parameter/s '{list(left)}' not present at vnfd /nsd for "
                             f"primitive '{name}'")


def check_scale(store: Store, nsr: dict[str, Any], body: dict[str, Any]) -> None:
    step = body["scaleVnfData"]["scaleByStepData"]
    vnfd = vnfd_of_member(store, _vnfrs(store, nsr), step["member-vnf-index"])
    aspects = (vnfd.get("df") or [{}])[0].get("scaling-aspect") or []
    if not any(a.get("id") == step["scaling-group-descriptor"] for a in aspects):
        raise InvalidRequest("Invalid scaleVnfData:scaleByStepData:scaling-group-descriptor "
                             f"'{step['scaling-group-descriptor']}' is not present at "
                             "vnfd:scaling-aspect")


def check_operation(store: Store, nsr: dict[str, Any], operation: str,
                    body: dict[str, Any]) -> None:
    """The operation's own checks (after the schema and the state)."""
    if operation == "action":
        check_action(store, nsr, body)
    elif operation == "scale":
        check_scale(store, nsr, body)
