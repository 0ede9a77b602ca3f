"""The cross-reference checks OSM's NBI runs when a descriptor is onboarded.

Each check reads only lists it can index safely, so a descriptor that already failed the
information model still gets every reference finding that applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from .findings import CONTENT, MISSING_DEPENDENCY, WARNING, Finding

HELM_CHART_FORMS = (
    re.compile(r"^(https?|oci)://\S+$"),                      # a URL
    re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$"),  # repo/chart
    re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"),               # a chart in the package
)


def _items(container: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    value = container.get(key) if isinstance(container, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _ids(container: Any, key: str, field: str = "id") -> set[Any]:
    return {item.get(field) for _, item in _items(container, key)}


class _Report:
    def __init__(self, file: str) -> None:
        self.file = file
        self.findings: list[Finding] = []

    def __call__(self, path: str, message: str, severity: str = "error",
                 kind: str = CONTENT) -> None:
        self.findings.append(Finding(self.file, path, message, severity, kind))


def day12_entries(vnfd: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """(json path, entry) of every df[].lcm-operations-configuration...day1-2[] entry."""
    for d, df in _items(vnfd, "df"):
        ops = (df.get("lcm-operations-configuration") or {})
        ops = ops.get("operate-vnf-op-config") if isinstance(ops, dict) else None
        for e, entry in _items(ops or {}, "day1-2"):
            yield (f"vnfd.df[{d}].lcm-operations-configuration.operate-vnf-op-config"
                   f".day1-2[{e}]"), entry


PRIMITIVE_LISTS = ("initial-config-primitive", "config-primitive", "terminate-config-primitive")


def _check_vdus(vnfd: dict[str, Any], report: _Report) -> None:
    vls = _ids(vnfd, "int-virtual-link-desc")
    computes = _ids(vnfd, "virtual-compute-desc")
    storages = _ids(vnfd, "virtual-storage-desc")
    images = _ids(vnfd, "sw-image-desc")
    for v, vdu in _items(vnfd, "vdu"):
        where = f"vnfd.vdu[{v}]"
        for c, cpd in _items(vdu, "int-cpd"):
            link = cpd.get("int-virtual-link-desc")
            if link is not None and link not in vls:
                report(f"{where}.int-cpd[{c}].int-virtual-link-desc",
                       f"names {link!r}, which is not an int-virtual-link-desc id "
                       f"(known: {', '.join(sorted(map(str, vls))) or 'none'})")
        compute = vdu.get("virtual-compute-desc")
        if compute is not None and compute not in computes:
            report(f"{where}.virtual-compute-desc", f"{compute!r} is not a virtual-compute-desc id")
        for s, storage in enumerate(vdu.get("virtual-storage-desc") or []):
            if storage not in storages:
                report(f"{where}.virtual-storage-desc[{s}]",
                       f"{storage!r} is not a virtual-storage-desc id")
        image = vdu.get("sw-image-desc")
        if image is not None and image not in images:
            report(f"{where}.sw-image-desc", f"{image!r} is not a sw-image-desc id")


def _check_ext_cpds(vnfd: dict[str, Any], report: _Report) -> None:
    vdus = {vdu.get("id"): vdu for _, vdu in _items(vnfd, "vdu")}
    nets = _ids(vnfd.get("k8s-cluster") or {}, "nets")
    vls = _ids(vnfd, "int-virtual-link-desc")
    for c, cpd in _items(vnfd, "ext-cpd"):
        where = f"vnfd.ext-cpd[{c}]"
        choices = [k for k in ("int-cpd", "k8s-cluster-net", "int-virtual-link-desc") if k in cpd]
        if len(choices) > 1:
            report(where, f"gives {' and '.join(choices)}; an ext-cpd takes exactly one of them")
        ref = cpd.get("int-cpd")
        if isinstance(ref, dict):
            vdu = vdus.get(ref.get("vdu-id"))
            if vdu is None:
                report(f"{where}.int-cpd.vdu-id", f"{ref.get('vdu-id')!r} is not a vdu id")
            elif ref.get("cpd") not in _ids(vdu, "int-cpd"):
                report(f"{where}.int-cpd.cpd",
                       f"{ref.get('cpd')!r} is not an int-cpd of vdu {ref.get('vdu-id')!r}")
        net = cpd.get("k8s-cluster-net")
        if net is not None and net not in nets:
            report(f"{where}.k8s-cluster-net", f"{net!r} is not a k8s-cluster.nets id")
        link = cpd.get("int-virtual-link-desc")
        if link is not None and link not in vls:
            report(f"{where}.int-virtual-link-desc",
                   f"{link!r} is not an int-virtual-link-desc id")
    mgmt = vnfd.get("mgmt-cp")
    ext_ids = _ids(vnfd, "ext-cpd")
    if mgmt is None and vdus:
        report("vnfd.mgmt-cp", "missing; a VNFD with VDUs needs mgmt-cp naming an ext-cpd")
    elif mgmt is not None and mgmt not in ext_ids:
        report("vnfd.mgmt-cp", f"{mgmt!r} is not an ext-cpd id")


def _check_dfs(vnfd: dict[str, Any], report: _Report) -> None:
    vdu_ids = _ids(vnfd, "vdu")
    vls = _ids(vnfd, "int-virtual-link-desc")
    monitoring = {m.get("id") for _, vdu in _items(vnfd, "vdu")
                  for _, m in _items(vdu, "monitoring-parameter")}
    for d, df in _items(vnfd, "df"):
        where = f"vnfd.df[{d}]"
        for p, prof in _items(df, "vdu-profile"):
            if prof.get("id") not in vdu_ids:
                report(f"{where}.vdu-profile[{p}].id", f"{prof.get('id')!r} is not a vdu id")
            low, high = prof.get("min-number-of-instances"), prof.get("max-number-of-instances")
            if isinstance(low, int) and isinstance(high, int) and low > high:
                report(f"{where}.vdu-profile[{p}]",
                       f"min-number-of-instances {low} exceeds max-number-of-instances {high}")
        levels = {}
        for i, level in _items(df, "instantiation-level"):
            for v, vl in _items(level, "vdu-level"):
                levels[vl.get("vdu-id")] = vl
                if vl.get("vdu-id") not in vdu_ids:
                    report(f"{where}.instantiation-level[{i}].vdu-level[{v}].vdu-id",
                           f"{vl.get('vdu-id')!r} is not a vdu id")
        for p, prof in _items(df, "virtual-link-profile"):
            if prof.get("id") not in vls:
                report(f"{where}.virtual-link-profile[{p}].id",
                       f"{prof.get('id')!r} is not an int-virtual-link-desc id")
        for a, aspect in _items(df, "scaling-aspect"):
            base = f"{where}.scaling-aspect[{a}]"
            details = aspect.get("aspect-delta-details") or {}
            for x, delta in _items(details, "deltas"):
                for y, vdu_delta in _items(delta, "vdu-delta"):
                    if vdu_delta.get("id") not in levels:
                        report(f"{base}.aspect-delta-details.deltas[{x}].vdu-delta[{y}].id",
                               f"{vdu_delta.get('id')!r} does not appear in an "
                               "instantiation-level vdu-level; OSM cannot scale it")
            for s, policy in _items(aspect, "scaling-policy"):
                for c, criteria in _items(policy, "scaling-criteria"):
                    ref = criteria.get("vnf-monitoring-param-ref")
                    if ref is not None and ref not in monitoring:
                        report(f"{base}.scaling-policy[{s}].scaling-criteria[{c}]"
                               ".vnf-monitoring-param-ref",
                               f"{ref!r} is not a monitoring-parameter id of any vdu")


def _check_day12(vnfd: dict[str, Any], report: _Report) -> None:
    targets = _ids(vnfd, "vdu") | _ids(vnfd, "kdu", "name") | {vnfd.get("id")}
    for where, entry in day12_entries(vnfd):
        if entry.get("id") not in targets:
            report(f"{where}.id", f"{entry.get('id')!r} is neither the vnfd id, a vdu id nor "
                   "a kdu name")
        environments = _ids(entry, "execution-environment-list")
        for key in PRIMITIVE_LISTS:
            for p, primitive in _items(entry, key):
                ref = primitive.get("execution-environment-ref")
                if ref is not None and ref not in environments:
                    report(f"{where}.{key}[{p}].execution-environment-ref",
                           f"{ref!r} is not an execution-environment-list id")
                for q, param in _items(primitive, "parameter"):
                    name = param.get("name")
                    if isinstance(name, str) and not re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", name):
                        report(f"{where}.{key}[{p}].parameter[{q}].name",
                               f"{name!r} is not a valid parameter name")


def _check_kdus(vnfd: dict[str, Any], report: _Report) -> None:
    for k, kdu in _items(vnfd, "kdu"):
        chart = kdu.get("helm-chart")
        if isinstance(chart, str) and not any(form.match(chart) for form in HELM_CHART_FORMS):
            report(f"vnfd.kdu[{k}].helm-chart",
                   f"{chart!r} is neither <repo>/<chart>, a chart in the package nor a URL")
    if _items(vnfd, "kdu") and not _items(vnfd.get("k8s-cluster") or {}, "nets"):
        report("vnfd.k8s-cluster.nets", "a VNFD with KDUs needs k8s-cluster nets to attach "
               "its ext-cpds", WARNING)


VNFD_CHECKS: tuple[Callable[[dict[str, Any], _Report], None], ...] = (
    _check_vdus, _check_ext_cpds, _check_dfs, _check_day12, _check_kdus)


def check_vnfd_references(data: dict[str, Any], file: str) -> list[Finding]:
    """Every NBI onboarding cross-reference check of a VNFD file's content."""
    vnfd = data.get("vnfd") if isinstance(data, dict) else None
    if not isinstance(vnfd, dict):
        return []
    report = _Report(file)
    for check in VNFD_CHECKS:
        check(vnfd, report)
    return report.findings


def check_nsd_references(data: dict[str, Any], file: str,
                         vnfds: dict[str, dict[str, Any]] | None) -> list[Finding]:
    """NBI's NSD checks; vnfds maps onboarded (or co-validated) VNFD ids to their vnfd.

    With vnfds=None, which VNFDs exist is unknown: missing ones are only warned about.
    """
    report = _Report(file)
    nsds = ((data or {}).get("nsd") or {}).get("nsd") if isinstance(data, dict) else None
    if not isinstance(nsds, list) or len(nsds) != 1 or not isinstance(nsds[0], dict):
        report("nsd.nsd", "an NSD file must hold exactly one nsd")
        return report.findings
    nsd = nsds[0]
    declared = [v for v in nsd.get("vnfd-id") or [] if isinstance(v, str)]
    known = vnfds or {}
    for v, vnfd_id in enumerate(declared):
        if vnfd_id not in known:
            report(f"nsd.nsd[0].vnfd-id[{v}]",
                   f"VNFD {vnfd_id!r} is not onboarded (or not among the validated packages); "
                   "OSM refuses this NSD until it is", "error" if vnfds is not None else WARNING,
                   MISSING_DEPENDENCY)
    vl_ids = _ids(nsd, "virtual-link-desc")
    mgmt_vls = {vl.get("id") for _, vl in _items(nsd, "virtual-link-desc")
                if vl.get("mgmt-network") is True}
    for d, df in _items(nsd, "df"):
        profile_ids = _ids(df, "vnf-profile")
        for p, prof in _items(df, "vnf-profile"):
            where = f"nsd.nsd[0].df[{d}].vnf-profile[{p}]"
            profile_vnfd = prof.get("vnfd-id")
            if profile_vnfd not in declared:
                report(f"{where}.vnfd-id", f"{profile_vnfd!r} is not in the NSD's vnfd-id list")
            vnfd = known.get(profile_vnfd) if isinstance(profile_vnfd, str) else None
            ext_cpds = _ids(vnfd, "ext-cpd") if vnfd is not None else None
            for c, conn in _items(prof, "virtual-link-connectivity"):
                vl = conn.get("virtual-link-profile-id")
                if vl not in vl_ids:
                    report(f"{where}.virtual-link-connectivity[{c}].virtual-link-profile-id",
                           f"{vl!r} is not a virtual-link-desc id")
                for x, cpd in _items(conn, "constituent-cpd-id"):
                    base = f"{where}.virtual-link-connectivity[{c}].constituent-cpd-id[{x}]"
                    element = cpd.get("constituent-base-element-id")
                    if element not in profile_ids:
                        report(f"{base}.constituent-base-element-id",
                               f"{element!r} is not a vnf-profile id")
                    cpd_id = cpd.get("constituent-cpd-id")
                    if ext_cpds is not None and cpd_id not in ext_cpds:
                        report(f"{base}.constituent-cpd-id",
                               f"{cpd_id!r} is not an ext-cpd of VNFD {profile_vnfd!r}")
        for p, prof in _items(df, "virtual-link-profile"):
            if prof.get("virtual-link-desc-id") in mgmt_vls and "virtual-link-protocol-data" in prof:
                report(f"nsd.nsd[0].df[{d}].virtual-link-profile[{p}].virtual-link-protocol-data",
                       "a mgmt-network VL cannot have virtual-link-protocol-data")
    return report.findings
