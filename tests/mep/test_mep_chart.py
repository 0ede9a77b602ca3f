"""The MEP chart's defaults are the safe ones (issue #11): no callback network, no
legacy network, liveness that does not depend on Redis. Rendered with helm-python-sdk."""

from __future__ import annotations

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
