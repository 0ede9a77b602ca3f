"""MEC applications described the ETSI MEC 010-2 way (v2.1.1), turned into OSM packages.

The public API (used by ``osm-mec appd`` and by the Mm1 facade in ``osm_mec.meo``):

- ``load_appd(path_or_bytes) -> AppD``: read and check an AppD (YAML or JSON); AppdError
  (a UsageError, exit 2) listing every problem as ``FILE: field.path: what to do``.
- ``check_appd(path_or_bytes) -> list[Finding]``: every error and warning, never raising for
  a bad AppD (an unreadable file is one finding). Accepts AppD packages too.
- ``read_appd_package(archive) -> AppdPackage``: an AppD package (.zip/.csar/.tar.gz: the
  AppD plus its Helm chart) -> ``.appd``, ``.chart`` (HelmChart or None), ``.appd_file``.
- ``load_chart(DIR | "repo/chart") -> HelmChart``.
- ``package_ids(appd) -> AppPackageIds``: the OSM ids (``cnf`` VNFD, ``ns`` NSD, ``kdu``,
  ``member``) the AppD's packages get.
- ``app_packages(appd, chart) -> (cnf, ns)``: both packages in memory
  (``AppPackage.archive()`` gives the bytes to upload to OSM), onboarding order.
- ``build_app_packages(appd, chart, out_dir) -> BuiltPackages``: both packages written as
  folders and reproducible .tar.gz, with our validator's findings.
- ``mep_registration(appd, app_instance_id=None) -> dict``: the body of the MEP's
  ``POST /mec_platform_mgmt/v1/app_instances`` for an instance of the app.
- ``sample_appd()``, ``sample_chart()``, ``sample_appd_package() -> bytes``: the sample MEC
  application's AppD (examples/mecapp-appd.yaml), chart and AppD package (ZIP).
- ``appd_package_bytes(appd_text, appd_name, chart) -> bytes``: write an AppD package.
- ``kdu_values(appd) -> dict`` and ``ns_config(appd, ids, namespace, vim_network) -> dict``:
  the KDU's Helm values (image, resources) and the NS's instantiation parameters.
"""

from __future__ import annotations

from pathlib import Path

from ..core.errors import UsageError
from ..offer.validation.findings import Finding
from .archive import AppdPackage, is_package_name, read_appd_package
from .chart import HelmChart, load_chart
from .ids import AppPackageIds, package_ids
from .mep import graceful_termination, mep_registration
from .model import (
    AppD,
    AppdError,
    appd_from_data,
    check_appd_data,
    load_appd,
    parse_appd,
    read_appd_source,
)
from .osm_packages import AppPackage, BuiltPackages, app_packages, build_app_packages
from .samples import sample_appd, sample_appd_package, sample_chart
from .values import DEFAULT_VIM_NETWORK, kdu_values, ns_config
from .writer import appd_package_bytes

__all__ = [
    "DEFAULT_VIM_NETWORK",
    "AppD",
    "AppPackage",
    "AppPackageIds",
    "AppdError",
    "AppdPackage",
    "BuiltPackages",
    "Finding",
    "HelmChart",
    "app_packages",
    "appd_from_data",
    "build_app_packages",
    "check_appd",
    "graceful_termination",
    "is_package_name",
    "kdu_values",
    "load_appd",
    "load_chart",
    "mep_registration",
    "ns_config",
    "package_ids",
    "read_appd_package",
    "appd_package_bytes",
    "sample_appd",
    "sample_appd_package",
    "sample_chart",
]


def check_appd(source: str | Path | bytes, label: str | None = None) -> list[Finding]:
    """Every finding (errors and warnings) of an AppD file or AppD package; a file that
    cannot be read or parsed is one finding."""
    name = label or (str(source) if not isinstance(source, bytes) else "<appd>")
    try:
        if not isinstance(source, bytes) and is_package_name(str(source)):
            return list(read_appd_package(source, label).appd.warnings)
        raw, name = read_appd_source(source, label)
        return check_appd_data(parse_appd(raw, name), name)
    except AppdError as exc:
        return list(exc.findings)
    except UsageError as exc:
        where = getattr(exc, "source", name)
        detail = getattr(exc, "detail", str(exc).removeprefix(f"{where}: "))
        return [Finding(where, "(file)", detail)]
