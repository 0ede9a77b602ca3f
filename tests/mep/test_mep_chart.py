"""The MEP chart's defaults are the safe ones (issue #11): no callback network, no
legacy network, liveness that does not depend on Redis. Rendered with helm-python-sdk."""

from __future__ import annotations

import helm_python
import kubernetes_validate
import pytest

from ..test_helm_charts import _manifests


def _config(values: dict | None = None) -> dict[str, str]:
    docs = _manifests("mep", values)
    return next(d for d in docs if d["kind"] == "ConfigMap")["data"]


def test_defaults_deny_callbacks_and_require_tokens():
    data = _config()
    assert data["MEP_ALLOW_CALLBACKS"] == "" and data["MEP_LEGACY_APP_NETWORKS"] == ""


def test_named_networks_reach_the_mep():
    data = _config({"allowCallbackNetworks": ["10.244.0.0/16", "fd00:10::/64"],
                    "legacyAppNetworks": ["10.245.0.0/24"]})
    assert data["MEP_ALLOW_CALLBACKS"] == "10.244.0.0/16,fd00:10::/64"
    assert data["MEP_LEGACY_APP_NETWORKS"] == "10.245.0.0/24"


@pytest.mark.parametrize("values", [{"allowCallbackNetworks": ["anywhere"]},
                                    {"legacyAppNetworks": ["10.0.0.1"]}])
def test_networks_must_be_cidrs(values):
    with pytest.raises(Exception) as refused:
        _manifests("mep", values)
    assert "schema" in str(refused.value).lower() or "pattern" in str(refused.value).lower()


def test_mec_app_chart_takes_oauth_client_credentials():
    docs = _manifests("mec-app", {"mep": {"url": "http://mep:8080", "appInstanceId": "app-1",
                                          "clientSecret": "s3cret"}})
    secret = next(d for d in docs if d["kind"] == "Secret")
    assert secret["stringData"]["client-secret"] == "s3cret"
    env = {e["name"]: e for e in next(d for d in docs if d["kind"] == "Deployment")[
        "spec"]["template"]["spec"]["containers"][0]["env"]}
    for name, key in (("MEC_APP_TOKEN", "token"), ("MEC_APP_CLIENT_SECRET", "client-secret")):
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert ref["key"] == key and ref["optional"] is True


def _admin_token_ref(docs: list[dict]) -> dict:
    container = next(d for d in docs if d["kind"] == "Deployment")[
        "spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    return env["MEP_ADMIN_TOKEN"]["valueFrom"]["secretKeyRef"]


def test_admin_token_from_a_named_secret(profile):
    """adminTokenSecret: the MEP reads its admin token from that Secret (the chain made it
    before OSM installed the chart); the chart's own Secret keeps only Redis's."""
    docs = _manifests("mep", {"adminTokenSecret": "mep-admin-token"})
    assert _admin_token_ref(docs) == {"name": "mep-admin-token", "key": "admin-token"}
    secret = next(d for d in docs if d["kind"] == "Secret")
    assert set(secret["stringData"]) == {"redis-password", "redis-url"}
    env = {e["name"]: e for e in next(d for d in docs if d["kind"] == "Deployment")[
        "spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["MEP_REDIS_URL"]["valueFrom"]["secretKeyRef"]["name"] == secret[
        "metadata"]["name"]
    for doc in docs:
        kubernetes_validate.validate(doc, profile["cluster"]["kubernetes_version"],
                                     strict=True)


@pytest.mark.parametrize(("values", "name"), [
    ({}, "release-mep-secret"),  # generated
    ({"existingSecret": "ops-secret"}, "ops-secret"),
    ({"existingSecret": "ops-secret", "adminTokenSecret": "admin-only"}, "admin-only"),
])
def test_admin_token_secret_by_values(values, name):
    assert _admin_token_ref(_manifests("mep", values))["name"] == name


def test_admin_token_secret_must_be_a_secret_name():
    with pytest.raises(helm_python.HelmError) as refused:
        _manifests("mep", {"adminTokenSecret": "Bad_Name"})
    assert "adminTokenSecret" in str(refused.value)
