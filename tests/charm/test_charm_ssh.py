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
from cluster_ops import Node
from remote import (AuthenticationFailed, CommandTimeout, Credentials, HostKeyChanged,
                    RemoteHost, Unreachable, generate_key)

from . import sshd
from .conftest import TEST_CA, FakeClock, charm_context
from osm_mec.osm.credentials import Credentials as OsmLogin
from osm_mec.sandbox import Sandbox

pytestmark = pytest.mark.skipif(sshd.available() is not None and not os.environ.get("CI"),
                                reason=sshd.available() or "")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    reason = sshd.available()
    if reason:
        pytest.fail(f"CI must run the SSH integration tests: {reason}")
    srv = sshd.SshServer(tmp_path_factory.mktemp("sshd"))
    srv.add_user("osmmecctl", "test-controller")
    srv.add_user("osmmecwrk", "test-worker-1")
    srv.start()
    yield srv
    srv.cleanup()


@pytest.fixture(scope="module")
def keypair(tmp_path_factory):
    private, public = generate_key("ed25519")
    path = tmp_path_factory.mktemp("key") / "id"
    path.write_text(private)
    path.chmod(0o600)
    return path, public


def host(server, user="osmmecctl", password=None, key=None, **kwargs) -> RemoteHost:
    creds = Credentials("127.0.0.1", user, server.port, password=password,
                        key_filename=str(key) if key else None)
    return RemoteHost(creds, **kwargs)


# -- transport, quoting, exit codes, timeouts -------------------------------------------------
def test_password_login(server):
    remote = host(server, password=server.users["osmmecctl"].password)
    result = remote.run(["id", "-un"])
    assert result.ok and result.stdout.strip() == "osmmecctl"
    remote.close()


def test_key_login(server, keypair):
    path, public = keypair
    server.users["osmmecctl"].authorize(public)
    remote = host(server, key=path)
    assert remote.run(["id", "-un"]).stdout.strip() == "osmmecctl"
    remote.close()


@pytest.mark.parametrize("value", [
    "two words", "it's", 'say "hi"', "$HOME and $(id) and `id`", "line one\nline two",
    "semi; colon && and || pipe | star * glob ? [x]", "  leading and trailing  ", "",
    "back\\slash", "tab\there", "-n",
])
def test_arguments_arrive_intact(server, keypair, value):
    path, public = keypair
    server.users["osmmecctl"].authorize(public)
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
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    thread = threading.Thread(target=start_late)
    thread.start()
    try:
        remote = RemoteHost(Credentials("127.0.0.1", "osmmecctl", late.port,
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
        changed = RemoteHost(Credentials("127.0.0.1", "osmmecctl", other.port,
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
    config = _unit(server, "osmmecctl", "controller", monkeypatch, charm_env)
    ok, results, _ = _act(config, "verify-ssh-credentials")
    assert not ok and results["verified"] == "false"  # no key yet, no password
    assert _act(config, "generate-ssh-key")[0]
    ok, results, _ = _act(config, "get-ssh-public-key")
    server.users["osmmecctl"].authorize(results["pubkey"])
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
    config = _unit(server, "osmmecwrk", "worker", monkeypatch, charm_env,
                   **{"ssh-password": server.users["osmmecwrk"].password})
    ok, results, _ = _act(config, "run", {"command": "printf '%s' \"$NODE_NAME\""})
    assert ok and results["output"] == "test-worker-1"


def test_charm_run_failure_reports_command_and_stderr(server, charm_env, monkeypatch):
    config = _unit(server, "osmmecwrk", "worker", monkeypatch, charm_env,
                   **{"ssh-password": server.users["osmmecwrk"].password})
    ok, results, _ = _act(config, "run", {"command": "echo nope >&2; exit 4"})
    assert not ok
    assert results["output"] == ("run failed: exit status 4\ncommand: echo nope >&2; exit 4\n"
                                 "stderr: nope")


def test_charm_wrong_password(server, charm_env, monkeypatch):
    config = _unit(server, "osmmecwrk", "worker", monkeypatch, charm_env,
                   **{"ssh-password": "wrong"})
    monkeypatch.setattr(K8sClusterCharm, "remote_factory",
                        staticmethod(lambda creds, **kw: RemoteHost(creds, first_backoff=0.01,
                                                                    **kw)))
    ok, results, _ = _act(config, "verify-ssh-credentials")
    assert not ok and "refused the credentials" in results["output"]


def test_cluster_day1_and_day2_over_ssh(server, charm_env, monkeypatch):
    """Controller init and worker join run in parallel, as OSM runs the two VDUs' day-1."""
    ctl = _unit(server, "osmmecctl", "controller", monkeypatch, charm_env)
    wrk = _unit(server, "osmmecwrk", "worker", monkeypatch, charm_env,
                **{"ssh-password": server.users["osmmecwrk"].password})
    init = {"bootstrap-token": "abcdef.0123456789abcdef", "advertise-address": "172.16.0.10",
            "pod-cidr": "10.244.0.0/16", "service-cidr": "10.96.0.0/12",
            "kubernetes-version": "1.30", "cni": "flannel",
            "ca-cert": TEST_CA[0], "ca-key": TEST_CA[1]}
    join = {"controller-address": "172.16.0.10", "bootstrap-token": init["bootstrap-token"],
            "ca-cert-hash": TEST_CA[2]}
    for user in server.users.values():  # cloud-init finished on both VMs
        marker = user.fake_root / "var/lib/osm-mec/node-prepared"
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        sshd._chown_tree(user.fake_root, user.name)
    monkeypatch.setattr(K8sClusterCharm, "clock", _SlowClock())
    outcome: dict[str, object] = {}

    def worker() -> None:
        """The worker VDU's day-1, the same code its join-cluster action runs."""
        creds = Credentials("127.0.0.1", "osmmecwrk", server.port,
                            password=server.users["osmmecwrk"].password)
        remote = RemoteHost(creds)
        try:
            outcome["worker"] = Node(remote, _SlowClock()).join_cluster(
                join["controller-address"], join["bootstrap-token"], join["ca-cert-hash"],
                ready_timeout=60)
        except Exception as exc:  # noqa: BLE001
            outcome["worker"] = exc
        finally:
            remote.close()

    thread = threading.Thread(target=worker)
    thread.start()  # the worker starts first and waits for the controller's API
    time.sleep(0.5)
    ok, results, _ = _act(ctl, "init-control-plane", init, charm_env, "osmmecctl")
    thread.join(timeout=120)
    assert ok, results
    assert results == {"api-endpoint": "https://172.16.0.10:6443", "node-name": "test-controller",
                       "storage-class": "local-path"}
    cluster = json.loads(server.cluster_state.read_text())
    assert cluster["storageclasses"]["local-path"] == {
        "provisioner": "rancher.io/local-path",
        "storageclass.kubernetes.io/is-default-class": "true"}
    assert "Deployment/local-path-provisioner" in cluster["applied"]
    assert outcome["worker"] == {"node-name": "test-worker-1"}, outcome
    curls = server.calls("curl")
    assert curls and curls[0]["argv"][-1] == "https://172.16.0.10:6443/livez"
    joins = [c["argv"] for c in server.calls("kubeadm") if c["argv"][:1] == ["join"]]
    assert joins == [["join", "172.16.0.10:6443", "--token", "abcdef.0123456789abcdef",
                      "--discovery-token-ca-cert-hash", TEST_CA[2]]]
    ca = server.users["osmmecctl"].fake_root / "etc/kubernetes/pki"
    assert (ca / "ca.crt").read_text() == TEST_CA[0]
    assert oct((ca / "ca.key").stat().st_mode & 0o777) == "0o600"

    # idempotent: both day-1 actions again change nothing and succeed
    before = len(server.calls("kubeadm"))
    assert _act(ctl, "init-control-plane", init, charm_env, "osmmecctl")[0]
    assert _act(wrk, "join-cluster", join, charm_env, "osmmecwrk")[0]
    assert not [c for c in server.calls("kubeadm")[before:] if c["argv"][0] in ("init", "join")]

    ok, results, _ = _act(ctl, "list-nodes", state_root=charm_env, user="osmmecctl")
    assert json.loads(results["nodes"]) == [
        {"name": "test-controller", "roles": ["control-plane"], "ready": True,
         "kubelet-version": "v1.30.2"},
        {"name": "test-worker-1", "roles": [], "ready": True, "kubelet-version": "v1.30.2"}]

    ok, info, _ = _act(ctl, "get-join-info", state_root=charm_env, user="osmmecctl")
    assert ok and info["ca-cert-hash"] == TEST_CA[2] and info["token"] == init["bootstrap-token"]
    ok, fresh, _ = _act(ctl, "get-join-info", {"new-token": True}, charm_env, "osmmecctl")
    assert ok and fresh["token"] != init["bootstrap-token"]

    ok, results, _ = _act(ctl, "get-kubeconfig", state_root=charm_env, user="osmmecctl")
    assert ok and "FAKE-ADMIN" not in results["kubeconfig"]
    assert "https://127.0.0.1:6443" in results["kubeconfig"]

    nbi = Sandbox(OsmLogin("admin", "s3cret pass"), time_scale=0, vims=("edge-vim",)).start()
    try:
        reg = {"osm-url": nbi.url, "osm-user": "admin", "osm-password": "s3cret pass",
               "vim-account": "edge-vim", "cluster-name": "test-cluster"}
        ok, results, _ = _act(ctl, "register-cluster", reg, charm_env, "osmmecctl")
        assert ok and results["state"] == "ENABLED" and results["created"] == "true"
        ok, again, _ = _act(ctl, "register-cluster", reg, charm_env, "osmmecctl")
        assert ok and again["cluster-id"] == results["cluster-id"] and again["created"] == "false"
    finally:
        nbi.stop()
    assert "s3cret" not in server.log.read_text()

    # scale-in: the controller removes the node, then the worker leaves
    ok, results, _ = _act(ctl, "remove-node", {"node": "test-worker-1"}, charm_env, "osmmecctl")
    assert ok and results["output"] == "node test-worker-1 drained and deleted"
    ok, results, _ = _act(wrk, "leave-cluster", state_root=charm_env, user="osmmecwrk")
    assert ok and results["output"] == "left the cluster"
    assert not (server.users["osmmecwrk"].fake_root / "etc/kubernetes/kubelet.conf").exists()
    ok, results, _ = _act(wrk, "leave-cluster", state_root=charm_env, user="osmmecwrk")
    assert ok  # idempotent
    ok, results, _ = _act(ctl, "remove-node", {"node": "test-worker-1"}, charm_env, "osmmecctl")
    assert ok and "not in the cluster" in results["output"]


def test_join_with_a_wrong_ca_hash_fails_with_kubeadm_stderr(server, charm_env, monkeypatch):
    wrk = _unit(server, "osmmecwrk", "worker", monkeypatch, charm_env,
                **{"ssh-password": server.users["osmmecwrk"].password})
    marker = server.users["osmmecwrk"].fake_root / "var/lib/osm-mec/node-prepared"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    sshd._chown_tree(server.users["osmmecwrk"].fake_root, "osmmecwrk")
    if not server.cluster_state.read_text().strip():
        pytest.skip("needs the cluster from test_cluster_day1_and_day2_over_ssh")
    ok, results, _ = _act(wrk, "join-cluster", {"controller-address": "172.16.0.10",
                                                "bootstrap-token": "abcdef.0123456789abcdef",
                                                "ca-cert-hash": "sha256:" + "0" * 64},
                          charm_env, "osmmecwrk")
    assert not ok
    assert results["output"].startswith("kubeadm-join failed: exit status 1\ncommand: sudo -n "
                                        "-- kubeadm join 172.16.0.10:6443")
    assert "none of the public keys" in results["output"]


class _SlowClock(FakeClock):
    """Real short sleeps, so the worker's wait overlaps the controller's init."""

    def __init__(self) -> None:
        super().__init__()
        self.poll = 0.1
        self.sleep = time.sleep
        self.now = time.monotonic


def test_password_never_on_a_command_line_and_removed_on_close(server):
    """The password reaches ssh through a 0600 file read by a private askpass helper."""
    user = server.users["osmmecwrk"]
    remote = host(server, user="osmmecwrk", password=user.password)
    assert remote.run(["true"]).ok
    argv, env = remote._argv("true")
    assert user.password not in " ".join(argv) and user.password not in str(env)
    secret = remote._work.path / "password"
    assert oct(secret.stat().st_mode & 0o777) == "0o600"
    assert oct(remote._work.path.stat().st_mode & 0o777) == "0o700"
    folder = remote._work.path
    remote.close()
    assert not folder.exists()
