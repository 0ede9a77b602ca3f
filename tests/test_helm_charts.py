"""The Helm charts: lint-clean with Helm's Go SDK, and every rendered manifest valid
against the Kubernetes schema of the profile's version (kubernetes-validate, strict)."""

from __future__ import annotations

import helm_python
import kubernetes_validate
import pytest
import yaml

from osm_mec.offer.params import instantiation_params

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
    docs = _manifests(chart) + (_manifests(chart, {"autoscaling": {"enabled": True}})
                                if chart == "mec-app" else [])
    assert {d["kind"] for d in docs} >= {"Deployment", "Service"}
    version = profile["cluster"]["kubernetes_version"]
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


def test_kubernetes_validate_rejects_a_bad_manifest(profile):
    doc = next(d for d in _manifests("mep") if d["kind"] == "Deployment")
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
    service = next(d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "mep")
    assert service["spec"]["type"] == "NodePort"
    # no fixed NodePort (issue 12 item 9): Kubernetes allocates one, so CSPs whose MEPs share
    # the NSP cluster never collide; OSM records it and the chain reads it there
    assert "nodePort" not in service["spec"]["ports"][0]
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == \
        "ghcr.io/osm-mec/osm-mec/mep:0.1.0"
    for doc in docs:
        kubernetes_validate.validate(doc, "1.30", strict=True)


def test_mep_node_port_only_when_given():
    docs = _manifests("mep", {"service": {"type": "NodePort", "nodePort": 30500}})
    service = next(d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "mep")
    assert service["spec"]["ports"][0]["nodePort"] == 30500


def test_mep_cluster_ip_has_no_node_port():
    docs = _manifests("mep", {"service": {"type": "ClusterIP"}})
    service = next(d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "mep")
    assert "nodePort" not in service["spec"]["ports"][0]


def test_mec_app_with_profile_values(profile):
    values = _kdu_values(instantiation_params(profile, "mec_app_ns", "acme"), "mec-app")
    docs = _manifests("mec-app", values)
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    env = {e["name"]: e.get("value") for e in
           deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["SERVICE_NAME"] == "mec-sample"
    for doc in docs:
        kubernetes_validate.validate(doc, "1.30", strict=True)


def test_mep_chart_is_complete():
    docs = _manifests("mep")
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == ["ConfigMap", "Deployment", "Secret", "Service", "Service", "StatefulSet"]
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["resources"]["limits"]["memory"] == "512Mi"
    env = {e["name"]: e for e in container["env"]}
    assert env["MEP_REDIS_URL"]["valueFrom"]["secretKeyRef"]["key"] == "redis-url"
    assert env["MEP_ADMIN_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "admin-token"
    redis = next(d for d in docs if d["kind"] == "StatefulSet")
    args = " ".join(redis["spec"]["template"]["spec"]["containers"][0]["args"])
    assert "--appendonly yes" in args and "--requirepass" in args
    claim = redis["spec"]["volumeClaimTemplates"][0]
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
    secret = next(d for d in docs if d["kind"] == "Secret")
    assert set(secret["stringData"]) == {"admin-token", "redis-password", "redis-url"}
    assert len(secret["stringData"]["admin-token"]) == 40


def test_mep_chart_existing_secret_and_storage_class():
    docs = _manifests("mep", {"existingSecret": "ops-secret",
                              "redis": {"persistence": {"size": "5Gi", "storageClass": "fast"}}})
    assert not [d for d in docs if d["kind"] == "Secret"]
    redis = next(d for d in docs if d["kind"] == "StatefulSet")
    assert redis["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "fast"


@pytest.mark.parametrize("chart, values, message", [
    ("mep", {"replicas": 0}, "replicas"),
    ("mep", {"service": {"type": "LoadBalancer"}}, "type"),
    ("mep", {"service": {"nodePort": 80}}, "nodePort"),
    ("mep", {"colour": "red"}, "colour"),
    ("mep", {"redis": {"persistence": {"size": "lots"}}}, "size"),
    ("mec-app", {"mep": {"url": "mep:8080"}}, "url"),
    ("mec-app", {"mep": {"appInstanceId": "bad id"}}, "appInstanceId"),
    ("mec-app", {"autoscaling": {"targetCPUUtilizationPercentage": 150}}, "targetCPU"),
    ("mep", {"imagePullSecrets": "registry-secret"}, "imagePullSecrets"),
    ("mec-app", {"imagePullSecrets": [{"name": "Bad_Name"}]}, "imagePullSecrets"),
    ("mep", {"redis": {"persistence": {"enabled": "no"}}}, "enabled"),
])
def test_values_schema_rejects_bad_values(chart, values, message):
    loaded = helm_python.Chart.load(str(REPO / "helm" / chart))
    with pytest.raises(helm_python.HelmError) as failure:
        loaded.render(values, name="release", namespace="mecaas-acme")
    assert message in str(failure.value)


def test_mec_app_chart_values_and_hpa():
    docs = _manifests("mec-app", {"mep": {"url": "http://10.0.0.5:30380",
                                          "appInstanceId": "app-7", "token": "t0k"},
                                  "autoscaling": {"enabled": True, "maxReplicas": 4}})
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == ["Deployment", "HorizontalPodAutoscaler", "Secret", "Service"]
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    assert "replicas" not in deployment["spec"]  # the HPA owns it
    env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["MEP_URL"]["value"] == "http://10.0.0.5:30380"
    assert env["APP_INSTANCE_ID"]["value"] == "app-7"
    assert env["MEC_APP_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "token"
    assert env["PUBLIC_URL"]["value"] == "http://mec-app.mecaas-acme.svc:8080"
    hpa = next(d for d in docs if d["kind"] == "HorizontalPodAutoscaler")
    assert hpa["spec"]["maxReplicas"] == 4
    for doc in docs:
        kubernetes_validate.validate(doc, "1.30", strict=True)


def _pods(docs: list[dict]) -> dict[str, dict]:
    return {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in docs
            if d["kind"] in ("Deployment", "StatefulSet")}


@pytest.mark.parametrize("chart", ["mep", "mec-app"])
def test_image_pull_secrets_default_empty_and_named_by_a_value(chart, profile):
    assert all("imagePullSecrets" not in pod for pod in _pods(_manifests(chart)).values())
    docs = _manifests(chart, {"imagePullSecrets": [{"name": "osm-mec-registry"}]})
    pods = _pods(docs)
    assert len(pods) == (2 if chart == "mep" else 1)  # the MEP and its Redis
    for pod in pods.values():
        assert pod["imagePullSecrets"] == [{"name": "osm-mec-registry"}]
    for doc in docs:
        kubernetes_validate.validate(doc, profile["cluster"]["kubernetes_version"], strict=True)


@pytest.mark.parametrize("chart", ["mep", "mec-app"])
def test_every_default_image_names_its_registry_host(chart):
    from osm_mec.offer.images import registry_host

    for pod in _pods(_manifests(chart)).values():
        for container in pod["containers"]:
            assert registry_host(container["image"]) is not None, container["image"]


def test_mep_chart_without_persistence_uses_an_empty_dir(profile):
    docs = _manifests("mep", {"redis": {"persistence": {"enabled": False}}})
    redis = next(d for d in docs if d["kind"] == "StatefulSet")
    assert "volumeClaimTemplates" not in redis["spec"]
    assert redis["spec"]["template"]["spec"]["volumes"] == [{"name": "data", "emptyDir": {}}]
    for doc in docs:
        kubernetes_validate.validate(doc, profile["cluster"]["kubernetes_version"], strict=True)
