"""From an uploaded AppD package archive to what the facade onboards, instantiates and
registers, with the AppD library (osm_mec.appd): the AppD, its CNF and NS packages as OSM
archives, the MEP registration body and the NS's instantiation parameters."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from ..appd import (
    AppD,
    app_packages,
    appd_from_data,
    mep_registration,
    ns_config,
    package_ids,
    read_appd_package,
)
from ..core.errors import BadInputFile


@dataclass(frozen=True)
class PackageArchive:
    """One OSM package archive built from the AppD."""

    data: bytes
    filename: str
    descriptor_id: str

    def as_upload(self) -> tuple[bytes, str, str]:
        return self.data, self.filename, self.descriptor_id


@dataclass(frozen=True)
class ConvertedAppd:
    appd: dict[str, Any]
    appd_text: str
    vnf: PackageArchive
    ns: PackageArchive
    registration: dict[str, Any]


def convert(content: bytes, label: str = "package_content") -> ConvertedAppd:
    """The AppD package archive's AppD and OSM packages; OsmMecError (an AppdError naming
    each bad field, or BadInputFile) when the archive or its AppD cannot be used."""
    package = read_appd_package(content, label)
    if package.chart is None:
        raise BadInputFile(label, "the AppD package holds no Helm chart: add the "
                                  "application's chart to the archive")
    cnf, ns = app_packages(package.appd, package.chart)
    appd_text = next((f.data for path, f in cnf.files.items() if path == "appd/appd.yaml"),
                     b"").decode("utf-8")
    return ConvertedAppd(
        dict(package.appd.data), appd_text,
        PackageArchive(cnf.archive(), f"{cnf.name}.tar.gz", cnf.name),
        PackageArchive(ns.archive(), f"{ns.name}.tar.gz", ns.name),
        mep_registration(package.appd))


def instantiation_config(appd: dict[str, Any], namespace: str,
                         values: dict[str, Any] | None = None) -> dict[str, Any]:
    """The NS's instantiation parameters: the KDU in `namespace` with the AppD's image and
    resources, plus `values` (top-level Helm values that win, e.g. ``mep``)."""
    checked = _checked(json.dumps(appd, sort_keys=True))
    return ns_config(checked, package_ids(checked), namespace, values=values)


@functools.lru_cache(maxsize=64)
def _checked(appd_json: str) -> AppD:
    """A stored AppD checked once per process (the check costs milliseconds)."""
    return appd_from_data(json.loads(appd_json), "stored AppD")
