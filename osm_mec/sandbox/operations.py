"""NBI's checks of an operation on an NS instance (NsLcmOpTopic), after its schema (422):
the NS's state (409), then per operation: an action's primitive at the level it
names (VNF, VDU or KDU) and its parameters, a scale's member and aspect (400)."""

from __future__ import annotations

from typing import Any

from .instances import day12_configs, vnfd_of_member
from .store import Problem, Store

KDU_BUILTIN_PRIMITIVES = ("upgrade", "rollback", "status", "inspect", "readme")


def check_state(nsr: dict[str, Any], operation: str, autoremove: bool = False) -> bool:
    """False when NBI accepts the request without recording an operation (a terminate with
    autoremove of an NS that was never instantiated); 409 for other operations then."""
    state = nsr["_admin"].get("nsState")
    if not state or state == "NOT_INSTANTIATED":
        if operation == "terminate" and autoremove:
            return False
        if operation != "instantiate":
            raise Problem(409, f"ns_instance '{nsr['_id']}' cannot be '{operation}' because "
                               "it is not instantiated")
    elif operation == "instantiate":
        raise Problem(409, f"ns_instance '{nsr['_id']}' cannot be '{operation}' because it is "
                           "already instantiated")
    return True


def _vnfrs(store: Store, nsr: dict[str, Any]) -> list[dict[str, Any]]:
    return [store.data["vnfrs"][v] for v in nsr["constituent-vnfr-ref"]
            if v in store.data["vnfrs"]]


def _named(items: list[dict[str, Any]], key: str, value: str, what: str, where: str
           ) -> dict[str, Any]:
    found = next((i for i in items if i.get(key) == value), None)
    if found is None:
        raise Problem(400, f"Invalid parameter {what}='{value}' not present at {where}")
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
            raise Problem(400, f"Missing action parameter 'member_vnf_index' for default KDU "
                               f"primitive '{name}'")
        return
    declared = next((p for p in primitives if p.get("name") == name), None)
    if declared is None:
        raise Problem(400, f"Invalid primitive '{name}' is not present at vnfd/nsd")
    left = dict(body.get("primitive_params") or {})
    for parameter in declared.get("parameter") or []:
        if parameter["name"] in left:
            del left[parameter["name"]]
        elif not parameter.get("default-value"):
            raise Problem(400, f"Needed parameter {parameter['name']} not provided for "
                               f"primitive '{name}'")
    if left:
        raise Problem(400, f"parameter/s '{list(left)}' not present at vnfd /nsd for "
                           f"primitive '{name}'")


def check_scale(store: Store, nsr: dict[str, Any], body: dict[str, Any]) -> None:
    step = body["scaleVnfData"]["scaleByStepData"]
    vnfd = vnfd_of_member(store, _vnfrs(store, nsr), step["member-vnf-index"])
    aspects = (vnfd.get("df") or [{}])[0].get("scaling-aspect") or []
    if not any(a.get("id") == step["scaling-group-descriptor"] for a in aspects):
        raise Problem(400, "Invalid scaleVnfData:scaleByStepData:scaling-group-descriptor "
                           f"'{step['scaling-group-descriptor']}' is not present at "
                           "vnfd:scaling-aspect")


def check_operation(store: Store, nsr: dict[str, Any], operation: str,
                    body: dict[str, Any]) -> None:
    """The operation's own checks (after the schema and the state)."""
    if operation == "action":
        check_action(store, nsr, body)
    elif operation == "scale":
        check_scale(store, nsr, body)
