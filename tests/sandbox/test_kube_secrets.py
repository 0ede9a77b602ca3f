"""Secrets and namespaces of the sandbox's simulated clusters, through the boundary double
``SandboxKube`` (the sandbox has no Kubernetes API: ``SandboxKube`` and ``kube_sim`` are the
test double of one, over the sandbox's HTTP server): a round trip, the API server's refusals
of bad names, deletion, and the namespace's Secrets gone with the namespace."""

from __future__ import annotations

import logging

import pytest

from osm_mec.osm.kube import SandboxKube
from osm_mec.osm.nbi import NbiError

from .conftest import client_for

TOKEN = "s3cret-admin-token-value"


@pytest.fixture(scope="module")
def kube(sandbox) -> SandboxKube:
    client = client_for(sandbox)
    vim = client.find_admin("vim", "nsp-vim")["_id"]
    cluster = client.create_admin("k8scluster", {
        "name": "secrets-k8s", "vim_account": vim, "k8s_version": "1.30",
        "nets": {"net1": None}, "credentials": {"apiVersion": "v1", "kind": "Config"}})
    return SandboxKube(client, cluster)


def test_secret_round_trip_and_namespace(sandbox, kube, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    kube.ensure_secret("mep-acme", "mep-admin", {"admin-token": TOKEN})
    clusters = sandbox.osm.kube
    assert (kube.cluster_id, "mep-acme") in clusters.namespaces  # created with the Secret
    assert clusters.secret(kube.cluster_id, "mep-acme", "mep-admin") == {"admin-token": TOKEN}
    kube.ensure_secret("mep-acme", "mep-admin", {"admin-token": "replaced"})  # PUT replaces
    assert clusters.secret(kube.cluster_id, "mep-acme", "mep-admin") == {
        "admin-token": "replaced"}
    kube.delete_secret("mep-acme", "mep-admin")
    kube.delete_secret("mep-acme", "mep-admin")  # already gone: fine
    with pytest.raises(Exception, match='secrets "mep-admin" not found'):
        clusters.secret(kube.cluster_id, "mep-acme", "mep-admin")
    assert TOKEN not in caplog.text


def test_node_address_is_where_served_workloads_answer(sandbox, kube) -> None:
    sandbox.osm.kube.serve(kube.cluster_id, "ns-node", "web", "127.0.0.1", 31999)
    where = kube.expose("ns-node", "web-np", "web", 80)
    assert (kube.node_address(), where.port) == (where.host, 31999)


@pytest.mark.parametrize(("namespace", "name", "data", "words"), [
    ("Bad_Ns", "ok", {"k": "v"}, 'Namespace "Bad_Ns" is invalid: metadata.name: Invalid '
                                 'value: "Bad_Ns": a lowercase RFC 1123 label'),
    ("ok", "Bad_Name", {"k": "v"}, 'Secret "Bad_Name" is invalid: metadata.name: Invalid '
                                   'value: "Bad_Name": a lowercase RFC 1123 subdomain'),
    ("ok", "ok", {"bad key": TOKEN}, 'Secret "ok" is invalid: data[bad key]: Invalid value: '
                                     '"bad key": a valid config key'),
])
def test_api_server_refusals(kube, namespace, name, data, words) -> None:
    with pytest.raises(NbiError) as refused:
        kube.ensure_secret(namespace, name, data)
    assert refused.value.status == 422 and words in str(refused.value)
    assert TOKEN not in str(refused.value)


def test_forget_drops_the_namespace_and_its_secrets(sandbox, kube) -> None:
    kube.ensure_secret("gone-ns", "one", {"admin-token": TOKEN})
    kube.ensure_secret("kept-ns", "one", {"admin-token": TOKEN})
    sandbox.osm.kube.forget(kube.cluster_id, "gone-ns")
    assert (kube.cluster_id, "gone-ns") not in sandbox.osm.kube.namespaces
    with pytest.raises(Exception, match="not found"):
        sandbox.osm.kube.secret(kube.cluster_id, "gone-ns", "one")
    assert sandbox.osm.kube.secret(kube.cluster_id, "kept-ns", "one")


def test_unknown_cluster_is_refused(sandbox) -> None:
    other = SandboxKube(client_for(sandbox), "no-such-cluster")
    with pytest.raises(NbiError) as refused:
        other.ensure_secret("ns", "name", {"k": "v"})
    assert refused.value.status == 404
