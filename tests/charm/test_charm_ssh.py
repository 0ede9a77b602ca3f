"""The charm's SSH layer and actions against a real openssh-server on 127.0.0.1.

The users' PATH holds test doubles of kubeadm, kubectl, systemctl, sudo, curl and
hostname (doubles/k8s_double.py), because no kubelet or API server runs here; SSH,
the shells, quoting, files and exit codes are real.
"""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from ops import testing

from charm import K8sClusterCharm
from osm_mec.osm.credentials import Credentials as OsmLogin
from osm_mec.sandbox import Sandbox
from remote import (
    AuthenticationFailed,
    CommandTimeout,
    Credentials,
    HostKeyChanged,
    RemoteHost,
    Unreachable,
    generate_key,
)

from . import sshd
from .conftest import FakeClock, charm_context

CTL = sshd.unique_user("osmmecctl")  # the controller VM's login user
WRK = sshd.unique_user("osmmecwrk")  # the worker VM's
pytestmark = pytest.mark.skipif(sshd.available() is not None and not os.environ.get("CI"),
                                reason=sshd.available() or "")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    reason = sshd.available()
    if reason:
        pytest.fail(f"CI must run the SSH integration tests: {reason}")
    srv = sshd.SshServer(tmp_path_factory.mktemp("sshd"))
    srv.add_user(CTL, "test-controller")
    srv.add_user(WRK, "test-worker-1")
    srv.start()
    yield srv
    srv.cleanup()


@pytest.fixture(scope="module")
def keypair(server, tmp_path_factory):
    """A key pair CTL accepts (authorized here, so no test depends on another)."""
    private, public = generate_key("ed25519")
    path = tmp_path_factory.mktemp("key") / "id"
    path.write_text(private)
    path.chmod(0o600)
    server.users[CTL].authorize(public)
    return path, public


def host(server, user=CTL, password=None, key=None, **kwargs) -> RemoteHost:
    creds = Credentials("127.0.0.1", user, server.port, password=password,
                        key_filename=str(key) if key else None)
    return RemoteHost(creds, **kwargs)


# -- transport, quoting, exit codes, timeouts -------------------------------------------------
def test_password_login(server):
    remote = host(server, password=server.users[CTL].password)
    result = remote.run(["id", "-un"])
    assert result.ok and result.stdout.strip() == CTL
    remote.close()


def test_key_login(server, keypair):
    path, public = keypair
    server.users[CTL].authorize(public)
    remote = host(server, key=path)
    assert remote.run(["id", "-un"]).stdout.strip() == CTL
    remote.close()


@pytest.mark.parametrize("value", [
    "two words", "it's", 'say "hi"', "$HOME and $(id) and `id`", "line one\nline two",
    "semi; colon && and || pipe | star * glob ? [x]", "  leading and trailing  ", "",
    "back\\slash", "tab\there", "-n",
])
def test_arguments_arrive_intact(server, keypair, value):
    path, public = keypair
    server.users[CTL].authorize(public)
    remote = host(server, key=path)
    result = remote.run(["printf", "%s", value])
    assert result.ok and result.stdout == value
    remote.close()


def test_exit_status_stdout_and_stderr(server, keypair):
    path, _ = keypair
    remote = host(server, key=path)
    result = remote.run(["sh", "-c", "echo out; echo err >&2; exit 7"])
    assert (result.exit_status, result.stdout, result.stderr) == (7, "out\n", "err\n")
    assert not result.ok
    remote.close()


def test_stdin_reaches_the_command(server, keypair):
    path, _ = keypair
    remote = host(server, key=path)
    assert remote.run(["cat"], stdin="secret\nlines\n").stdout == "secret\nlines\n"
    remote.close()


def test_timeout(server, keypair):
    path, _ = keypair
    remote = host(server, key=path)
    started = time.monotonic()
    with pytest.raises(CommandTimeout):
        remote.run(["sleep", "30"], timeout=1)
    assert time.monotonic() - started < 10
    remote.close()


def test_wrong_password_fails_after_bounded_attempts(server):
    remote = host(server, password="not the password", first_backoff=0.01, auth_attempts=2)
    with pytest.raises(AuthenticationFailed, match="refused the credentials after 2 attempts"):
        remote.run(["true"])
    assert remote._work is None  # the password file is gone with the failed login


def test_unreachable_within_the_deadline():
    creds = Credentials("127.0.0.1", "nobody", sshd.free_port(), password="x")
    remote = RemoteHost(creds, connect_deadline=1.0, first_backoff=0.1)
    started = time.monotonic()
    with pytest.raises(Unreachable, match="did not accept SSH within 1 s"):
        remote.run(["true"])
    assert time.monotonic() - started < 5


def test_retries_while_sshd_is_not_yet_up(server, keypair, tmp_path):
    """A second sshd starts 1.5 s after the client begins connecting (a VM booting)."""
    path, _ = keypair
    late = sshd.SshServer(tmp_path, shared=server.shared)
    late.users = server.users  # same users, not re-created
    errors: list[Exception] = []

    def start_late() -> None:
        time.sleep(1.5)
        try:
            late.start()
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=start_late)
    thread.start()
    try:
        remote = RemoteHost(Credentials("127.0.0.1", CTL, late.port,
                                        key_filename=str(path)),
                            connect_deadline=30, first_backoff=0.2)
        assert remote.run(["true"]).ok
        remote.close()
    finally:
        thread.join()
        late.stop()
    assert not errors


def test_host_key_is_pinned_and_a_changed_key_refused(server, keypair, tmp_path):
    path, _ = keypair
    pinned = []
    remote = host(server, key=path, on_first_use=pinned.append)
    assert remote.run(["true"]).ok
    remote.close()
    assert len(pinned) == 1 and pinned[0].key_type == "ssh-ed25519"
    again = host(server, key=path, pinned=pinned[0])
    assert again.run(["true"]).ok  # same key: accepted
    again.close()
    other = sshd.SshServer(tmp_path, shared=server.shared)  # same users, another host key
    other.users = server.users
    other.start(host_key_type="rsa")
    try:
        changed = RemoteHost(Credentials("127.0.0.1", CTL, other.port,
                                         key_filename=str(path)), pinned=pinned[0])
        with pytest.raises(HostKeyChanged, match=r"host key of \[127.0.0.1\]:\d+ changed"):
            changed.run(["true"])
    finally:
        other.stop()


# -- the charm's actions over real SSH --------------------------------------------------------
@pytest.fixture(scope="module")
def charm_env(server, tmp_path_factory):
    """Both units' key folders; the charm uses the real RemoteHost and an instant clock."""
    state = tmp_path_factory.mktemp("units")
    return state


def _context():
    return charm_context()


def _unit(server, user, role, monkeypatch, state_root, **extra):
    monkeypatch.setenv("K8S_CLUSTER_CHARM_STATE", str(state_root / user))
    monkeypatch.setattr(K8sClusterCharm, "clock", FakeClock())
    return {"ssh-hostname": "127.0.0.1", "ssh-port": server.port, "ssh-username": user,
            "role": role, **extra}


def _act(config, name, params=None, state_root=None, user=None, stored=None):
    ctx = _context()
    if state_root is not None:
        os.environ["K8S_CLUSTER_CHARM_STATE"] = str(state_root / user)
    state = testing.State(config=config, stored_states=stored or [])
    try:
        out = ctx.run(ctx.on.action(name, params=params or {}), state)
    except testing.ActionFailed as failure:
        return False, dict(ctx.action_results or {}), failure.state
    return True, dict(ctx.action_results or {}), out


def test_charm_ssh_key_flow(server, charm_env, monkeypatch):
    """generate-ssh-key -> get-ssh-public-key -> OSM injects it -> verify-ssh-credentials."""
    config = _unit(server, CTL, "controller", monkeypatch, charm_env)
    ok, results, _ = _act(config, "verify-ssh-credentials")
    assert not ok and results["verified"] == "false"  # no key yet, no password
    assert _act(config, "generate-ssh-key")[0]
    ok, results, _ = _act(config, "get-ssh-public-key")
    server.users[CTL].authorize(results["pubkey"])
    ok, results, state = _act(config, "verify-ssh-credentials")
    assert ok and results == {"verified": "true"}
    stored = [s for s in state.stored_states if s.owner_path == "K8sClusterCharm"]
    assert stored[0].content["host_key"].startswith("ssh-ed25519 ")
    ok, results, _ = _act(config, "verify-ssh-credentials", stored=stored)  # pinned key
    assert ok
    forged = [testing.StoredState(name="_stored", owner_path="K8sClusterCharm",
                                  content={"host_key": "ssh-ed25519 " + "A" * 68})]
    ok, results, _ = _act(config, "verify-ssh-credentials", stored=forged)
    assert not ok and "host key of [127.0.0.1]" in results["output"]


def test_charm_password_login(server, charm_env, monkeypatch):
    config = _unit(server, WRK, "worker", monkeypatch, charm_env,
                   **{"ssh-password": server.users[WRK].password})
    ok, results, _ = _act(config, "run", {"command": "printf '%s' \"$NODE_NAME\""})
    assert ok and results["output"] == "test-worker-1"


def test_charm_run_failure_reports_command_and_stderr(server, charm_env, monkeypatch):
    config = _unit(server, WRK, "worker", monkeypatch, charm_env,
                   **{"ssh-password": server.users[WRK].password})
    ok, results, _ = _act(config, "run", {"command": "echo nope >&2; exit 4"})
    assert not ok
    assert results["output"] == ("run failed: exit status 4\ncommand: echo nope >&2; exit 4\n"
                                 "stderr: nope")


def test_charm_wrong_password(server, charm_env, monkeypatch):
    config = _unit(server, WRK, "worker", monkeypatch, charm_env,
                   **{"ssh-password": "wrong"})
    monkeypatch.setattr(K8sClusterCharm, "remote_factory",
                        staticmethod(lambda creds, **kw: RemoteHost(creds, first_backoff=0.01,
                                                                    **kw)))
    ok, results, _ = _act(config, "verify-ssh-credentials")
    assert not ok and "refused the credentials" in results["output"]


def _relation_event(config, relation, state_root, user, stored=None):
    """A relation-changed hook of one unit; (status, the unit's relation data, state)."""
    os.environ["K8S_CLUSTER_CHARM_STATE"] = str(state_root / user)
    ctx = _context()
    out = ctx.run(ctx.on.relation_changed(relation, remote_unit=0),
                  testing.State(config=config, relations=[relation],
                                stored_states=stored or []))
    return out.unit_status, out.get_relation(relation.id).local_unit_data, out


def _fresh_cluster(server) -> None:
    """No cluster yet: the doubles' cluster state and every node's kubeadm files gone, so a
    test that builds the cluster does not depend on what ran before it."""
    import shutil
    server.cluster_state.write_text("")
    server.log.write_text("")  # the doubles' call log: this test reads only its own calls
    for user in server.users.values():
        for mapped in ("etc/kubernetes", "etc/cni", "var/lib/kubelet", "var/lib/etcd"):
            shutil.rmtree(user.fake_root / mapped, ignore_errors=True)
        for done in (user.fake_root / "var/lib/osm-mec").glob("kubeadm-*"):
            done.unlink()


def _prepared(server) -> None:
    for user in server.users.values():  # cloud-init finished on both VMs
        marker = user.fake_root / "var/lib/osm-mec/node-prepared"
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        sshd._chown_tree(user.fake_root, user.name)


def test_cluster_day1_and_day2_over_ssh(server, charm_env, monkeypatch):
    """Controller init, the worker's join through the cluster-join relation's data, the
    day-2 actions, then a rejoin through authorize-controller + add-worker (the path for
    workers OSM does not relate): no CA key and no token ever in an action's results."""
    ctl = _unit(server, CTL, "controller", monkeypatch, charm_env,
                **{"ssh-password": server.users[CTL].password})
    wrk = _unit(server, WRK, "worker", monkeypatch, charm_env,
                **{"ssh-password": server.users[WRK].password})
    _fresh_cluster(server)
    init = {"advertise-address": "172.16.0.10", "pod-cidr": "10.244.0.0/16",
            "service-cidr": "10.96.0.0/12", "kubernetes-version": "1.30", "cni": "flannel"}
    _prepared(server)
    monkeypatch.setattr(K8sClusterCharm, "clock", _SlowClock())
    os.environ["K8S_CLUSTER_CHARM_STATE"] = str(charm_env / CTL)
    ctx = _context()
    join = testing.Relation("cluster-join", remote_app_name="worker-0",
                            remote_units_data={0: {}})
    out = ctx.run(ctx.on.action("init-control-plane", params=init),
                  testing.State(config=ctl, relations=[join]))
    results = dict(ctx.action_results or {})
    assert results == {"api-endpoint": "https://172.16.0.10:6443", "node-name": "test-controller",
                       "storage-class": "local-path"}
    cluster = json.loads(server.cluster_state.read_text())
    assert cluster["storageclasses"]["local-path"] == {
        "provisioner": "rancher.io/local-path",
        "storageclass.kubernetes.io/is-default-class": "true"}
    assert "Deployment/local-path-provisioner" in cluster["applied"]
    published = dict(out.get_relation(join.id).local_unit_data)
    assert published["endpoint"] == "https://172.16.0.10:6443"
    assert cluster["tokens"] == [published["token"]]  # kubeadm's default token is gone
    assert cluster["ttls"][published["token"]] == "30m"
    ca = server.users[CTL].fake_root / "etc/kubernetes/pki"
    assert published["ca-cert-hash"] == cluster["ca_hash"]
    assert oct((ca / "ca.key").stat().st_mode & 0o777) == "0o600"  # made on the VM

    # the worker's hook joins with the relation's data and tells the controller
    control_plane = testing.Relation("control-plane", remote_app_name="controller",
                                     remote_units_data={0: published})
    status, theirs, _ = _relation_event(wrk, control_plane, charm_env, WRK)
    assert isinstance(status, testing.ActiveStatus), status
    assert theirs["node-name"] == "test-worker-1"
    joins = [c["argv"] for c in server.calls("kubeadm") if c["argv"][:1] == ["join"]]
    assert joins == [["join", "172.16.0.10:6443", "--token", published["token"],
                      "--discovery-token-ca-cert-hash", published["ca-cert-hash"]]]
    served = testing.Relation("cluster-join", remote_app_name="worker-0",
                              remote_units_data={0: dict(theirs)}, local_unit_data=published)
    _, mine, _ = _relation_event(ctl, served, charm_env, CTL)
    assert "token" not in mine  # used: deleted from the cluster and the relation
    assert json.loads(server.cluster_state.read_text())["tokens"] == []

    ok, results, _ = _act(ctl, "list-nodes", state_root=charm_env, user=CTL)
    assert json.loads(results["nodes"]) == [
        {"name": "test-controller", "roles": ["control-plane"], "ready": True,
         "kubelet-version": "v1.30.2"},
        {"name": "test-worker-1", "roles": [], "ready": True, "kubelet-version": "v1.30.2"}]
    ok, info, _ = _act(ctl, "get-join-info", state_root=charm_env, user=CTL)
    assert ok and info == {"endpoint": "https://172.16.0.10:6443",
                           "ca-cert-hash": published["ca-cert-hash"]}
    ok, results, _ = _act(ctl, "get-kubeconfig", state_root=charm_env, user=CTL)
    assert ok and "FAKE-CLIENT" not in results["kubeconfig"]  # no admin credentials
    assert "https://127.0.0.1:6443" in results["kubeconfig"]

    nbi = Sandbox(OsmLogin("admin", "s3cret pass"), time_scale=0, vims=("edge-vim",)).start()
    try:
        from osm_mec.osm.nbi import NbiClient
        token = NbiClient(nbi.url, nbi.credentials).issue_token()
        reg = {"osm-url": nbi.url, "osm-token": token, "vim-account": "edge-vim",
               "cluster-name": "test-cluster"}
        ok, results, _ = _act(ctl, "register-cluster", reg, charm_env, CTL)
        assert ok and results["state"] == "ENABLED" and results["created"] == "true"
        ok, again, _ = _act(ctl, "register-cluster", reg, charm_env, CTL)
        assert ok and again["cluster-id"] == results["cluster-id"] and again["created"] == "false"
    finally:
        nbi.stop()
    assert token not in server.log.read_text()

    # scale-in: the controller removes the node, then the worker leaves
    ok, results, _ = _act(ctl, "remove-node", {"node": "test-worker-1"}, charm_env, CTL)
    assert ok and results["output"] == "node test-worker-1 drained and deleted"
    ok, results, _ = _act(wrk, "leave-cluster", state_root=charm_env, user=WRK)
    assert ok and results["output"] == "left the cluster"
    assert not (server.users[WRK].fake_root / "etc/kubernetes/kubelet.conf").exists()
    ok, results, _ = _act(wrk, "leave-cluster", state_root=charm_env, user=WRK)
    assert ok  # idempotent

    # rejoin as osm-mec joins a worker OSM did not relate: only public data crosses OSM
    assert _act(ctl, "generate-ssh-key", state_root=charm_env, user=CTL)[0]
    ok, key, _ = _act(ctl, "get-ssh-public-key", state_root=charm_env, user=CTL)
    ok, worker, _ = _act(wrk, "authorize-controller", {"public-key": key["pubkey"]},
                         charm_env, WRK)
    assert ok and worker["related"] == "false" and worker["joined"] == "false", worker
    assert worker["host-key"].startswith("ssh-ed25519 ")
    ok, added, _ = _act(ctl, "add-worker", {
        "address": "127.0.0.1", "port": server.port, "username": WRK,
        "host-key": worker["host-key"]}, charm_env, CTL)
    assert ok and added == {"node-name": "test-worker-1"}, added
    cluster = json.loads(server.cluster_state.read_text())
    assert cluster["tokens"] == [] and cluster["nodes"]["test-worker-1"]
    authorized = server.users[WRK].home / ".ssh" / "authorized_keys"
    assert key["pubkey"].split()[1] not in authorized.read_text()  # its key removed again
    forged = {"address": "127.0.0.1", "port": server.port, "username": WRK,
              "host-key": "ssh-ed25519 " + "A" * 68}
    ok, refused, _ = _act(ctl, "add-worker", forged, charm_env, CTL)
    assert not ok and "host key" in refused["output"]
    assert json.loads(server.cluster_state.read_text())["tokens"] == []


def _ensure_control_plane(server, charm_env, monkeypatch) -> None:
    """The controller initialised (by this test when no earlier one did): tests stand alone."""
    if server.cluster_state.read_text().strip():
        return
    ctl = _unit(server, CTL, "controller", monkeypatch, charm_env,
                **{"ssh-password": server.users[CTL].password})
    os.environ["K8S_CLUSTER_CHARM_STATE"] = str(charm_env / CTL)
    ctx = _context()
    ctx.run(ctx.on.action("init-control-plane", params={
        "advertise-address": "172.16.0.10", "pod-cidr": "10.244.0.0/16",
        "service-cidr": "10.96.0.0/12", "kubernetes-version": "1.30", "cni": "flannel"}),
        testing.State(config=ctl))
    assert server.cluster_state.read_text().strip(), "init-control-plane made no cluster"


def test_join_with_a_wrong_ca_hash_is_refused_and_asks_again(server, charm_env, monkeypatch):
    wrk = _unit(server, WRK, "worker", monkeypatch, charm_env,
                **{"ssh-password": server.users[WRK].password})
    _prepared(server)
    _ensure_control_plane(server, charm_env, monkeypatch)
    for path in ("etc/kubernetes", "var/lib/osm-mec/kubeadm-join-done"):
        target = server.users[WRK].fake_root / path
        if target.is_dir():
            import shutil
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    relation = testing.Relation("control-plane", remote_app_name="controller",
                                remote_units_data={0: {
                                    "endpoint": "https://172.16.0.10:6443",
                                    "token": "abcdef.0123456789abcdef",
                                    "ca-cert-hash": "sha256:" + "0" * 64}})
    status, mine, _ = _relation_event(wrk, relation, charm_env, WRK)
    assert isinstance(status, testing.BlockedStatus)
    assert status.message.startswith("cluster-join: kubeadm-join failed")
    assert mine["token-request"] == "1"


class _SlowClock(FakeClock):
    """Real short sleeps, so the worker's wait overlaps the controller's init."""

    def __init__(self) -> None:
        super().__init__()
        self.poll = 0.1
        self.sleep = time.sleep
        self.now = time.monotonic


def test_password_never_on_a_command_line_and_removed_on_close(server):
    """The password reaches ssh through a 0600 file read by a private askpass helper."""
    user = server.users[WRK]
    remote = host(server, user=WRK, password=user.password)
    assert remote.run(["true"]).ok
    argv, env = remote._argv("true")
    assert user.password not in " ".join(argv) and user.password not in str(env)
    secret = remote._work.path / "password"
    assert oct(secret.stat().st_mode & 0o777) == "0o600"
    assert oct(remote._work.path.stat().st_mode & 0o777) == "0o700"
    folder = remote._work.path
    remote.close()
    assert not folder.exists()
