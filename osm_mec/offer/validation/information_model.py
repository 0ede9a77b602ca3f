"""Information-model check of a descriptor: the JSON schema (every node of it is in OSM's
IM) plus the pitfalls OSM accepts silently (quoted numbers, vnfd_id, helm-chart together
with juju-bundle, duplicate composite list keys, null values)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
from jsonschema import validators

from .findings import Finding, json_path
from .im_schema import NSD_FILE_SCHEMA, VNFD_FILE_SCHEMA


def _list_key(validator: Any, keys: list[str], instance: Any, schema: Any) -> Iterator[Any]:
    if not isinstance(instance, list):
        return
    seen: dict[tuple[Any, ...], int] = {}
    for index, item in enumerate(instance):
        if not isinstance(item, dict) or not all(k in item for k in keys):
            continue
        key = tuple(repr(item[k]) for k in keys)
        if key in seen:
            shown = ", ".join(f"{k}={item[k]!r}" for k in keys)
            yield jsonschema.ValidationError(
                f"duplicate list key {shown} (also at index {seen[key]}); OSM refuses it "
                "or silently merges the two entries: make the key unique", path=[index])
        else:
            seen[key] = index


_Validator = validators.extend(jsonschema.Draft202012Validator, {"listKey": _list_key})
_VNFD_VALIDATOR = _Validator(VNFD_FILE_SCHEMA)
_NSD_VALIDATOR = _Validator(NSD_FILE_SCHEMA)


def _message(error: jsonschema.ValidationError) -> str:
    instance, kind = error.instance, error.validator
    if instance is None and kind in ("type", "enum"):
        return "null value; OSM's model drops null values silently: give a value or remove the key"
    if kind == "type" and error.validator_value in ("integer", "number") and isinstance(instance, str):
        try:
            float(instance)
        except ValueError:
            return (f"{instance!r} is not a number; OSM's model refuses it for some "
                    "fields and silently stores 0 for others: give a number")
        return f"{instance!r} is a quoted number: write it without quotes"
    if kind == "additionalProperties":
        extra = sorted(set(instance) - set(error.schema.get("properties", {})))
        if "vnfd_id" in extra:
            return ("unknown key 'vnfd_id': OSM's model treats it as an alias that overwrites "
                    "vnfd-id; use vnfd-id only")
        if "mgmt-service" in extra:
            return ("unknown key 'mgmt-service': OSM's information model dropped it in OSM 11 "
                    "and NBI refuses the VNFD (422); list the service by name only")
        allowed = ", ".join(error.schema.get("properties", {}))
        return f"unknown key(s) {', '.join(map(repr, extra))}; allowed here: {allowed}"
    if kind == "not" and error.validator_value == {"required": ["helm-chart", "juju-bundle"]}:
        return ("both helm-chart and juju-bundle are given; OSM's model keeps only one of "
                "them: give exactly one")
    if kind == "anyOf" and "kdu" in error.absolute_path:
        return "a KDU needs helm-chart or juju-bundle"
    if kind == "enum":
        return f"{instance!r} is not allowed; use one of {', '.join(map(str, error.validator_value))}"
    if kind == "maxItems" and "nsd" in error.absolute_path:
        return "an NSD file must hold exactly one nsd"
    return error.message


def _nulls(data: Any, path: list[Any]) -> Iterator[list[Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _nulls(value, path + [key]) if value is not None else iter([path + [key]])
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _nulls(value, path + [index]) if value is not None else iter([path + [index]])


def check_information_model(data: Any, kind: str, file: str) -> list[Finding]:
    """Schema findings for a parsed descriptor of kind 'vnfd' or 'nsd'."""
    validator = _VNFD_VALIDATOR if kind == "vnfd" else _NSD_VALIDATOR
    findings: dict[str, Finding] = {}
    for where in _nulls(data, []):
        path = json_path(where)
        findings[path] = Finding(file, path, "null value; OSM's model drops null values "
                                 "silently: give a value or remove the key")
    for error in validator.iter_errors(data):
        path = json_path(error.absolute_path)
        if path in findings and error.instance is None:
            continue
        finding = Finding(file, path, _message(error))
        findings.setdefault(f"{path}\0{finding.message}", finding)
    return sorted(findings.values(), key=lambda f: (f.path, f.message))
