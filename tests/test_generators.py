"""Generated descriptors: content as designed, valid for every profile shape, and the
instantiation parameters that go with them."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from osm_mec.cli.commands import cli
from osm_mec.core.errors import UsageError
from osm_mec.offer.charm_interface import load_charm_interface
from osm_mec.offer.descriptors import PACKAGES, cloud_init, juju_bundle, package_spec
from osm_mec.offer.packages import build
from osm_mec.offer.params import instantiation_params, vdu_params
from osm_mec.offer.profile import validate_profile_data
from osm_mec.offer.validation import has_errors, validate_paths

from .conftest import REPO


def _day12(vnfd: dict, entry_id: str) -> dict:
    entries = vnfd["df"][0]["lcm-operations-configuration"]["operate-vnf-op-config"]["day1-2"]
    return next(e for e in entries if e["id"] == entry_id)


def test_cluster_vnf_structure(profile):
    vnfd = package_spec("k8s_cluster_vnf").generate(profile)["vnfd"]
    assert [v["id"] for v in vnfd["vdu"]] == ["worker", "controller"]  # controller last
    assert {c["id"] for c in vnfd["ext-cpd"]} == {"controller-mgmt-ext", "worker-mgmt-ext"}
    assert vnfd["int-virtual-link-desc"] == [{"id": "cluster-net"}]
    df = vnfd["df"][0]
    worker = next(p for p in df["vdu-profile"] if p["id"] == "worker")
    assert (worker["min-number-of-instances"], worker["max-number-of-instances"]) == (1, 10)
    aspect = df["scaling-aspect"][0]
    assert aspect["id"] == "worker-scale"
    assert aspect["aspect-delta-details"]["deltas"][0]["vdu-delta"] == [
        {"id": "worker", "number-of-instances": 1}]
    compute = {c["id"]: c for c in vnfd["virtual-compute-desc"]}
    assert compute["worker-compute"]["virtual-cpu"]["num-virtual-cpu"] == 4
    assert compute["worker-compute"]["virtual-memory"]["size"] == 8.0


def test_cluster_vnf_primitives(profile):
    vnfd = package_spec("k8s_cluster_vnf").generate(profile)["vnfd"]
    controller, worker = _day12(vnfd, "controller"), _day12(vnfd, "worker")
    assert [p["name"] for p in controller["initial-config-primitive"]] == [
        "config", "init-control-plane"]
    assert [p["name"] for p in worker["initial-config-primitive"]] == ["config"]
    assert [p["name"] for p in worker["terminate-config-primitive"]] == ["leave-cluster"]
    assert [p["name"] for p in controller["config-primitive"]] == [
        "get-join-info", "get-kubeconfig", "remove-node", "list-nodes", "register-cluster",
        "add-worker", "get-ssh-public-key"]
    assert [p["name"] for p in worker["config-primitive"]] == ["authorize-controller",
                                                               "leave-cluster"]
    config = {p["name"]: p["value"] for p in controller["initial-config-primitive"][0]["parameter"]}
    assert config == {"ssh-hostname": "<rw_mgmt_ip>", "ssh-username": "ubuntu",
                      "role": "controller"}
    init = {p["name"]: p["value"] for p in controller["initial-config-primitive"][1]["parameter"]}
    assert init["cluster-net-cidr"] == "172.16.0.0/24"  # flannel bound to cluster-net
    assert init["pod-cidr"] == "10.244.0.0/16" and init["cni"] == "flannel"
    assert not {"bootstrap-token", "ca-cert", "ca-key"} & set(init)  # nothing secret
    vnf_level = _day12(vnfd, vnfd["id"])  # LCM reads VNF relations from this entry
    assert vnf_level == {"id": vnfd["id"], "relation": [{
        "name": "cluster-join",
        "provider": {"vdu-profile-id": "controller",
                     "execution-environment-ref": "k8s-cluster-ee", "endpoint": "cluster-join"},
        "requirer": {"vdu-profile-id": "worker", "execution-environment-ref": "k8s-cluster-ee",
                     "endpoint": "control-plane"}}]}
    assert controller["execution-environment-list"] == [
        {"id": "k8s-cluster-ee", "juju": {"charm": "k8s-cluster", "proxy": True}}]


def test_primitive_types_come_from_the_charm(profile):
    """The charm's YAML is the single source of parameter types."""
    charm = load_charm_interface(REPO / "charms" / "k8s-cluster")
    vnfd = package_spec("k8s_cluster_vnf").generate(profile)["vnfd"]
    for entry_id in ("controller", "worker"):
        entry = _day12(vnfd, entry_id)
        for key in ("initial-config-primitive", "config-primitive"):
            for primitive in entry[key]:
                spec = charm.primitive(primitive["name"])
                for param in primitive.get("parameter", []):
                    assert param["data-type"] == spec.params[param["name"]].data_type
    get_join = next(p for p in _day12(vnfd, "controller")["config-primitive"]
                    if p["name"] == "get-join-info")
    assert "parameter" not in get_join  # public data only: no token to ask for
    register = next(p for p in _day12(vnfd, "controller")["config-primitive"]
                    if p["name"] == "register-cluster")
    assert "osm-token" in {p["name"] for p in register["parameter"]}
    assert not {"osm-password", "osm-user"} & {p["name"] for p in register["parameter"]}


def test_b2b2c_and_b2c_environments(profile):
    b2b2c = package_spec("mec_env_ns").generate(profile)["nsd"]["nsd"][0]
    assert [p["id"] for p in b2b2c["df"][0]["vnf-profile"]] == ["cluster", "mep", "edge-osm"]
    b2c = validate_profile_data({"model": "b2c"})
    nsd = package_spec("mec_env_ns").generate(b2c)["nsd"]["nsd"][0]
    assert [p["id"] for p in nsd["df"][0]["vnf-profile"]] == ["cluster", "mep"]
    assert "mecaas_edge_mano_cnf" not in nsd["vnfd-id"]


def test_management_vls_map_to_profile_networks(profile):
    nsd = package_spec("mec_env_ns").generate(profile)["nsd"]["nsd"][0]
    vls = {vl["id"]: vl for vl in nsd["virtual-link-desc"]}
    assert vls["edge-mgmt"] == {"id": "edge-mgmt", "mgmt-network": True,
                                "vim-network-name": "edge-mgmt"}
    assert vls["mgmtnet"]["vim-network-name"] == "osm-ext"
    cluster = nsd["df"][0]["vnf-profile"][0]["virtual-link-connectivity"]
    assert cluster == [{"virtual-link-profile-id": "edge-mgmt", "constituent-cpd-id": [
        {"constituent-base-element-id": "cluster", "constituent-cpd-id": "controller-mgmt-ext"},
        {"constituent-base-element-id": "cluster", "constituent-cpd-id": "worker-mgmt-ext"}]}]


def test_juju_bundle_relations_name_bundle_applications(profile):
    bundle = juju_bundle.bundle(profile)
    assert bundle["bundle"] == "kubernetes"
    for left, right in bundle["relations"]:
        assert left.split(":")[0] in bundle["applications"]
        assert right.split(":")[0] in bundle["applications"]
    assert bundle["applications"]["nbi"]["channel"] == "14.0/stable"


@pytest.mark.parametrize("overrides", [
    {},
    {"model": "b2c"},
    {"name_prefix": "acme-edge", "cluster": {"cni": "calico", "kubernetes_version": "1.29"}},
    {"workers": {"initial": 0, "min": 0, "max": 3}},
    {"workers": {"initial": 3, "min": 2, "max": 20},
     "flavours": {"worker": {"vcpu": 8, "ram_gib": 32, "disk_gib": 100}}},
    {"mep": {"service_type": "ClusterIP"}, "edge_osm": {"channel": "15.0/edge"}},
])
def test_every_package_validates_for_varied_profiles(tmp_path: Path, overrides):
    prof = validate_profile_data(overrides)
    build(prof, tmp_path)
    findings = validate_paths(sorted(p for p in tmp_path.iterdir()))
    assert not has_errors(findings), [f.line() for f in findings]
    assert not findings, [f.line() for f in findings]


def test_params_for_a_cluster_ns(profile):
    config = instantiation_params(profile, "k8s_osm_cluster_ns", "acme")
    member = config["additionalParamsForVnf"][0]
    params = member["additionalParams"]
    assert params["cluster_name"] == "mecaas-acme-nsp"
    assert params["controller_ip"] == "172.16.0.10"
    assert params == {"cluster_name": "mecaas-acme-nsp", "controller_ip": "172.16.0.10"}
    assert "additionalParamsForVdu" not in member  # no CA, no token: nothing per VDU
    vld = config["vnf"][0]["internal-vld"][0]
    assert vld["name"] == "cluster-net"
    assert vld["internal-connection-point"] == [{"id-ref": "controller-cluster",
                                                 "ip-address": "172.16.0.10"}]
    assert vld["ip-profile"]["subnet-address"] == "172.16.0.0/24"
    assert vld["ip-profile"]["dhcp-params"] == {"enabled": True, "start-address": "172.16.0.11",
                                                "count": 244}
    assert config["vld"] == [{"name": "mgmtnet", "vim-network-name": "osm-ext"}]


def _nbi_kept_cpd(vnfd: dict, vl: str) -> str:
    """What OSM's NBI keeps for an internal VL when it checks internal-connection-point
    id-refs (instance_topics._check_vnf_instantiation_params, v8 to 2026): the id of the
    LAST int-cpd on that VL, a string."""
    kept = ""
    for vdu in vnfd["vdu"]:
        for cpd in vdu.get("int-cpd", []):
            if cpd.get("int-virtual-link-desc") == vl:
                kept = cpd["id"]
    return kept


@pytest.mark.parametrize("ns", ["k8s_osm_cluster_ns", "mec_env_ns"])
def test_fixed_controller_address_passes_nbis_check(profile, ns):
    """NBI tests `id-ref in <last int-cpd id of the VL>`: the pinned CP must be that one."""
    vnfd = package_spec("k8s_cluster_vnf").generate(profile)["vnfd"]
    config = instantiation_params(profile, ns, "acme")
    pinned = [(vld["name"], cp["id-ref"]) for vnf in config["vnf"]
              for vld in vnf["internal-vld"] for cp in vld.get("internal-connection-point", [])]
    assert pinned == [("cluster-net", "controller-cluster")]
    for vl, ref in pinned:
        assert _nbi_kept_cpd(vnfd, vl) == ref


def test_params_are_deterministic_and_secret_free(profile):
    """No per-run secret any more: the same profile and CSP give the same parameters."""
    one = instantiation_params(profile, "mec_env_ns", "acme")
    assert one == instantiation_params(profile, "mec_env_ns", "acme")
    text = yaml.safe_dump(one)
    assert "PRIVATE KEY" not in text and not re.search(r"[a-z0-9]{6}\.[a-z0-9]{16}", text)


def test_params_kdus_get_namespace_and_values(profile):
    config = instantiation_params(profile, "mec_env_ns", "acme")
    kdus = {m["member-vnf-index"]: m["additionalParamsForKdu"][0]
            for m in config["additionalParamsForVnf"] if "additionalParamsForKdu" in m}
    assert set(kdus) == {"mep", "edge-osm"}
    assert kdus["mep"]["k8s-namespace"] == "mecaas-acme-mep"
    # no fixed NodePort: Kubernetes allocates it, the chain reads it from OSM's record
    assert kdus["mep"]["additionalParams"]["service"] == {"type": "NodePort"}
    assert kdus["mep"]["additionalParams"]["image"] == {
        "repository": "ghcr.io/osm-mec/osm-mec/mep", "tag": "0.1.0"}
    # the chart calls back no network unless named: the edge cluster's node and pod networks
    assert kdus["mep"]["additionalParams"]["allowCallbackNetworks"] == ["172.16.0.0/24",
                                                                        "10.244.0.0/16"]
    b2c = instantiation_params(validate_profile_data({"model": "b2c"}), "mec_env_ns", "acme")
    assert [m["member-vnf-index"] for m in b2c["additionalParamsForVnf"]] == ["cluster", "mep"]


def test_params_names_fit_osm_rules(profile):
    """Every additionalParams key must match ^[a-zA-Z_][a-zA-Z0-9_]*$ (osm-nbi.md)."""
    for ns in ("k8s_osm_cluster_ns", "mec_env_ns", "mec_app_ns", "baseline_cnf_ns"):
        config = instantiation_params(profile, ns, "acme")
        for member in config.get("additionalParamsForVnf", []):
            for key in member.get("additionalParams", {}):
                assert re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", key)


OSM_BUILT_INS = {"rw_mgmt_ip", "VDU_SCALE_INFO", "ns_config_info", "OSM"}


@pytest.mark.parametrize("ns", ["k8s_osm_cluster_ns", "mec_env_ns"])
def test_params_placeholders_all_provided(profile, ns):
    """Every <param> of a VDU's day-1 primitives and every variable of its cloud-init has a
    value in the parameters OSM uses for that VDU: its own additionalParamsForVdu item
    REPLACES the VNF-level additionalParams (NBI and LCM do not merge them)."""
    vnfd = package_spec("k8s_cluster_vnf").generate(profile)["vnfd"]
    config = instantiation_params(profile, ns, "acme")
    for role in ("controller", "worker"):
        given = vdu_params(config, "cluster", role)
        needed = cloud_init.variables(cloud_init.template(profile, role))
        for primitive in _day12(vnfd, role)["initial-config-primitive"]:
            for param in primitive.get("parameter", []):
                match = re.fullmatch(r"<(\w+)>", param["value"])
                if match and match.group(1) not in OSM_BUILT_INS:
                    needed.add(match.group(1))
        assert needed and not needed - set(given), (role, sorted(needed - set(given)))


def test_vdu_params_replace_the_vnf_params():
    config = {"additionalParamsForVnf": [{
        "member-vnf-index": "m", "additionalParams": {"a": 1},
        "additionalParamsForVdu": [{"vdu_id": "v", "additionalParams": {"b": 2}},
                                   {"vdu_id": "w", "config-units": 2}]}]}
    assert vdu_params(config, "m", "v") == {"b": 2}
    assert vdu_params(config, "m", "w") == {"a": 1}  # no additionalParams of its own
    assert vdu_params(config, "m", "x") == {"a": 1}
    assert vdu_params(config, "other", "v") == {}


@pytest.mark.parametrize("ns, csp, message", [
    ("mec_env", "acme", "not an NS package"),
    ("mec_env_ns", "ACME", "a CSP name is"),
    ("mec_env_ns", "a" * 31, "a CSP name is"),
])
def test_params_bad_input(profile, ns, csp, message):
    with pytest.raises(UsageError, match=message):
        instantiation_params(profile, ns, csp)


def test_params_cli_writes_0600_and_keeps_secrets_off_stdout(tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "p.yaml"
    result = runner.invoke(cli, ["params", "--ns", "mec_env_ns", "--csp", "acme",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    config = yaml.safe_load(out.read_text())
    assert config["additionalParamsForVnf"][0]["additionalParams"]["cluster_name"]
    assert "PRIVATE KEY" not in out.read_text()
    printed = runner.invoke(cli, ["params", "--ns", "mec_app_ns", "--csp", "acme", "--out", "-"])
    assert printed.exit_code == 0 and yaml.safe_load(printed.output)["vld"]
    bad = runner.invoke(cli, ["params", "--ns", "nope", "--csp", "acme", "--out", "-"])
    assert bad.exit_code == 2


def test_params_file_existing_permissions_are_tightened(tmp_path: Path):
    out = tmp_path / "p.yaml"
    out.write_text("old")
    out.chmod(0o644)
    refused = CliRunner().invoke(cli, ["params", "--ns", "k8s_osm_cluster_ns", "--csp",
                                       "acme", "--out", str(out)])
    assert refused.exit_code == 2 and out.read_text() == "old"  # replaced only with --force
    result = CliRunner().invoke(cli, ["params", "--ns", "k8s_osm_cluster_ns", "--csp", "acme",
                                      "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_every_package_listed_once():
    names = [spec.name for spec in PACKAGES]
    assert len(names) == len(set(names)) == 11
    kinds = [spec.kind for spec in PACKAGES]
    assert kinds.index("ns") > max(i for i, k in enumerate(kinds) if k == "vnf")
