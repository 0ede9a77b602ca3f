"""The rendered cloud-init of the cluster VNF's VDUs, run as cloud-init runs it.

The scripts are the shipped ones (rendered as LCM renders them), written by `write_files`
and started by `runcmd` through plain `sh`, inside a private mount namespace whose /etc,
/var/lib and /usr/local are temporary folders (tests/cloud_init_vm.py). The system tools
they drive (apt-get, systemctl, kubeadm, ...) are doubles: there is no VM, systemd or apt
repository here; the doubles refuse what the real tools refuse and fail on demand.
"""

from __future__ import annotations

import os

import pytest
import yaml

from osm_mec.offer.descriptors import cloud_init

from .cloud_init_vm import FakeVm, unshare_available

SAMPLE = {"cluster_name": "mecaas-acme-edge", "controller_ip": "172.16.0.10"}
MARKER = "/var/lib/osm-mec/node-prepared"

if not unshare_available():
    if os.environ.get("CI") == "true":
        raise RuntimeError("unshare --map-root-user --mount is not permitted: the cloud-init "
                           "run tests need a private mount namespace")
    pytest.skip("no private mount namespace (unshare) on this machine",
                allow_module_level=True)


def _config(profile, role: str) -> dict:
    return yaml.safe_load(cloud_init.render(cloud_init.template(profile, role), SAMPLE))


def _vm(tmp_path, profile, role: str, **kwargs) -> tuple[FakeVm, dict]:
    vm = FakeVm(tmp_path / role, **kwargs)
    config = _config(profile, role)
    vm.write_files(config)
    return vm, config


@pytest.mark.parametrize("role", cloud_init.ROLES)
def test_successful_prepare_writes_the_marker_last(role, profile, tmp_path):
    vm, config = _vm(tmp_path, profile, role)
    result = vm.run_runcmd(config)
    assert result.returncode == 0, result.stderr
    assert vm.file(MARKER).exists()
    assert vm.file("/etc/default/kubelet").read_text() == \
        "KUBELET_EXTRA_ARGS=--node-ip=172.16.0.11\n"
    assert "SystemdCgroup = true" in vm.file("/etc/containerd/config.toml").read_text()
    assert "#/swap.img none swap" in vm.file("/etc/fstab").read_text()
    assert vm.file("/etc/hosts").read_text().count("172.16.0.10 k8s-api") == 1
    assert vm.file("/etc/apt/keyrings/kubernetes-apt-keyring.gpg").exists()
    calls = vm.calls()
    assert "apt-get install -y kubelet kubeadm kubectl" in calls
    assert calls.index("systemctl restart containerd") < calls.index("apt-get update")
    assert calls[-1] == ("kubeadm config images pull --kubernetes-version v1.30.5"
                         if role == "controller" else "systemctl enable --now kubelet")


def test_worker_names_itself_after_its_instance(profile, tmp_path):
    vm, config = _vm(tmp_path, profile, "worker")
    assert vm.run_runcmd(config).returncode == 0
    assert vm.file("/etc/hostname").read_text() == "mecaas-acme-edge-worker-6f1d2c3a\n"
    assert "hostname mecaas-acme-edge-worker-6f1d2c3a" in vm.calls()
    other, config = _vm(tmp_path / "other", profile, "worker",
                        instance_id="9a8b7c6d-0000-4000-8000-000000000000")
    assert other.run_runcmd(config).returncode == 0
    assert other.file("/etc/hostname").read_text() == "mecaas-acme-edge-worker-9a8b7c6d\n"


def test_runcmd_is_a_second_run_safe(profile, tmp_path):
    """Run twice (e.g. by hand after fixing a failure): /etc/hosts gets one k8s-api line."""
    vm, config = _vm(tmp_path, profile, "controller")
    assert vm.run_runcmd(config).returncode == 0
    assert vm.run_runcmd(config).returncode == 0
    assert vm.file("/etc/hosts").read_text().count("k8s-api") == 1


FAILING_STEPS = [
    ("controller", "modprobe br_netfilter"),
    ("worker", "systemctl restart containerd"),
    ("worker", "curl"),
    ("controller", "gpg"),
    ("worker", "apt-get update"),
    ("controller", "apt-get install"),
    ("worker", "apt-mark hold"),
    ("worker", "systemctl enable --now kubelet"),
    ("controller", "kubeadm config images pull"),
]


@pytest.mark.parametrize(("role", "step"), FAILING_STEPS)
def test_a_failing_step_stops_the_script_and_leaves_no_marker(role, step, profile, tmp_path):
    vm, config = _vm(tmp_path, profile, role)
    vm.arm_failure(step)
    result = vm.run_runcmd(config)
    assert result.returncode != 0
    assert "failure armed by the test" in result.stderr
    assert not vm.file(MARKER).exists()
    assert vm.calls()[-1].startswith(step)  # nothing ran after the failing step


def test_a_stale_marker_is_removed_when_a_rerun_fails(profile, tmp_path):
    vm, config = _vm(tmp_path, profile, "worker")
    assert vm.run_runcmd(config).returncode == 0
    vm.arm_failure("apt-get install")
    assert vm.run_runcmd(config).returncode != 0
    assert not vm.file(MARKER).exists()


def test_node_ip_helper_fails_without_a_cluster_net_address(profile, tmp_path):
    vm, config = _vm(tmp_path, profile, "worker", addresses=[
        "1: lo    inet 127.0.0.1/8 scope host lo",
        "2: ens3    inet 10.0.0.5/24 brd 10.0.0.255 scope global dynamic ens3",
    ])
    helper = vm.run(["/usr/local/sbin/osm-mec-kubelet-node-ip"])
    assert helper.returncode != 0
    assert "no IPv4 address of this VM is on cluster-net 172.16.0.0/24" in helper.stderr
    assert not vm.file("/etc/default/kubelet").exists()
    result = vm.run_runcmd(config)
    assert result.returncode != 0 and not vm.file(MARKER).exists()
    assert "systemctl enable --now kubelet" not in vm.calls()


def test_node_ip_helper_picks_the_cluster_net_address_among_several(profile, tmp_path):
    vm, _ = _vm(tmp_path, profile, "controller", addresses=[
        "2: ens3    inet 10.0.0.5/24 brd 10.0.0.255 scope global ens3",
        "3: ens4    inet 172.16.0.10/24 brd 172.16.0.255 scope global ens4",
        "4: flannel.1    inet 10.244.0.0/32 scope global flannel.1",
    ])
    assert vm.run(["/usr/local/sbin/osm-mec-kubelet-node-ip"]).returncode == 0
    assert "--node-ip=172.16.0.10" in vm.file("/etc/default/kubelet").read_text()


def test_the_doubles_refuse_what_the_real_tools_refuse(tmp_path):
    vm = FakeVm(tmp_path)
    refused = {
        "kubeadm version -o short": "not found",  # not installed yet
        "systemctl enable --now kubelet": "Unit file kubelet.service does not exist.",
        "apt-get install kubelet": "Abort.",  # no -y
        "modprobe nf_conntrack_bogus": "Module nf_conntrack_bogus not found",
        "hostname Bad_Name": "the specified hostname is invalid",
    }
    for command, message in refused.items():
        result = vm.run(command.split())
        assert result.returncode != 0 and message in result.stderr, command
    vm.file("/etc/apt/sources.list.d/k.list").write_text(
        "deb [signed-by=/etc/apt/keyrings/missing.gpg] https://example/ /\n")
    result = vm.run(["apt-get", "update"])
    assert result.returncode == 100 and "is not signed" in result.stderr


def test_longest_cluster_names_still_give_valid_host_names(profile, tmp_path):
    """Name prefix (20) + CSP (30) + site: a 56-character cluster name; host names are at
    most 63 characters (the `hostname` double refuses longer ones, like the kernel)."""
    longest = {**SAMPLE, "cluster_name": f"{'p' * 20}-{'c' * 30}-edge"}
    worker = yaml.safe_load(cloud_init.render(cloud_init.template(profile, "worker"), longest))
    vm = FakeVm(tmp_path / "worker")
    vm.write_files(worker)
    result = vm.run_runcmd(worker)
    assert result.returncode == 0, result.stderr
    name = vm.file("/etc/hostname").read_text().strip()
    assert len(name) <= 63 and name.endswith("-worker-6f1d2c3a")
    controller = yaml.safe_load(cloud_init.render(cloud_init.template(profile, "controller"),
                                                  longest))
    assert len(controller["hostname"]) <= 63
    assert controller["hostname"].endswith("-controller")
