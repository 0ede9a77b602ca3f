"""Every fault kind of the sandbox (osm_mec/sandbox/faults.py) against the chain's commands:
the message says what actually happened and names the next command, and that command, run
as told, works."""

from __future__ import annotations

import pytest

from osm_mec.chain.run import provision_action, scale_action, teardown_action
from osm_mec.core.errors import OsmMecError
from osm_mec.osm.nbi import NbiClient
from osm_mec.sandbox.faults import parse_faults

from ..sandbox.conftest import CREDENTIALS
from .conftest import b2c_profile, run

ACTIONS = {"provision": provision_action, "teardown": teardown_action,
           "scale out": scale_action(True, 1), "scale in": scale_action(False, 1)}

# (fault, the command it hits, what the message says, the commands it tells to run next)
CASES = {
    "instantiate fails": (
        {"kind": "operation-fails", "operation": "instantiate", "ns": "*-env",
         "detail": "Deploying KDU mep: helm timed out"}, "provision",
        ["OSM operation instantiate", "FAILED: Deploying KDU mep: helm timed out",
         "a failed NS is never adopted", "`osm-mec teardown --csp {csp}`"],
        ["teardown", "provision"]),
    "primitive fails": (
        {"kind": "operation-fails", "operation": "action", "primitive": "register-cluster",
         "detail": "register-cluster: HTTP 401 from the OSM"}, "provision",
        ["register-cluster: HTTP 401", "`osm-mec provision --csp {csp}` again: it resumes"],
        ["provision"]),
    "scale fails": (
        {"kind": "operation-fails", "operation": "scale", "detail": "VIM quota exceeded"},
        "scale out", ["VIM quota exceeded", "`osm-mec scale --csp {csp} out` again"],
        ["scale out"]),
    "terminate fails": (
        {"kind": "operation-fails", "operation": "terminate", "ns": "*-app",
         "detail": "Helm uninstall failed"}, "teardown",
        ["Helm uninstall failed", "`osm-mec teardown --csp {csp}` again continues"],
        ["teardown"]),
    "http error": (
        {"kind": "http-error", "method": "POST", "path": "/nslcm/v1/ns_instances_content",
         "status": 503}, "provision",
        ["HTTP 503", "OSM failed (503)", "`osm-mec provision --csp {csp}` again resumes"],
        ["provision"]),
    "login refused": (
        {"kind": "http-error", "method": "POST", "path": "/admin/v1/tokens", "status": 401},
        "provision", ["HTTP 401", "check the OSM user, project and password"],
        ["provision"]),
    "registration error": (
        {"kind": "registration-error", "object": "k8scluster", "name": "*-nsp",
         "detail": "kubeconfig rejected: Unauthorized"}, "provision",
        ["kubeconfig rejected: Unauthorized", "`osm-mec provision --csp {csp}`"],
        ["provision"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_fault_says_what_happened_and_the_next_command_works(osm, dirs, case) -> None:
    fault, command, words, then = CASES[case]
    sandbox, options = osm(faults=parse_faults([fault]))
    profile, csp = b2c_profile(), f"f{sorted(CASES).index(case)}"
    if command != "provision":
        run(options, provision_action, csp, dirs, profile=profile)
    with pytest.raises(OsmMecError) as failed:
        run(options, ACTIONS[command], csp, dirs, profile=profile)
    message = str(failed.value)
    for word in words:
        assert word.format(csp=csp) in message, (word, message)
    for step in then:  # as the message says
        run(options, ACTIONS[step], csp, dirs, profile=profile)
    main = NbiClient(sandbox.url, CREDENTIALS)
    if then[-1] == "provision":
        assert {n["nsState"] for n in main.list_ns()} == {"READY"}
        assert len(main.list_ns()) == 3
    elif then[-1] == "teardown":
        assert main.list_ns() == []


@pytest.mark.parametrize("fault", [{"kind": "token-expiry", "seconds": 0.3},
                                   {"kind": "slow-answer", "path": "/nslcm/v1/ns_lcm_op_occs",
                                    "seconds": 0.2, "times": 3},
                                   {"kind": "kafka-unavailable"}])
def test_faults_the_chain_absorbs(osm, dirs, fault) -> None:
    """An expired token is renewed, slow answers are waited for, a silent Kafka leaves the
    timings to the operation records (and says so)."""
    sandbox, options = osm(faults=parse_faults([fault]))
    result = run(options, provision_action, "calm", dirs, profile=b2c_profile())
    assert set(result["objects"]) >= {"nsp-cluster-ns", "env-ns", "app-ns"}
    if fault["kind"] == "kafka-unavailable":
        assert any("timed from NBI operation records" in n for n in result["notes"])
