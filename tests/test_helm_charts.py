"""The Helm charts: lint-clean with Helm's Go SDK, and every rendered manifest valid
against the Kubernetes schema of the profile's version (kubernetes-validate, strict)."""

from __future__ import annotations

import pytest
import yaml

import helm_python
import kubernetes_validate

from osm_mec.params import instantiation_params

from .conftest import REPO

CHARTS = ["mep", "mec-app", "baseline-alpine"]


def _manifests(chart: str, values: dict | None = None) -> list[dict]:
    rendered = helm_python.Chart.load(str(REPO / "helm" / chart)).render(
        values, name="release", namespace="mecaas-acme")
    docs = []
    for text in rendered.values():
        docs += [d for d in yaml.safe_load_all(text) if d]
    return docs


@pytest.mark.parametrize("chart", CHARTS)
def test_lint_clean(chart):
    report = helm_python.lint(str(REPO / "helm" / chart), strict=True)
    assert report["errors"] == [] and report["messages"] == []


def test_lint_reports_a_broken_chart(tmp_path):
    (tmp_path / "Chart.yaml").write_text("apiVersion: v2\nname: Bad Name\nversion: x\n")
    report = helm_python.lint(str(tmp_path), strict=True)
    assert report["errors"]


@pytest.mark.parametrize("chart", CHARTS)
def test_rendered_manifests_are_valid_kubernetes(chart, profile):
    docs = _manifests(chart)
    assert {d["kind"] for d in docs} >= {"Deployment", "Service"}
    version = profile["cluster"]["kubernetes_version"]
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


def test_kubernetes_validate_rejects_a_bad_manifest(profile):
    doc = _manifests("mep")[0]
    doc["spec"]["replicas"] = "one"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, profile["cluster"]["kubernetes_version"], strict=True)


def _kdu_values(config: dict, member: str) -> dict:
    for item in config["additionalParamsForVnf"]:
        if item["member-vnf-index"] == member:
            return item["additionalParamsForKdu"][0].get("additionalParams", {})
    raise KeyError(member)


def test_mep_with_profile_values(profile):
    values = _kdu_values(instantiation_params(profile, "mec_env_ns", "acme"), "mep")
    docs = _manifests("mep", values)
    service = next(d for d in docs if d["kind"] == "Service")
    assert service["spec"]["type"] == "NodePort"
    assert service["spec"]["ports"][0]["nodePort"] == 30380
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "osm-mec/mep:0.1.0"
    for doc in docs:
        kubernetes_validate.validate(doc, "1.30", strict=True)


def test_mep_cluster_ip_has_no_node_port():
    docs = _manifests("mep", {"service": {"type": "ClusterIP"}})
    service = next(d for d in docs if d["kind"] == "Service")
    assert "nodePort" not in service["spec"]["ports"][0]


def test_mec_app_with_profile_values(profile):
    values = _kdu_values(instantiation_params(profile, "mec_app_ns", "acme"), "mec-app")
    docs = _manifests("mec-app", values)
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    env = {e["name"]: e["value"] for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["SERVICE_NAME"] == "mec-sample"
    for doc in docs:
        kubernetes_validate.validate(doc, "1.30", strict=True)
