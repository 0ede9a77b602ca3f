"""`osm-mec appd package`: the application's CNF (one Helm KDU) and NS packages pass our
validator (Helm lint of the chart included), are byte-identical for the same input, and
carry the AppD, the MEP registration body and the KDU values."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from osm_mec.appd import (
    app_packages,
    build_app_packages,
    kdu_values,
    load_appd,
    load_chart,
    mep_registration,
    ns_config,
    package_ids,
)
from osm_mec.appd.osm_packages import APPD_FILE, KDU_VALUES_FILE, MEP_REGISTRATION_FILE
from osm_mec.appd.values import image_values
from osm_mec.cli.commands import cli
from osm_mec.core.errors import UsageError
from osm_mec.offer.validation import has_errors, validate_paths

from .helpers import CHART_DIR, EXAMPLE, appd_bytes, example_data


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("appd-packages")
    return build_app_packages(load_appd(EXAMPLE), load_chart(CHART_DIR), out)


def test_both_packages_pass_our_validator(sample):
    assert not has_errors(sample.findings), [f.line() for f in sample.findings]
    # and again from the archives, as NBI receives them
    findings = validate_paths([sample.cnf.archive, sample.ns.archive])
    assert not has_errors(findings), [f.line() for f in findings]


def test_the_cnf_has_one_helm_kdu_from_the_bundled_chart(sample):
    vnfd = yaml.safe_load((sample.cnf.folder / f"{sample.ids.cnf}d.yaml").read_text())["vnfd"]
    assert vnfd["id"] == "osm-mec-sample-app-0.1.0_cnf"
    assert (vnfd["provider"], vnfd["version"], vnfd["software-version"]) == \
        ("osm-mec", "1.0", "0.1.0")
    assert [(k["name"], k["helm-chart"], k["helm-version"]) for k in vnfd["kdu"]] == \
        [("mec-sample", "mec-app", "v3")]
    assert (sample.cnf.folder / "helm-chart-v3s" / "mec-app" / "Chart.yaml").is_file()
    nsd = yaml.safe_load((sample.ns.folder / f"{sample.ids.ns}d.yaml").read_text())
    assert nsd["nsd"]["nsd"][0]["vnfd-id"] == [sample.ids.cnf]


def test_the_appd_and_what_instantiation_needs_travel_with_the_cnf(sample):
    appd = load_appd(EXAMPLE)
    folder = sample.cnf.folder
    assert yaml.safe_load((folder / APPD_FILE).read_text()) == appd.data
    assert yaml.safe_load((folder / MEP_REGISTRATION_FILE).read_text()) == \
        mep_registration(appd)
    values = yaml.safe_load((folder / KDU_VALUES_FILE).read_text())
    assert values == kdu_values(appd)
    assert values["resources"] == {"requests": {"cpu": "500m", "memory": "256Mi"},
                                   "limits": {"cpu": "500m", "memory": "256Mi"}}
    assert values["image"] == {"repository": "ghcr.io/osm-mec/osm-mec/mecapp", "tag": "0.1.0"}


def test_the_output_is_byte_identical_for_the_same_input(sample, tmp_path: Path):
    again = build_app_packages(load_appd(EXAMPLE), load_chart(CHART_DIR), tmp_path,
                               validate=False)
    for first, second in ((sample.cnf, again.cnf), (sample.ns, again.ns)):
        assert first.archive.read_bytes() == second.archive.read_bytes()
        assert first.md5 == second.md5
    cnf, ns = app_packages(load_appd(EXAMPLE), load_chart(CHART_DIR))
    assert cnf.archive() == sample.cnf.archive.read_bytes()
    assert ns.archive() == sample.ns.archive.read_bytes()


@pytest.mark.parametrize("reference,expected", [
    ("registry.local:5000/app", {"repository": "registry.local:5000/app", "tag": "latest"}),
    ("registry.local:5000/app:2", {"repository": "registry.local:5000/app", "tag": "2"}),
    ("ghcr.io/a/b@sha256:" + "0" * 64, {"repository": "ghcr.io/a/b@sha256:" + "0" * 64,
                                        "tag": ""}),
])
def test_image_references_become_repository_and_tag(reference, expected):
    assert image_values(reference) == expected


@pytest.mark.parametrize("cpus,memory,expected", [
    (2, 1024, {"cpu": "2", "memory": "1024Mi"}),
    (0.25, 0.5, {"cpu": "250m", "memory": "512Ki"}),
])
def test_compute_becomes_kubernetes_quantities(cpus, memory, expected):
    data = example_data()
    data["virtualComputeDescriptor"]["virtualCpu"]["numVirtualCpu"] = cpus
    data["virtualComputeDescriptor"]["virtualMemory"]["virtualMemSize"] = memory
    resources = kdu_values(load_appd(appd_bytes(data), "c.yaml"))["resources"]
    assert resources == {"requests": expected, "limits": expected}


def test_a_docker_hub_image_is_a_warning():
    data = example_data()
    data["swImageDescriptor"]["swImage"] = "nginx:1.25"
    warnings = load_appd(appd_bytes(data), "hub.yaml").warnings
    assert [(w.path, w.severity) for w in warnings] == [("swImageDescriptor.swImage", "warning")]
    assert "pulls it from Docker Hub (docker.io/nginx:1.25)" in warnings[0].message


def test_ns_config_puts_the_values_on_the_kdu():
    appd = load_appd(EXAMPLE)
    ids = package_ids(appd)
    config = ns_config(appd, ids, "acme-apps", "edge-net", {"replicas": 2})
    assert config["vld"] == [{"name": "mgmtnet", "vim-network-name": "edge-net"}]
    kdu = config["additionalParamsForVnf"][0]["additionalParamsForKdu"][0]
    assert config["additionalParamsForVnf"][0]["member-vnf-index"] == ids.member
    assert (kdu["kdu_name"], kdu["k8s-namespace"]) == (ids.kdu, "acme-apps")
    assert kdu["additionalParams"] == {**kdu_values(appd), "replicas": 2}


def test_a_repository_chart_is_referenced_not_bundled(tmp_path: Path):
    built = build_app_packages(load_appd(EXAMPLE), load_chart("stable/mec-sample"), tmp_path)
    assert not has_errors(built.findings), [f.line() for f in built.findings]
    vnfd = yaml.safe_load((built.cnf.folder / f"{built.ids.cnf}d.yaml").read_text())["vnfd"]
    assert vnfd["kdu"][0]["helm-chart"] == "stable/mec-sample"
    assert not (built.cnf.folder / "helm-chart-v3s").exists()


def test_an_appdid_osm_cannot_use_becomes_a_stable_digest():
    data = example_data()
    data["appDId"] = "urn:mec:app/with spaces"
    data["appName"] = "9 Lives App!"
    ids = package_ids(load_appd(appd_bytes(data), "odd.yaml"))
    assert ids.cnf.startswith("appd-") and ids.cnf.endswith("_cnf")
    assert ids.cnf[:-4] == ids.ns[:-3]
    assert ids.kdu == "app-9-lives-app"
    data["appDId"] = "urn:mec:app/with-spaces"
    assert package_ids(load_appd(appd_bytes(data), "odd.yaml")).cnf != ids.cnf


@pytest.mark.parametrize("ref,expected", [
    ("no/such/thing", "neither a chart folder"),
    ("UPPER/case", "neither a chart folder"),
])
def test_a_bad_chart_reference_is_a_usage_error(ref: str, expected: str):
    with pytest.raises(UsageError, match=expected):
        load_chart(ref)


def test_a_chart_folder_without_a_v2_chart_yaml_is_named(tmp_path: Path):
    with pytest.raises(UsageError, match=r"no Chart\.yaml"):
        load_chart(tmp_path)
    (tmp_path / "Chart.yaml").write_text("apiVersion: v1\nname: old\nversion: 1.0.0\n")
    with pytest.raises(UsageError, match=r"apiVersion: 'v1'; OSM deploys the KDU with Helm"):
        load_chart(tmp_path)


def test_cli_package_writes_both_archives(tmp_path: Path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["appd", "package", str(EXAMPLE), "--chart",
                                      str(CHART_DIR), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "osm-mec-sample-app-0.1.0_cnf.tar.gz").is_file()
    assert (out / "osm-mec-sample-app-0.1.0_ns.tar.gz").is_file()


def test_cli_package_without_a_chart_exits_2(tmp_path: Path):
    result = CliRunner().invoke(cli, ["appd", "package", str(EXAMPLE), "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "no Helm chart; give --chart DIR" in result.output


def test_cli_package_into_an_unwritable_place_exits_1_naming_it(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["appd", "package", str(EXAMPLE), "--chart",
                                      str(CHART_DIR), "--out", str(blocker / "out")])
    assert result.exit_code == 1, result.output
    assert f"{blocker / 'out'}: cannot write" in result.output


def test_cli_package_with_a_chart_failing_helm_lint_exits_1(tmp_path: Path):
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: broken\nversion: 0.1.0\n")
    (chart / "templates" / "bad.yaml").write_text("kind: {{ .Values.missing.key }\n")
    result = CliRunner().invoke(cli, ["appd", "package", str(EXAMPLE), "--chart", str(chart),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "helm lint" in result.output and "fail validation" in result.output
