"""register-cluster against the embedded OSM sandbox (a real NBI-compatible HTTP server
with OSM's status codes, tokens and K8s cluster states)."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from osm_registration import OsmRegistration, RegistrationError

from ..net import free_port
from osm_mec.osm.credentials import Credentials
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


def params(nbi, **extra):
    return {"osm-url": nbi.url, "osm-user": "admin", "osm-password": "s3cret pass",
            "vim-account": "edge-vim", "cluster-name": "mecaas-acme-edge", **extra}


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
    assert "s3cret pass" not in caplog.text and "s3cret pass" not in str(results)


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


def test_wrong_password(ctx, controller, nbi):
    message, results = failed_action(ctx, "register-cluster", CONTROLLER,
                                     params(nbi, **{"osm-password": "wrong"}))
    assert "HTTP 401 Invalid username or password" in results["output"]
    assert "check osm-user, osm-password" in results["output"]
    assert "osm-password': 'wrong" not in results["output"]


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

    thread = threading.Thread(target=start_late)
    thread.start()
    registration = OsmRegistration(f"http://127.0.0.1:{port}/osm", "admin", "s3cret pass",
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

    registration = OsmRegistration(f"http://127.0.0.1:{port}/osm", "admin", "pw",
                                   timeout=60, sleep=sleep, now=lambda: clock["t"])
    with pytest.raises(RegistrationError, match="OSM did not answer within 60 s"):
        registration.register("c1", "edge-vim", {}, "1.30")
    assert slept[:4] == [1.0, 2.0, 4.0, 8.0] and max(slept) == 15.0
