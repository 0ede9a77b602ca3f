"""register-cluster against the embedded OSM sandbox (a real NBI-compatible HTTP server
with OSM's status codes, tokens and K8s cluster states). The charm gets an NBI token issued
for the registration, never a password; a 401 ends the action at once (no re-login)."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from osm_registration import OsmRegistration, RegistrationError

from ..net import free_port
from osm_mec.osm.credentials import Credentials
from osm_mec.osm.nbi import NbiClient
from osm_mec.sandbox import Sandbox
from osm_mec.sandbox.faults import parse_faults

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
