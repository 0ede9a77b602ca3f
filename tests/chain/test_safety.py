"""Chain operations that never half-apply, against the sandbox (real HTTP and Kafka): scaling
bounds checked before anything is drained, a refused scale-in undone, workers reported as
Kubernetes reports them, one command per CSP at a time, teardown of every NS of the CSP's
names."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from osm_mec.chain import day2
from osm_mec.chain.lock import CspBusy
from osm_mec.chain.run import provision_action, scale_action, status_action, teardown_action
from osm_mec.core.errors import OsmMecError, UsageError
from osm_mec.offer.params import instantiation_params
from osm_mec.offer.profile import validate_profile_data
from osm_mec.osm.nbi import NbiClient
from osm_mec.sandbox.faults import parse_faults

from ..sandbox.conftest import CREDENTIALS
from .conftest import b2c_profile, run


def two_workers():
    """The B2C profile (no Edge OSM: quicker) with two workers at instantiation."""
    data = yaml.safe_load(yaml.safe_dump(dict(b2c_profile().data)))
    data["workers"].update(initial=2, min=1)
    return validate_profile_data(data, "two workers")


def _nodes(main: NbiClient, ns_id: str) -> list[str]:
    op = main.wait_for_operation(day2.list_nodes(main, ns_id), timeout=30)
    return sorted(n["name"] for n in yaml.safe_load(
        day2.primitive_results(op)["nodes"]) if "control-plane" not in n["roles"])


def test_scale_beyond_the_bounds_is_refused_before_anything_happens(osm, dirs) -> None:
    sandbox, options = osm()
    profile = two_workers()
    run(options, provision_action, "lim", dirs, profile=profile)
    main = NbiClient(sandbox.url, CREDENTIALS)
    env = main.find_ns("mecaas-lim-env")["_id"]
    before = main.list_operations(env)
    with pytest.raises(UsageError) as refused:
        run(options, scale_action(False, 5), "lim", dirs, profile=profile)
    message = str(refused.value)
    assert "cannot remove 5 worker(s): it has 2" in message and "allows 1 to 10" in message
    assert "osm-mec scale --csp lim in --count 1" in message and refused.value.exit_code == 2
    with pytest.raises(UsageError) as too_many:
        run(options, scale_action(True, 9), "lim", dirs, profile=profile)
    assert "--count 8" in str(too_many.value)
    assert main.list_operations(env) == before  # no primitive, no scale


def test_a_refused_scale_in_rejoins_the_drained_node(osm, dirs) -> None:
    sandbox, options = osm(faults=parse_faults([{
        "kind": "operation-fails", "operation": "scale", "ns": "*-env",
        "detail": "Deleting VM worker-1: VIM quota error"}]))
    profile = two_workers()
    run(options, provision_action, "undo", dirs, profile=profile)
    with pytest.raises(OsmMecError) as failed:
        run(options, scale_action(False, 1), "undo", dirs, profile=profile)
    message = str(failed.value)
    assert "VIM quota error" in message
    assert "node mecaas-undo-env-cluster-worker-1 rejoined the cluster" in message
    main = NbiClient(sandbox.url, CREDENTIALS)
    ns_id = main.find_ns("mecaas-undo-env")["_id"]
    assert _nodes(main, ns_id) == ["mecaas-undo-env-cluster-worker-0",
                                   "mecaas-undo-env-cluster-worker-1"]
    primitives = [op["operationParams"].get("primitive") for op in main.list_operations(ns_id)
                  if op["lcmOperationType"] == "action"]
    assert primitives[-7:] == ["list-nodes", "remove-node", "leave-cluster",
                               "get-ssh-public-key", "authorize-controller", "add-worker",
                               "list-nodes"]  # the last one: this test's


def test_scale_out_reports_the_workers_kubernetes_has(osm, dirs) -> None:
    """A worker whose node was deleted (a scale-in cut short) has a VM but is no node: it is
    not reported as a worker."""
    sandbox, options = osm()
    profile = two_workers()
    run(options, provision_action, "nodes", dirs, profile=profile)
    main = NbiClient(sandbox.url, CREDENTIALS)
    ns_id = main.find_ns("mecaas-nodes-env")["_id"]
    main.wait_for_operation(day2.remove_node(main, ns_id, "mecaas-nodes-env-cluster-worker-1"),
                            timeout=30)
    out = run(options, scale_action(True, 1), "nodes", dirs, profile=profile)
    assert out["steps"][0]["added"] == ["mecaas-nodes-env-cluster-worker-2"]
    assert out["workers"] == ["mecaas-nodes-env-cluster-worker-0",
                              "mecaas-nodes-env-cluster-worker-2"]


def test_a_second_command_on_a_busy_csp_exits_2_naming_the_holder(osm, dirs) -> None:
    sandbox, options = osm()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from osm_mec.chain.lock import CspLock\n"
         "with CspLock(Path(sys.argv[1]), 'twin', 'provision'):\n"
         "    print('locked', flush=True)\n    time.sleep(120)\n", str(dirs[0])],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(CspBusy) as busy:
            run(options, provision_action, "twin", dirs, profile=b2c_profile())
        assert busy.value.exit_code == 2
        assert f"`osm-mec provision` (pid {holder.pid} on" in str(busy.value)
        assert NbiClient(sandbox.url, CREDENTIALS).list_ns() == []  # nothing was sent
        run(options, status_action, "twin", dirs)  # reading is never blocked
    finally:
        holder.kill()  # the lock goes with its process, even killed
        holder.wait()
    assert run(options, provision_action, "twin", dirs, profile=b2c_profile())["objects"]


def test_teardown_removes_every_ns_that_carries_the_csps_names(osm, dirs) -> None:
    sandbox, options = osm()
    profile = b2c_profile()
    run(options, provision_action, "dup", dirs, profile=profile)
    main = NbiClient(sandbox.url, CREDENTIALS)
    nsd = main.find_package("ns", "mecaas_mec_app_ns")["_id"]
    vim = main.find_admin("vim", "edge-vim")["_id"]
    _, op_id = main.create_ns("mecaas-dup-app", nsd, vim, config=instantiation_params(
        profile, "mec_app_ns", "dup"))  # as a second, concurrent run would have made it
    main.wait_for_operation(op_id, timeout=30)
    down = run(options, teardown_action, "dup", dirs, profile=profile)
    assert sum(item.startswith("main: NS mecaas-dup-app") for item in down["deleted"]) == 2
    assert main.list_ns() == [] and main.list_admin("k8scluster") == []
