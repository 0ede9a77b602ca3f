"""The Helm chart of an application: a local chart folder (bundled into the CNF package) or
a reference ``repo/chart`` to a Helm repository registered in OSM (``osm repo-add``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..core.errors import BadInputFile, UsageError
from ..core.yamlio import YamlInputError, load_yaml
from ..offer.validation.package import load_folder

CHART_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$")
REPO_REFERENCE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9._]*[a-z0-9])?$")
_SKIPPED_PARTS = {"__pycache__", ".git"}


@dataclass(frozen=True)
class HelmChart:
    """A chart: its name and files (bundled), or a Helm repository reference (no files)."""

    name: str
    source: str
    files: dict[str, bytes] = field(default_factory=dict)
    reference: str | None = None

    @property
    def bundled(self) -> bool:
        return self.reference is None

    @property
    def kdu_chart(self) -> str:
        """What the KDU's ``helm-chart`` says: the local chart's name or the reference."""
        return self.name if self.reference is None else self.reference


def _kept(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return not any(p in _SKIPPED_PARTS or p.startswith(".") for p in parts) \
        and not rel.endswith(".pyc")


def chart_from_files(files: dict[str, bytes], source: str) -> HelmChart:
    """A chart from its files (paths relative to the chart folder, Chart.yaml at the top);
    BadInputFile naming source when Chart.yaml is missing or has no usable name."""
    raw = files.get("Chart.yaml")
    if raw is None:
        raise BadInputFile(source, "no Chart.yaml: not a Helm chart folder")
    label = f"{source}/Chart.yaml"
    try:
        meta = load_yaml(raw, label)
    except YamlInputError as exc:
        raise BadInputFile(label, exc.detail) from None
    name = meta.get("name") if isinstance(meta, dict) else None
    if not isinstance(name, str) or not CHART_NAME.match(name):
        raise BadInputFile(label, f"name: {name!r} is not a chart name (lower-case letters, "
                           "digits and '-', at most 53)")
    if meta.get("apiVersion") != "v2":
        raise BadInputFile(label, f"apiVersion: {meta.get('apiVersion')!r}; OSM deploys the "
                           "KDU with Helm v3, which needs a v2 chart (apiVersion: v2)")
    kept = {rel: data for rel, data in sorted(files.items()) if _kept(rel)}
    return HelmChart(name=name, source=source, files=kept)


def load_chart(ref: str | Path) -> HelmChart:
    """--chart DIR|REF: a chart folder, or a ``repo/chart`` reference; UsageError saying
    which forms are accepted otherwise."""
    path = Path(ref)
    if path.is_dir():
        return chart_from_files(load_folder(path).files, str(path))
    text = str(ref)
    if REPO_REFERENCE.match(text) and not path.exists():
        return HelmChart(name=text.split("/", 1)[1], source=text, reference=text)
    raise UsageError(f"--chart {text!r}: neither a chart folder (with Chart.yaml) nor a Helm "
                     "repository reference repo/chart (a repository added to OSM with "
                     "osm repo-add)")
