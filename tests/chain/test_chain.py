"""The B2B2C chain end to end against the sandbox with its Kafka: provision, status, scale,
teardown, B2C, resume after an interruption at every step and after a real SIGKILL,
injected failures with and without --rollback, parallel CSPs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from osm_mec.chain import names
from osm_mec.chain.progress import Progress
from osm_mec.chain.provision import ChainFailed
from osm_mec.chain.run import (
    provision_action,
    run_many,
    scale_action,
    status_action,
    teardown_action,
)
from osm_mec.chain.session import Session
from osm_mec.chain.state import CspState
from osm_mec.core.errors import OsmMecError
from osm_mec.offer.profile import default_profile
from osm_mec.osm.nbi import NbiClient
from osm_mec.sandbox.faults import parse_faults
from osm_mec.timings.records import read_jsonl

from ..sandbox.conftest import CREDENTIALS
from .conftest import b2c_profile, run


def _main(sandbox) -> NbiClient:
    return NbiClient(sandbox.url, CREDENTIALS)


def _inventory(sandbox) -> dict[str, list[str]]:
    """Names of everything in the Main OSM and its Edge OSMs (read from their stores: each
    Edge OSM's admin password is the CSP's, in its state directory)."""
    out: dict[str, list[str]] = {}
    for label, osm in [("main", sandbox.osm)] + [(f"edge{i}", e.osm)
                                                for i, e in enumerate(sandbox.edges)]:
        for key, collection in (("ns", "nsrs"), ("k8s", "k8sclusters"),
                                ("vim", "vim_accounts")):
            out[f"{label}:{key}"] = sorted(d["name"] for d in osm.store.find(collection))
    return out


def test_provision_status_scale_teardown_b2b2c(osm, dirs) -> None:
    sandbox, options = osm()
    result = run(options, provision_action, "acme", dirs)
    assert set(result["objects"]) == {"nsp-cluster-ns", "nsp-cluster", "env-ns", "edge-osm",
                                      "edge-vim", "edge-cluster", "app-ns", "mep"}
    assert _inventory(sandbox) == {
        "main:ns": ["mecaas-acme-env", "mecaas-acme-nsp-cluster"],
        "main:k8s": ["mecaas-acme-nsp"], "main:vim": ["edge-vim", "nsp-vim"],
        "edge0:ns": ["mecaas-acme-app"], "edge0:k8s": ["mecaas-acme-edge"],
        "edge0:vim": ["edge-vim"]}
    assert result["objects"]["edge-osm"]["url"] == sandbox.edges[0].url
    mep = result["mep"][0]  # as OSM records it: Kubernetes picked the NodePort
    assert mep["type"] == "NodePort" and mep["external_ip"] is None
    # the chain reaches the MEP at a node of its cluster on that NodePort (the sandbox's
    # node is this machine, and its NodePort the port its real MEP listens on)
    assert result["objects"]["mep"]["url"].endswith(f":{mep['ports'][0]['node_port']}")
    state_file = dirs[0] / "acme.json"
    assert oct(state_file.stat().st_mode & 0o777) == "0o600"
    assert CREDENTIALS.password not in state_file.read_text()
    assert "BEGIN" not in state_file.read_text()  # no CA key, no token

    timings = read_jsonl(dirs[1] / "acme.jsonl")
    deploy = {t.ns_package: t for t in timings if t.operation == "instantiate"}
    assert set(deploy) == {"k8s-osm-cluster-ns", "mec-env-ns", "mec-app-ns"}
    assert all(t.source == "kafka" and t.simulated and t.state == "COMPLETED"
               for t in deploy.values())
    assert deploy["mec-app-ns"].osm == "edge"
    assert deploy["k8s-osm-cluster-ns"].duration_s > 300 and deploy["mec-app-ns"].duration_s < 60

    again = run(options, provision_action, "acme", dirs)  # idempotent: nothing new
    assert again["objects"] == result["objects"]
    assert len(_main(sandbox).list_ns()) == 2 and len(sandbox.edges) == 1

    status = run(options, status_action, "acme", dirs)
    assert {v["state"] for v in status["ns"].values()} == {"READY"}
    assert {v["state"] for v in status["registrations"].values()} == {"ENABLED"}

    out = run(options, scale_action(True, 2), "acme", dirs)
    assert out["workers"] == ["mecaas-acme-env-cluster-worker-0",
                              "mecaas-acme-env-cluster-worker-1",
                              "mecaas-acme-env-cluster-worker-2"]
    shrink = run(options, scale_action(False, 1), "acme", dirs)
    assert shrink["steps"][0]["removed"] == "mecaas-acme-env-cluster-worker-2"
    ops = [t for t in read_jsonl(dirs[1] / "acme.jsonl") if t.operation.startswith("scale")]
    assert [t.operation for t in ops] == ["scale-out", "scale-out", "scale-in"]
    assert all(t.ns_package == "mec-env-ns" for t in ops)

    down = run(options, teardown_action, "acme", dirs)
    assert "edge: k8scluster mecaas-acme-edge" in down["deleted"]
    assert _inventory(sandbox) == {"main:ns": [], "main:k8s": [],
                                   "main:vim": ["edge-vim", "nsp-vim"]}
    assert not state_file.exists()
    assert run(options, teardown_action, "acme", dirs)["deleted"] == []  # idempotent
    terminate = [t for t in read_jsonl(dirs[1] / "acme.jsonl") if t.operation == "terminate"]
    assert {t.ns_name for t in terminate} == {"mecaas-acme-app", "mecaas-acme-env",
                                              "mecaas-acme-nsp-cluster"}


def test_b2c_runs_without_an_edge_osm(osm, dirs) -> None:
    sandbox, options = osm()
    result = run(options, provision_action, "shop", dirs, profile=b2c_profile())
    assert "edge-osm" not in result["objects"] and sandbox.edges == []
    assert _inventory(sandbox) == {
        "main:ns": ["mecaas-shop-app", "mecaas-shop-env", "mecaas-shop-nsp-cluster"],
        "main:k8s": ["mecaas-shop-edge", "mecaas-shop-nsp"], "main:vim": ["edge-vim", "nsp-vim"]}
    assert _main(sandbox).find_package("vnf", "mecaas_edge_mano_cnf") is None
    run(options, teardown_action, "shop", dirs, profile=b2c_profile())
    assert _inventory(sandbox)["main:ns"] == []


class StopAt(Progress):
    """Raises KeyboardInterrupt (as Ctrl-C would) when a step whose title starts so begins."""

    def __init__(self, prefix: str) -> None:
        super().__init__(enabled=False)
        self.prefix = prefix

    def step(self, text: str) -> None:
        if text.startswith(self.prefix):
            raise KeyboardInterrupt
        super().step(text)


@pytest.mark.parametrize("step", ["2", "3", "4", "5"])
def test_resume_after_interruption_at_each_step(osm, dirs, step) -> None:
    sandbox, options = osm()
    with pytest.raises(OsmMecError) as stopped:
        run(options, provision_action, "acme", dirs, progress=StopAt(step))
    assert "run the command again to resume" in str(stopped.value)
    result = run(options, provision_action, "acme", dirs)
    assert set(result["objects"]) >= {"nsp-cluster-ns", "env-ns", "app-ns", "edge-cluster"}
    inventory = _inventory(sandbox)
    assert inventory["main:ns"] == ["mecaas-acme-env", "mecaas-acme-nsp-cluster"]
    assert inventory["edge0:ns"] == ["mecaas-acme-app"] and len(sandbox.edges) == 1


def test_resume_after_sigkill_mid_operation(osm, tmp_path: Path) -> None:
    sandbox, options = osm(time_scale=0.004)
    state_dir, timings_dir = tmp_path / "state", tmp_path / "timings"
    command = [sys.executable, "-m", "osm_mec.cli", "provision", "--csp", "kill",
               "--osm-url", sandbox.url, "--osm-credentials", str(options.credentials_file),
               "--kafka", sandbox.kafka_bootstrap, "--state-dir", str(state_dir),
               "--timings-dir", str(timings_dir), "--json"]
    env = {k: v for k, v in os.environ.items() if k != "OSM_PASSWORD"}
    victim = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    state = state_dir / "kill.json"
    deadline = time.monotonic() + 240  # a loaded CI machine is slow to get there
    while time.monotonic() < deadline and (not state.exists()
                                           or "env-ns" not in state.read_text()):
        assert victim.poll() is None, "provision ended before mec-env-ns was created"
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)  # mec-env-ns is being instantiated
    victim.wait()
    env_ns = _main(sandbox).find_ns("mecaas-kill-env")
    assert env_ns is not None and env_ns["nsState"] == "BUILDING"
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert _inventory(sandbox)["main:ns"] == ["mecaas-kill-env", "mecaas-kill-nsp-cluster"]
    assert _inventory(sandbox)["edge0:ns"] == ["mecaas-kill-app"]


def test_failed_step_stops_with_detail_and_keeps_state(osm, dirs) -> None:
    sandbox, options = osm(faults=parse_faults([{
        "kind": "operation-fails", "operation": "instantiate", "ns": "*-env",
        "detail": "Deploying KDU osm: juju bundle timed out"}]))
    with pytest.raises(ChainFailed) as failed:
        run(options, provision_action, "acme", dirs)
    message = str(failed.value)
    assert "step '3 mec-env-ns" in message and "juju bundle timed out" in message
    assert "what to do" in message
    state = CspState.load(dirs[0], "acme")
    assert {"nsp-cluster-ns", "nsp-cluster", "env-ns"} <= set(state.data["objects"])
    with pytest.raises(ChainFailed) as broken:  # the BROKEN NS must go first
        run(options, provision_action, "acme", dirs)
    assert "state BROKEN" in str(broken.value) and "teardown" in str(broken.value)
    run(options, teardown_action, "acme", dirs)
    run(options, provision_action, "acme", dirs)  # the fault hit once: now it works
    assert len(sandbox.edges) == 1


def test_rollback_removes_what_this_run_created(osm, dirs) -> None:
    sandbox, options = osm(faults=parse_faults([{
        "kind": "operation-fails", "operation": "action", "primitive": "register-cluster",
        "ns": "*-env", "detail": "register-cluster: HTTP 401 from the Edge OSM"}]))
    with pytest.raises(OsmMecError) as failed:
        run(options, provision_action, "acme", dirs, rollback=True)
    assert "rolled back" in str(failed.value) and "HTTP 401" in str(failed.value)
    assert _main(sandbox).list_ns() == [] and _main(sandbox).list_admin("k8scluster") == []
    assert sandbox.edges == []


def test_parallel_csps_do_not_interfere(osm, dirs) -> None:
    sandbox, options = osm()
    profile = default_profile()
    csps = ["alpha", "beta", "gamma"]
    with Session(options) as session:
        results = run_many(session, profile, csps, dirs[0], dirs[1], provision_action,
                           lambda csp: Progress(enabled=False), parallel=3)
    assert [r["csp"] for r in results] == csps
    assert [r.get("error") for r in results] == [None] * 3
    main = _main(sandbox)
    assert sorted(n["name"] for n in main.list_ns()) == sorted(
        f"mecaas-{c}-{s}" for c in csps for s in ("env", "nsp-cluster"))
    assert sorted(c["name"] for c in main.list_admin("k8scluster")) == sorted(
        f"mecaas-{c}-nsp" for c in csps)
    assert len(sandbox.edges) == 3
    for csp in csps:
        assert {t.ns_package for t in read_jsonl(dirs[1] / f"{csp}.jsonl")
                if t.operation == "instantiate"} == {r.paper for r in names.ROLES}
    # OSM deploys every CSP's KDUs on the first cluster registered for the NSP VIM: its
    # teardown keeps that cluster (with a note) until the others are gone; a re-run ends it
    with Session(options) as session:
        down = run_many(session, profile, csps, dirs[0], dirs[1], teardown_action,
                        lambda csp: Progress(enabled=False), parallel=3)
        assert [r.get("error") for r in down] == [None] * 3
        kept = [r["csp"] for r in down if r["notes"]]
        assert len(kept) <= 1 and all("other CSPs' CNFs run on it" in r["notes"][0]
                                      for r in down if r["notes"])
        again = run_many(session, profile, kept, dirs[0], dirs[1], teardown_action,
                         lambda csp: Progress(enabled=False))
        assert all(not r["notes"] for r in again)
    assert main.list_ns() == [] and main.list_admin("k8scluster") == []


def test_timings_fall_back_to_operation_records_without_kafka(osm, dirs) -> None:
    sandbox, options = osm(faults=parse_faults([{"kind": "kafka-unavailable"}]))
    result = run(options, provision_action, "quiet", dirs)
    assert any("without Kafka records" in note for note in result["notes"])
    timings = read_jsonl(dirs[1] / "quiet.jsonl")
    deploy = [t for t in timings if t.operation == "instantiate"]
    assert len(deploy) == 3  # the Main OSM is silent on Kafka, the Edge OSM is not
    assert {t.osm: t.source for t in deploy} == {"main": "nbi", "edge": "kafka"}
    assert all(t.duration_s > 0 for t in deploy)
