"""The cluster-join relation as the sandbox's LCM adds it: read from the VNF-level day1-2
entry, resolved to the FIRST instance of each VDU (OSM's ``get_deployed_vca`` has no count
index), refused when the charm lacks the endpoints; a worker joins only through it (or the
controller's add-worker). A VNFD without the relation leaves every worker out, as a real
OSM would."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from osm_mec.chain import day2
from osm_mec.offer.descriptors import package_spec
from osm_mec.offer.packages import PackageFile, archive_bytes, checksums_text, package_files
from osm_mec.offer.params import instantiation_params
from osm_mec.offer.profile import validate_profile_data
from osm_mec.sandbox.relations import related_instances, vnf_relations

from .conftest import client_for

VDURS = [{"vdu-id-ref": "controller", "count-index": 0},
         {"vdu-id-ref": "worker", "count-index": 0},
         {"vdu-id-ref": "worker", "count-index": 1}]


def _vnfd(change: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    vnfd = package_spec("k8s_cluster_vnf").generate(validate_profile_data({}))["vnfd"]
    if change:
        change(vnfd)
    return vnfd


def _vnf_level(vnfd: dict[str, Any]) -> dict[str, Any]:
    day12 = vnfd["df"][0]["lcm-operations-configuration"]["operate-vnf-op-config"]["day1-2"]
    return next(e for e in day12 if e["id"] == vnfd["id"])


def _drop_relation(vnfd: dict[str, Any]) -> None:
    day12 = vnfd["df"][0]["lcm-operations-configuration"]["operate-vnf-op-config"]["day1-2"]
    day12[:] = [e for e in day12 if e["id"] != vnfd["id"]]


def test_only_the_first_worker_is_related():
    assert related_instances(_vnfd(), VDURS) == {("controller", 0), ("worker", 0)}


def test_the_deprecated_entities_form_relates_the_same():
    def entities(vnfd: dict[str, Any]) -> None:
        relation = _vnf_level(vnfd)["relation"][0]
        relation["entities"] = [
            {"id": "controller", "endpoint": relation.pop("provider")["endpoint"]},
            {"id": "worker", "endpoint": relation.pop("requirer")["endpoint"]}]
    assert related_instances(_vnfd(entities), VDURS) == {("controller", 0), ("worker", 0)}


@pytest.mark.parametrize("change", [
    _drop_relation,
    lambda v: _vnf_level(v)["relation"][0]["requirer"].update(endpoint="cluster"),
    lambda v: _vnf_level(v)["relation"][0].update(
        provider=_vnf_level(v)["relation"][0]["requirer"],
        requirer=_vnf_level(v)["relation"][0]["provider"]),
], ids=["no-relation", "unknown-endpoint", "roles-swapped"])
def test_no_relation_juju_would_make(change):
    vnfd = _vnfd(change)
    assert related_instances(vnfd, VDURS) == set()
    if change is not _drop_relation:
        assert vnf_relations(vnfd) and not vnf_relations(vnfd)[0].juju_accepts


def _onboard(client, prefix: str, change: Callable[[dict[str, Any]], None] | None) -> str:
    """The cluster VNF and NS packages of a profile, the VNFD changed; the NSD's id."""
    profile = validate_profile_data({"name_prefix": prefix})
    nsd_id = ""
    for name in ("k8s_cluster_vnf", "k8s_osm_cluster_ns"):
        spec = package_spec(name)
        files = package_files(spec, profile)
        if change and name == "k8s_cluster_vnf":
            data = yaml.safe_load(files[spec.descriptor_file].data)
            change(data["vnfd"])
            files[spec.descriptor_file] = PackageFile(yaml.safe_dump(data).encode())
            files["checksums.txt"] = PackageFile(checksums_text(files).encode())
        nsd_id = client.upload_package(spec.kind, archive_bytes(name, files), f"{name}.tar.gz",
                                       profile.descriptor_id(name))
    return nsd_id


def _node_names(client, ns_id: str, wait) -> list[str]:
    op = wait(client.action(ns_id, "cluster", "list-nodes", vdu_id="controller"))
    return [n["name"] for n in yaml.safe_load(day2.primitive_results(op)["nodes"])]


@pytest.mark.parametrize("prefix, change, joined", [
    ("withrel", None, ["withrel-c-cluster-controller-0", "withrel-c-cluster-worker-0"]),
    ("norel", _drop_relation, ["norel-c-cluster-controller-0"]),
])
def test_a_worker_joins_only_through_the_relation(sandbox, listener, prefix, change, joined):
    client = client_for(sandbox)
    nsd_id = _onboard(client, prefix, change)
    profile = validate_profile_data({"name_prefix": prefix})
    vim = client.find_admin("vim", "nsp-vim")["_id"]
    ns_id, op_id = client.create_ns(f"{prefix}-c", nsd_id, vim, config=copy.deepcopy(
        instantiation_params(profile, "k8s_osm_cluster_ns", "rel")))

    def wait(op: str) -> dict[str, Any]:
        return client.wait_for_operation(op, listener=listener, timeout=30)

    wait(op_id)
    assert _node_names(client, ns_id, wait) == joined
    # the controller's add-worker joins a worker the relation does not reach
    assert day2.join_worker(client, ns_id, 0, wait) == ("joined" if change is None else "added")
    assert _node_names(client, ns_id, wait)[-1] == f"{prefix}-c-cluster-worker-0"
