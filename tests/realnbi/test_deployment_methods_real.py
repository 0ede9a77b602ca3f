"""`deployment_methods` on cluster registration (issue 12 item 9) against OSM's real NBI
(``../shared/osm-nbi``, NBI master 2025-26): the body the k8s-cluster charm's
register-cluster builds, with and without the field, is accepted and stored as sent; the
shapes the charm never sends (Helm v2's ``helm-chart`` key of older releases, one key alone)
are refused, which is why the charm always sends both keys and why osm-mec sends the field
only to an NBI it knows takes exactly these two (osm_mec/osm/deployment_methods.py).

The harness's LCM stand-in (not OSM code) only marks the cluster ENABLED: it initialises no
deployment method, so ``_admin.<method>`` records are not checked here (the sandbox's
simulation of LCM's K8s cluster init is tested in tests/sandbox/test_deployment_methods.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from osm_mec.osm import deployment_methods
from osm_mec.osm.credentials import Credentials
from osm_mec.osm.nbi import NbiClient, NbiError

from .test_client_real import cluster_body, vim_body

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "charms" / "k8s-cluster" / "src"))
from osm_registration import OsmRegistration, parse_deployment_methods

KUBECONFIG = {"apiVersion": "v1", "kind": "Config", "current-context": "c",
              "clusters": [{"name": "c", "cluster": {"server": "https://10.0.0.5:6443",
                                                     "insecure-skip-tls-verify": True}}],
              "users": [{"name": "osm-admin", "user": {"token": "sa-token"}}],
              "contexts": [{"name": "c", "context": {"cluster": "c", "user": "osm-admin"}}]}


@pytest.fixture(scope="module")
def osm(real_nbi_lcm) -> NbiClient:
    client = NbiClient(real_nbi_lcm.url, Credentials(real_nbi_lcm.user,
                                                     real_nbi_lcm.password,
                                                     real_nbi_lcm.project))
    vim_id = client.create_admin("vim", vim_body("dm-vim"))
    client.wait_for_admin("vim", vim_id, timeout=30)
    return client


def _register(osm: NbiClient, name: str, text: str) -> dict:
    """register-cluster's NBI side as the charm runs it (its own client, an issued token)."""
    token = osm.issue_token()
    try:
        result = OsmRegistration(osm.url, token, timeout=30, poll=0.05).register(
            name, "dm-vim", KUBECONFIG, "1.30",
            deployment_methods=parse_deployment_methods(text))
    finally:
        osm.revoke_token(token)
    return result


def test_the_charms_helm_only_body_is_accepted_and_stored(osm):
    result = _register(osm, "dm-helm", "helm-chart-v3")
    assert result["state"] == "ENABLED" and result["created"] is True
    assert result["deployment-methods"] == "juju-bundle=false,helm-chart-v3=true"
    stored = osm.get_admin("k8scluster", result["cluster-id"])
    assert stored["deployment_methods"] == {"juju-bundle": False, "helm-chart-v3": True}
    assert deployment_methods.describe(stored["deployment_methods"]) == \
        result["deployment-methods"]  # the sandbox's charm (osm-mec) words it as the charm


def test_the_charms_body_with_both_methods_is_stored_as_sent(osm):
    result = _register(osm, "dm-both", "juju-bundle,helm-chart-v3")
    stored = osm.get_admin("k8scluster", result["cluster-id"])
    assert stored["deployment_methods"] == {"juju-bundle": True, "helm-chart-v3": True}


def test_osm_default_stores_no_deployment_methods(osm):
    result = _register(osm, "dm-default", "all")
    assert result["deployment-methods"].startswith("not sent")
    assert "deployment_methods" not in osm.get_admin("k8scluster", result["cluster-id"])


@pytest.mark.parametrize("methods", [
    {"helm-chart": False, "juju-bundle": False, "helm-chart-v3": True},  # Helm v2's key
    {"helm-chart-v3": True},                                             # one key alone
    {"juju-bundle": "no", "helm-chart-v3": True},                        # not a boolean
])
def test_other_shapes_are_refused(osm, methods):
    """What the charm never sends: NBI master refuses it (422, NBI's format error)."""
    vim_id = osm.find_admin("vim", "dm-vim")["_id"]
    with pytest.raises(NbiError) as refused:
        osm.create_admin("k8scluster", {**cluster_body("dm-refused", vim_id),
                                        "deployment_methods": methods})
    assert refused.value.status == 422
    assert refused.value.detail.startswith("Format error at 'deployment_methods")
    assert osm.find_admin("k8scluster", "dm-refused") is None


def test_the_harness_version_answer_is_handled(osm):
    """The harness answers NBI's stale version string (7.0.1.post23, OSM 7's); osm-mec
    parses it and, unsure, sends nothing to it (the chain says so in its output)."""
    answer = osm.request("GET", "/version", auth=False)
    assert set(answer) == {"version", "date"}
    knows, why = deployment_methods.nbi_knows(answer)
    assert not knows and f"older than release {deployment_methods.FIRST_RELEASE}" in why
