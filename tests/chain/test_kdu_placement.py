"""Where the chain puts a CSP's KDUs (issue 12 item 9): one Kubernetes namespace per KDU
(OSM uses a Juju KDU's namespace as the Juju model name and Juju refuses an existing
namespace, so the Edge OSM's bundle never shares one with the MEP's Helm release), and every
NS network mapped on every VIM of the NS (LCM maps each NS network on each of them)."""

from __future__ import annotations

import requests

from osm_mec.chain.mep_link import read_admin_token
from osm_mec.chain.run import provision_action
from osm_mec.offer.params import instantiation_params
from osm_mec.offer.profile import default_profile

from .conftest import run


def _kdu_namespaces(config: dict) -> dict[str, str]:
    return {kdu["kdu_name"]: kdu["k8s-namespace"]
            for member in config.get("additionalParamsForVnf") or []
            for kdu in member.get("additionalParamsForKdu") or []}


def test_every_kdu_of_a_csp_has_its_own_namespace() -> None:
    profile = default_profile()
    found: dict[str, str] = {}
    for package in ("mec_env_ns", "mec_app_ns"):
        found.update(_kdu_namespaces(instantiation_params(profile, package, "acme")))
    assert set(found) == {"mep", "osm", "mec-app"}
    assert len(set(found.values())) == len(found), found
    assert found["osm"] == "mecaas-acme-osm" and found["mep"] == "mecaas-acme-mep"
    other = _kdu_namespaces(instantiation_params(profile, "mec_env_ns", "shop"))
    assert not set(other.values()) & set(found.values())  # nor with another CSP's


def test_every_network_of_mec_env_ns_is_mapped_on_both_its_vims(osm, dirs) -> None:
    """mec-env-ns spans the NSP VIM (its CNFs) and the edge VIM (the edge cluster's VMs):
    each of its networks names, per VIM account, a network that exists there."""
    sandbox, options = osm()
    run(options, provision_action, "net", dirs)
    vims = {v["name"]: v["_id"] for v in sandbox.osm.store.find("vim_accounts")}
    env = next(n for n in sandbox.osm.store.find("nsrs") if n["name"] == "mecaas-net-env")
    op = next(o for o in sandbox.osm.store.find("nslcmops", nsInstanceId=env["_id"])
              if o["lcmOperationType"] == "instantiate")
    networks = default_profile()["vim"]
    mapped = {vld["name"]: vld["vim-network-name"] for vld in op["operationParams"]["vld"]}
    assert mapped == {
        "edge-mgmt": {vims["edge-vim"]: networks["edge_mgmt_network"],
                      vims["nsp-vim"]: networks["nsp_mgmt_network"]},
        "mgmtnet": {vims["nsp-vim"]: networks["nsp_mgmt_network"],
                    vims["edge-vim"]: networks["edge_mgmt_network"]}}


def test_two_csps_on_one_nsp_cluster_get_their_own_node_ports(osm, dirs) -> None:
    """OSM places every CSP's CNFs on the first ENABLED cluster of the NSP VIM: a fixed
    NodePort would make the second CSP's MEP fail to install (the sandbox's cluster refuses
    an allocated NodePort as Kubernetes does); Kubernetes picks it and OSM records it."""
    _sandbox, options = osm()
    first = run(options, provision_action, "one", dirs)
    second = run(options, provision_action, "two", dirs)
    ports = [r["mep"][0]["ports"][0]["node_port"] for r in (first, second)]
    assert all(isinstance(p, int) for p in ports) and ports[0] != ports[1]
    # both MEPs landed on the first CSP's cluster (OSM's choice), each with its own admin
    # token from the Secret the chain put there
    urls = [r["objects"]["mep"]["url"] for r in (first, second)]
    tokens = [read_admin_token(dirs[0] / f"{csp}.json") for csp in ("one", "two")]
    assert first["objects"]["mep"]["cluster"] == second["objects"]["mep"]["cluster"]
    for url, token, other in ((urls[0], tokens[0], tokens[1]), (urls[1], tokens[1], tokens[0])):
        listing = f"{url}/mec_platform_mgmt/v1/app_instances"
        assert requests.get(listing, headers={"Authorization": f"Bearer {token}"},
                            timeout=10).status_code == 200
        assert requests.get(listing, headers={"Authorization": f"Bearer {other}"},
                            timeout=10).status_code == 401
