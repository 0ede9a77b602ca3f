"""AppD packages (MEC 010-2 package content) as input: ZIP or tar, with TOSCA-Metadata or a
top-level AppD, a chart folder or a packaged chart; unsafe or oversized archives refused
naming the archive (exit 2)."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from osm_mec.appd import (
    AppdError,
    app_packages,
    check_appd,
    load_appd,
    load_chart,
    read_appd_package,
)
from osm_mec.appd.archive import archive_files
from osm_mec.appd.writer import appd_package_bytes
from osm_mec.cli.commands import cli
from osm_mec.core.errors import UsageError
from osm_mec.core.safe_archive import ArchiveError, ArchiveLimits

from ..archives import tar_gz
from .helpers import CHART_DIR, EXAMPLE, appd_bytes, example_data


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _tar(entries: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    """tests.archives.tar_gz, plus symbolic links to /etc/passwd."""
    if not links:
        return tar_gz(entries)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name in links:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            archive.addfile(info)
    return out.getvalue()


def _chart_entries(prefix: str) -> dict[str, bytes]:
    return {f"{prefix}{rel}": data for rel, data in load_chart(CHART_DIR).files.items()}


def test_the_zip_written_by_appd_archive_reads_back():
    chart = load_chart(CHART_DIR)
    data = appd_package_bytes(EXAMPLE.read_bytes(), EXAMPLE.name, chart)
    package = read_appd_package(data, "app.zip")
    assert package.appd_file == "Definitions/mecapp-appd.yaml"
    assert package.appd.data == load_appd(EXAMPLE).data
    assert package.chart is not None and package.chart.files == chart.files
    assert appd_package_bytes(EXAMPLE.read_bytes(), EXAMPLE.name, chart) == data
    # the OSM packages are those of the AppD file and the chart folder, byte for byte
    from_archive = [p.archive() for p in app_packages(package.appd, package.chart)]
    assert from_archive == [p.archive() for p in app_packages(load_appd(EXAMPLE), chart)]


def test_a_wrapped_tar_with_a_json_appd_and_a_chart_folder():
    import json

    entries = {"app-1.0/appd.json": json.dumps(example_data()).encode(),
               "app-1.0/README.md": b"docs\n", **_chart_entries("app-1.0/chart/")}
    package = read_appd_package(_tar(entries), "app.tar.gz")
    assert package.appd_file == "app-1.0/appd.json"
    assert package.chart is not None and package.chart.name == "mec-app"


@pytest.mark.parametrize("where", ["Artifacts/mec-app-0.1.0.tgz",
                                   "Artifacts/charts/mec-app-0.1.0.tgz"])
def test_a_packaged_chart_inside_the_zip(where: str):
    chart_tgz = _tar(_chart_entries("mec-app/"))
    data = _zip({"MainServiceTemplate.yaml": EXAMPLE.read_bytes(), where: chart_tgz})
    package = read_appd_package(data, "app.csar")
    assert package.chart is not None and package.chart.files == load_chart(CHART_DIR).files


def test_a_chart_folder_keeps_its_packaged_dependencies():
    entries = {"appd.yaml": EXAMPLE.read_bytes(), **_chart_entries("chart/"),
               "chart/charts/redis-1.0.0.tgz": _tar({"redis/Chart.yaml": b"name: redis\n"})}
    package = read_appd_package(_zip(entries), "deps.zip")
    assert package.chart is not None and package.chart.name == "mec-app"
    assert "charts/redis-1.0.0.tgz" in package.chart.files


@pytest.mark.parametrize("entries,expected", [
    ({"README.md": b"x"}, "found no AppD file"),
    ({"a.yaml": appd_bytes(example_data()), "b.yaml": appd_bytes(example_data())},
     "2 AppD files (a.yaml, b.yaml)"),
    ({"TOSCA-Metadata/TOSCA.meta": b"Entry-Definitions: Definitions/missing.yaml\n"},
     "Entry-Definitions: 'Definitions/missing.yaml' is not in the package"),
    ({"appd.yaml": appd_bytes(example_data()), **_chart_entries("one/"),
      **_chart_entries("two/")}, "more than one Helm chart (one, two)"),
    ({"../evil.yaml": b"x"}, "unsafe path"),
], ids=["no-appd", "two-appds", "bad-entry", "two-charts", "traversal"])
def test_a_bad_package_is_refused_naming_it(entries, expected):
    with pytest.raises(UsageError) as caught:
        read_appd_package(_zip(entries), "bad.zip")
    assert "bad.zip" in str(caught.value) and expected in str(caught.value)


def test_an_invalid_appd_inside_a_package_names_its_path():
    data = example_data()
    data["appTrafficRule"][0]["priority"] = 999
    with pytest.raises(AppdError) as caught:
        read_appd_package(_zip({"Definitions/appd.yaml": appd_bytes(data)}), "p.zip")
    assert "p.zip:Definitions/appd.yaml: appTrafficRule[0].priority:" in str(caught.value)


def test_links_corrupt_and_oversized_archives_are_refused():
    with pytest.raises(ArchiveError, match="not a regular file or folder"):
        archive_files(_tar({}, links=("link",)), "l.tar.gz")
    with pytest.raises(ArchiveError, match="corrupt ZIP archive"):
        archive_files(_zip({"a": b"x" * 100})[:60], "c.zip")
    big = _zip({"big.bin": b"\0" * 100_000})
    with pytest.raises(ArchiveError, match="more than 1000 bytes once uncompressed"):
        archive_files(big, "b.zip", ArchiveLimits(max_total_bytes=1000))
    with pytest.raises(ArchiveError, match="more than 2 members"):
        archive_files(_zip({"a": b"", "b": b"", "c": b""}), "m.zip", ArchiveLimits(max_members=2))


def test_cli_check_and_package_take_an_appd_package(tmp_path: Path):
    runner = CliRunner()
    archive = tmp_path / "app.zip"
    result = runner.invoke(cli, ["appd", "archive", str(EXAMPLE), "--chart", str(CHART_DIR),
                                 "--out", str(archive)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["appd", "check", str(archive)])
    assert result.exit_code == 0 and "chart mec-app" in result.output, result.output
    result = runner.invoke(cli, ["appd", "package", str(archive), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert check_appd(archive) == []
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    result = runner.invoke(cli, ["appd", "check", str(broken)])
    assert result.exit_code == 2 and "broken.zip: corrupt ZIP archive" in result.output
    assert [f.path for f in check_appd(broken)] == ["(file)"]
