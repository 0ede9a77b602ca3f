"""Charm contract: every primitive of a VNFD exists in the packaged charm, with its
required parameters and compatible types. OSM itself only finds these mid-deployment."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..charm_interface import CharmInterface
from .findings import WARNING, Finding
from .references import PRIMITIVE_LISTS, day12_entries

PLACEHOLDER = re.compile(r"^<[A-Za-z_][A-Za-z0-9_]*>$")
# OSM calls these itself on a proxy charm whose VDU asks for SSH access.
SSH_ACTIONS = ("generate-ssh-key", "get-ssh-public-key")


def _value_fits(value: Any, data_type: str) -> bool:
    if not isinstance(value, str) or PLACEHOLDER.match(value):
        return True
    if data_type == "INTEGER":
        return re.match(r"^-?\d+$", value) is not None
    if data_type == "BOOLEAN":
        return value.lower() in ("true", "false")
    return True


def _check_primitive(primitive: dict[str, Any], key: str, where: str, charm: CharmInterface,
                     report: Callable[[str, str, str], None]) -> None:
    name = primitive.get("name")
    spec = charm.primitive(str(name))
    if spec is None:
        report(f"{where}.name", f"primitive {name!r} is not an action of charm {charm.name!r} "
               f"(actions: {', '.join(sorted(charm.actions))}); OSM fails the operation with "
               "'not in available actions'", "error")
        return
    given = {}
    for q, param in enumerate(primitive.get("parameter") or []):
        if not isinstance(param, dict):
            continue
        pname = str(param.get("name"))
        given[pname] = param
        declared = spec.params.get(pname)
        what = "config option" if name == "config" else f"parameter of action {name!r}"
        if declared is None:
            if spec.closed:
                report(f"{where}.parameter[{q}].name", f"{pname!r} is not a {what} of charm "
                       f"{charm.name!r} (known: {', '.join(spec.params) or 'none'})", "error")
            continue
        data_type = param.get("data-type")
        if data_type is not None and data_type != declared.data_type:
            report(f"{where}.parameter[{q}].data-type", f"{data_type} does not match the charm's "
                   f"type of {what} {pname!r} ({declared.data_type})", "error")
        if "value" in param and not _value_fits(param["value"], declared.data_type):
            report(f"{where}.parameter[{q}].value", f"{param['value']!r} is not a valid "
                   f"{declared.data_type} for {what} {pname!r}", "error")
        if key == "config-primitive" and not declared.required \
                and not param.get("default-value"):
            report(f"{where}.parameter[{q}]", f"{pname!r} is optional for the charm, but OSM's "
                   "NBI refuses every action request without it, as it has no non-empty "
                   "default-value: give one or leave the parameter out", WARNING)
    for required in spec.required:
        if required not in given:
            verb = "declare" if key == "config-primitive" else "give"
            report(where, f"action {name!r} of charm {charm.name!r} requires parameter "
                   f"{required!r}: {verb} it here", "error")


def _ee_charms(vnfd: dict[str, Any], charms: dict[str, CharmInterface | None]
               ) -> dict[tuple[str, str], CharmInterface | None]:
    """(day1-2 entry id, EE id) -> the charm of that execution environment."""
    found: dict[tuple[str, str], CharmInterface | None] = {}
    for _, entry in day12_entries(vnfd):
        for env in entry.get("execution-environment-list") or []:
            juju = env.get("juju") if isinstance(env, dict) else None
            if isinstance(juju, dict) and "charm" in juju:
                found[(str(entry.get("id")), str(env.get("id")))] = charms.get(juju["charm"])
    return found


def _check_relations(vnfd: dict[str, Any], charms: dict[str, CharmInterface | None],
                     report: Callable[[str, str, str], None]) -> None:
    """Each provider/requirer end names an endpoint of its EE's charm with the right role,
    and both ends speak the same interface (Juju refuses the relation otherwise, and
    OSM's N2VC only logs a warning: the join data would never arrive)."""
    environments = _ee_charms(vnfd, charms)
    for where, entry in day12_entries(vnfd):
        for r, relation in enumerate(entry.get("relation") or []):
            if not isinstance(relation, dict):
                continue
            interfaces = []
            for side, role in (("provider", "provides"), ("requirer", "requires")):
                end = relation.get(side)
                if not isinstance(end, dict) or "vdu-profile-id" not in end:
                    continue
                key = (str(end["vdu-profile-id"]), str(end.get("execution-environment-ref")))
                charm = environments.get(key)
                if charm is None:
                    continue
                endpoint = charm.endpoints.get(str(end.get("endpoint")))
                if endpoint is None or endpoint.role != role:
                    report(f"{where}.relation[{r}].{side}.endpoint",
                           f"{end.get('endpoint')!r} is not an endpoint charm {charm.name!r} "
                           f"{role} (its {role}: "
                           f"{', '.join(e.name for e in charm.endpoints.values() if e.role == role) or 'none'})",
                           "error")
                    continue
                interfaces.append(endpoint.interface)
            if len(interfaces) == 2 and interfaces[0] != interfaces[1]:
                report(f"{where}.relation[{r}]", f"the provider speaks {interfaces[0]!r}, the "
                       f"requirer {interfaces[1]!r}: Juju relates only the same interface",
                       "error")


def check_charm_contract(data: dict[str, Any], file: str,
                         charms: dict[str, CharmInterface | None]) -> list[Finding]:
    """Findings for a VNFD against the charms of its package (None: charm folder missing)."""
    findings: list[Finding] = []

    def report(path: str, message: str, severity: str) -> None:
        findings.append(Finding(file, path, message, severity))

    vnfd = data.get("vnfd") if isinstance(data, dict) else None
    if not isinstance(vnfd, dict):
        return findings
    ee_charms = _ee_charms(vnfd, charms)
    for where, entry in day12_entries(vnfd):
        environments = {ee: charm for (entry_id, ee), charm in ee_charms.items()
                        if entry_id == str(entry.get("id"))}
        for key in PRIMITIVE_LISTS:
            for p, primitive in enumerate(entry.get(key) or []):
                if not isinstance(primitive, dict):
                    continue
                charm = environments.get(str(primitive.get("execution-environment-ref")))
                if charm is not None:
                    _check_primitive(primitive, key, f"{where}.{key}[{p}]", charm, report)
        access = (entry.get("config-access") or {}).get("ssh-access") or {}
        if access.get("required") is True:
            for charm in {c.name: c for c in environments.values() if c is not None}.values():
                missing = [a for a in SSH_ACTIONS if a not in charm.actions]
                if missing:
                    report(f"{where}.config-access.ssh-access", f"charm {charm.name!r} lacks "
                           f"{', '.join(missing)}, which OSM calls to inject its SSH key",
                           WARNING)
    _check_relations(vnfd, charms, report)
    return findings
