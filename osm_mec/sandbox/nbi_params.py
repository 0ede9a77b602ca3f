"""NBI's formatting of instantiation parameters (NsrTopic._format_additional_params in OSM):
per target (NS, VNF, VDU or KDU) the parameters it gets, a VDU's or KDU's own REPLACING the
VNF's, names checked, mapping values as ``!!yaml`` strings, a KDU's as one JSON string, and
every `<param>` of the target's day-1 primitives required; plus LCM's reading of them."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import yaml

from .store import InvalidRequest

PARAM_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
BUILTIN_VALUES = {"<rw_mgmt_ip>", "<VDU_SCALE_INFO>", "<ns_config_info>", "<OSM>"}
YAML_PREFIX = "!!yaml "


def iterable(value: Any) -> list[Any]:
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
            raise InvalidRequest(f"Invalid param name at {where}:{key}. Must contain only "
                                 "alphanumeric characters and underscores, and cannot start "
                                 "with a digit")
        if not isinstance(key, str):
            raise InvalidRequest(f"Invalid param at {where}:{key}. Only string keys are allowed")
        if "$" in key:
            raise InvalidRequest(f"Invalid param at {where}:{key}. Keys must not contain $ "
                                 "symbol")


def _initial_primitives(descriptor: dict[str, Any], member: str | None, selector: str
                        ) -> list[dict[str, Any]]:
    if not member:
        return iterable((descriptor.get("ns-configuration") or {}).get("initial-config-primitive"))
    return [p for config in day12_configs(descriptor) if config.get("id") == selector
            for p in iterable(config.get("initial-config-primitive"))]


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
        for parameter in iterable(primitive.get("parameter")):
            value = str(parameter.get("value", ""))
            if not (value.startswith("<") and value.endswith(">")) or value in BUILTIN_VALUES:
                continue
            if not params or value[1:-1] not in params:
                raise InvalidRequest(f"Parameter '{value}' needed for vnfd[id="
                                     f"{(descriptor or {}).get('id')}]:day1-2 configuration:"
                                     f"initial-config-primitive[name={primitive.get('name')}] "
                                     "not supplied")
    if kdu_name and params:
        params = json.dumps(params)
    return params or None, other or None
