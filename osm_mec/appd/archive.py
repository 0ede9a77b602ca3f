"""AppD packages (MEC 010-2 application package content): a ZIP (.zip, .csar) or a tar
(.tar.gz, .tgz, .tar) holding the AppD and the application's Helm chart.

The AppD is the file named by ``Entry-Definitions`` in ``TOSCA-Metadata/TOSCA.meta`` when
there is one, otherwise the only YAML/JSON file outside the chart that has an ``appDId``.
The chart is the one folder with a ``Chart.yaml``, or one packaged chart (``.tgz``, as
``helm package`` writes it). A single folder wrapping everything is looked through. Archives
are read within safe_archive's limits (members, uncompressed bytes), names that would
escape the folder and links are refused.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..core.errors import BadInputFile
from ..core.safe_archive import (
    DEFAULT_LIMITS,
    ArchiveError,
    ArchiveLimits,
    iter_members,
    unsafe_name,
)
from ..offer.validation.package import DESCRIPTOR_SUFFIXES, read_limited
from .chart import HelmChart, chart_from_files
from .model import AppD, appd_from_data, parse_appd

PACKAGE_SUFFIXES = (".zip", ".csar", ".tar.gz", ".tgz", ".tar")
TOSCA_META = "TOSCA-Metadata/TOSCA.meta"


@dataclass(frozen=True)
class AppdPackage:
    """A read AppD package: the AppD, its chart (None when the package has none) and the
    AppD's path inside the archive."""

    appd: AppD
    chart: HelmChart | None
    appd_file: str


def is_package_name(name: str) -> bool:
    """True for the file names of AppD packages (by suffix)."""
    return name.lower().endswith(PACKAGE_SUFFIXES)


def archive_files(data: bytes, label: str,
                  limits: ArchiveLimits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """The regular files of a ZIP or tar archive by path; ArchiveError naming label when it
    is corrupt, over a limit, or holds unsafe names or links."""
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        return _zip_files(data, label, limits)
    files: dict[str, bytes] = {}
    for member in iter_members(io.BytesIO(data), label, limits):
        if unsafe_name(member.name):
            raise ArchiveError(f"{label}: {member.name}: unsafe path (absolute or with '..')")
        if member.info.isfile():
            files[PurePosixPath(member.name).as_posix()] = member.read()
        elif not member.info.isdir():
            raise ArchiveError(f"{label}: {member.name}: not a regular file or folder (links "
                               "are not allowed)")
    return files


def _zip_files(data: bytes, label: str, limits: ArchiveLimits) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_members:
                raise ArchiveError(f"{label}: more than {limits.max_members} members; refused")
            files: dict[str, bytes] = {}
            total = 0
            for info in infos:
                if unsafe_name(info.filename):
                    raise ArchiveError(f"{label}: {info.filename}: unsafe path (absolute or "
                                       "with '..')")
                if (info.external_attr >> 16) & 0o170000 == 0o120000:
                    raise ArchiveError(f"{label}: {info.filename}: a symbolic link (links are "
                                       "not allowed)")
                if info.is_dir():
                    continue
                with archive.open(info) as stream:  # read at most what the limit leaves
                    content = stream.read(limits.max_total_bytes - total + 1)
                total += len(content)
                if total > limits.max_total_bytes:
                    raise ArchiveError(f"{label}: more than {limits.max_total_bytes} bytes "
                                       "once uncompressed; refused (a decompression bomb?)")
                files[info.filename] = content
            return files
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            NotImplementedError) as exc:
        raise ArchiveError(f"{label}: corrupt ZIP archive ({exc}); download or build it "
                           "again") from None


def _at(label: str, rel: str) -> str:
    """How messages name a file inside the archive: ``app.zip:Definitions/appd.yaml``."""
    return f"{label}{rel}" if label.endswith("/") else f"{label}:{rel}"


def _unwrap(files: dict[str, bytes]) -> tuple[dict[str, bytes], str]:
    """Look through one folder that wraps every file (not TOSCA-Metadata itself): the files
    inside it and the folder's prefix ('' when nothing wraps them)."""
    roots = {rel.split("/", 1)[0] for rel in files}
    if len(roots) == 1 and all("/" in rel for rel in files) and TOSCA_META not in files:
        root = roots.pop() + "/"
        return {rel[len(root):]: data for rel, data in files.items()}, root
    return files, ""


def _chart_folders(files: dict[str, bytes]) -> list[str]:
    """The outermost folders holding a Chart.yaml ('' for the top)."""
    folders = sorted(rel[: -len("Chart.yaml")].rstrip("/") for rel in files
                     if rel == "Chart.yaml" or rel.endswith("/Chart.yaml"))
    return [f for f in folders if not any(f.startswith(o + "/") for o in folders if o != f)]


def _packaged_charts(files: dict[str, bytes], folders: list[str],
                     label: str) -> dict[str, dict[str, bytes]]:
    """Charts packaged as .tgz (one folder each) outside the chart folders (a chart's own
    charts/ holds its packaged dependencies), by their path in the package."""
    charts = {}
    for rel, data in files.items():
        inside = any(rel.startswith(f"{folder}/") or not folder for folder in folders)
        if rel.endswith((".tgz", ".tar.gz")) and not inside:
            inner, _ = _unwrap(archive_files(data, _at(label, rel)))
            if "Chart.yaml" in inner:
                charts[rel] = inner
    return charts


def _find_chart(files: dict[str, bytes], label: str) -> tuple[HelmChart | None, set[str]]:
    """The package's one chart and the paths it occupies."""
    found: list[tuple[str, dict[str, bytes], set[str]]] = []
    folders = _chart_folders(files)
    for folder in folders:
        prefix = f"{folder}/" if folder else ""
        inner = {rel[len(prefix):]: d for rel, d in files.items() if rel.startswith(prefix)}
        found.append((folder or "(top)", inner, {prefix + rel for rel in inner}))
    for rel, inner in _packaged_charts(files, folders, label).items():
        found.append((rel, inner, {rel}))
    if len(found) > 1:
        raise BadInputFile(label, "more than one Helm chart ("
                           f"{', '.join(where for where, _, _ in found)}); an AppD package "
                           "holds the application's one chart")
    if not found:
        return None, set()
    where, inner, used = found[0]
    return chart_from_files(inner, _at(label, where)), used


def _entry_definitions(files: dict[str, bytes], label: str) -> str | None:
    raw = files.get(TOSCA_META)
    if raw is None:
        return None
    for line in raw.decode("utf-8", "replace").splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip() == "Entry-Definitions":
            entry = value.strip()
            if entry not in files:
                raise BadInputFile(_at(label, TOSCA_META), f"Entry-Definitions: {entry!r} is "
                                   "not in the package")
            return entry
    return None


def _find_appd(files: dict[str, bytes], used: set[str], label: str) -> str:
    entry = _entry_definitions(files, label)
    if entry is not None:
        return entry
    found = []
    for rel, raw in sorted(files.items()):
        if rel in used or not rel.endswith(DESCRIPTOR_SUFFIXES):
            continue
        data = parse_appd(raw, _at(label, rel))
        if isinstance(data, dict) and "appDId" in data:
            found.append(rel)
    if len(found) != 1:
        what = "no AppD file" if not found else \
            f"{len(found)} AppD files ({', '.join(found)})"
        raise BadInputFile(label, f"found {what} (YAML or JSON with an appDId); an AppD "
                           f"package holds one, or names it in {TOSCA_META} (Entry-Definitions)")
    return found[0]


def read_appd_package(archive: Path | str | bytes, label: str | None = None) -> AppdPackage:
    """Read an AppD package (a path or its bytes): the AppD (checked; AppdError listing its
    problems) and its chart. BadInputFile/ArchiveError (exit 2) name the archive."""
    if isinstance(archive, bytes):
        data, name = archive, label or "<appd package>"
    else:
        name = label or str(archive)
        data = read_limited(Path(archive), DEFAULT_LIMITS.max_total_bytes)
    files, prefix = _unwrap(archive_files(data, name))
    inside = f"{name}:{prefix}" if prefix else name
    chart, used = _find_chart(files, inside)
    rel = _find_appd(files, used, inside)
    source = _at(inside, rel)
    appd = appd_from_data(parse_appd(files[rel], source), source)
    return AppdPackage(appd=appd, chart=chart, appd_file=prefix + rel)
