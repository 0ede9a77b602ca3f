"""Issue 12 item 9: the chain registers the MEC app with the CSP's MEP and hands it the MEP's
URL and its token; the MEP gets its admin token from a Secret, never from OSM.

On the embedded sandbox at time scale 0: its MEP KDU runs our real MEP (osm_mec.mep on
Debian's redis-server) with the admin token it reads from the Secret the chain put on the
simulated NSP cluster, reachable at the node address + NodePort OSM recorded. The sandbox
has no Kubernetes API: Secrets live in its simulated clusters (``kube_sim``), read here
through the sandbox's objects, as ``kubectl get secret`` would on a real cluster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from osm_mec.chain import names
from osm_mec.chain.apps import read_source
from osm_mec.chain.mep_link import ADMIN_KEY, ADMIN_SECRET, admin_folder, admin_token_file
from osm_mec.chain.provision import provision_with
from osm_mec.chain.run import provision_action, status_action, teardown_action
from osm_mec.chain.state import CspState
from osm_mec.chain.status import status_table
from osm_mec.chain.teardown import teardown
from osm_mec.meo import lcm
from osm_mec.sandbox.deploy import kdu_values

from .conftest import b2c_profile, run

REPO = Path(__file__).resolve().parents[2]
APPD = REPO / "examples/mecapp-appd.yaml"
CHART = REPO / "helm/mec-app"
PM = "/mec_platform_mgmt/v1/app_instances"
MP1 = "/mec_service_mgmt/v1/services"
SAMPLE_ID = "mecaas-acme-app"
SAMPLE_NS = "mecaas-acme-mec-app"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _state(dirs) -> CspState:
    return CspState.load(dirs[0], "acme")


def _mep(dirs) -> tuple[str, str]:
    """(URL, admin token) of the CSP's MEP as the chain recorded them."""
    return _state(dirs).get("mep")["url"], admin_token_file(dirs[0] / "acme.json").read_text(
        ).strip()


def _registered(dirs) -> list[str]:
    url, token = _mep(dirs)
    answer = requests.get(url + PM, headers=_bearer(token), timeout=10)
    assert answer.status_code == 200, answer.text
    return [a["appInstanceId"] for a in answer.json()]


def _app_kdu(osm) -> dict[str, Any]:
    """The app KDU's record (kdur) in `osm`'s store (the OSM that deployed it)."""
    return next(k for v in osm.store.find("vnfrs") for k in v.get("kdur") or []
                if "mep" in kdu_values(k) or k.get("kdu-name") in ("mec-app", "mecapp"))


def _records_text(*osms) -> str:
    """Every record of these OSMs (NS, VNF, operations, ...), as one text to search."""
    return "\n".join(json.dumps(doc, default=str) for osm in osms
                     for collection in list(osm.store.data) for doc in osm.store.find(collection))


def _secret(osm, cluster: str, namespace: str, name: str) -> dict[str, str]:
    return osm.kube.secret(cluster, namespace, name)


def _works_on_mp1(url: str, token: str) -> None:
    assert requests.get(url + MP1, headers=_bearer(token), timeout=10).status_code == 200
    assert requests.get(url + MP1, timeout=10).status_code == 401


def test_the_sample_apps_kdu_gets_the_meps_url_and_secret_name(osm, dirs) -> None:
    """The reported defect (before item 9 the app KDU got no MEP URL or token and its
    default URL named a service in another cluster): its values name the MEP's URL,
    the app's instance id and the Secret holding its token."""
    sandbox, options = osm()
    run(options, provision_action, "acme", dirs)
    values = kdu_values(_app_kdu(sandbox.edges[0].osm))
    assert "mep" in values, f"the app KDU got no MEP values: {values}"
    assert values["mep"]["url"].startswith("http://") and values["mep"]["existingSecret"]
    assert "token" not in values["mep"]


def test_provision_registers_the_sample_app_and_hands_it_url_and_token(osm, dirs) -> None:
    sandbox, options = osm()
    result = run(options, provision_action, "acme", dirs)
    url, admin = _mep(dirs)
    token_file = admin_token_file(dirs[0] / "acme.json")
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert admin_folder(dirs[0] / "acme.json").stat().st_mode & 0o777 == 0o700
    mep_record = result["objects"]["mep"]
    assert _secret(sandbox.osm, mep_record["cluster"], "mecaas-acme-mep", ADMIN_SECRET) == {
        ADMIN_KEY: admin}
    env_kdu = next(k for v in sandbox.osm.store.find("vnfrs") for k in v.get("kdur") or []
                   if k.get("kdu-name") == "mep")
    assert kdu_values(env_kdu)["adminTokenSecret"] == ADMIN_SECRET
    assert requests.get(url + PM, timeout=10).status_code == 401  # the MEP needs its token

    assert _registered(dirs) == [SAMPLE_ID]
    edge = sandbox.edges[0].osm
    values = kdu_values(_app_kdu(edge))["mep"]
    secret_name = f"osm-mec-mep-token-{SAMPLE_ID}"
    assert values == {"url": url, "appInstanceId": SAMPLE_ID, "existingSecret": secret_name}
    app = result["objects"][names.APP.key]
    secret = _secret(edge, app["mep_cluster"], SAMPLE_NS, secret_name)
    _works_on_mp1(url, secret["token"])
    records = _records_text(sandbox.osm, edge)
    for secret_value in (admin, secret["token"], secret["client-secret"]):
        assert secret_value not in records
        assert secret_value not in json.dumps(result)
        assert secret_value not in (dirs[0] / "acme.json").read_text()

    status = run(options, status_action, "acme", dirs)
    assert status["mep_app"]["id"] == SAMPLE_ID
    assert status["mep_app"]["state"] != "not registered"
    assert "app registration" in status_table(status)

    run(options, provision_action, "acme", dirs)  # a re-run registers nothing again
    assert _registered(dirs) == [SAMPLE_ID]
    assert _secret(edge, app["mep_cluster"], SAMPLE_NS, secret_name) == secret
    _works_on_mp1(url, secret["token"])

    # the app's teardown alone (the MEP still runs): deregistered first
    run(options, lambda chain: teardown(chain, {names.APP.key}), "acme", dirs)
    assert _registered(dirs) == []
    run(options, teardown_action, "acme", dirs)
    assert not admin_folder(dirs[0] / "acme.json").exists()
    assert not (dirs[0] / "acme.json").exists()


def test_release_deletes_the_secrets_while_the_namespaces_stay(osm, dirs) -> None:
    """The sandbox drops a namespace's Secrets with its KDU: this test deletes them while
    the KDUs still run, so it sees that the chain itself deletes them."""
    sandbox, options = osm()
    result = run(options, provision_action, "acme", dirs)
    app, mep = result["objects"][names.APP.key], result["objects"]["mep"]
    edge = sandbox.edges[0].osm
    secret_name = f"osm-mec-mep-token-{SAMPLE_ID}"

    def release(chain) -> dict:
        edge_target = chain.connect_edge(take_over=False)
        return {"app": chain.mep.release_sample_app(edge_target),
                "admin": chain.mep.remove_admin_secret()}

    notes = run(options, release, "acme", dirs)
    assert (notes["app"], notes["admin"]) == (None, None)
    with pytest.raises(Exception, match="not found"):
        _secret(edge, app["mep_cluster"], SAMPLE_NS, secret_name)
    with pytest.raises(Exception, match="not found"):
        _secret(sandbox.osm, mep["cluster"], "mecaas-acme-mep", ADMIN_SECRET)
    assert not admin_folder(dirs[0] / "acme.json").exists()


def test_b2c_registers_the_sample_app_on_the_main_osms_edge_cluster(osm, dirs) -> None:
    sandbox, options = osm()
    result = run(options, provision_action, "acme", dirs, profile=b2c_profile())
    assert _registered(dirs) == [SAMPLE_ID]
    url, _ = _mep(dirs)
    values = kdu_values(_app_kdu(sandbox.osm))["mep"]
    assert values["url"] == url and values["appInstanceId"] == SAMPLE_ID
    app = result["objects"][names.APP.key]
    cluster = next(sandbox.osm.store.find("k8sclusters", name="mecaas-acme-edge"))
    assert app["mep_cluster"] == cluster["_id"]
    secret = _secret(sandbox.osm, app["mep_cluster"], SAMPLE_NS, values["existingSecret"])
    _works_on_mp1(url, secret["token"])
    run(options, lambda chain: teardown(chain, {names.APP.key}), "acme", dirs,
        profile=b2c_profile())
    assert _registered(dirs) == []


def test_provision_appd_registers_the_app_before_its_ns(osm, dirs) -> None:
    sandbox, options = osm()
    result = run(options, provision_with(read_source(APPD, str(CHART))), "acme", dirs)
    app = result["objects"][names.APP.key]
    edge = sandbox.edges[0].osm
    nsr = next(edge.store.find("nsrs", name=app["name"]))
    instance_id = app["name"].removeprefix("mecapp-")
    assert _registered(dirs) == [instance_id]
    kdur = next(k for v in edge.store.find("vnfrs", **{"nsr-id-ref": nsr["_id"]})
                for k in v.get("kdur") or [])
    url, _ = _mep(dirs)
    values = kdu_values(kdur)["mep"]
    secret_name = f"osm-mec-mep-token-{instance_id}"
    assert values == {"url": url, "appInstanceId": instance_id, "existingSecret": secret_name}
    namespace = lcm.kdu_namespace({"id": instance_id})
    assert kdur["k8s-namespace"] == namespace
    cluster = kdur["k8s-cluster"]["id"]
    secret = _secret(edge, cluster, namespace, secret_name)
    _works_on_mp1(url, secret["token"])
    assert secret["token"] not in _records_text(sandbox.osm, edge)
    # the facade wrote no credentials file: the cluster's API took them
    assert not list((dirs[0] / "acme.meo").rglob("app-credentials/*.json"))

    run(options, lambda chain: teardown(chain, {names.APP.key}), "acme", dirs)
    assert _registered(dirs) == []


def test_app_deploy_on_a_provisioned_csp_uses_the_recorded_mep(osm, dirs) -> None:
    """`osm-mec app deploy` without --mep-url: the MEP provisioning recorded (URL in the
    state, admin token beside it) and the edge cluster's API take the app's token."""
    from osm_mec.chain.apps import app_command
    from osm_mec.chain.progress import quiet

    sandbox, options = osm()
    run(options, provision_action, "acme", dirs)
    source = read_source(APPD, str(CHART))
    deployed = app_command("deploy", "acme", dirs[0], dirs[1], lambda: pytest.fail(
        "the CSP's own Edge OSM account is used"), True, None, quiet(), source=source,
        name=None)
    instance_id = deployed["appInstanceId"]
    assert deployed["mep"] == "registered"
    assert sorted(_registered(dirs)) == sorted([SAMPLE_ID, instance_id])
    cluster = _state(dirs).get("edge-cluster")["id"]
    secret = _secret(sandbox.edges[0].osm, cluster, lcm.kdu_namespace({"id": instance_id}),
                     f"osm-mec-mep-token-{instance_id}")
    _works_on_mp1(_mep(dirs)[0], secret["token"])
    app_command("remove", "acme", dirs[0], dirs[1], lambda: pytest.fail("no fallback"), True,
                None, quiet(), appd_id=source.appd_id, graceful=True)
    assert _registered(dirs) == [SAMPLE_ID]


def test_teardown_removes_apps_when_the_mep_is_out_of_reach(osm, dirs, monkeypatch) -> None:
    """A MEP that cannot be reached any more does not block the teardown of the apps
    deployed from an AppD: they are removed without deregistering."""
    from osm_mec.chain.mep_steps import ChainMep
    from osm_mec.core.errors import OsmMecError

    sandbox, options = osm()
    result = run(options, provision_with(read_source(APPD, str(CHART))), "acme", dirs)
    name = result["objects"][names.APP.key]["name"]

    def unreachable(self) -> None:
        raise OsmMecError("the MEP did not answer")

    monkeypatch.setattr(ChainMep, "admin", unreachable)
    run(options, lambda chain: teardown(chain, {names.APP.key}), "acme", dirs)
    assert not list(sandbox.edges[0].osm.store.find("nsrs", name=name))
