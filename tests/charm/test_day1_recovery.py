"""Day-1 recovery over real SSH: a failed init or join can simply be retried, a scale-in
leaves no NotReady Node object, and a VM without kubeadm does not fail a scale-in.

The doubles (doubles/k8s_double.py) stand in for kubeadm/kubectl (no kubelet or API server
can run here); they fail the way the real tools fail when a fault is armed
($FAKE_ROOT/fault-init: kubeconfig written, control plane never up; fault-join: kubelet.conf
written and the Node registered, then a timeout), refuse unknown flags and `kubeadm reset`
without -f, and `sudo` answers "command not found" (exit 1) like the real one.
"""

from __future__ import annotations

import json
import os

import pytest
from ops import testing

from . import sshd
from .test_charm_ssh import _act, _context, _relation_event, _SlowClock, _unit

RC = sshd.unique_user("osmmecrc")  # the controller VM's login user
RW = sshd.unique_user("osmmecrw")  # the worker VM's
pytestmark = pytest.mark.skipif(sshd.available() is not None and not os.environ.get("CI"),
                                reason=sshd.available() or "")

INIT = {"advertise-address": "172.16.0.10", "pod-cidr": "10.244.0.0/16",
        "service-cidr": "10.96.0.0/12", "kubernetes-version": "1.30", "cni": "flannel",
        "ready-timeout": 30}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    reason = sshd.available()
    if reason:
        pytest.fail(f"CI must run the SSH integration tests: {reason}")
    srv = sshd.SshServer(tmp_path_factory.mktemp("sshd"))
    for user, node in ((RC, "retry-controller"), (RW, "retry-worker")):
        srv.add_user(user, node)
        marker = srv.users[user].fake_root / "var/lib/osm-mec/node-prepared"
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        sshd._chown_tree(srv.users[user].fake_root, user)  # the node's files are the user's
    srv.start()
    yield srv
    srv.cleanup()


def _arm(server, user: str, fault: str) -> None:
    path = server.users[user].fake_root / f"fault-{fault}"
    path.touch()
    os.chmod(path, 0o666)


def _kubeadm(server, node: str) -> list[list[str]]:
    return [c["argv"] for c in server.calls("kubeadm") if c["node"] == node]


def test_failed_init_and_join_are_retried_and_scale_in_removes_the_node(server, tmp_path,
                                                                          monkeypatch):
    state = tmp_path / "units"
    ctl = _unit(server, RC, "controller", monkeypatch, state,
                **{"ssh-password": server.users[RC].password})
    wrk = _unit(server, RW, "worker", monkeypatch, state,
                **{"ssh-password": server.users[RW].password})
    monkeypatch.setattr("charm.K8sClusterCharm.clock", _SlowClock())

    _arm(server, RC, "init")
    ok, results, _ = _act(ctl, "init-control-plane", INIT, state, RC)
    assert not ok and "wait-control-plane" in results["output"]
    ok, results, _ = _act(ctl, "init-control-plane", INIT, state, RC)
    assert ok, results
    calls = _kubeadm(server, "retry-controller")
    inits = [i for i, argv in enumerate(calls) if argv[0] == "init"]
    resets = [i for i, argv in enumerate(calls) if argv[0] == "reset"]
    assert len(inits) == 2 and resets and inits[0] < resets[0] < inits[1]
    assert calls[resets[0]][1:] == ["-f"]
    os.environ["K8S_CLUSTER_CHARM_STATE"] = str(state / RC)
    ctx = _context()
    join = testing.Relation("cluster-join", remote_app_name="w", remote_units_data={0: {}})
    out = ctx.run(ctx.on.update_status(), testing.State(config=ctl, relations=[join]))
    data = dict(out.get_relation(join.id).local_unit_data)  # published by update-status
    assert data["token"]

    # the worker's join (in its relation hook) fails once, then succeeds on the next hook
    _arm(server, RW, "join")
    relation = testing.Relation("control-plane", remote_app_name="c",
                                remote_units_data={0: data})
    status, mine, _ = _relation_event(wrk, relation, state, RW)
    assert isinstance(status, testing.BlockedStatus) and "kubeadm-join" in status.message
    relation = testing.Relation("control-plane", remote_app_name="c",
                                remote_units_data={0: data}, local_unit_data=dict(mine))
    status, mine, _ = _relation_event(wrk, relation, state, RW)
    assert isinstance(status, testing.ActiveStatus) and mine["node-name"] == "retry-worker"
    calls = [argv[0] for argv in _kubeadm(server, "retry-worker")]
    assert calls.count("join") == 2 and calls.index("reset") > calls.index("join")

    # OSM's scale-in runs only the worker's terminate primitive (leave-cluster)
    ok, results, _ = _act(wrk, "leave-cluster", state_root=state, user=RW)
    assert ok and results["output"] == "left the cluster", results
    ok, results, _ = _act(ctl, "list-nodes", state_root=state, user=RC)
    assert [n["name"] for n in json.loads(results["nodes"])] == ["retry-controller"]


def test_scale_in_of_a_vm_without_kubeadm_succeeds(server, tmp_path, monkeypatch):
    """cloud-init failed before installing kubeadm: sudo answers 'command not found'."""
    state = tmp_path / "units"
    wrk = _unit(server, RW, "worker", monkeypatch, state,
                **{"ssh-password": server.users[RW].password})
    (server.users[RW].home / "bin" / "kubeadm").unlink()
    try:
        ok, results, _ = _act(wrk, "leave-cluster", state_root=state, user=RW)
    finally:
        (server.users[RW].home / "bin" / "kubeadm").symlink_to(
            server.users[RW].home / "bin" / "k8s_double.py")
    assert ok and results["output"] == "kubeadm is not installed: nothing to reset", results
