"""The sandbox runs a real MEP for the MEP Helm KDU: Debian's redis-server and our MEP
(``osm_mec.mep`` under uvicorn), with the admin token read from the Secret the KDU's value
``adminTokenSecret`` names, reachable at the cluster's node address and the NodePort the
KDU's Service record says. A missing Secret fails the KDU as ``helm install --atomic`` does;
terminating the NS stops the MEP and its redis-server.

Test doubles: the Kubernetes cluster (the sandbox's simulated one, ``kube_sim``: there is no
Kubernetes API here); the MEP, its Redis and the NBI's HTTP are real."""

from __future__ import annotations

import copy
import os
import sys
import time
from pathlib import Path

import pytest
import requests

from osm_mec.offer.params import instantiation_params
from osm_mec.osm.kube import SandboxKube
from osm_mec.osm.nbi import NbiClient
from osm_mec.osm.waiting import OperationFailed
from osm_mec.sandbox import mep_runner
from osm_mec.sandbox.mep_runner import RunningMep, WorkloadFailed

from .conftest import client_for, onboard

TOKEN = "sandbox-mep-admin-token-0123456789"
APP_INSTANCES = "/mec_platform_mgmt/v1/app_instances"


def _redis_children() -> list[int]:
    """Pids of the redis-server processes this test process started for sandbox MEPs."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"redis-server" in cmdline and b"osm-mec-mep-" in cmdline:
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def env(sandbox, built) -> tuple[NbiClient, dict[str, str], SandboxKube]:
    """The sandbox with the packages onboarded and a K8s cluster registered on nsp-vim."""
    client = client_for(sandbox)
    ids = onboard(client, built, ("k8s_cluster_vnf", "mec_blocks_cnf", "edge_mano_cnf",
                                  "mec_app_cnf", "mec_env_ns", "mec_app_ns"))
    cluster = client.create_admin("k8scluster", {
        "name": "mep-k8s", "vim_account": client.find_admin("vim", "nsp-vim")["_id"],
        "k8s_version": "1.30", "nets": {"net1": None},
        "credentials": {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [],
                        "contexts": []}})
    return client, ids, SandboxKube(client, cluster)


def _env_config(profile, csp: str, secret: str | None) -> dict:
    config = instantiation_params(profile, "mec_env_ns", csp)
    config["vnf"][0]["vimAccountId"] = None  # set by the caller
    for item in config["additionalParamsForVnf"]:
        if item["member-vnf-index"] == "mep" and secret is not None:
            item["additionalParamsForKdu"][0]["additionalParams"]["adminTokenSecret"] = secret
    return config


def _instantiate_env(client: NbiClient, ids: dict[str, str], profile, csp: str,
                     secret: str | None) -> tuple[str, str]:
    config = _env_config(profile, csp, secret)
    config["vnf"][0]["vimAccountId"] = client.find_admin("vim", "edge-vim")["_id"]
    return client.create_ns(f"{csp}-env", ids["mec_env_ns"],
                            client.find_admin("vim", "nsp-vim")["_id"], config=config)


def _mep_kdur(client: NbiClient, ns_id: str) -> dict:
    records = {v["member-vnf-index-ref"]: v for v in client.vnf_records(ns_id)}
    return records["mep"]["kdur"][0]


def test_mep_kdu_runs_a_real_mep_with_the_secret_token(env, profile) -> None:
    client, ids, kube = env
    namespace = "mecaas-mepok-mep"
    kube.ensure_secret(namespace, "mep-admin-token", {"admin-token": TOKEN})
    before = set(_redis_children())
    ns_id, op_id = _instantiate_env(client, ids, profile, "mepok", "mep-admin-token")
    client.wait_for_operation(op_id, timeout=60)
    kdur = _mep_kdur(client, ns_id)
    assert kdur["status"] == "READY" and kdur["k8s-namespace"] == namespace
    service = kdur["services"][0]
    assert (service["type"], service["external_ip"]) == ("NodePort", None)  # as N2VC lists it
    url = f"http://{kube.node_address()}:{service['ports'][0]['node_port']}"
    answer = requests.get(url + APP_INSTANCES, timeout=5,
                          headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and answer.json() == []
    assert requests.get(url + APP_INSTANCES, timeout=5).status_code == 401
    assert requests.get(url + APP_INSTANCES, timeout=5,
                        headers={"Authorization": "Bearer wrong"}).status_code == 401
    started = set(_redis_children()) - before
    assert len(started) == 1  # its own redis-server
    assert TOKEN not in str(client.request("GET", f"/nslcm/v1/ns_instances/{ns_id}"))
    assert TOKEN not in str(client.vnf_records(ns_id))

    client.wait_for_operation(client.delete_ns(ns_id), timeout=60, gone_ok=True)
    assert not started & set(_redis_children())  # the redis-server is gone (reaped)
    with pytest.raises(requests.ConnectionError):
        requests.get(url + APP_INSTANCES, timeout=2)


def test_missing_admin_token_secret_fails_the_kdu_as_helm_does(env, profile) -> None:
    client, ids, _ = env
    ns_id, op_id = _instantiate_env(client, ids, profile, "mepmissing", "no-such-secret")
    with pytest.raises(OperationFailed) as failed:
        client.wait_for_operation(op_id, timeout=60)
    detail = failed.value.detail
    assert detail.startswith("Error deploying KDU mep of member-vnf-index mep: helm install "
                             "--atomic in namespace mecaas-mepmissing-mep")
    assert 'CreateContainerConfigError: secret "no-such-secret" not found in namespace ' \
           "mecaas-mepmissing-mep" in detail
    client.wait_for_operation(client.delete_ns(ns_id), timeout=60, gone_ok=True)


def test_secret_without_the_admin_token_key_fails_the_kdu(env, profile) -> None:
    client, ids, kube = env
    kube.ensure_secret("mecaas-mepnokey-mep", "mep-admin-token", {"other": "x"})
    ns_id, op_id = _instantiate_env(client, ids, profile, "mepnokey", "mep-admin-token")
    with pytest.raises(OperationFailed) as failed:
        client.wait_for_operation(op_id, timeout=60)
    assert "couldn't find key admin-token in Secret mecaas-mepnokey-mep/mep-admin-token" in \
        failed.value.detail
    client.wait_for_operation(client.delete_ns(ns_id), timeout=60, gone_ok=True)


def test_without_admin_token_secret_nothing_runs(env, profile) -> None:
    client, ids, _ = env
    before = set(_redis_children())
    ns_id, op_id = _instantiate_env(client, ids, profile, "mepold", None)
    client.wait_for_operation(op_id, timeout=60)
    assert _mep_kdur(client, ns_id)["status"] == "READY"
    assert set(_redis_children()) == before
    client.wait_for_operation(client.delete_ns(ns_id), timeout=60, gone_ok=True)


def _app_config(profile, csp: str, mep: dict) -> dict:
    config = instantiation_params(profile, "mec_app_ns", csp)
    config["additionalParamsForVnf"][0]["additionalParamsForKdu"][0]["additionalParams"][
        "mep"] = mep
    return config


def test_mec_app_kdu_needs_its_existing_secret(env, profile) -> None:
    client, ids, kube = env
    vim = client.find_admin("vim", "nsp-vim")["_id"]
    config = _app_config(profile, "appsecret", {"url": "http://127.0.0.1:9",
                                                "existingSecret": "app-token"})
    ns_id, op_id = client.create_ns("appsecret-missing", ids["mec_app_ns"], vim,
                                    config=copy.deepcopy(config))
    with pytest.raises(OperationFailed) as failed:
        client.wait_for_operation(op_id, timeout=60)
    assert 'CrashLoopBackOff: secret "app-token" not found in namespace ' \
           "mecaas-appsecret-mec-app: the application exits without its MEP token" in \
           failed.value.detail
    client.wait_for_operation(client.delete_ns(ns_id), timeout=60, gone_ok=True)
    kube.ensure_secret("mecaas-appsecret-mec-app", "app-token", {"other": "t"})
    ns_id, op_id = client.create_ns("appsecret-nokey", ids["mec_app_ns"], vim,
                                    config=copy.deepcopy(config))
    with pytest.raises(OperationFailed) as failed:
        client.wait_for_operation(op_id, timeout=60)
    assert "has neither key token nor client-secret" in failed.value.detail
    client.wait_for_operation(client.delete_ns(ns_id), timeout=60, gone_ok=True)


def test_sample_app_registers_its_service_with_the_sandbox_mep(env, profile) -> None:
    """The whole hand-over the chain makes: MEP admin token in a Secret before the MEP KDU,
    the app instance registered with the MEP, its token in a Secret before the app KDU, the
    MEP's URL (node address + NodePort) in the app KDU's values: the sample app's Mp1
    service shows up in the MEP, and goes away when the app's NS is terminated."""
    client, ids, kube = env
    kube.ensure_secret("mecaas-mepapp-mep", "mep-admin-token", {"admin-token": TOKEN})
    env_id, op_id = _instantiate_env(client, ids, profile, "mepapp", "mep-admin-token")
    client.wait_for_operation(op_id, timeout=60)
    port = _mep_kdur(client, env_id)["services"][0]["ports"][0]["node_port"]
    mep_url = f"http://{kube.node_address()}:{port}"
    registered = requests.post(f"{mep_url}{APP_INSTANCES}", timeout=5, json={
        "appInstanceId": "sample-1", "appName": "sample"},
        headers={"Authorization": f"Bearer {TOKEN}"})
    assert registered.status_code == 201
    app_token = registered.json()["accessToken"]
    kube.ensure_secret("mecaas-mepapp-mec-app", "app-token", {"token": app_token})
    config = _app_config(profile, "mepapp", {"url": mep_url, "appInstanceId": "sample-1",
                                             "existingSecret": "app-token"})
    app_id, op_id = client.create_ns("mepapp-app", ids["mec_app_ns"],
                                     client.find_admin("vim", "nsp-vim")["_id"], config=config)
    client.wait_for_operation(op_id, timeout=60)
    assert app_token not in str(client.vnf_records(app_id))

    def services() -> list[str]:
        answer = requests.get(f"{mep_url}/mec_service_mgmt/v1/services", timeout=5,
                              headers={"Authorization": f"Bearer {app_token}"})
        assert answer.status_code == 200
        return [s["serName"] for s in answer.json()]

    assert _eventually(lambda: services() == ["mec-sample"])
    client.wait_for_operation(client.delete_ns(app_id), timeout=60, gone_ok=True)
    assert services() == []  # deregistered on stop, as on SIGTERM
    client.wait_for_operation(client.delete_ns(env_id), timeout=60, gone_ok=True)


def _eventually(check, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def test_without_redis_server_the_mep_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setattr(mep_runner.shutil, "which", lambda name: None)
    with pytest.raises(WorkloadFailed, match=r"redis-server is not installed.*apt-get install "
                                             r"redis-server"):
        RunningMep(TOKEN).start()


def test_without_the_mep_extra_the_mep_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "osm_mec.mep", None)  # import fails as if not installed
    with pytest.raises(WorkloadFailed, match=r"pip install 'osm-mec\[mep\]'"):
        RunningMep(TOKEN).start()


def test_sandbox_stop_stops_its_meps(built, profile) -> None:
    """A sandbox stopped with its MEP KDU still instantiated leaves no redis-server behind
    and no MEP answering."""
    from osm_mec.sandbox import Sandbox

    from .conftest import CREDENTIALS

    with Sandbox(CREDENTIALS, time_scale=0, seed=7) as sandbox:
        client = client_for(sandbox)
        ids = onboard(client, built, ("k8s_cluster_vnf", "mec_blocks_cnf", "edge_mano_cnf",
                                      "mec_env_ns"))
        cluster = client.create_admin("k8scluster", {
            "name": "stop-k8s", "vim_account": client.find_admin("vim", "nsp-vim")["_id"],
            "k8s_version": "1.30", "nets": {"net1": None},
            "credentials": {"apiVersion": "v1", "kind": "Config"}})
        kube = SandboxKube(client, cluster)
        kube.ensure_secret("mecaas-mepstop-mep", "mep-admin-token", {"admin-token": TOKEN})
        before = set(_redis_children())
        ns_id, op_id = _instantiate_env(client, ids, profile, "mepstop", "mep-admin-token")
        client.wait_for_operation(op_id, timeout=60)
        port = _mep_kdur(client, ns_id)["services"][0]["ports"][0]["node_port"]
        started = set(_redis_children()) - before
        assert len(started) == 1
    assert not started & set(_redis_children())
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}{APP_INSTANCES}", timeout=2)


def test_juju_kdu_refuses_a_namespace_that_exists(env, profile) -> None:
    """OSM makes the Edge OSM's Juju model in the KDU's namespace: a namespace made
    beforehand (a Secret put there) fails the KDU as Juju refuses it."""
    client, ids, kube = env
    kube.ensure_secret("mecaas-jujuns-osm", "misplaced", {"admin-token": TOKEN})
    ns_id, op_id = _instantiate_env(client, ids, profile, "jujuns", None)
    with pytest.raises(OperationFailed) as failed:
        client.wait_for_operation(op_id, timeout=60)
    assert failed.value.detail == (
        "Error deploying KDU osm of member-vnf-index edge-osm: add_model mecaas-jujuns-osm: "
        "the model cannot be created because a namespace with the proposed model name "
        "already exists in the k8s cluster. Please choose a different model name.")
    client.wait_for_operation(client.delete_ns(ns_id), timeout=60, gone_ok=True)
