"""The charm's hooks and actions with ops' state-transition testing API (Context/State).

No VM can run here: the SSH runner is replaced by the fake VM (doubles/fake_vm.py), whose
kubeadm and kubectl are the same model (doubles/k8s_model.py) the SSH tests run as
executables: it refuses the flags, arguments and credentials the real tools refuse."""

from __future__ import annotations

import base64
import json
import os
import re
import stat

import pytest
import yaml
from ops import testing

from remote import AuthenticationFailed, CommandTimeout, HostKeyChanged, Unreachable

from .conftest import TEST_CA

CONTROLLER = {"ssh-hostname": "10.0.0.5", "ssh-username": "ubuntu", "role": "controller"}
WORKER = {"ssh-hostname": "10.0.0.6", "ssh-username": "ubuntu", "role": "worker"}
INIT = {"advertise-address": "172.16.0.10", "pod-cidr": "10.244.0.0/16",
        "service-cidr": "10.96.0.0/12", "kubernetes-version": "1.30", "cni": "flannel"}
JOIN_DATA = {"endpoint": "https://172.16.0.10:6443", "ca-cert-hash": TEST_CA[2],
             "token": "new000.0123456789abcdef"}


def run_action(ctx, name, config, params=None):
    ctx.run(ctx.on.action(name, params=params or {}), testing.State(config=config))
    return dict(ctx.action_results or {})


def failed_action(ctx, name, config, params=None):
    with pytest.raises(testing.ActionFailed) as failure:
        ctx.run(ctx.on.action(name, params=params or {}), testing.State(config=config))
    return failure.value.message, dict(ctx.action_results or {})


# -- hooks ----------------------------------------------------------------------------------
# N2VC's deploy_charm waits (juju_watcher.entity_ready) until the application is `active` or
# `blocked` and only then sends the `config` primitive that sets ssh-hostname: a unit that
# waits in any other status before configuration stalls the execution environment.
N2VC_READY = (testing.ActiveStatus, testing.BlockedStatus)


@pytest.mark.parametrize("event", ["install", "start", "config_changed", "update_status"])
def test_unconfigured_unit_is_blocked_so_n2vc_sends_config(ctx, event):
    state = ctx.run(getattr(ctx.on, event)(), testing.State(config={"role": "worker"}))
    assert state.unit_status == testing.BlockedStatus("waiting for ssh credentials")
    assert isinstance(state.unit_status, N2VC_READY)


def test_bad_role_is_blocked(ctx):
    state = ctx.run(ctx.on.config_changed(),
                    testing.State(config={"role": "manager", "ssh-hostname": "h"}))
    assert state.unit_status == testing.BlockedStatus(
        "role 'manager': use one of controller, worker, standalone")


@pytest.mark.parametrize("event", ["install", "start", "config_changed", "update_status"])
def test_configured_unit_is_active_once_it_reaches_its_vm(ctx, vm, event):
    state = ctx.run(getattr(ctx.on, event)(), testing.State(config=WORKER))
    assert state.unit_status == testing.ActiveStatus("worker at 10.0.0.6")
    assert vm.commands() == [["true"]] and vm.closed == 1


def test_configured_but_unreachable_vm_is_blocked_with_the_reason(ctx, vm):
    vm.raise_on(["true"], Unreachable("10.0.0.6:22 did not accept SSH within 20 s"))
    state = ctx.run(ctx.on.config_changed(), testing.State(config=WORKER))
    assert state.unit_status == testing.BlockedStatus(
        "cannot reach the VM: 10.0.0.6:22 did not accept SSH within 20 s")
    assert vm.connect_deadline <= 30  # a hook never waits the 300 s an action may


# -- OSM's standard proxy actions -------------------------------------------------------------
def test_generate_and_get_ssh_key(ctx, vm, tmp_path):
    assert run_action(ctx, "generate-ssh-key", CONTROLLER)["output"] == "generated a new SSH key"
    key = tmp_path / "state" / "id_ssh"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    pubkey = run_action(ctx, "get-ssh-public-key", CONTROLLER)["pubkey"]
    assert pubkey.startswith("ssh-rsa ")
    before = key.read_bytes()
    assert "kept it" in run_action(ctx, "generate-ssh-key", CONTROLLER)["output"]
    assert key.read_bytes() == before  # idempotent
    assert run_action(ctx, "get-ssh-public-key", CONTROLLER)["pubkey"] == pubkey


def test_generate_ed25519_key(ctx, vm):
    run_action(ctx, "generate-ssh-key", {**CONTROLLER, "ssh-key-type": "ed25519"})
    assert run_action(ctx, "get-ssh-public-key", CONTROLLER)["pubkey"].startswith("ssh-ed25519 ")


def test_bad_key_type_fails_cleanly(ctx, vm):
    message, results = failed_action(ctx, "generate-ssh-key", {**CONTROLLER,
                                                               "ssh-key-type": "dsa"})
    assert "use rsa or ed25519" in results["output"]


def test_public_key_before_generation_fails(ctx, vm):
    message, results = failed_action(ctx, "get-ssh-public-key", CONTROLLER)
    assert "run generate-ssh-key first" in results["output"]


def test_verify_ssh_credentials(ctx, vm):
    assert run_action(ctx, "verify-ssh-credentials", CONTROLLER) == {"verified": "true"}
    assert vm.credentials.host == "10.0.0.5" and vm.credentials.username == "ubuntu"
    assert vm.closed == 1


@pytest.mark.parametrize("error", [
    Unreachable("10.0.0.5:22 did not accept SSH within 300 s"),
    AuthenticationFailed("ubuntu@10.0.0.5:22 refused the credentials"),
])
def test_verify_ssh_credentials_failures(ctx, vm, error):
    vm.raise_on(["true"], error)
    message, results = failed_action(ctx, "verify-ssh-credentials", CONTROLLER)
    assert results["verified"] == "false"
    assert str(error) in results["output"] and str(error) in message


def test_run_returns_output_and_reports_failures(ctx, vm):
    assert run_action(ctx, "run", CONTROLLER, {"command": "echo ok"})["output"] == "ok\n"
    message, results = failed_action(ctx, "run", CONTROLLER,
                                     {"command": "echo it broke >&2; exit 3"})
    assert results["output"] == ("run failed: exit status 3\ncommand: echo it broke >&2; exit 3"
                                 "\nstderr: it broke")


def test_run_timeout(ctx, vm):
    vm.raise_on(["sh"], CommandTimeout("no answer within 5 s", "sleep 10"))
    message, results = failed_action(ctx, "run", CONTROLLER, {"command": "sleep 10",
                                                              "timeout": 5})
    assert results["output"] == ("CommandTimeout failed: no answer within 5 s\n"
                                 "command: sleep 10")


def test_missing_ssh_hostname(ctx, vm):
    message, results = failed_action(ctx, "list-nodes", {"role": "controller"})
    assert "ssh-hostname is not set" in results["output"]


def test_unexpected_errors_never_escape(ctx, vm):
    vm.raise_on(["true"], RuntimeError("surprise"))
    message, results = failed_action(ctx, "verify-ssh-credentials", CONTROLLER)
    assert results["output"] == "unexpected error: RuntimeError: surprise"


# -- day 1 -----------------------------------------------------------------------------------
def test_init_control_plane(ctx, vm):
    results = run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    assert results == {"api-endpoint": "https://172.16.0.10:6443",
                       "node-name": "mecaas-acme-edge-controller", "storage-class": "local-path"}
    stdins = {c["argv"][-1]: c["stdin"] for c in vm.calls if c["argv"][0] == "install"}
    assert not [p for p in stdins if "/pki/" in p]  # kubeadm makes the CA on the VM
    init_cfg, cluster_cfg = yaml.safe_load_all(stdins["/etc/kubernetes/osm-mec-kubeadm.yaml"])
    assert "bootstrapTokens" not in init_cfg
    deleted = [c[3:] for c in vm.commands() if c[:3] == ["kubeadm", "token", "delete"]]
    assert len(deleted) == 1 and re.fullmatch("[a-z0-9]{6}", deleted[0][0])  # the 24 h token
    assert vm.tokens == []
    assert init_cfg["localAPIEndpoint"]["advertiseAddress"] == "172.16.0.10"
    assert cluster_cfg["kubernetesVersion"] == "v1.30.2"
    assert cluster_cfg["networking"] == {"podSubnet": "10.244.0.0/16",
                                         "serviceSubnet": "10.96.0.0/12"}
    assert cluster_cfg["apiServer"]["certSANs"] == ["10.0.0.5", "172.16.0.10"]
    assert vm.ran("kubeadm", "init", "--config", "/etc/kubernetes/osm-mec-kubeadm.yaml")
    apply = next(c for c in vm.calls if c["argv"][3:5] == ["apply", "-f"])
    assert '"Network": "10.244.0.0/16"' in apply["stdin"] and "kube-flannel-ds" in apply["stdin"]
    assert all(c["sudo"] for c in vm.calls if c["argv"][0] in ("kubeadm", "kubectl", "install"))
    polls = [c for c in vm.calls if c["argv"][3:5] == ["get", "node"]]
    assert len(polls) == 3  # NotReady twice, then Ready


DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"


def test_init_installs_local_path_storage_and_marks_it_default(ctx, vm):
    """N2VC's K8sJujuConnector.init_env needs a default StorageClass (add_k8s raises
    'storage_class must be a non-empty string' without one); the MEP's PVC needs one too."""
    results = run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    assert results["storage-class"] == "local-path"
    applies = [c["stdin"] for c in vm.calls if c["argv"][3:6] == ["apply", "-f", "-"]]
    storage = [yaml.safe_load_all(a) for a in applies if "rancher.io/local-path" in a]
    (docs,) = [list(d) for d in storage]
    (sc,) = [d for d in docs if d["kind"] == "StorageClass"]
    assert sc["metadata"]["name"] == "local-path"
    assert DEFAULT_CLASS not in (sc["metadata"].get("annotations") or {})  # marked after
    (patch,) = [c["argv"][3:] for c in vm.calls if c["argv"][3:4] == ["patch"]]
    assert patch[:4] == ["patch", "storageclass", "local-path", "-p"]
    assert yaml.safe_load(patch[4]) == {"metadata": {"annotations": {DEFAULT_CLASS: "true"}}}
    assert vm.storage_classes["local-path"][DEFAULT_CLASS] == "true"


def test_init_keeps_an_existing_default_class(ctx, vm):
    run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    del vm.storage_classes["local-path"][DEFAULT_CLASS]  # e.g. the cloud's CSI is default
    vm.storage_classes["cinder-csi"] = {"provisioner": "cinder.csi.openstack.org",
                                        DEFAULT_CLASS: "true"}
    vm.calls.clear()
    results = run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    assert results["storage-class"] == "cinder-csi"
    assert not [c for c in vm.calls if c["argv"][3:4] == ["patch"]]


def test_init_without_storage(ctx, vm):
    results = run_action(ctx, "init-control-plane", CONTROLLER, {**INIT, "storage": "none"})
    assert "storage-class" not in results
    assert not [c for c in vm.calls if "rancher.io/local-path" in (c["stdin"] or "")]


def test_init_control_plane_is_idempotent(ctx, vm):
    run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    vm.calls.clear()
    results = run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    assert results["node-name"] == "mecaas-acme-edge-controller"
    assert not vm.ran("kubeadm", "init") and not vm.ran("install")


def test_init_failure_reports_step_command_and_stderr(ctx, vm):
    vm.fail(["kubeadm", "init"], stderr="[ERROR Port-6443]: Port 6443 is in use\n" * 5)
    message, results = failed_action(ctx, "init-control-plane", CONTROLLER, INIT)
    output = results["output"]
    assert output.startswith("kubeadm-init failed: exit status 1\ncommand: kubeadm init "
                             "--config /etc/kubernetes/osm-mec-kubeadm.yaml --skip-token-print")
    assert "Port 6443 is in use" in output
    assert message == "kubeadm-init failed: exit status 1"
    assert "PRIVATE KEY" not in output


def test_init_version_mismatch(ctx, vm):
    vm.version = "v1.29.9"
    message, results = failed_action(ctx, "init-control-plane", CONTROLLER, INIT)
    assert "kubeadm v1.29.9 is installed but kubernetes-version 1.30" in results["output"]


def test_init_waits_for_cloud_init_then_times_out(ctx, vm):
    del vm.files["/var/lib/osm-mec/node-prepared"]
    message, results = failed_action(ctx, "init-control-plane", CONTROLLER, INIT)
    assert results["output"].startswith("wait-for-cloud-init failed: timed out after 1200 s")


def test_init_node_never_ready(ctx, vm):
    vm.ready_after = 10**6
    message, results = failed_action(ctx, "init-control-plane", CONTROLLER,
                                     {**INIT, "ready-timeout": 60})
    assert "timed out after 60 s waiting for node mecaas-acme-edge-controller" in \
        results["output"]


def test_init_on_a_worker_is_refused(ctx, vm):
    message, results = failed_action(ctx, "init-control-plane", WORKER, INIT)
    assert "runs on a controller unit; this unit's role is 'worker'" in results["output"]
    assert vm.calls == []


def test_calico_without_vendored_manifest(ctx, vm):
    message, results = failed_action(ctx, "init-control-plane", CONTROLLER,
                                     {**INIT, "cni": "calico"})
    assert "calico.yaml is not in the charm" in results["output"]


# -- the cluster-join relation ------------------------------------------------------------
def _worker_relation(data=None, local=None):
    return testing.Relation("control-plane", remote_app_name="k8s-controller",
                            remote_units_data={0: dict(data or {})},
                            local_unit_data=dict(local or {}))


def _controller_relation(worker=None, local=None):
    return testing.Relation("cluster-join", remote_app_name="k8s-worker-0",
                            remote_units_data={0: dict(worker or {})},
                            local_unit_data=dict(local or {}))


def _relation_event(ctx, relation, config):
    out = ctx.run(ctx.on.relation_changed(relation, remote_unit=0),
                  testing.State(config=config, relations=[relation]))
    return out, out.get_relation(relation.id).local_unit_data


def test_worker_joins_with_the_relation_data(ctx, vm):
    vm.existing_cluster(JOIN_DATA["token"])
    vm.hostname = "mecaas-acme-edge-worker-0"
    vm.api_up_after = 2
    out, mine = _relation_event(ctx, _worker_relation(JOIN_DATA), WORKER)
    assert ["kubeadm", "join", "172.16.0.10:6443", "--token", JOIN_DATA["token"],
            "--discovery-token-ca-cert-hash", TEST_CA[2]] in vm.commands()
    polls = [c["argv"] for c in vm.calls if c["argv"][3:5] == ["get", "node"]]
    assert polls[0][:3] == ["kubectl", "--kubeconfig", "/etc/kubernetes/kubelet.conf"]
    assert mine["node-name"] == "mecaas-acme-edge-worker-0"
    assert vm.nodes["mecaas-acme-edge-worker-0"] is True
    assert isinstance(out.unit_status, testing.ActiveStatus)
    vm.calls.clear()  # joined: another event changes nothing
    _relation_event(ctx, _worker_relation(JOIN_DATA, mine), WORKER)
    assert not vm.ran("kubeadm", "join")


def test_worker_waits_for_join_data_and_for_cloud_init(ctx, vm):
    out, mine = _relation_event(ctx, _worker_relation({}), WORKER)
    assert out.unit_status == testing.WaitingStatus("waiting for join data from the controller")
    del vm.files["/var/lib/osm-mec/node-prepared"]
    out, mine = _relation_event(ctx, _worker_relation(JOIN_DATA), WORKER)
    assert out.unit_status == testing.WaitingStatus("waiting for cloud-init to prepare the node")
    assert not vm.ran("kubeadm", "join") and "node-name" not in mine


def test_worker_asks_for_a_fresh_token_when_the_join_is_refused(ctx, vm):
    vm.existing_cluster("other0.0123456789abcdef")  # JOIN_DATA's token expired
    out, mine = _relation_event(ctx, _worker_relation(JOIN_DATA, {"token-request": "1"}),
                                WORKER)
    assert mine["token-request"] == "2"
    assert isinstance(out.unit_status, testing.BlockedStatus)
    assert "kubeadm-join" in out.unit_status.message
    assert JOIN_DATA["token"] not in out.unit_status.message


def test_worker_without_the_relation_does_not_join(ctx, vm):
    out = ctx.run(ctx.on.update_status(), testing.State(config=WORKER))
    assert isinstance(out.unit_status, testing.ActiveStatus) and not vm.ran("kubeadm", "join")


def test_controller_publishes_join_data_once_initialised(ctx, vm):
    relation = _controller_relation()
    _, mine = _relation_event(ctx, relation, CONTROLLER)
    assert "token" not in mine and not vm.ran("kubeadm", "token", "create")  # no cluster yet
    out = ctx.run(ctx.on.action("init-control-plane", params=INIT),
                  testing.State(config=CONTROLLER, relations=[relation]))
    mine = out.get_relation(relation.id).local_unit_data
    assert mine["endpoint"] == "https://172.16.0.10:6443"
    assert mine["ca-cert-hash"] == TEST_CA[2]
    assert vm.created == [(mine["token"], "30m")]
    assert "token" not in json.dumps(ctx.action_results)  # only in Juju's relation data


def test_controller_deletes_the_token_once_the_worker_joined(ctx, vm):
    run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    vm.cluster["tokens"].append(JOIN_DATA["token"])
    relation = _controller_relation({"node-name": "w0"}, {**JOIN_DATA, "served-request": ""})
    _, mine = _relation_event(ctx, relation, CONTROLLER)
    assert "token" not in mine and vm.tokens == []
    assert ["kubeadm", "token", "delete", "new000"] in vm.commands()


def test_controller_replaces_the_token_on_request(ctx, vm):
    run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    old = "old000.0123456789abcdef"
    vm.cluster["tokens"].append(old)
    relation = _controller_relation({"token-request": "1"},
                                    {**JOIN_DATA, "token": old, "served-request": ""})
    _, mine = _relation_event(ctx, relation, CONTROLLER)
    assert mine["served-request"] == "1" and mine["token"] == vm.created[-1][0] != old
    assert vm.tokens == [mine["token"]]  # the old one deleted
    vm.calls.clear()
    _relation_event(ctx, _controller_relation({"token-request": "1"}, mine), CONTROLLER)
    assert not vm.ran("kubeadm", "token", "create")  # that request is served


def test_controller_token_ttl_is_configurable(ctx, vm):
    out = ctx.run(ctx.on.action("init-control-plane", params=INIT),
                  testing.State(config={**CONTROLLER, "join-token-ttl": "10m"},
                                relations=[_controller_relation()]))
    assert vm.created[-1][1] == "10m"


# -- joining a worker the relation does not reach (authorize-controller + add-worker) -------
CONTROLLER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBc0ntr0ll3rKey"


def test_authorize_controller(ctx, vm):
    results = run_action(ctx, "authorize-controller", WORKER, {"public-key": CONTROLLER_KEY
                                                               + " comment"})
    (call,) = [c for c in vm.calls if c["argv"][:2] == ["sh", "-c"]]
    assert call["argv"][-1] == CONTROLLER_KEY and not call["sudo"]
    authorized = (vm.home / ".ssh" / "authorized_keys").read_text()
    assert authorized == CONTROLLER_KEY + "\n"  # the charm's script, run by a real sh
    assert results["address"] == "10.0.0.6" and results["username"] == "ubuntu"
    assert results["related"] == "false" and results["joined"] == "false"


@pytest.mark.parametrize("key", ["not a key", "ssh-ed25519 AAAA\nssh-rsa BBBB", "ssh-dss AAAA"])
def test_authorize_controller_refuses_anything_but_one_key(ctx, vm, key):
    message, results = failed_action(ctx, "authorize-controller", WORKER, {"public-key": key})
    assert "not an OpenSSH public key line" in results["output"] and vm.calls == []


def test_add_worker_joins_with_a_token_it_deletes(ctx, vm, tmp_path):
    run_action(ctx, "generate-ssh-key", CONTROLLER)
    run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    vm.add_node_vm("10.0.0.7", "mecaas-acme-edge-worker-7")
    vm.calls.clear()
    results = run_action(ctx, "add-worker", CONTROLLER, {
        "address": "10.0.0.7", "host-key": "ssh-ed25519 " + "A" * 68})
    assert results == {"node-name": "mecaas-acme-edge-worker-7"}
    assert vm.nodes["mecaas-acme-edge-worker-7"] is True
    (token, ttl), = vm.created
    assert ["kubeadm", "join", "172.16.0.10:6443", "--token", token,
            "--discovery-token-ca-cert-hash", TEST_CA[2]] in vm.commands()
    assert ["kubeadm", "token", "delete", token.split(".")[0]] in vm.commands()
    assert token not in json.dumps(results)
    assert "10.0.0.7" in [c.host for c in vm.connections]
    revoke = [c for c in vm.calls if c["argv"][:2] == ["sh", "-c"]]
    assert revoke and revoke[-1]["argv"][-1].startswith("ssh-")  # its key removed again


def test_add_worker_deletes_the_token_when_the_join_fails(ctx, vm):
    run_action(ctx, "generate-ssh-key", CONTROLLER)
    run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    vm.add_node_vm("10.0.0.7", "mecaas-acme-edge-worker-7")
    vm.arm("join")  # kubelet-start times out
    message, results = failed_action(ctx, "add-worker", CONTROLLER, {
        "address": "10.0.0.7", "host-key": "ssh-ed25519 " + "A" * 68})
    assert "kubeadm-join failed" in results["output"] and vm.tokens == []


def test_add_worker_without_a_unit_key(ctx, vm):
    message, results = failed_action(ctx, "add-worker", CONTROLLER, {
        "address": "10.0.0.7", "host-key": "ssh-ed25519 " + "A" * 68})
    assert "no SSH key" in results["output"]


def test_leave_cluster(ctx, vm):
    vm.existing_cluster(JOIN_DATA["token"])
    vm.hostname = "mecaas-acme-edge-worker-0"
    _relation_event(ctx, _worker_relation(JOIN_DATA), WORKER)
    assert "mecaas-acme-edge-worker-0" in vm.nodes
    assert run_action(ctx, "leave-cluster", WORKER) == {"output": "left the cluster"}
    assert ["kubeadm", "reset", "-f"] in vm.commands()
    assert "mecaas-acme-edge-worker-0" not in vm.nodes  # its own Node object deleted
    assert "/etc/kubernetes/kubelet.conf" not in vm.files
    assert run_action(ctx, "leave-cluster", WORKER) == {
        "output": "was not joined; reset anyway"}


def test_leave_cluster_never_fails_a_scale_in_for_a_gone_node(ctx, vm):
    vm.raise_on(["test"], Unreachable("gone"))
    results = run_action(ctx, "leave-cluster", WORKER)
    assert results["output"].startswith("node unreachable, nothing to clean")


@pytest.mark.parametrize("error", [AuthenticationFailed("refused"),
                                   HostKeyChanged("another host key"),
                                   CommandTimeout("kubeadm reset hung")])
def test_leave_cluster_fails_when_the_node_answers_but_cannot_be_reset(ctx, vm, error):
    """A VM that refuses our key, shows another host key, or hangs is not a gone node: the
    action fails (OSM shows why) instead of reporting a clean leave."""
    vm.raise_on(["test"], error)
    message, results = failed_action(ctx, "leave-cluster", WORKER)
    assert "nothing to clean" not in results.get("output", "")


def test_leave_cluster_without_kubeadm(ctx, vm):
    """cloud-init failed before installing kubeadm: sudo answers 'command not found'."""
    vm.uninstall("kubeadm")
    assert run_action(ctx, "leave-cluster", WORKER) == {
        "output": "kubeadm is not installed: nothing to reset"}


def test_leave_cluster_reset_failure_is_reported(ctx, vm):
    vm.fail(["kubeadm", "reset"], exit_status=1, stderr="unmount failed")
    message, results = failed_action(ctx, "leave-cluster", WORKER)
    assert "kubeadm-reset failed" in results["output"] and "unmount failed" in results["output"]


# -- day 2 -----------------------------------------------------------------------------------
@pytest.fixture()
def initialised(ctx, vm):
    run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    vm.add_cluster_node("mecaas-acme-edge-worker-1")
    vm.calls.clear()
    return vm


def test_get_join_info_is_public_data_only(ctx, initialised):
    results = run_action(ctx, "get-join-info", CONTROLLER)
    assert results == {"endpoint": "https://172.16.0.10:6443", "ca-cert-hash": TEST_CA[2]}
    assert not initialised.ran("kubeadm", "token", "create")


def test_get_join_info_before_init(ctx, vm):
    message, results = failed_action(ctx, "get-join-info", CONTROLLER)
    assert "the control plane is not initialised" in results["output"]


def test_get_kubeconfig_uses_a_service_account_token(ctx, initialised):
    results = run_action(ctx, "get-kubeconfig", CONTROLLER, {"service-account": "osm",
                                                             "duration": 3600})
    config = yaml.safe_load(results["kubeconfig"])
    (user,) = config["users"]
    header, claims, _ = user["user"]["token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert user["name"] == "osm" and claims["sub"] == "system:serviceaccount:kube-system:osm"
    assert config["clusters"][0]["cluster"] == {
        "server": "https://10.0.0.5:6443",
        "certificate-authority-data": base64.b64encode(TEST_CA[0].encode()).decode()}
    assert "FAKE-CLIENT" not in results["kubeconfig"]  # admin.conf's credentials stay
    assert ["kubectl", "--kubeconfig", "/etc/kubernetes/admin.conf", "create", "token", "osm",
            "-n", "kube-system", "--duration", "3600s"] in initialised.commands()
    applied = json.loads(next(c["stdin"] for c in initialised.calls
                              if c["argv"][3:5] == ["apply", "-f"]))
    kinds = [item["kind"] for item in applied["items"]]
    assert kinds == ["ServiceAccount", "ClusterRoleBinding"]


def test_remove_node(ctx, initialised):
    results = run_action(ctx, "remove-node", CONTROLLER, {"node": "mecaas-acme-edge-worker-1"})
    assert results == {"output": "node mecaas-acme-edge-worker-1 drained and deleted"}
    drain = next(c["argv"] for c in initialised.calls if c["argv"][3] == "drain")
    assert "--ignore-daemonsets" in drain and "--timeout=300s" in drain
    again = run_action(ctx, "remove-node", CONTROLLER, {"node": "mecaas-acme-edge-worker-1"})
    assert again == {"output": "node mecaas-acme-edge-worker-1 is not in the cluster: nothing "
                               "to remove"}


def test_remove_node_drain_failure(ctx, initialised):
    initialised.fail(["kubectl", "--kubeconfig", "/etc/kubernetes/admin.conf", "drain"],
                     stderr="error: timed out waiting for the condition")
    message, results = failed_action(ctx, "remove-node", CONTROLLER,
                                     {"node": "mecaas-acme-edge-worker-1"})
    assert results["output"].startswith("drain failed") and "timed out" in results["output"]


def test_list_nodes(ctx, initialised):
    nodes = json.loads(run_action(ctx, "list-nodes", CONTROLLER)["nodes"])
    assert nodes == [
        {"name": "mecaas-acme-edge-controller", "roles": ["control-plane"], "ready": True,
         "kubelet-version": "v1.30.2"},
        {"name": "mecaas-acme-edge-worker-1", "roles": [], "ready": True,
         "kubelet-version": "v1.30.2"}]


def test_day2_on_a_worker_is_refused(ctx, vm):
    for action in ("get-join-info", "get-kubeconfig", "list-nodes"):
        message, results = failed_action(ctx, action, WORKER)
        assert "runs on a controller unit" in results["output"]


@pytest.mark.parametrize("action, config, params, missing", [
    ("remove-node", CONTROLLER, {}, "node"),
    ("remove-node", CONTROLLER, {"node": ""}, "node"),
    ("run", CONTROLLER, {"command": ""}, "command"),
    ("add-worker", CONTROLLER, {"address": "10.0.0.7"}, "host-key"),
    ("authorize-controller", WORKER, {}, "public-key"),
    ("init-control-plane", CONTROLLER, {k: v for k, v in INIT.items() if k != "cni"}, "cni"),
    ("register-cluster", CONTROLLER, {"osm-url": "http://x"},
     "osm-token, vim-account, cluster-name"),
])
def test_missing_parameters_fail_before_touching_the_vm(ctx, vm, action, config, params,
                                                        missing):
    message, results = failed_action(ctx, action, config, params)
    assert results["output"] == f"parameters failed: missing required parameter(s): {missing}"
    assert vm.calls == []


# -- no cryptography in the charm: kubeadm's CA hash from the DER ---------------------------
@pytest.mark.parametrize("key_kind", ["rsa", "ec"])
def test_ca_cert_hash_matches_the_spki_hash(key_kind):
    """The charm's DER walk agrees with cryptography's SubjectPublicKeyInfo (test side)."""
    import datetime
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID

    from cluster_ops import StepFailed, ca_cert_hash

    key = rsa.generate_private_key(65537, 2048) if key_kind == "rsa" else \
        ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
    now = datetime.datetime(2026, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    assert ca_cert_hash(pem) == "sha256:" + hashlib.sha256(spki).hexdigest()
    with pytest.raises(StepFailed, match="not a PEM X.509 certificate"):
        ca_cert_hash("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----")


# -- flannel on cluster-net -----------------------------------------------------------------
def _flanneld_args(vm) -> list[str]:
    apply = next(c["stdin"] for c in vm.calls if "kube-flannel-ds" in (c["stdin"] or ""))
    (ds,) = [d for d in yaml.safe_load_all(apply) if d and d["kind"] == "DaemonSet"]
    (flanneld,) = ds["spec"]["template"]["spec"]["containers"]
    return flanneld["args"]


def test_flannel_is_bound_to_cluster_net(ctx, vm):
    """Without --iface flannel takes the default route's interface (the management
    network); the charm pins it to the cluster-net addresses."""
    import re

    run_action(ctx, "init-control-plane", CONTROLLER, {**INIT,
                                                       "cluster-net-cidr": "172.16.0.0/23"})
    args = _flanneld_args(vm)
    assert args[:2] == ["--ip-masq", "--kube-subnet-mgr"] and len(args) == 3
    flag, regex = args[2].split("=", 1)
    assert flag == "--iface-regex"
    assert all(re.match(regex, ip) for ip in ("172.16.0.10", "172.16.1.255"))
    assert not any(re.match(regex, ip) for ip in ("172.16.2.1", "10.0.0.5", "172.16.10.1",
                                                  "1172.16.0.1"))


def test_flannel_default_interface_without_cluster_net_cidr(ctx, vm):
    run_action(ctx, "init-control-plane", CONTROLLER, INIT)
    assert _flanneld_args(vm) == ["--ip-masq", "--kube-subnet-mgr"]


def test_bad_cluster_net_cidr_fails_before_touching_the_vm(ctx, vm):
    message, results = failed_action(ctx, "init-control-plane", CONTROLLER,
                                     {**INIT, "cluster-net-cidr": "172.16.0.0/33"})
    assert "cluster-net-cidr '172.16.0.0/33'" in results["output"] and not vm.calls


def test_a_join_token_ttl_kubeadm_refuses_blocks_the_unit_before_any_init(ctx, vm):
    """kubeadm's --ttl is a Go duration ('30m', '1h'); '1d' makes `kubeadm token create`
    exit 1 (time: unknown unit "d"), so init-control-plane with a related worker fails
    after the cluster was built. The unit should say so as soon as it is configured."""
    state = ctx.run(ctx.on.config_changed(),
                    testing.State(config={**CONTROLLER, "join-token-ttl": "1d"}))
    assert isinstance(state.unit_status, testing.BlockedStatus)
    assert "join-token-ttl" in state.unit_status.message
