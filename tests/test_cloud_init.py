"""Cloud-init templates: rendered as LCM renders them, each passes `cloud-init schema`
(Debian's cloud-init, installed by the test command)."""

from __future__ import annotations

import shutil
import subprocess

import jinja2
import pytest
import yaml

from osm_mec.offer.descriptors import baseline_vnf, cloud_init
from osm_mec.offer.params import instantiation_params

CLOUD_INIT = shutil.which("cloud-init")
SAMPLE = {"cluster_name": "mecaas-acme-edge", "controller_ip": "172.16.0.10"}


def schema_check(path) -> subprocess.CompletedProcess:
    assert CLOUD_INIT, "cloud-init is not installed: run scripts/install.sh --test"
    return subprocess.run([CLOUD_INIT, "schema", "--config-file", str(path)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("role", cloud_init.ROLES)
def test_rendered_template_passes_cloud_init_schema(role, profile, tmp_path):
    rendered = cloud_init.render(cloud_init.template(profile, role), SAMPLE)
    path = tmp_path / f"{role}.cfg"
    path.write_text(rendered)
    result = schema_check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid cloud-config" in result.stdout


def test_baseline_cloud_init_passes_schema(tmp_path):
    path = tmp_path / "baseline.cfg"
    path.write_text(baseline_vnf.CLOUD_INIT_TEXT)
    assert schema_check(path).returncode == 0


def test_schema_check_rejects_an_invalid_config(tmp_path):
    path = tmp_path / "bad.cfg"
    path.write_text("#cloud-config\npackages: 5\n")
    result = schema_check(path)
    assert result.returncode != 0


@pytest.mark.parametrize("role", cloud_init.ROLES)
def test_template_content(role, profile):
    data = yaml.safe_load(cloud_init.render(cloud_init.template(profile, role), SAMPLE))
    assert data["runcmd"] == [["sh", "-eu", "/usr/local/sbin/osm-mec-prepare-node"]]
    assert "containerd" in data["packages"]
    files = {f["path"]: f["content"] for f in data["write_files"]}
    prepare = files["/usr/local/sbin/osm-mec-prepare-node"]
    assert "https://pkgs.k8s.io/core:/stable:/v1.30/deb/" in prepare
    assert "apt-get install -y kubelet kubeadm kubectl" in prepare
    assert "swapoff -a" in prepare and "modprobe br_netfilter" in prepare
    assert "172.16.0.10 k8s-api" in prepare
    assert prepare.splitlines()[2] == "set -eu"
    assert prepare.rstrip().endswith('touch "$marker"')
    assert "br_netfilter" in files["/etc/modules-load.d/osm-mec-k8s.conf"]
    assert "net.ipv4.ip_forward = 1" in files["/etc/sysctl.d/99-osm-mec-k8s.conf"]
    assert "PubkeyAuthentication yes" in files["/etc/ssh/sshd_config.d/60-osm-mec.conf"]


def test_no_hostnamectl_before_dbus(profile):
    """bootcmd runs before D-Bus: the host name comes from cloud-init's own `hostname` key
    (controller) or the prepare script, which writes /etc/hostname and calls `hostname`."""
    for role in cloud_init.ROLES:
        text = cloud_init.render(cloud_init.template(profile, role), SAMPLE)
        assert "hostnamectl" not in text and "bootcmd" not in yaml.safe_load(text)
    controller = yaml.safe_load(cloud_init.render(cloud_init.template(profile, "controller"),
                                                  SAMPLE))
    assert controller["hostname"] == "mecaas-acme-edge-controller"
    assert controller["preserve_hostname"] is False
    worker = yaml.safe_load(cloud_init.render(cloud_init.template(profile, "worker"), SAMPLE))
    assert worker["preserve_hostname"] is True and "hostname" not in worker


def test_template_variables_are_what_params_provide(profile):
    for role in cloud_init.ROLES:
        assert cloud_init.variables(cloud_init.template(profile, role)) == set(
            cloud_init.OSM_VARIABLES)
    config = instantiation_params(profile, "mec_env_ns", "acme")
    params = config["additionalParamsForVnf"][0]["additionalParams"]
    assert set(cloud_init.OSM_VARIABLES) <= set(params)


def test_missing_parameter_fails_like_lcm(profile):
    with pytest.raises(jinja2.UndefinedError):
        cloud_init.render(cloud_init.template(profile, "worker"), {"cluster_name": "x"})


def test_profile_version_reaches_the_template():
    from osm_mec.offer.profile import validate_profile_data
    prof = validate_profile_data({"cluster": {"kubernetes_version": "1.29"}})
    assert "/core:/stable:/v1.29/deb/" in cloud_init.template(prof, "controller")
