"""NS instance creation as NBI checks it (unknown keys, references, parameter names) and the
records it writes (nsr, one vnfr per vnf-profile with vdur/kdur); plus LCM's day-1
parameter substitution check."""

from __future__ import annotations

import re
from typing import Any

from .store import Problem, Store, new_id

INSTANTIATE_KEYS = {"nsName", "nsdId", "vimAccountId", "nsDescription", "additionalParamsForNs",
                    "additionalParamsForVnf", "vnf", "vld", "k8s-namespace", "ssh_keys",
                    "timeout_ns_deploy", "placement-engine", "wimAccountId",
                    "lcmOperationType", "nsInstanceId"}
REQUIRED_KEYS = ("nsName", "nsdId", "vimAccountId")
PARAM_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
BUILTIN_PARAMS = {"rw_mgmt_ip", "VDU_SCALE_INFO", "ns_config_info", "OSM"}
SUBSTITUTION = re.compile(r"^<([^<>]+)>$")


def _unprocessable(where: str, message: str) -> Problem:
    return Problem(422, f"Format error at '{where}' '{message}'")


def _check_names(params: Any, where: str) -> None:
    if params is None:
        return
    if not isinstance(params, dict):
        raise _unprocessable(where, "must be a mapping")
    for name in params:
        if not PARAM_NAME.match(str(name)):
            raise _unprocessable(f"{where}.{name}", f"does not match '{PARAM_NAME.pattern}'")


def vnf_profiles(nsd: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """member-vnf-index -> vnf-profile of the NSD's first deployment flavour."""
    return {p["id"]: p for p in (nsd.get("df") or [{}])[0].get("vnf-profile", [])}


def check_create(store: Store, body: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """NBI's checks of a create+instantiate body: the NSD and VNFDs (by member) or Problem."""
    if not isinstance(body, dict):
        raise _unprocessable("", "the body must be a mapping")
    if unknown := sorted(set(body) - INSTANTIATE_KEYS):
        raise _unprocessable("", f"Additional properties are not allowed ({', '.join(map(repr, unknown))} "
                                 "were unexpected)")
    for key in REQUIRED_KEYS:
        if not body.get(key):
            raise _unprocessable("", f"'{key}' is a required property")
    nsd = store.get("nsds", str(body["nsdId"]), "nsd")
    store.get("vim_accounts", str(body["vimAccountId"]), "vimAccountId")
    members = {m: store.get("vnfds", next(v["_id"] for v in store.find("vnfds", id=p["vnfd-id"])),
                            "vnfd") for m, p in vnf_profiles(nsd).items()}
    _check_names(body.get("additionalParamsForNs"), "additionalParamsForNs")
    for i, item in enumerate(body.get("additionalParamsForVnf") or []):
        where = f"additionalParamsForVnf[{i}]"
        vnfd = members.get(item.get("member-vnf-index"))
        if vnfd is None:
            raise _unprocessable(f"{where}.member-vnf-index", f"'{item.get('member-vnf-index')}'"
                                 f" is not one of the nsd vnf-profiles ({', '.join(members)})")
        _check_names(item.get("additionalParams"), f"{where}.additionalParams")
        vdus = {v["id"] for v in vnfd.get("vdu", [])}
        kdus = {k["name"] for k in vnfd.get("kdu", [])}
        for j, vdu in enumerate(item.get("additionalParamsForVdu") or []):
            if vdu.get("vdu_id") not in vdus:
                raise _unprocessable(f"{where}.additionalParamsForVdu[{j}].vdu_id",
                                     f"'{vdu.get('vdu_id')}' is not a vdu of {vnfd['id']}")
            _check_names(vdu.get("additionalParams"), f"{where}.additionalParamsForVdu[{j}]")
        for j, kdu in enumerate(item.get("additionalParamsForKdu") or []):
            if kdu.get("kdu_name") not in kdus:
                raise _unprocessable(f"{where}.additionalParamsForKdu[{j}].kdu_name",
                                     f"'{kdu.get('kdu_name')}' is not a kdu of {vnfd['id']}")
    for i, item in enumerate(body.get("vnf") or []):
        where = f"vnf[{i}]"
        vnfd = members.get(item.get("member-vnf-index"))
        if vnfd is None:
            raise _unprocessable(f"{where}.member-vnf-index",
                                 f"'{item.get('member-vnf-index')}' is not one of the nsd "
                                 "vnf-profiles")
        if item.get("vimAccountId"):
            store.get("vim_accounts", str(item["vimAccountId"]), f"{where}.vimAccountId")
        int_vls = {vl["id"] for vl in vnfd.get("int-virtual-link-desc", [])}
        cpds = {cp["id"]: cp.get("int-virtual-link-desc") for v in vnfd.get("vdu", [])
                for cp in v.get("int-cpd", [])}
        for j, vld in enumerate(item.get("internal-vld") or []):
            if vld.get("name") not in int_vls:
                raise _unprocessable(f"{where}.internal-vld[{j}].name",
                                     f"'{vld.get('name')}' is not an internal VL of {vnfd['id']}")
            for k, cp in enumerate(vld.get("internal-connection-point") or []):
                if cpds.get(cp.get("id-ref")) != vld["name"]:
                    raise _unprocessable(f"{where}.internal-vld[{j}].internal-connection-point"
                                         f"[{k}].id-ref", f"'{cp.get('id-ref')}' is not a "
                                         f"connection point on {vld['name']}")
    ns_vls = {vl["id"] for vl in nsd.get("virtual-link-desc", [])}
    for i, vld in enumerate(body.get("vld") or []):
        if vld.get("name") not in ns_vls:
            raise _unprocessable(f"vld[{i}].name", f"'{vld.get('name')}' is not a "
                                 f"virtual-link-desc of {nsd['id']}")
    return nsd, members


def member_params(body: dict[str, Any], member: str) -> dict[str, Any]:
    """The additionalParamsForVnf item of one member (empty when none)."""
    return next((item for item in body.get("additionalParamsForVnf") or []
                 if item.get("member-vnf-index") == member), {})


def member_item(body: dict[str, Any], key: str, member: str) -> dict[str, Any]:
    return next((item for item in body.get(key) or []
                 if item.get("member-vnf-index") == member), {})


def day1_missing(vnfd: dict[str, Any], params: dict[str, Any], vdu_ids: set[str] | None = None
                 ) -> tuple[str, str] | None:
    """(parameter, primitive) of the first `<param>` of a day-1 primitive with no value, as
    LCM finds it when it substitutes instantiation parameters (None when all resolve)."""
    vnf_level = dict(params.get("additionalParams") or {})
    by_vdu = {v.get("vdu_id"): dict(v.get("additionalParams") or {})
              for v in params.get("additionalParamsForVdu") or []}
    for df in vnfd.get("df", []):
        config = (df.get("lcm-operations-configuration") or {}).get("operate-vnf-op-config") or {}
        for day12 in config.get("day1-2", []):
            if vdu_ids is not None and day12.get("id") not in vdu_ids:
                continue
            known = {**vnf_level, **by_vdu.get(day12.get("id"), {})}
            for primitive in day12.get("initial-config-primitive", []):
                for parameter in primitive.get("parameter", []):
                    match = SUBSTITUTION.match(str(parameter.get("value", "")))
                    if match and match.group(1) not in BUILTIN_PARAMS \
                            and match.group(1) not in known:
                        return match.group(1), str(primitive.get("name"))
    return None


def new_records(nsd: dict[str, Any], members: dict[str, dict[str, Any]], body: dict[str, Any],
                now: float) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The nsr and vnfrs NBI writes at creation (not instantiated yet: no addresses)."""
    nsr_id = new_id()
    vnfrs = []
    for member, vnfd in members.items():
        vnf_item = member_item(body, "vnf", member)
        vnfr_id = new_id()
        vnfrs.append({
            "_id": vnfr_id, "id": vnfr_id, "nsr-id-ref": nsr_id, "member-vnf-index-ref": member,
            "vnfd-ref": vnfd["id"], "vnfd-id": vnfd["_id"], "created-time": now,
            "vim-account-id": vnf_item.get("vimAccountId") or body["vimAccountId"],
            "ip-address": None, "vdur": [], "kdur": [
                {"kdu-name": k["name"], "status": "", "k8s-cluster": {},
                 **({"helm-chart": k["helm-chart"]} if "helm-chart" in k else
                    {"juju-bundle": k.get("juju-bundle")}), "services": []}
                for k in vnfd.get("kdu", [])],
            "connection-point": [{"name": cp["id"], "id": cp["id"]}
                                 for cp in vnfd.get("ext-cpd", [])],
            "_admin": {"created": now, "modified": now, "nsState": "NOT_INSTANTIATED"}})
    nsr = {
        "_id": nsr_id, "id": nsr_id, "name": body["nsName"], "name-ref": body["nsName"],
        "short-name": body["nsName"], "description": body.get("nsDescription") or "",
        "nsd-id": nsd["_id"], "nsd-ref": nsd["id"], "datacenter": body["vimAccountId"],
        "nsState": "NOT_INSTANTIATED", "operational-status": "init", "config-status": "init",
        "detailed-status": "", "create-time": now,
        "constituent-vnfr-ref": [v["_id"] for v in vnfrs], "instantiate_params": body,
        "vld": [{"id": vl["id"], "name": vl["id"], "vim-network-name":
                 next((v.get("vim-network-name") for v in body.get("vld") or []
                       if v.get("name") == vl["id"]), vl.get("vim-network-name"))}
                for vl in nsd.get("virtual-link-desc", [])],
        "_admin": {"created": now, "modified": now, "nsState": "NOT_INSTANTIATED",
                   "deployed": {"K8s": [], "VCA": []}}}
    return nsr, vnfrs
