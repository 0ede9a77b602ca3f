"""register-cluster against the embedded OSM sandbox (a real NBI-compatible HTTP server
with OSM's status codes, tokens and K8s cluster states). The charm gets an NBI token issued
for the registration, never a password; a 401 ends the action at once (no re-login)."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from osm_mec.osm.credentials import Credentials
from osm_mec.osm.nbi import NbiClient
from osm_mec.sandbox import Sandbox, inputs, k8s_init
from osm_mec.sandbox.faults import parse_faults
from osm_registration import OsmRegistration, RegistrationError

from ..net import free_port
from ..sandbox.test_deployment_methods import schema_of_release
from .test_charm_unit import CONTROLLER, INIT, failed_action, run_action

OSM_LOGIN = Credentials("admin", "s3cret pass")


def _sandbox(**kwargs) -> Sandbox:
    return Sandbox(OSM_LOGIN, time_scale=0, vims=("edge-vim",), **kwargs).start()


def _clusters(sandbox: Sandbox) -> list[dict]:
    return list(sandbox.osm.store.data["k8sclusters"].values())


@pytest.fixture()
def nbi():
    sandbox = _sandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture()
def controller(ctx, vm):
    run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    return vm


def token(nbi) -> str:
    """An NBI token issued for one registration, as the chain issues it."""
    return NbiClient(nbi.url, nbi.credentials).issue_token()


def params(nbi, **extra):
    return {"osm-url": nbi.url, "osm-token": token(nbi), "vim-account": "edge-vim",
            "cluster-name": "mecaas-acme-edge", **extra}


def _known_token(sandbox: Sandbox, token_id: str) -> None:
    """Make `token_id` a valid token of `sandbox` (for a registration built before the
    sandbox was up)."""
    doc = sandbox.osm.login({"username": sandbox.credentials.user,
                             "password": sandbox.credentials.password,
                             "project_id": sandbox.credentials.project})
    sandbox.osm.store.remove("tokens", doc["_id"])
    sandbox.osm.store.add("tokens", {**doc, "_id": token_id, "id": token_id})


def test_register_creates_and_waits_for_enabled(ctx, controller, nbi, caplog):
    caplog.set_level(logging.DEBUG)
    results = run_action(ctx, "register-cluster", CONTROLLER,
                         params(nbi, **{"vim-network": "edge-mgmt"}))
    assert results["state"] == "ENABLED" and results["created"] == "true"
    (cluster,) = _clusters(nbi)
    assert results["cluster-id"] == cluster["_id"]
    assert cluster["name"] == "mecaas-acme-edge"
    assert cluster["vim_account"] == nbi.osm.store.data["vim_accounts"][
        next(iter(nbi.osm.store.data["vim_accounts"]))]["_id"]
    assert cluster["k8s_version"] == "1.30"
    assert cluster["nets"] == {"net1": "edge-mgmt"}
    assert cluster["namespace"] == "kube-system"
    kubeconfig = cluster["credentials"]
    assert kubeconfig["users"][0]["user"]["token"] == "********"  # OSM keeps it encrypted
    assert kubeconfig["clusters"][0]["cluster"]["server"] == "https://10.0.0.5:6443"
    given = params(nbi)
    results = run_action(ctx, "register-cluster", CONTROLLER, given)
    assert given["osm-token"] not in caplog.text and given["osm-token"] not in str(results)


def test_register_is_idempotent(ctx, controller, nbi):
    first = run_action(ctx, "register-cluster", CONTROLLER, params(nbi))
    second = run_action(ctx, "register-cluster", CONTROLLER, params(nbi))
    assert second["cluster-id"] == first["cluster-id"] and second["created"] == "false"
    assert len(_clusters(nbi)) == 1  # a second POST would have been a 409


def test_register_by_vim_id(ctx, controller, nbi):
    vim_id = next(iter(nbi.osm.store.data["vim_accounts"]))
    results = run_action(ctx, "register-cluster", CONTROLLER,
                         params(nbi, **{"vim-account": vim_id}))
    assert results["state"] == "ENABLED"


def test_a_revoked_token_fails_at_once(ctx, controller, nbi):
    given = params(nbi)
    NbiClient(nbi.url, nbi.credentials).revoke_token(given["osm-token"])
    message, results = failed_action(ctx, "register-cluster", CONTROLLER, given)
    assert "HTTP 401" in results["output"] and "expired or was revoked" in results["output"]
    assert given["osm-token"] not in results["output"]


def test_401_is_final_no_relogin_loop(nbi):
    """issue 14: the old client logged in again on every 401, without bound."""
    slept: list[float] = []
    registration = OsmRegistration(nbi.url, "not-a-token", timeout=60, sleep=slept.append)
    with pytest.raises(RegistrationError, match="HTTP 401"):
        registration.register("c1", "edge-vim", {}, "1.30")
    assert slept == []


def test_unknown_vim(ctx, controller, nbi):
    message, results = failed_action(ctx, "register-cluster", CONTROLLER,
                                     params(nbi, **{"vim-account": "no-such-vim"}))
    assert "VIM account 'no-such-vim' not found" in results["output"]


def test_cluster_in_error(ctx, controller):
    server = _sandbox(faults=parse_faults([{
        "kind": "registration-error", "object": "k8scluster",
        "detail": "kubeconfig rejected: Unauthorized"}]))
    try:
        message, results = failed_action(ctx, "register-cluster", CONTROLLER, params(server))
        assert "is in ERROR" in results["output"] and "kubeconfig rejected" in results["output"]
    finally:
        server.stop()


def test_retries_until_osm_answers():
    """The NBI comes up 1.5 s after the first attempt; real sleeps, bounded by the timeout."""
    port = free_port()
    holder: dict = {}

    def start_late() -> None:
        time.sleep(1.5)
        holder["server"] = _sandbox(port=port)
        _known_token(holder["server"], "t0ken-issued-for-c1")

    thread = threading.Thread(target=start_late)
    thread.start()
    registration = OsmRegistration(f"http://127.0.0.1:{port}/osm", "t0ken-issued-for-c1",
                                   timeout=30, poll=0.05)
    result = registration.register("c1", "edge-vim", {"apiVersion": "v1"}, "1.30")
    thread.join()
    holder["server"].stop()
    assert result["state"] == "ENABLED"


def test_gives_up_when_osm_never_answers():
    port = free_port()
    slept: list[float] = []
    clock = {"t": 0.0}

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock["t"] += seconds

    registration = OsmRegistration(f"http://127.0.0.1:{port}/osm", "tok",
                                   timeout=60, sleep=sleep, now=lambda: clock["t"])
    with pytest.raises(RegistrationError, match="OSM did not answer within 60 s"):
        registration.register("c1", "edge-vim", {}, "1.30")
    assert slept[:4] == [1.0, 2.0, 4.0, 8.0] and max(slept) == 15.0


# -- deployment_methods (issue 12 item 9) ------------------------------------------------
@pytest.mark.parametrize("given, methods", [
    ("helm-chart-v3", {"juju-bundle": False, "helm-chart-v3": True}),
    (" juju-bundle , helm-chart-v3", {"juju-bundle": True, "helm-chart-v3": True})])
def test_listed_methods_are_sent_as_deployment_methods(ctx, controller, nbi, given, methods):
    """An edge cluster (Helm KDUs only) is registered with helm-chart-v3: OSM is told not
    to initialise Juju on it."""
    results = run_action(ctx, "register-cluster", CONTROLLER,
                         params(nbi, **{"deployment-methods": given}))
    (cluster,) = _clusters(nbi)
    assert cluster["deployment_methods"] == methods
    assert results["deployment-methods"] == ",".join(
        f"{name}={'true' if on else 'false'}" for name, on in methods.items())
    assert results["state"] == "ENABLED"
    initialised = {"juju-bundle", "helm-chart-v3"} & set(cluster["_admin"])
    assert initialised == {name for name, on in methods.items() if on}  # as LCM does


@pytest.mark.parametrize("given", [None, "all", ""])
def test_osm_default_sends_no_deployment_methods(ctx, controller, nbi, given):
    extra = {} if given is None else {"deployment-methods": given}
    results = run_action(ctx, "register-cluster", CONTROLLER, params(nbi, **extra))
    (cluster,) = _clusters(nbi)
    assert "deployment_methods" not in cluster
    assert results["deployment-methods"].startswith("not sent")
    assert {"juju-bundle", "helm-chart-v3"} <= set(cluster["_admin"])  # LCM: every method


@pytest.mark.parametrize("given, bad", [("helm-chart", "helm-chart"),
                                        ("helm-chart-v3,juju", "juju"),
                                        ("helm-chart-v3,", ""), ("none", "none")])
def test_a_bad_deployment_methods_value_fails_before_any_registration(ctx, controller, nbi,
                                                                      given, bad):
    message, results = failed_action(ctx, "register-cluster", CONTROLLER,
                                     params(nbi, **{"deployment-methods": given}))
    assert f"deployment-methods: {bad!r} is not a deployment method" in results["output"]
    assert "use 'all' or a comma-separated list of juju-bundle, helm-chart-v3" in message
    assert _clusters(nbi) == []


def _nbi_of_release(monkeypatch, release: str) -> None:
    """The sandbox NBI with the k8scluster schema of another release (such an OSM cannot
    run here): it refuses what that release refuses, with NBI's 422 wording."""
    monkeypatch.setitem(inputs.ADMIN_SCHEMAS, ("k8scluster", "new"),
                        schema_of_release(release))


def test_an_nbi_refusing_the_field_gets_the_registration_without_it(ctx, controller, nbi,
                                                                    monkeypatch):
    _nbi_of_release(monkeypatch, "none")
    results = run_action(ctx, "register-cluster", CONTROLLER,
                         params(nbi, **{"deployment-methods": "helm-chart-v3"}))
    (cluster,) = _clusters(nbi)
    assert results["state"] == "ENABLED" and "deployment_methods" not in cluster
    assert results["deployment-methods"].startswith(f"not sent: {nbi.url} refused "
                                                    "deployment_methods (Format error")


def test_an_nbi_with_helm_v2_gets_the_three_keys(ctx, controller, nbi, monkeypatch):
    _nbi_of_release(monkeypatch, "helm-v2")
    results = run_action(ctx, "register-cluster", CONTROLLER,
                         params(nbi, **{"deployment-methods": "helm-chart-v3"}))
    (cluster,) = _clusters(nbi)
    assert cluster["deployment_methods"] == {"helm-chart": False, "juju-bundle": False,
                                             "helm-chart-v3": True}
    assert results["deployment-methods"] == "helm-chart=false,juju-bundle=false,helm-chart-v3=true"


def _storageless(server: str = "https://10.0.0.9:6443") -> dict:
    """A kubeconfig of a simulated cluster without a default StorageClass (the sandbox's
    charm writes such facts into a cluster extension, see sandbox/k8s_init.py)."""
    return {"apiVersion": "v1", "kind": "Config", "clusters": [{"name": "c", "cluster": {
        "server": server, "extensions": [k8s_init.cluster_facts("")]}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "c"}


def test_without_a_storage_class_juju_init_fails_and_degraded_is_final(nbi):
    """LCM leaves such a cluster DEGRADED (Helm ready, Juju failed) for good: the charm
    fails at once with OSM's detail instead of waiting for ENABLED until its timeout."""
    slept: list[float] = []
    registration = OsmRegistration(nbi.url, token(nbi), timeout=600, sleep=slept.append)
    with pytest.raises(RegistrationError) as failure:
        registration.register("c-degraded", "edge-vim", _storageless(), "1.30")
    assert "is DEGRADED" in str(failure.value) and slept == []
    assert ("ready for helm-chart-v3; Failing init juju-bundle: storage_class must be a "
            "non-empty string") in str(failure.value)
    assert "deployment-methods=helm-chart-v3" in str(failure.value)


def test_without_a_storage_class_a_helm_only_cluster_is_enabled(nbi):
    registration = OsmRegistration(nbi.url, token(nbi), timeout=60)
    result = registration.register("c-helm", "edge-vim", _storageless(), "1.30",
                                   deployment_methods={"juju-bundle": False,
                                                       "helm-chart-v3": True})
    assert result["state"] == "ENABLED"
    (cluster,) = _clusters(nbi)
    assert cluster["_admin"]["detailed-status"] == "ready for helm-chart-v3; "
