"""`osm-mec appd`: MEC applications described by an ETSI MEC 010-2 AppD. Thin: parse, call
osm_mec.appd, render."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..core.errors import UsageError
from .files import on_files

if TYPE_CHECKING:  # osm_mec.appd is imported by the commands only: `osm-mec --help` stays fast
    from ..appd import AppD, HelmChart


def _load(file: Path) -> tuple[AppD, HelmChart | None]:
    """The AppD of an AppD file or package, and the package's chart (None for a file)."""
    from ..appd import is_package_name, load_appd, read_appd_package

    if is_package_name(file.name):
        package = read_appd_package(file)
        return package.appd, package.chart
    return load_appd(file), None


def _echo_warnings(appd: AppD) -> None:
    for warning in appd.warnings:
        click.echo(warning.line(), err=True)


@click.group("appd")
def appd_group() -> None:
    """MEC applications described by an ETSI MEC 010-2 application descriptor (AppD)."""


@appd_group.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def check(file: Path, fmt: str) -> None:
    """Check an AppD (YAML or JSON) or an AppD package (.zip, .csar, .tar.gz); exit 2
    naming every bad field. Warnings name the fields osm-mec keeps but cannot act on."""
    if fmt == "json":
        _check_json(file)
        return
    appd, chart = _load(file)
    _echo_warnings(appd)
    extra = f", chart {chart.name}" if chart is not None else ""
    click.echo(f"{file}: valid AppD {appd.appd_id!r} ({appd.name} {appd.soft_version}"
               f"{extra}; {len(appd.warnings)} warning(s))")


def _check_json(file: Path) -> None:
    """{"file", "valid", "appDId" (null when invalid), "findings"}; exit 2 when invalid."""
    from ..appd import check_appd

    findings = check_appd(file)
    valid = not any(f.severity == "error" for f in findings)
    appd_id = _load(file)[0].appd_id if valid else None
    click.echo(json.dumps({"file": str(file), "valid": valid, "appDId": appd_id,
                           "findings": [f.as_dict() for f in findings]}, indent=2))
    if not valid:
        sys.exit(2)


def _chart(given: str | None, packaged: HelmChart | None, file: Path) -> HelmChart:
    from ..appd import load_chart

    if given is not None:
        chart: HelmChart = load_chart(given)
        return chart
    if packaged is None:
        raise UsageError(f"{file}: no Helm chart; give --chart DIR (a chart folder) or --chart "
                         "repo/chart (a Helm repository added to OSM), or an AppD package "
                         "holding the chart")
    return packaged


@appd_group.command("package")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--chart", "chart_ref", metavar="DIR|REF",
              help="The application's Helm chart: a chart folder (bundled into the CNF "
                   "package) or repo/chart in a Helm repository added to OSM. Default: the "
                   "chart in the AppD package.")
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for the packages.")
@click.option("--vim-network", default="edge-mgmt", show_default=True,
              help="VIM network of the NS's management VL (the edge cluster's network).")
def package(file: Path, chart_ref: str | None, out_dir: Path, vim_network: str) -> None:
    """Turn an AppD (or AppD package) into the application's OSM packages: a CNF with one
    Helm KDU and its NS, each as a folder and a reproducible .tar.gz, checked by our
    validator (exit 1 when they fail it)."""
    from ..appd import build_app_packages

    if not vim_network.strip():
        raise click.UsageError("--vim-network: give the name of the edge cluster's network")
    appd, packaged = _load(file)
    chart = _chart(chart_ref, packaged, file)
    _echo_warnings(appd)
    built = on_files(out_dir, lambda: build_app_packages(appd, chart, out_dir, vim_network))
    for finding in built.findings:
        click.echo(finding.line(), err=True)
    for item in (built.cnf, built.ns):
        click.echo(f"{item.archive}  md5 {item.md5}")
    if any(f.severity == "error" for f in built.findings):
        click.echo(f"osm-mec: the packages of {file} fail validation (see above)", err=True)
        sys.exit(1)
    click.echo(f"CNF {built.ids.cnf} (KDU {built.ids.kdu}), NS {built.ids.ns}", err=True)


@appd_group.command("archive")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--chart", "chart_dir", required=True,
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="The application's Helm chart folder.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The AppD package to write (.zip).")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
def archive(file: Path, chart_dir: Path, out: Path, force: bool) -> None:
    """Write an AppD package (MEC 010-2 package content, a ZIP with TOSCA-Metadata): the
    AppD, checked, and the chart, ready to upload to a MEC orchestrator."""
    from ..appd import load_appd, load_chart
    from ..appd.writer import appd_package_bytes

    appd = load_appd(file)
    chart = load_chart(chart_dir)
    if out.exists() and not force:
        raise click.UsageError(f"{out}: exists; use --force to replace it")
    data = appd_package_bytes(file.read_bytes(), file.name, chart)
    on_files(out, lambda: out.write_bytes(data))
    click.echo(f"{out}: AppD package of {appd.appd_id!r} with chart {chart.name}")
