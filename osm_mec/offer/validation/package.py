"""Reading OSM packages (folders or tar.gz) and the checks on their files: layout, charm
folders, cloud-init files, local Helm charts (linted with Helm's Go SDK), Juju bundles and
checksums."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import jinja2

from ...core.errors import BadInputFile
from ...core.safe_archive import DEFAULT_LIMITS as ARCHIVE_LIMITS
from ...core.safe_archive import (
    ArchiveError,
    ArchiveLimits,
    ArchiveMember,
    iter_members,
    unsafe_name,
)
from ...core.yamlio import DEFAULT_LIMITS, YamlInputError, decode_text, load_yaml
from ..charm_interface import CharmInterface, parse_charm_interface
from ..images import chart_values_problems
from .findings import LAYOUT, WARNING, Finding

DESCRIPTOR_SUFFIXES = (".yaml", ".yml", ".json")
CHARM_DIRS = ("charms", "Scripts/charms")
CLOUD_INIT_DIRS = ("cloud_init", "Scripts/cloud_init")
CHART_DIRS = {"v3": ("helm-chart-v3s",), "v2": ("helm-chart-v2s",)}


@dataclass
class PackageContent:
    """A package's files by path inside its top-level folder."""

    label: str          # how findings name the package (folder path, or archive:root)
    files: dict[str, bytes]
    disk_root: Path | None  # the folder on disk, when it is one

    def file_label(self, rel: str) -> str:
        return f"{self.label}/{rel}"

    def folders(self, prefix: str) -> set[str]:
        """Names of the direct sub-folders of prefix that hold at least one file."""
        start = prefix.rstrip("/") + "/"
        return {rel[len(start):].split("/", 1)[0] for rel in self.files
                if rel.startswith(start) and "/" in rel[len(start):]}


def load_folder(path: Path, limits: ArchiveLimits = ARCHIVE_LIMITS) -> PackageContent:
    """A package folder's files, within the limits an archive has; BadInputFile naming
    the file that cannot be read or that takes the folder over a limit."""
    files: dict[str, bytes] = {}
    total = 0
    for p in sorted(path.rglob("*")):
        if not p.is_file() or "__pycache__" in p.parts:
            continue
        if len(files) >= limits.max_members:
            raise BadInputFile(str(path), f"more than {limits.max_members} files; refused")
        data = read_limited(p, limits.max_total_bytes - total)
        total += len(data)
        files[p.relative_to(path).as_posix()] = data
    return PackageContent(str(path).rstrip("/"), files, path)


def read_limited(path: Path, limit: int = DEFAULT_LIMITS.max_bytes) -> bytes:
    """A file's bytes, at most limit of them (by default the size limit of a YAML
    document); BadInputFile naming it otherwise."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise BadInputFile(str(path), f"cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise BadInputFile(str(path), f"larger than {limit} bytes (what is left of the "
                           f"limits for a package or a descriptor); refused")
    return data


def load_archive(path: Path) -> tuple[PackageContent | None, list[Finding]]:
    """Read a tar.gz file the way NBI does (see read_archive), streaming it from disk."""
    try:
        with open(path, "rb") as stream:
            return read_archive(stream, str(path))
    except OSError as exc:
        return None, [Finding(str(path), "(archive)", f"cannot read: {exc.strerror}")]


def load_archive_bytes(data: bytes, label: str) -> tuple[PackageContent | None, list[Finding]]:
    """Read an uploaded tar.gz the way NBI does (see read_archive)."""
    return read_archive(io.BytesIO(data), label)


def read_archive(stream: BinaryIO, label: str) -> tuple[PackageContent | None, list[Finding]]:
    """Read a tar.gz the way NBI does: one top-level folder, regular files only. A corrupt,
    truncated or oversized archive (see safe_archive's limits) is one "(archive)" finding."""
    findings: list[Finding] = []
    files: dict[str, bytes] = {}
    roots: set[str] = set()
    try:
        for member in iter_members(stream, label):
            _take_member(member, label, files, roots, findings)
    except ArchiveError as exc:
        message = str(exc).removeprefix(f"{label}: ")
        return None, [Finding(label, "(archive)", message)]
    if len(roots) != 1:
        findings.append(Finding(label, "(archive)", f"needs exactly one top-level folder, found "
                                f"{len(roots)} ({', '.join(sorted(roots)) or 'none'}); NBI "
                                "answers 400"))
        return None, findings
    return PackageContent(f"{label}:{roots.pop()}", files, None), findings


def _take_member(member: ArchiveMember, label: str, files: dict[str, bytes], roots: set[str],
                 findings: list[Finding]) -> None:
    """Keep a regular file of the package's folder; a finding for anything else."""
    if unsafe_name(member.name):
        findings.append(Finding(label, member.name, "unsafe path in archive (absolute "
                                "or with '..'); NBI refuses the package", kind=LAYOUT))
        return
    parts = PurePosixPath(member.name).parts
    if not parts:
        return
    roots.add(parts[0])
    if member.info.isfile() and len(parts) > 1:
        files["/".join(parts[1:])] = member.read()
    elif member.info.isfile():
        findings.append(Finding(label, member.name, "file outside the package's "
                                "top-level folder; NBI answers 400", kind=LAYOUT))
    elif not member.info.isdir():
        findings.append(Finding(label, member.name, "not a regular file or folder "
                                "(links are not allowed in an OSM package)"))


def parse_descriptor_text(raw: bytes, file: str) -> Any:
    """A descriptor file's data (JSON for .json, YAML otherwise, both within the YAML
    limits); BadInputFile naming the file when it cannot be parsed."""
    if not file.endswith(".json"):
        return load_yaml(raw, file)
    text = decode_text(raw, file, "JSON")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BadInputFile(file, f"not valid JSON: {exc}") from None
    except RecursionError:
        data = None
    if data is None or nesting_depth(data) > DEFAULT_LIMITS.max_depth:
        raise BadInputFile(file, f"JSON nested more than {DEFAULT_LIMITS.max_depth} levels "
                           "deep")
    return data


def nesting_depth(data: Any) -> int:
    """How deeply lists and mappings nest in data (0 for a scalar), without recursion."""
    deepest, pending = 0, [(data, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item \
            if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in children)
    return deepest


def find_descriptor(pkg: PackageContent) -> tuple[str | None, list[Finding]]:
    """The only .yaml/.yml/.json at the top of the package folder."""
    candidates = sorted(rel for rel in pkg.files
                        if "/" not in rel and rel.endswith(DESCRIPTOR_SUFFIXES))
    if len(candidates) == 1:
        return candidates[0], []
    message = ("no descriptor (.yaml, .yml or .json) at the top of the package" if not candidates
               else f"more than one descriptor at the top of the package: {', '.join(candidates)}")
    return None, [Finding(pkg.label, "(package)", message + "; NBI answers 400")]


def _existing_folder(pkg: PackageContent, bases: tuple[str, ...], name: str) -> str | None:
    for base in bases:
        if name in pkg.folders(base):
            return f"{base}/{name}"
    return None


def _charm_interfaces(pkg: PackageContent, vnfd: dict[str, Any], file: str,
                      findings: list[Finding]) -> dict[str, CharmInterface | None]:
    charms: dict[str, CharmInterface | None] = {}
    for d, df in enumerate(vnfd.get("df") or []):
        ops = ((df or {}).get("lcm-operations-configuration") or {}).get("operate-vnf-op-config")
        for e, entry in enumerate((ops or {}).get("day1-2") or []):
            for x, env in enumerate((entry or {}).get("execution-environment-list") or []):
                charm = ((env or {}).get("juju") or {}).get("charm")
                if not isinstance(charm, str) or charm in charms:
                    continue
                folder = _existing_folder(pkg, CHARM_DIRS, charm)
                if folder is None:
                    findings.append(Finding(file, f"vnfd.df[{d}].lcm-operations-configuration."
                                            f"operate-vnf-op-config.day1-2[{e}].execution-"
                                            f"environment-list[{x}].juju.charm",
                                            f"charm {charm!r} is not a non-empty folder under "
                                            "charms/ in the package"))
                    charms[charm] = None
                    continue
                parsed = []
                for part in ("metadata.yaml", "config.yaml", "actions.yaml"):
                    raw = pkg.files.get(f"{folder}/{part}")
                    label = pkg.file_label(f"{folder}/{part}")
                    try:
                        parsed.append(load_yaml(raw, label) if raw else {})
                    except YamlInputError as exc:
                        findings.append(Finding(label, "(file)", exc.detail))
                        parsed.append({})
                charms[charm] = parse_charm_interface(charm, *parsed)
    return charms


def _check_cloud_init(pkg: PackageContent, vnfd: dict[str, Any], file: str,
                      findings: list[Finding]) -> None:
    for v, vdu in enumerate(vnfd.get("vdu") or []):
        name = (vdu or {}).get("cloud-init-file")
        if not isinstance(name, str):
            continue
        rel = next((f"{base}/{name}" for base in CLOUD_INIT_DIRS
                    if f"{base}/{name}" in pkg.files), None)
        if rel is None:
            findings.append(Finding(file, f"vnfd.vdu[{v}].cloud-init-file",
                                    f"{name!r} is not in the package's cloud_init/ folder"))
            continue
        try:
            jinja2.Environment().parse(pkg.files[rel].decode("utf-8"))
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError) as exc:
            findings.append(Finding(pkg.file_label(rel), "(template)", "LCM renders cloud-init "
                                    f"as a Jinja2 template and this one does not parse: {exc}"))


def _lint_chart(pkg: PackageContent, folder: str, findings: list[Finding],
                lint: Callable[[Path], dict[str, Any]]) -> None:
    if pkg.disk_root is not None:
        report = lint(pkg.disk_root / folder)
    else:
        with tempfile.TemporaryDirectory(prefix="osm-mec-chart-") as tmp:
            for rel, data in pkg.files.items():
                if rel.startswith(folder + "/"):
                    target = Path(tmp, rel)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
            report = lint(Path(tmp, folder))
    for message in report.get("messages") or []:
        severity = message.get("severity", 0)
        if severity >= 2:
            findings.append(Finding(pkg.file_label(f"{folder}/{message.get('path', '')}"),
                                    "helm lint", str(message.get("error")).replace("\n", " "),
                                    "error" if severity >= 3 else WARNING))


def _check_chart_images(pkg: PackageContent, folder: str, findings: list[Finding]) -> None:
    """Warn about chart images without a registry host (pulled from Docker Hub)."""
    rel = f"{folder}/values.yaml"
    try:
        values = load_yaml(pkg.files[rel], pkg.file_label(rel)) if rel in pkg.files else None
    except YamlInputError:
        return  # helm lint reports unparsable values
    for where, message in chart_values_problems(values):
        findings.append(Finding(pkg.file_label(rel), where, message, WARNING))


def helm_lint(path: Path) -> dict[str, Any]:
    """`helm lint --strict` through Helm's Go SDK (helm-python-sdk, no binary)."""
    import helm_python

    return helm_python.lint(str(path), strict=True)


def _check_kdus(pkg: PackageContent, vnfd: dict[str, Any], file: str,
                findings: list[Finding]) -> None:
    for k, kdu in enumerate(vnfd.get("kdu") or []):
        kdu = kdu or {}
        chart = kdu.get("helm-chart")
        if isinstance(chart, str) and "/" not in chart and "://" not in chart:
            bases = CHART_DIRS.get(str(kdu.get("helm-version", "v3")), CHART_DIRS["v3"])
            folder = _existing_folder(pkg, bases, chart)
            if folder is None:
                findings.append(Finding(file, f"vnfd.kdu[{k}].helm-chart", f"local chart "
                                        f"{chart!r} is not under {bases[0]}/ in the package"))
            else:
                _lint_chart(pkg, folder, findings, helm_lint)
                _check_chart_images(pkg, folder, findings)
        bundle = kdu.get("juju-bundle")
        if isinstance(bundle, str) and "/" not in bundle and "://" not in bundle:
            rel = next((r for r in (f"juju-bundles/{bundle}", f"juju-bundles/{bundle}.yaml")
                        if r in pkg.files), None)
            if rel is None:
                findings.append(Finding(file, f"vnfd.kdu[{k}].juju-bundle",
                                        f"bundle {bundle!r} is not under juju-bundles/"))
            else:
                findings.extend(check_bundle(pkg.files[rel], pkg.file_label(rel)))


def check_bundle(raw: bytes, label: str) -> list[Finding]:
    """A Juju bundle parses, has applications, and every relation names two of them."""
    try:
        bundle = load_yaml(raw, label)
    except YamlInputError as exc:
        return [Finding(label, "(file)", exc.detail)]
    apps = (bundle or {}).get("applications") if isinstance(bundle, dict) else None
    if not isinstance(apps, dict) or not apps:
        return [Finding(label, "applications", "a bundle needs a non-empty applications map")]
    findings = []
    for name, app in apps.items():
        if not isinstance(app, dict) or not app.get("charm"):
            findings.append(Finding(label, f"applications.{name}", "needs a charm"))
    for r, relation in enumerate(bundle.get("relations") or []):
        if not isinstance(relation, list) or len(relation) != 2:
            findings.append(Finding(label, f"relations[{r}]", "a relation names two endpoints"))
            continue
        for e, endpoint in enumerate(relation):
            app = str(endpoint).split(":", 1)[0]
            if app not in apps:
                findings.append(Finding(label, f"relations[{r}][{e}]", f"{endpoint!r} names "
                                        f"application {app!r}, which is not in the bundle"))
    return findings


def check_checksums(pkg: PackageContent) -> list[Finding]:
    """checksums.txt (md5sum -c format) lists every file with its current md5."""
    label = pkg.file_label("checksums.txt")
    raw = pkg.files.get("checksums.txt")
    if raw is None:
        return [Finding(pkg.label, "checksums.txt", "missing (OSM does not verify it, but "
                        "osm package-build writes it)", WARNING)]
    findings = []
    listed: dict[str, str] = {}
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), start=1):
        match = re.match(r"^([0-9a-f]{32}) [ *](.+)$", line.strip())
        if not match:
            findings.append(Finding(label, f"line {number}", "not '<md5>  <path>'"))
            continue
        listed[match.group(2)] = match.group(1)
    for rel, digest in listed.items():
        if rel not in pkg.files:
            findings.append(Finding(label, rel, "listed but not in the package"))
        elif hashlib.md5(pkg.files[rel]).hexdigest() != digest:
            findings.append(Finding(label, rel, "md5 does not match the file; rebuild the "
                                    "package"))
    for rel in sorted(set(pkg.files) - set(listed) - {"checksums.txt"}):
        findings.append(Finding(label, rel, "file not listed in checksums.txt"))
    return findings


def check_package_files(pkg: PackageContent, kind: str, data: Any, file: str
                        ) -> tuple[list[Finding], dict[str, CharmInterface | None]]:
    """Every file check of a package; also the charm interfaces its VNFD uses."""
    findings: list[Finding] = []
    charms: dict[str, CharmInterface | None] = {}
    vnfd = data.get("vnfd") if isinstance(data, dict) else None
    if kind == "vnfd" and isinstance(vnfd, dict):
        charms = _charm_interfaces(pkg, vnfd, file, findings)
        _check_cloud_init(pkg, vnfd, file, findings)
        _check_kdus(pkg, vnfd, file, findings)
    findings.extend(check_checksums(pkg))
    return findings, charms


__all__ = ["BadInputFile", "PackageContent", "parse_descriptor_text", "read_limited",
           "load_folder", "load_archive", "load_archive_bytes", "read_archive",
           "find_descriptor", "check_package_files", "check_bundle", "check_checksums"]
