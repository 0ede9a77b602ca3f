"""Every package and every `osm-mec params` file, judged by OSM's real NBI.

OSM's unmodified NBI code runs in the harness of ``../shared/osm-nbi`` (in-memory DB, file
message bus, OSM's information model, no LCM). With a VIM account (type dummy) and a K8s
cluster created through the NBI, every package of both business models (b2b2c, the
default, and b2c) must onboard (201), and every NS of both models must be created and
instantiated with the parameters `osm-mec params` writes for it (201). Nothing is mocked:
the only thing missing is LCM, which these tests do not need (an instantiate answered 201
stays PROCESSING), except the register-cluster test: a day-2 action needs an instantiated
NS, so it uses the harness's LCM stand-in (`real_nbi_lcm`, not OSM code: it completes every
operation after 100 ms and deploys nothing).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from click.testing import CliRunner

from osm_mec.chain import day2
from osm_mec.cli.commands import cli
from osm_mec.offer.descriptors import PACKAGES, cloud_init
from osm_mec.offer.packages import archive_bytes, build, package_files
from osm_mec.offer.params import NS_PACKAGES, cluster_name, instantiation_params
from osm_mec.offer.profile import Profile, validate_profile_data
from osm_mec.osm.credentials import Credentials
from osm_mec.osm.nbi import NbiClient, NbiError

from .dummies import dummy_vim_with_cluster

# Each model gets its own name prefix: the harness's DB is shared by the whole session, and
# other tests onboard the default packages too.
MODELS: dict[str, dict[str, Any]] = {"b2b2c": {"name_prefix": "rnpkg"},
                                     "b2c": {"model": "b2c", "name_prefix": "rnb2c"}}
CSP = "acme"


def _profile(model: str) -> Profile:
    return validate_profile_data(MODELS[model])


@pytest.fixture(scope="module")
def nbi(real_nbi) -> NbiClient:
    return NbiClient(real_nbi.url, Credentials(real_nbi.user, real_nbi.password,
                                               real_nbi.project), timeout=30)


@pytest.fixture(scope="module")
def vim_id(nbi: NbiClient) -> str:
    """A dummy VIM account and a K8s cluster on it (KNF instantiation needs one)."""
    return dummy_vim_with_cluster(nbi, "pkg-real")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for model in MODELS:
        folder = tmp_path_factory.mktemp(f"realnbi-{model}")
        build(_profile(model), folder)
        out[model] = folder
    return out


def _upload(nbi: NbiClient, kind: str, archive: Path) -> requests.Response:
    """POST the archive as osmclient does; the raw answer (status and body) is the verdict."""
    data = archive.read_bytes()
    path = "/vnfpkgm/v1/vnf_packages_content" if kind == "vnf" else \
        "/nsd/v1/ns_descriptors_content"
    return requests.post(nbi.url + path, data=data, timeout=30, headers={
        "Authorization": f"Bearer {nbi.token()}", "Accept": "application/json",
        "Content-Type": "application/gzip", "Content-Filename": archive.name,
        "Content-File-MD5": hashlib.md5(data).hexdigest()})


@pytest.fixture(scope="module")
def onboarded(nbi: NbiClient, builds: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """model -> package -> (status, answer) of the upload, in onboarding order."""
    results: dict[str, dict[str, Any]] = {}
    for model, folder in builds.items():
        results[model] = {}
        for spec in PACKAGES:
            answer = _upload(nbi, spec.kind, folder / f"{spec.name}.tar.gz")
            results[model][spec.name] = (answer.status_code, answer.text)
    return results


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("package", [spec.name for spec in PACKAGES])
def test_package_onboards(onboarded, model, package):
    status, text = onboarded[model][package]
    assert status == 201, f"{model} {package}: {status} {text}"


def _params(model: str, ns_package: str, tmp_path: Path) -> dict[str, Any]:
    """What `osm-mec params --ns <ns> --csp acme --out -` prints for the model's profile."""
    profile_file = tmp_path / f"{model}.yaml"
    profile_file.write_text(yaml.safe_dump(MODELS[model]))
    args = ["params", "--profile", str(profile_file), "--ns", ns_package, "--csp", CSP,
            "--out", "-"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return yaml.safe_load(result.stdout)


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("ns_package", NS_PACKAGES)
def test_ns_instantiates_with_params(nbi, vim_id, onboarded, model, ns_package, tmp_path):
    nsd = nbi.find_package("ns", _profile(model).descriptor_id(ns_package))
    assert nsd is not None, f"{ns_package} of {model} is not onboarded: " \
                            f"{onboarded[model][ns_package]}"
    config = _params(model, ns_package, tmp_path)
    try:
        ns_id, op_id = nbi.create_ns(f"rnpkg-{model}-{ns_package}", nsd["_id"], vim_id,
                                     config=config)
    except NbiError as exc:
        pytest.fail(f"{model} {ns_package}: NBI refused the NS with `osm-mec params` "
                    f"output: {exc}", pytrace=False)
    assert ns_id and op_id
    ns = nbi.get_ns(ns_id)
    assert ns["nsd-id"] == nsd["_id"]
    if ns_package in ("k8s_osm_cluster_ns", "mec_env_ns"):
        _assert_controller_address_pinned(nbi, ns_id, _profile(model))


def _assert_controller_address_pinned(nbi: NbiClient, ns_id: str, profile: Profile) -> None:
    """NBI wrote the controller's fixed cluster-net address into its VNF record (what LCM
    hands to RO), and no other interface got a fixed address."""
    vnfr = next(v for v in nbi.vnf_records(ns_id) if v["member-vnf-index-ref"] == "cluster")
    fixed = {(vdur["vdu-id-ref"], iface.get("internal-connection-point-ref"),
              iface.get("ip-address")) for vdur in vnfr["vdur"]
             for iface in vdur["interfaces"] if iface.get("fixed-ip")}
    assert fixed == {("controller", "controller-cluster",
                      profile["cluster"]["controller_ip"])}, vnfr["vdur"]
    # NBI does not check cloud-init variables (LCM fails later when one is missing): the
    # per-VDU parameters NBI stored must hold every variable of the VDU's template.
    for vdur in vnfr["vdur"]:
        role = vdur["vdu-id-ref"]
        needed = cloud_init.variables(cloud_init.template(profile, role))
        assert needed <= set(vdur.get("additionalParams") or {}), (role, needed)


def test_register_cluster_as_the_chain_sends_it(real_nbi_lcm):
    """register-cluster with exactly the parameters the chain builds (chain/day2.py): NBI
    requires every declared parameter without a non-empty default-value, so the descriptor
    must not declare one the chain leaves out (vim-network, default "", was refused: 400
    "Needed parameter vim-network not provided")."""
    client = NbiClient(real_nbi_lcm.url, Credentials(real_nbi_lcm.user, real_nbi_lcm.password,
                                                     real_nbi_lcm.project), timeout=30)
    profile = validate_profile_data({"name_prefix": "rnreg"})
    nsd_id = ""
    for name in ("k8s_cluster_vnf", "k8s_osm_cluster_ns"):
        spec = next(p for p in PACKAGES if p.name == name)
        data = archive_bytes(name, package_files(spec, profile))
        nsd_id = client.upload_package(spec.kind, data, f"{name}.tar.gz",
                                       profile.descriptor_id(name))
    vim = client.create_admin("vim", {
        "name": "rnreg-vim", "vim_type": "dummy", "vim_url": "http://127.0.0.1:5000/v3",
        "vim_user": "u", "vim_password": "p", "vim_tenant_name": "t"})
    ns_id, op_id = client.create_ns("rnreg-acme-nsp-cluster", nsd_id, vim, config=(
        instantiation_params(profile, "k8s_osm_cluster_ns", CSP)))
    client.wait_for_operation(op_id, timeout=30)
    issued: list[str] = []
    real_issue = client.issue_token

    def issue() -> str:
        issued.append(real_issue())
        return issued[-1]

    client.issue_token = issue  # type: ignore[method-assign]
    try:
        op = day2.register_cluster(client, ns_id, client, "rnreg-vim",
                                   cluster_name(profile, CSP, "nsp"),
                                   lambda op_id: client.wait_for_operation(op_id, timeout=30))
    except NbiError as exc:
        pytest.fail(f"register-cluster as the chain sends it was refused: {exc}", pytrace=False)
    assert op["lcmOperationType"] == "action"
    assert op["operationParams"]["primitive"] == "register-cluster"
    params = op["operationParams"]["primitive_params"]
    params = json.loads(params) if isinstance(params, str) else params
    assert params["osm-token"] == issued[0] and "osm-password" not in params
    stale = NbiClient.with_token(real_nbi_lcm.url, issued[0], timeout=30)
    with pytest.raises(NbiError) as refused:  # revoked when the operation ended
        stale.request("GET", "/admin/v1/vim_accounts")
    assert refused.value.status == 401

    # the join of a worker the relation does not reach, as the chain sends it
    for primitive, params, vdu, index in (
            ("get-ssh-public-key", {}, "controller", None),
            ("authorize-controller", {"public-key": "ssh-ed25519 AAAAC3Nza"}, "worker", 0),
            ("add-worker", day2.add_worker_params({"address": "10.0.0.7",
                                                   "host-key": "ssh-ed25519 AAAA"}),
             "controller", None)):
        try:
            client.action(ns_id, "cluster", primitive, params, vdu_id=vdu,
                          vdu_count_index=index)
        except NbiError as exc:
            pytest.fail(f"{primitive} as the chain sends it was refused: {exc}", pytrace=False)


def test_the_cluster_join_relation_is_kept_by_nbi(nbi, onboarded):
    """NBI stores the VNF-level day1-2 entry with the relation LCM reads."""
    for model in MODELS:
        vnfd = nbi.find_package("vnf", _profile(model).descriptor_id("k8s_cluster_vnf"))
        assert vnfd is not None, onboarded[model]["k8s_cluster_vnf"]
        day12 = vnfd["df"][0]["lcm-operations-configuration"]["operate-vnf-op-config"][
            "day1-2"]
        (vnf_level,) = [e for e in day12 if e["id"] == vnfd["id"]]
        (relation,) = vnf_level["relation"]
        assert relation["provider"]["endpoint"] == "cluster-join"
        assert relation["requirer"]["endpoint"] == "control-plane"
        assert (relation["provider"]["vdu-profile-id"],
                relation["requirer"]["vdu-profile-id"]) == ("controller", "worker")
