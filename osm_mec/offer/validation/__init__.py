"""Validation of OSM packages and descriptors, as strict as OSM's onboarding and stricter:
the information model (``information_model``), NBI's cross-reference checks
(``references``), the package's files (``package``) and the charm contract
(``charm_contract``).

``validate_paths`` takes package folders, archives and single descriptor files;
``validate_package_bytes`` an uploaded archive (used by the sandbox NBI).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .charm_build_check import check_built_charms
from .charm_contract import check_charm_contract
from .findings import ERROR, WARNING, Finding, has_errors
from .information_model import check_information_model
from .package import (
    DESCRIPTOR_SUFFIXES,
    BadInputFile,
    PackageContent,
    check_package_files,
    find_descriptor,
    load_archive,
    load_archive_bytes,
    load_folder,
    parse_descriptor_text,
    read_limited,
)
from .references import check_nsd_references, check_vnfd_references

__all__ = ["Finding", "ERROR", "WARNING", "has_errors", "validate_paths",
           "validate_package_bytes", "Descriptor", "descriptor_kind"]


@dataclass
class Descriptor:
    """A parsed descriptor and where it came from."""

    file: str
    kind: str  # "vnfd" | "nsd" | "" when unknown
    data: Any
    findings: list[Finding] = field(default_factory=list)

    @property
    def descriptor_id(self) -> str | None:
        try:
            if self.kind == "vnfd":
                return str(self.data["vnfd"]["id"])
            return str(self.data["nsd"]["nsd"][0]["id"])
        except (KeyError, IndexError, TypeError):
            return None


def descriptor_kind(data: Any) -> str:
    """'vnfd' or 'nsd' from the top-level key; '' when neither."""
    if isinstance(data, dict):
        if "vnfd" in data or "etsi-nfv-vnfd:vnfd" in data:
            return "vnfd"
        if "nsd" in data or "etsi-nfv-nsd:nsd" in data:
            return "nsd"
    return ""


def _normalise(data: Any) -> Any:
    if isinstance(data, dict):
        for prefixed, plain in (("etsi-nfv-vnfd:vnfd", "vnfd"), ("etsi-nfv-nsd:nsd", "nsd")):
            if prefixed in data and plain not in data:
                data = {plain if k == prefixed else k: v for k, v in data.items()}
    return data


def _parse(raw: bytes, file: str) -> Descriptor:
    try:
        data = parse_descriptor_text(raw, file)
    except BadInputFile as exc:
        return Descriptor(file, "", None, [Finding(file, "(file)",
                                                   f"cannot parse: {exc.detail}")])
    data = _normalise(data)
    kind = descriptor_kind(data)
    if not kind:
        return Descriptor(file, "", data, [Finding(file, "(top level)", "neither a VNFD "
                                                   "(vnfd:) nor an NSD (nsd: {nsd: [...]})")])
    findings = check_information_model(data, kind, file)
    if kind == "vnfd":
        findings += check_vnfd_references(data, file)
    return Descriptor(file, kind, data, findings)


def _from_package(pkg: PackageContent, findings: list[Finding]) -> Descriptor | None:
    rel, problems = find_descriptor(pkg)
    findings.extend(problems)
    if rel is None:
        return None
    descriptor = _parse(pkg.files[rel], pkg.file_label(rel))
    if descriptor.kind:
        file_findings, charms = check_package_files(pkg, descriptor.kind, descriptor.data,
                                                    descriptor.file)
        descriptor.findings += file_findings
        if descriptor.kind == "vnfd":
            descriptor.findings += check_charm_contract(descriptor.data, descriptor.file, charms)
            descriptor.findings += check_built_charms(pkg, descriptor.file)
    return descriptor


def _load(path: Path, findings: list[Finding]) -> Descriptor | None:
    try:
        return _load_path(path, findings)
    except BadInputFile as exc:  # unreadable, or over the limits of safe_archive
        findings.append(Finding(exc.source, "(file)", exc.detail))
        return None


def _load_path(path: Path, findings: list[Finding]) -> Descriptor | None:
    name = path.name
    if path.is_dir():
        return _from_package(load_folder(path), findings)
    if not path.exists():
        findings.append(Finding(str(path), "(path)", "no such file or folder"))
        return None
    if name.endswith((".tar.gz", ".tgz")):
        pkg, problems = load_archive(path)
        findings.extend(problems)
        return _from_package(pkg, findings) if pkg is not None else None
    if name.endswith(DESCRIPTOR_SUFFIXES):
        return _parse(read_limited(path), str(path))
    findings.append(Finding(str(path), "(path)", "not a package folder, a .tar.gz/.tgz "
                            "package or a .yaml/.yml/.json descriptor"))
    return None


def _finish(descriptors: list[Descriptor], findings: list[Finding],
            onboarded: dict[str, dict[str, Any]] | None) -> list[Finding]:
    vnfds = dict(onboarded or {})
    for d in descriptors:
        if d.kind == "vnfd" and d.descriptor_id and isinstance(d.data.get("vnfd"), dict):
            vnfds[d.descriptor_id] = d.data["vnfd"]
    known = vnfds if (onboarded is not None or any(d.kind == "vnfd" for d in descriptors)) \
        else None
    for d in descriptors:
        findings.extend(d.findings)
        if d.kind == "nsd":
            findings.extend(check_nsd_references(d.data, d.file, known))
    return findings


def validate_paths(paths: Iterable[Path],
                   onboarded: dict[str, dict[str, Any]] | None = None) -> list[Finding]:
    """Validate package folders, archives and descriptor files together.

    NSDs are checked against the VNFDs among the inputs plus `onboarded` (id -> vnfd).
    """
    findings: list[Finding] = []
    descriptors = [d for d in (_load(Path(p), findings) for p in paths) if d is not None]
    return _finish(descriptors, findings, onboarded)


def validate_package_bytes(data: bytes, label: str,
                           onboarded: dict[str, dict[str, Any]] | None = None
                           ) -> tuple[Descriptor | None, list[Finding]]:
    """Validate an uploaded archive (checked as NBI would) against onboarded VNFDs."""
    findings: list[Finding] = []
    pkg, problems = load_archive_bytes(data, label)
    findings.extend(problems)
    descriptor = _from_package(pkg, findings) if pkg is not None else None
    return descriptor, _finish([descriptor] if descriptor else [], findings,
                               onboarded if onboarded is not None else {})
