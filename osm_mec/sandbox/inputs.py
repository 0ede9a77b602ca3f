"""The request bodies OSM's NBI accepts, as JSON schemas (draft 4, as NBI validates them), and
NBI's 422 answer when a body does not fit: ``Format error at '<path>' '<message>' ``.

Only the keys osm-mec, osmclient and the sandbox's tests use are described in detail; the
shapes (required keys, no unknown keys, types, name and id patterns) are NBI's."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match

from .store import FormatError

NAME = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[^,;()'\"]+$"}
TEXT = {"type": "string", "minLength": 1, "maxLength": 255}
DESCRIPTION = {"type": ["string", "null"], "maxLength": 255, "pattern": "^[^'\"]+$"}
UUID = {"type": "string", "pattern": "^[a-fA-F0-9]{8}(-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}$"}
MAPPING = {"type": "object"}
POSITIVE = {"type": "integer", "minimum": 1}
FLAG = {"type": "boolean"}


def _closed(properties: dict[str, Any], required: tuple[str, ...] = (), **extra: Any
            ) -> dict[str, Any]:
    """An object with exactly these keys (NBI refuses unknown keys)."""
    schema = {"type": "object", "properties": properties, "additionalProperties": False,
              **extra}
    if required:
        schema["required"] = list(required)
    return schema


def _items(schema: dict[str, Any], min_items: int = 0) -> dict[str, Any]:
    return {"type": "array", "items": schema, **({"minItems": min_items} if min_items else {})}


_PER_VDU = _closed({"vdu_id": NAME, "additionalParams": MAPPING, "config-units": POSITIVE},
                   ("vdu_id",), minProperties=2)
_PER_KDU = _closed({"kdu_name": NAME, "additionalParams": MAPPING, "kdu_model": NAME,
                    "k8s-namespace": NAME, "config-units": POSITIVE,
                    "kdu-deployment-name": NAME}, ("kdu_name",), minProperties=2)
_PER_VNF = _closed({"member-vnf-index": NAME, "additionalParams": MAPPING,
                    "k8s-namespace": NAME, "config-units": POSITIVE,
                    "additionalParamsForVdu": _items(_PER_VDU),
                    "additionalParamsForKdu": _items(_PER_KDU),
                    "affinity-or-anti-affinity-group": _items(MAPPING)},
                   ("member-vnf-index",), minProperties=2)
_IP_PROFILE = {"type": "object", "additionalProperties": True}
_INTERNAL_CP = _closed({"id-ref": NAME, "ip-address": {"type": "string"}}, ("id-ref",),
                       minProperties=2)
_INTERNAL_VLD = _closed({"name": NAME, "vim-network-name": NAME, "vim-network-id": NAME,
                         "ip-profile": _IP_PROFILE, "provider-network": MAPPING,
                         "internal-connection-point": _items(_INTERNAL_CP, 1)},
                        ("name",), minProperties=2)
_VNF = _closed({"member-vnf-index": NAME, "vimAccountId": UUID,
                "vdu": _items(MAPPING, 1), "internal-vld": _items(_INTERNAL_VLD, 1)},
               ("member-vnf-index",), minProperties=2)
_VLD = _closed({"name": TEXT, "vim-network-name": {"oneOf": [TEXT, MAPPING]},
                "vim-network-id": {"oneOf": [TEXT, MAPPING]}, "ns-net": MAPPING,
                "wimAccountId": {"oneOf": [UUID, FLAG, {"type": "null"}]},
                "ip-profile": _IP_PROFILE, "provider-network": MAPPING,
                "vnfd-connection-point-ref": _items(MAPPING, 1)}, ("name",))

INSTANTIATE = _closed({
    "lcmOperationType": TEXT, "nsInstanceId": UUID, "netsliceInstanceId": UUID,
    "nsName": NAME, "nsDescription": {"oneOf": [DESCRIPTION, {"type": "null"}]},
    "nsdId": UUID, "vimAccountId": UUID, "nsConfigTemplateId": UUID,
    "wimAccountId": {"oneOf": [UUID, FLAG, {"type": "null"}]}, "placement-engine": TEXT,
    "placement-constraints": MAPPING, "additionalParamsForNs": MAPPING,
    "additionalParamsForVnf": _items(_PER_VNF), "config-units": POSITIVE,
    "k8s-namespace": NAME, "ssh_keys": _items({"type": "string"}),
    "timeout_ns_deploy": POSITIVE, "nsr_id": UUID, "vduImage": NAME,
    "vnf": _items(_VNF, 1), "vld": _items(_VLD, 1)}, ("nsName", "nsdId", "vimAccountId"))
ACTION = _closed({"lcmOperationType": TEXT, "nsInstanceId": UUID, "member_vnf_index": NAME,
                  "vnf_member_index": NAME, "vdu_id": NAME,
                  "vdu_count_index": {"type": "integer", "minimum": 0}, "kdu_name": NAME,
                  "primitive": NAME, "timeout_ns_action": POSITIVE,
                  "primitive_params": MAPPING}, ("primitive", "primitive_params"))
SCALE = _closed({
    "lcmOperationType": TEXT, "nsInstanceId": UUID, "scaleType": {"enum": ["SCALE_VNF"]},
    "timeout_ns_scale": POSITIVE, "scaleTime": {"type": "string"},
    "scaleVnfData": _closed({
        "vnfInstanceId": NAME, "scaleVnfType": {"enum": ["SCALE_OUT", "SCALE_IN"]},
        "scaleByStepData": _closed({"scaling-group-descriptor": NAME,
                                    "member-vnf-index": NAME, "scaling-policy": NAME},
                                   ("scaling-group-descriptor", "member-vnf-index"))},
        ("scaleVnfType", "scaleByStepData"))}, ("scaleType", "scaleVnfData"))
TERMINATE = _closed({"lcmOperationType": TEXT, "nsInstanceId": UUID, "autoremove": FLAG,
                     "timeout_ns_terminate": POSITIVE, "skip_terminate_primitives": FLAG,
                     "netsliceInstanceId": UUID})
OPERATIONS = {"instantiate": INSTANTIATE, "action": ACTION, "scale": SCALE,
              "terminate": TERMINATE}

_VIM_FIELDS = {"name": NAME, "description": DESCRIPTION, "vim": NAME, "datacenter": NAME,
               "vim_type": {"type": "string", "minLength": 1, "maxLength": 60},
               "vim_url": DESCRIPTION, "vim_tenant_name": NAME, "vim_user": TEXT,
               "vim_password": {"type": "string", "minLength": 1, "maxLength": 60},
               "vca": UUID, "config": MAPPING, "prometheus-config": MAPPING}
VIM_NEW = _closed({**_VIM_FIELDS, "schema_version": {"type": "string", "enum": ["1.0"]},
                   "schema_type": {"type": "string"}},
                  ("name", "vim_url", "vim_type", "vim_user", "vim_password", "vim_tenant_name"))
VIM_EDIT = _closed(_VIM_FIELDS)
_K8S_FIELDS = {"name": NAME, "description": DESCRIPTION, "credentials": MAPPING,
               "vim_account": UUID, "vca_id": UUID, "k8s_version": TEXT,
               "nets": {"type": "object", "minProperties": 1, "additionalProperties": False,
                        "patternProperties": {".": {"oneOf": [NAME, {"type": "null"}]}}},
               "namespace": NAME, "cni": _items({"type": "string"})}
DEPLOYMENT_METHODS = _closed({"juju-bundle": FLAG, "helm-chart-v3": FLAG}, minProperties=2)
K8S_NEW = _closed({**_K8S_FIELDS, "deployment_methods": DEPLOYMENT_METHODS,
                   "schema_version": {"type": "string", "enum": ["1.0"]},
                   "schema_type": {"type": "string"}},
                  ("name", "credentials", "vim_account", "k8s_version", "nets"))
K8S_EDIT = _closed(_K8S_FIELDS)
ADMIN_SCHEMAS = {("vim", "new"): VIM_NEW, ("vim", "edit"): VIM_EDIT,
                 ("k8scluster", "new"): K8S_NEW, ("k8scluster", "edit"): K8S_EDIT}


def check(body: Any, schema: dict[str, Any]) -> None:
    """FormatError worded as NBI words it when `body` does not fit `schema`."""
    error = best_match(Draft4Validator(schema).iter_errors(body))
    if error is None:
        return
    where = f"at '{':'.join(map(str, error.path))}'" if error.path else ""
    raise FormatError(f"Format error {where} '{error.message}' ")
