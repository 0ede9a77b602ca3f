"""`deployment_methods` on cluster registration (issue 12 item 9) in the sandbox: the chain
(chain/day2.py) asks for Helm only on the edge cluster where the target OSM knows the field
(its GET /version) and says what it decided; the sandbox's charm sends it; the sandbox's LCM
initialises only the asked methods (osm_mec/sandbox/k8s_init.py, as OSM's K8sClusterLcm):
a cluster without a default StorageClass is DEGRADED when Juju is initialised and ENABLED
when it is not, and a Juju bundle KDU on a cluster not initialised for Juju fails with
LCM's error."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from osm_mec.chain import day2
from osm_mec.offer.params import instantiation_params
from osm_mec.osm import deployment_methods
from osm_mec.osm.waiting import OperationFailed
from osm_mec.sandbox import inputs, k8s_init, primitives

from .conftest import client_for, onboard


# -- the rules (osm/deployment_methods.py) --------------------------------------------------
@pytest.mark.parametrize("given, expected", [
    ("", None), ("all", None), (" all ", None),
    ("helm-chart-v3", {"juju-bundle": False, "helm-chart-v3": True}),
    ("juju-bundle", {"juju-bundle": True, "helm-chart-v3": False}),
    ("helm-chart-v3, juju-bundle", {"juju-bundle": True, "helm-chart-v3": True}),
])
def test_parse(given, expected):
    assert deployment_methods.parse(given) == expected


@pytest.mark.parametrize("given", ["helm-chart", "helm", "helm-chart-v3,,juju-bundle", "none"])
def test_parse_refuses_what_nbi_cannot_take(given):
    with pytest.raises(ValueError, match="is not a deployment method; use 'all' or a "
                                         "comma-separated list of juju-bundle, helm-chart-v3"):
        deployment_methods.parse(given)


@pytest.mark.parametrize("answer, knows, said", [
    ({"version": "0.9.0+osm-mec-sandbox", "date": "2026-01-01"}, True, "sandbox"),
    ({"version": "16.0.0", "date": "2020-04-17"}, True, "OSM 16 takes"),
    ({"version": "v18.0.1", "date": "2020-04-17"}, True, "OSM 18 takes"),
    ({"version": "15.0.3.post2+g4b3e1a2", "date": "2020-04-17"}, False, "OSM 15 (NBI"),
    ({"version": "7.0.1.post23", "date": "2020-04-17"}, False, "OSM 7 (NBI 7.0.1.post23)"),
    ({"version": "devel"}, False, "'devel' is not a release number"),
    ({}, False, "'unknown' is not a release number"),
    ("Welcome to OSM!", False, "is not a release number"),
])
def test_which_nbi_knows_the_field(answer, knows, said):
    decision, why = deployment_methods.nbi_knows(answer)
    assert decision is knows and said in why


def test_the_sandbox_version_answer_is_understood(sandbox):
    answer = client_for(sandbox).request("GET", "/version", auth=False)
    assert deployment_methods.nbi_knows(answer)[0] is True


def test_methods_param_says_what_it_decided(sandbox):
    client, said = client_for(sandbox), []
    assert day2.methods_param(client, ("helm-chart-v3",), said.append) == "helm-chart-v3"
    assert day2.methods_param(client, (), said.append) is None  # OSM's default: not asked
    assert day2.methods_param(client, ("juju-bundle", "helm-chart-v3"), said.append) is None
    assert said == [f"{client.url}: the osm-mec sandbox takes deployment_methods; "
                    "registering with deployment-methods helm-chart-v3"]


# -- the chain's registrations ------------------------------------------------------------
def _wait(client):
    return lambda op: client.wait_for_operation(op, timeout=30)


def _sent(op: dict) -> dict:
    """The primitive's parameters as OSM recorded them (a JSON text, as in OSM)."""
    params = op["operationParams"]["primitive_params"]
    return json.loads(params) if isinstance(params, str) else params


def test_the_edge_cluster_is_registered_for_helm_only(make_sandbox, built, profile):
    """The NSP cluster (Edge OSM bundle and MEP chart) gets OSM's default; the edge cluster
    of mec-env-ns Helm only: OSM does not initialise Juju there, and a Juju bundle placed on
    it fails as LCM fails it."""
    sandbox = make_sandbox()
    client = client_for(sandbox)
    ids = onboard(client, built)
    nsp, edge = (client.find_admin("vim", name)["_id"] for name in ("nsp-vim", "edge-vim"))
    said: list[str] = []
    nsp_ns, op_id = client.create_ns("dm-nsp", ids["k8s_osm_cluster_ns"], nsp,
                                     config=instantiation_params(profile,
                                                                 "k8s_osm_cluster_ns", "dm"))
    client.wait_for_operation(op_id, timeout=30)
    op = day2.register_cluster(client, nsp_ns, client, "nsp-vim", "dm-nsp", _wait(client),
                               say=said.append)
    assert "osm-token" in _sent(op) and "deployment-methods" not in _sent(op)
    nsp_cluster = client.get_admin("k8scluster", yaml.safe_load(op["detailed-status"])[
        "cluster-id"])
    assert "deployment_methods" not in nsp_cluster and said == []
    assert nsp_cluster["_admin"]["detailed-status"] == "ready for juju-bundle, helm-chart-v3; "

    env_config = instantiation_params(profile, "mec_env_ns", "dm")
    env_config["vnf"][0]["vimAccountId"] = edge
    env_ns, op_id = client.create_ns("dm-env", ids["mec_env_ns"], nsp, config=env_config)
    client.wait_for_operation(op_id, timeout=30)
    op = day2.register_cluster(client, env_ns, client, "edge-vim", "dm-edge", _wait(client),
                               say=said.append)
    assert _sent(op)["deployment-methods"] == "helm-chart-v3"
    assert said == [f"{client.url}: the osm-mec sandbox takes deployment_methods; "
                    "registering with deployment-methods helm-chart-v3"]
    result = yaml.safe_load(op["detailed-status"])
    assert result["deployment-methods"] == "juju-bundle=false,helm-chart-v3=true"
    assert result["state"] == "ENABLED"
    edge_cluster = client.get_admin("k8scluster", result["cluster-id"])
    assert edge_cluster["deployment_methods"] == {"juju-bundle": False, "helm-chart-v3": True}
    assert "juju-bundle" not in edge_cluster["_admin"]

    # every member of a second environment on the edge VIM: its KDUs land on the edge cluster
    other = instantiation_params(profile, "mec_env_ns", "dm2")
    _, op_id = client.create_ns("dm2-env", ids["mec_env_ns"], edge, config=other)
    with pytest.raises(OperationFailed) as refused:
        client.wait_for_operation(op_id, timeout=30)
    assert (f"of member-vnf-index edge-osm: K8s cluster '{edge_cluster['_id']}' has not been "
            "initialized for 'juju-bundle'") in refused.value.detail


def _storageless_cluster(name: str, vim_id: str, **extra) -> dict:
    """A cluster registered by hand whose kubeconfig says (sandbox facts) it has no default
    StorageClass."""
    return {"name": name, "vim_account": vim_id, "k8s_version": "1.30", "nets": {"net1": None},
            "credentials": {"apiVersion": "v1", "kind": "Config", "clusters": [
                {"name": name, "cluster": {"server": "https://10.9.0.1:6443",
                                           "extensions": [k8s_init.cluster_facts("")]}}]},
            **extra}


def test_without_a_storage_class_juju_init_degrades_the_cluster(sandbox):
    client = client_for(sandbox)
    vim_id = client.find_admin("vim", "edge-vim")["_id"]
    degraded = client.create_admin("k8scluster", _storageless_cluster("dm-nosc", vim_id))
    with pytest.raises(OperationFailed) as waited:  # final: no wait until the timeout
        client.wait_for_admin("k8scluster", degraded, timeout=30)
    assert waited.value.state == "DEGRADED"
    admin = client.get_admin("k8scluster", degraded)["_admin"]
    assert admin["operationalState"] == "DEGRADED"
    assert admin["detailed-status"] == ("ready for helm-chart-v3; Failing init juju-bundle: "
                                        "storage_class must be a non-empty string")
    assert admin["juju-bundle"]["operationalState"] == "ERROR"
    assert admin["helm-chart-v3"]["operationalState"] == "ENABLED"
    assert admin["operations"][0]["operationState"] == "COMPLETED"  # as LCM: some method ok

    helm_only = client.create_admin("k8scluster", _storageless_cluster(
        "dm-nosc-helm", vim_id, deployment_methods={"juju-bundle": False,
                                                    "helm-chart-v3": True}))
    enabled = client.wait_for_admin("k8scluster", helm_only, timeout=30)
    assert enabled["_admin"]["detailed-status"] == "ready for helm-chart-v3; "

    juju_only = client.create_admin("k8scluster", _storageless_cluster(
        "dm-nosc-juju", vim_id, deployment_methods={"juju-bundle": True,
                                                    "helm-chart-v3": False}))
    with pytest.raises(OperationFailed) as failed:
        client.wait_for_admin("k8scluster", juju_only, timeout=30)
    assert failed.value.state == "ERROR"
    assert client.get_admin("k8scluster", juju_only)["_admin"]["operations"][0][
        "operationState"] == "FAILED"


def schema_of_release(kind: str) -> dict:
    """The k8scluster creation schema of an NBI that knows the two keys (master), that
    still had Helm v2 (three keys, all needed: as osmclient sends them; not verified against
    such a release's code) or that has no deployment_methods at all."""
    schema = copy.deepcopy(inputs.K8S_NEW)
    if kind == "helm-v2":
        schema["properties"]["deployment_methods"] = {
            "type": "object", "additionalProperties": False, "minProperties": 3,
            "properties": {k: {"type": "boolean"}
                           for k in ("helm-chart", "juju-bundle", "helm-chart-v3")}}
    elif kind == "none":
        del schema["properties"]["deployment_methods"]
    return schema


@pytest.mark.parametrize("release, held, said", [
    ("master", {"juju-bundle": False, "helm-chart-v3": True},
     "juju-bundle=false,helm-chart-v3=true"),
    ("helm-v2", {"helm-chart": False, "juju-bundle": False, "helm-chart-v3": True},
     "helm-chart=false,juju-bundle=false,helm-chart-v3=true"),
    ("none", None, "not sent: {url} refused deployment_methods (Format error ")])
def test_the_sandbox_charm_offers_each_shape_in_turn(sandbox, monkeypatch, release, held,
                                                     said):
    """What the sandbox's register-cluster sends (as the charm): the field in each shape
    while NBI refuses it, then none; its result worded as the charm's."""
    monkeypatch.setitem(inputs.ADMIN_SCHEMAS, ("k8scluster", "new"),
                        schema_of_release(release))
    client = client_for(sandbox)
    vim_id = client.find_admin("vim", "edge-vim")["_id"]
    cluster_id, result = primitives._create(client, _storageless_cluster(
        f"dm-shape-{release}", vim_id), {"juju-bundle": False, "helm-chart-v3": True})
    assert client.get_admin("k8scluster", cluster_id).get("deployment_methods") == held
    assert result.startswith(said.format(url=client.url))
