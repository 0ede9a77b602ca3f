"""The sandbox's NBI against the facts in osm-nbi.md: paths, status codes, error bodies,
JSON/YAML answers, package onboarding rules, instantiation checks, records."""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import json
import time
from pathlib import Path

import pytest
import requests
import yaml

from osm_mec.chain import day2
from osm_mec.offer.params import instantiation_params
from osm_mec.osm.kube import SandboxKube
from osm_mec.osm.nbi import NbiClient, NbiError, OsmUnreachable, RetryPolicy
from osm_mec.osm.waiting import OperationFailed
from osm_mec.sandbox import CHARMED_OSM_INITIAL

from ..archives import tar_gz
from .conftest import CREDENTIALS, client_for, onboard


def _token(sandbox) -> str:
    answer = requests.post(f"{sandbox.url}/admin/v1/tokens", json={
        "username": CREDENTIALS.user, "password": CREDENTIALS.password,
        "project_id": CREDENTIALS.project}, headers={"Accept": "application/json"}, timeout=5)
    assert answer.status_code == 200
    body = answer.json()
    assert {"_id", "id", "expires", "project_id", "project_name", "username", "admin"} <= set(body)
    return body["id"]


def test_error_bodies_and_answer_formats(sandbox) -> None:
    no_token = requests.get(f"{sandbox.url}/nslcm/v1/ns_instances",
                            headers={"Accept": "application/json"}, timeout=5)
    assert no_token.status_code == 401
    assert no_token.json() == {"code": "UNAUTHORIZED", "status": 401,
                               "detail": "Needed a token or Authorization http header"}
    wrong = requests.post(f"{sandbox.url}/admin/v1/tokens", json={
        "username": "admin", "password": "nope"}, headers={"Accept": "application/json"},
        timeout=5)
    assert wrong.status_code == 401 and wrong.json()["detail"] == "Invalid username/password"
    token = _token(sandbox)
    as_yaml = requests.get(f"{sandbox.url}/admin/v1/vim_accounts",
                           headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert as_yaml.headers["Content-Type"] == "application/yaml"
    assert {v["name"] for v in yaml.safe_load(as_yaml.text)} == {"nsp-vim", "edge-vim"}
    missing = requests.get(f"{sandbox.url}/nslcm/v1/ns_instances/nope", timeout=5, headers={
        "Authorization": f"Bearer {token}", "Accept": "application/json"})
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
    assert "vim_password" not in str(as_yaml.text).replace("vim_password: '********'", "")




def _upload(sandbox, kind: str, data: bytes, md5: str | None = None) -> requests.Response:
    path = "/vnfpkgm/v1/vnf_packages_content" if kind == "vnf" else \
        "/nsd/v1/ns_descriptors_content"
    return requests.post(sandbox.url + path, data=data, timeout=30, headers={
        "Authorization": f"Bearer {_token(sandbox)}", "Accept": "application/json",
        "Content-Type": "application/gzip", "Content-Filename": "p.tar.gz",
        "Content-File-MD5": md5 or hashlib.md5(data).hexdigest()})


def test_package_refusals_with_osm_status_codes(make_sandbox, built: Path) -> None:
    sandbox = make_sandbox()
    good = (built / "k8s_cluster_vnf.tar.gz").read_bytes()
    mismatch = _upload(sandbox, "vnf", good, md5="0" * 32)
    assert mismatch.status_code == 409 and "Content-File-MD5" in mismatch.json()["detail"]
    two_roots = _upload(sandbox, "vnf", tar_gz({"a/x.yaml": b"vnfd: {}", "b/y.yaml": b"{}"}))
    assert two_roots.status_code == 400 and "one top-level folder" in two_roots.json()["detail"]
    not_tar = _upload(sandbox, "vnf", b"not a tar archive")
    assert not_tar.status_code == 400
    broken = yaml.safe_load(next((built / "mec_app_cnf").glob("*.yaml")).read_text())
    broken["vnfd"]["kdu"][0]["name"] = 42
    invalid = _upload(sandbox, "vnf", tar_gz({"pkg/pkg_vnfd.yaml": yaml.safe_dump(broken).encode()}))
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "UNPROCESSABLE_ENTITY"
    assert "vnfd.kdu[0].name" in invalid.json()["detail"]
    nsd_first = _upload(sandbox, "ns", (built / "k8s_osm_cluster_ns.tar.gz").read_bytes())
    assert nsd_first.status_code == 409 and "not onboarded" in nsd_first.json()["detail"]
    assert _upload(sandbox, "vnf", good).status_code == 201
    duplicate = _upload(sandbox, "vnf", good)
    assert duplicate.status_code == 409 and "already exists" in duplicate.json()["detail"]
    wrong_endpoint = _upload(sandbox, "ns", (built / "mec_app_cnf.tar.gz").read_bytes())
    assert wrong_endpoint.status_code == 422


def test_built_packages_onboard_and_delete_rules(make_sandbox, built: Path) -> None:
    sandbox = make_sandbox()
    client = client_for(sandbox)
    ids = onboard(client, built)
    assert {p["id"] for p in client.list_packages("vnf")} == {
        f"mecaas_{n}" for n in ids if not n.endswith("_ns")}
    found = client.find_package("ns", "mecaas_mec_env_ns")
    assert found["_id"] == ids["mec_env_ns"] and found["_admin"]["onboardingState"] == "ONBOARDED"
    with pytest.raises(NbiError) as in_use:
        client.delete_package("vnf", ids["k8s_cluster_vnf"])
    assert in_use.value.status == 409 and in_use.value.code == "CONFLICT"
    client.delete_package("ns", ids["k8s_osm_cluster_ns"])
    client.delete_package("vnf", ids["baseline_cnf"], force=True)  # FORCE skips the check
    assert client.find_package("vnf", "mecaas_baseline_cnf") is None
    with pytest.raises(NbiError) as gone:
        client.delete_package("ns", ids["k8s_osm_cluster_ns"])
    assert gone.value.status == 404


def _vim(client: NbiClient, name: str = "nsp-vim") -> str:
    return client.find_admin("vim", name)["_id"]


def test_create_rejects_what_nbi_rejects(sandbox, onboarded, client, profile) -> None:
    """NBI's statuses: 422 for the schema, 404 for an unknown NSD, 400 for its own checks;
    the NS records exist only when every check passed."""
    nsd = onboarded["k8s_osm_cluster_ns"]
    config = instantiation_params(profile, "k8s_osm_cluster_ns", "reject")
    base = {"nsName": "reject", "nsdId": nsd, "vimAccountId": _vim(client)}

    def with_config(**changes) -> dict:
        body = {**base, **copy.deepcopy(config)}
        body.update(changes)
        return body

    bad_name = copy.deepcopy(config["additionalParamsForVnf"])
    bad_name[0]["additionalParams"]["bad-name"] = 1
    cases = [({**base, "bogus": 1}, 422, "'bogus'"),
             ({"nsName": "x", "nsdId": nsd}, 422, "'vimAccountId' is a required property"),
             ({**base, "nsdId": "nope"}, 422, "does not match"),
             ({**base, "nsdId": "00000000-0000-4000-8000-000000000000"}, 404, "Not found"),
             (base, 400, "Parameter '<"),
             (with_config(additionalParamsForVnf=bad_name), 400, "Invalid param name"),
             (with_config(vld=[{"name": "nowhere", "vim-network-name": "n"}]), 400,
              "vld:name='nowhere'"),
             (with_config(vimAccountId="00000000-0000-4000-8000-000000000000"), 400,
              "Invalid vimAccountId")]
    for body, status, needle in cases:
        with pytest.raises(NbiError) as refused:
            client.request("POST", "/nslcm/v1/ns_instances_content", json=body)
        assert refused.value.status == status, body
        assert needle in refused.value.detail
    assert "reject" not in {ns["name"] for ns in client.list_ns()}


def test_cluster_lifecycle_records_scale_actions_terminate(sandbox, onboarded, client,
                                                           listener, profile) -> None:
    config = instantiation_params(profile, "k8s_osm_cluster_ns", "life")
    ns_id, op_id = client.create_ns("life-cluster", onboarded["k8s_osm_cluster_ns"],
                                    _vim(client), config=config)
    op = client.wait_for_operation(op_id, listener=listener, timeout=30)
    assert op["operationState"] == "COMPLETED" and op["detailed-status"] == "Done"
    assert op["lcmOperationType"] == "instantiate" and op["nsInstanceId"] == ns_id
    assert op["statusEnteredTime"] - op["startTime"] > 300  # simulated cluster deployment
    nsr = client.get_ns(ns_id)
    assert nsr["nsState"] == "READY" and nsr["config-status"] == "configured"
    (vnfr,) = client.vnf_records(ns_id)
    by_name = {v["vdu-id-ref"]: v for v in vnfr["vdur"]}
    cluster_ips = {v["vdu-id-ref"]: next(i["ip-address"] for i in v["interfaces"]
                                         if i.get("vnf-vld-id") == "cluster-net")
                   for v in vnfr["vdur"]}
    assert cluster_ips["controller"] == profile["cluster"]["controller_ip"]
    assert ipaddress.ip_address(cluster_ips["worker"]) > ipaddress.ip_address(
        profile["cluster"]["controller_ip"])
    assert vnfr["ip-address"] == by_name["controller"]["ip-address"]

    out = client.wait_for_operation(client.scale(ns_id, "cluster", "worker-scale", True),
                                    listener=listener, timeout=30)
    assert out["operationParams"]["scaleVnfData"]["scaleVnfType"] == "SCALE_OUT"
    nodes_op = client.wait_for_operation(client.action(ns_id, "cluster", "list-nodes",
                                                       vdu_id="controller"),
                                         listener=listener, timeout=30)
    nodes = yaml.safe_load(yaml.safe_load(nodes_op["detailed-status"])["nodes"])
    # as OSM's LCM does, only worker 0 is related to the controller: the scaled-out worker
    # is no node until the controller's add-worker joins it
    assert [n["name"] for n in nodes] == ["life-cluster-cluster-controller-0",
                                          "life-cluster-cluster-worker-0"]
    wait = lambda op: client.wait_for_operation(op, listener=listener, timeout=30)  # noqa
    assert day2.join_worker(client, ns_id, 0, wait) == "joined"
    assert day2.join_worker(client, ns_id, 1, wait) == "added"
    nodes_op = wait(client.action(ns_id, "cluster", "list-nodes", vdu_id="controller"))
    nodes = yaml.safe_load(yaml.safe_load(nodes_op["detailed-status"])["nodes"])
    assert [n["name"] for n in nodes][-1] == "life-cluster-cluster-worker-1"
    join = yaml.safe_load(client.wait_for_operation(client.action(
        ns_id, "cluster", "get-join-info", vdu_id="controller"), listener=listener,
        timeout=30)["detailed-status"])
    assert join["endpoint"] == f"https://{by_name['controller']['ip-address']}:6443"
    assert set(join) == {"endpoint", "ca-cert-hash"}  # public only: no token
    removed = client.wait_for_operation(client.action(
        ns_id, "cluster", "remove-node", {"node": "life-cluster-cluster-worker-1"},
        vdu_id="controller"), listener=listener, timeout=30)
    assert "drained and deleted" in removed["detailed-status"]
    client.wait_for_operation(client.scale(ns_id, "cluster", "worker-scale", False),
                              listener=listener, timeout=30)
    (vnfr,) = client.vnf_records(ns_id)
    assert sorted(v["name"] for v in vnfr["vdur"]) == ["life-cluster-cluster-controller-0",
                                                      "life-cluster-cluster-worker-0"]
    with pytest.raises(OperationFailed) as below_min:
        client.wait_for_operation(client.scale(ns_id, "cluster", "worker-scale", False),
                                  listener=listener, timeout=30)
    assert "(min-instance-count) scaling-in" in below_min.value.detail

    with pytest.raises(NbiError) as aspect:
        client.scale(ns_id, "cluster", "no-such-aspect", True)
    assert aspect.value.status == 400
    with pytest.raises(NbiError) as primitive:
        client.action(ns_id, "cluster", "reboot-everything", vdu_id="controller")
    assert primitive.value.status == 400 and "Invalid primitive" in primitive.value.detail
    with pytest.raises(NbiError) as required:
        client.action(ns_id, "cluster", "remove-node", {}, vdu_id="controller")
    assert required.value.status == 400
    assert required.value.detail == "Needed parameter node not provided for primitive " \
                                    "'remove-node'"
    with pytest.raises(NbiError) as wrong_unit:  # the worker's day1-2 does not declare it
        client.action(ns_id, "cluster", "remove-node", {"node": "x"}, vdu_id="worker")
    assert wrong_unit.value.status == 400 and "Invalid primitive" in wrong_unit.value.detail
    with pytest.raises(NbiError) as no_vdu:  # a VDU-level primitive needs its vdu_id
        client.action(ns_id, "cluster", "list-nodes")
    assert no_vdu.value.status == 400

    terminate = client.delete_ns(ns_id)
    final = client.wait_for_operation(terminate, listener=listener, timeout=30, gone_ok=True)
    assert final["operationState"] == "COMPLETED"
    with pytest.raises(NbiError) as gone:
        client.get_ns(ns_id)
    assert gone.value.status == 404
    with pytest.raises(NbiError) as op_gone:
        client.get_operation(terminate)
    assert op_gone.value.status == 404
    with pytest.raises(NbiError) as not_instantiated:
        client.scale(ns_id, "cluster", "worker-scale", True)
    assert not_instantiated.value.status == 404


def test_scale_of_a_vnf_without_that_aspect_is_refused(make_sandbox, built, profile) -> None:
    sandbox = make_sandbox()
    client = client_for(sandbox)
    ids = onboard(client, built, ("baseline_vnf", "baseline_vnf_ns"))
    ns_id, op_id = client.create_ns("base", ids["baseline_vnf_ns"], _vim(client),
                                    config=instantiation_params(profile, "baseline_vnf_ns", "b"))
    client.wait_for_operation(op_id, timeout=30)
    vnfd = client.find_package("vnf", "mecaas_baseline_vnf")
    aspects = vnfd["df"][0].get("scaling-aspect")
    assert not aspects  # the baseline has no aspect: NBI refuses any scale request
    with pytest.raises(NbiError) as refused:
        client.scale(ns_id, "baseline", "worker-scale", True)
    assert refused.value.status == 400


def test_scale_out_past_max_instances_fails(sandbox, onboarded, client, listener,
                                            profile) -> None:
    ns_id, op_id = client.create_ns("max-cluster", onboarded["k8s_osm_cluster_ns"],
                                    _vim(client), config=instantiation_params(
                                        profile, "k8s_osm_cluster_ns", "max"))
    client.wait_for_operation(op_id, listener=listener, timeout=30)
    for _ in range(profile["workers"]["max"] - 1):
        client.wait_for_operation(client.scale(ns_id, "cluster", "worker-scale", True),
                                  listener=listener, timeout=30)
    with pytest.raises(OperationFailed) as past_max:
        client.wait_for_operation(client.scale(ns_id, "cluster", "worker-scale", True),
                                  listener=listener, timeout=30)
    assert past_max.value.state == "FAILED"
    assert past_max.value.detail == (f"reached the limit of {profile['workers']['max']} "
                                     "(max-instance-count) scaling-out operations for the "
                                     "scaling-group-descriptor 'worker-scale'")
    client.wait_for_operation(client.delete_ns(ns_id), listener=listener, timeout=30,
                              gone_ok=True)


def test_day1_parameters_are_checked_per_vdu_at_create(sandbox, onboarded, client,
                                                        profile) -> None:
    """Finding 2 of issue 10: a VDU's own additionalParams REPLACE the VNF's for that VDU
    (NBI checks each VDU's day-1 `<param>`s against them); nothing is created on refusal."""
    config = instantiation_params(profile, "k8s_osm_cluster_ns", "noparam")
    item = config["additionalParamsForVnf"][0]
    own = {k: v for k, v in item["additionalParams"].items() if k != "controller_ip"}
    item["additionalParamsForVdu"] = [{"vdu_id": "controller", "additionalParams": own}]
    with pytest.raises(NbiError) as refused:
        client.create_ns("noparam", onboarded["k8s_osm_cluster_ns"], _vim(client),
                         config=config)
    assert refused.value.status == 400
    assert "Parameter '<controller_ip>' needed for vnfd[id=mecaas_k8s_cluster_vnf]" in \
        refused.value.detail
    assert client.find_ns("noparam") is None


def test_kdus_need_a_registered_cluster_and_edge_osm_comes_up(make_sandbox, built,
                                                               profile) -> None:
    sandbox = make_sandbox()
    client = client_for(sandbox)
    ids = onboard(client, built)
    nsp, edge = _vim(client, "nsp-vim"), _vim(client, "edge-vim")
    env_config = instantiation_params(profile, "mec_env_ns", "acme")
    env_config["vnf"][0]["vimAccountId"] = edge
    with pytest.raises(NbiError) as no_cluster:  # finding 6: refused at create
        client.create_ns("no-cluster-env", ids["mec_env_ns"], nsp, config=env_config)
    assert no_cluster.value.status == 400
    assert no_cluster.value.detail.startswith("No k8scluster with requirements=")
    assert "found for member_vnf_index=" in no_cluster.value.detail
    assert client.find_ns("no-cluster-env") is None

    cluster_ns, op_id = client.create_ns("acme-nsp", ids["k8s_osm_cluster_ns"], nsp,
                                         config=instantiation_params(
                                             profile, "k8s_osm_cluster_ns", "acme"))
    client.wait_for_operation(op_id, timeout=30)
    register = day2.register_cluster(client, cluster_ns, client, "nsp-vim", "acme-nsp",
                                     lambda op: client.wait_for_operation(op, timeout=30))
    result = yaml.safe_load(register["detailed-status"])
    assert result["state"] == "ENABLED" and result["created"] == "true"
    registered = client.get_admin("k8scluster", result["cluster-id"])
    assert registered["vim_account"] == nsp and registered["k8s_version"] == "1.30"
    assert registered["credentials"]["users"][0]["user"]["token"] == "********"

    env_id, op_id = client.create_ns("acme-env", ids["mec_env_ns"], nsp, config=env_config)
    client.wait_for_operation(op_id, timeout=30)
    records = {v["member-vnf-index-ref"]: v for v in client.vnf_records(env_id)}
    assert records["cluster"]["vim-account-id"] == edge
    mep = records["mep"]["kdur"][0]
    assert mep["status"] == "READY" and mep["k8s-cluster"]["id"] == result["cluster-id"]
    assert mep["k8s-namespace"] == "mecaas-acme-mep"
    assert 30000 <= mep["services"][0]["ports"][0]["node_port"] <= 32767  # Kubernetes picks it
    assert mep["services"][0]["external_ip"] is None  # OSM: only a LoadBalancer's ingress
    nbi, kafka = records["edge-osm"]["kdur"][0]["services"]
    assert (nbi["name"], nbi["type"], nbi["external_ip"]) == ("nbi", "ClusterIP", None)
    assert nbi["ports"][0]["node_port"] is None  # the osm-nbi charm's Service: ClusterIP
    assert (kafka["name"], kafka["type"]) == ("kafka", "LoadBalancer")
    # the chain's NodePort Service in front of it, on the simulated cluster
    where = SandboxKube(client, result["cluster-id"]).expose("mecaas-acme-osm", "nbi-np", "nbi",
                                                             9999)
    edge_url = f"http://{where.host}:{where.port}/osm"
    assert [e.url for e in sandbox.edges] == [edge_url]
    edge_client = NbiClient(edge_url, CHARMED_OSM_INITIAL)  # a Charmed OSM's first user
    assert edge_client.list_admin("vim") == []  # a fresh Edge OSM: the chain registers its VIM
    client.wait_for_operation(client.delete_ns(env_id), timeout=30, gone_ok=True)
    assert sandbox.edges == []
    with pytest.raises(OsmUnreachable) as edge_gone:
        NbiClient(edge_url, CHARMED_OSM_INITIAL,
                  retry=RetryPolicy(attempts=1)).list_admin("vim")
    assert edge_gone.value.status == 0


def _kafka_records(bootstrap: str, topic: str = "ns") -> list[tuple[str, dict, int]]:
    """Every (key, value, timestamp ms) on a topic so far (the sandbox flushes before it
    answers, so the high watermark covers every request already answered)."""
    from confluent_kafka import Consumer, TopicPartition
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"read-{topic}",
                         "enable.auto.commit": False, "log_level": 3})
    end = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1]
    consumer.assign([TopicPartition(topic, 0, 0)])
    records = []
    while len(records) < end:
        message = consumer.poll(5)
        if message is not None and not message.error():
            records.append((message.key().decode(), yaml.safe_load(message.value()),
                            message.timestamp()[1]))
    consumer.close()
    return records


def _cnf_ready(client: NbiClient, vim_id: str, name: str) -> str:
    """A K8s cluster on the VIM, so that KNF NSs can be created (NBI requires one)."""
    return client.create_admin("k8scluster", {
        "name": name, "vim_account": vim_id, "k8s_version": "1.30", "nets": {"net1": None},
        "credentials": {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [],
                        "contexts": []}})


def test_instantiate_and_action_records_as_nbi_writes_them(make_sandbox, built, profile
                                                           ) -> None:
    """Finding 8: operationParams.additionalParamsForVnf is a JSON string (KDU mappings as
    `!!yaml` strings), nsr_id is added, detailedStatus/queuePosition/stage are null; an
    action's non-empty primitive_params is a JSON string; vca_status_refresh only when asked."""
    sandbox = make_sandbox()
    client = client_for(sandbox)
    ids = onboard(client, built, ("mec_app_cnf", "mec_app_ns"))
    vim_id = _vim(client, "edge-vim")
    _cnf_ready(client, vim_id, "rec-k8s")
    config = instantiation_params(profile, "mec_app_ns", "rec")
    answer = client.request("POST", "/nslcm/v1/ns_instances_content", json={
        "nsName": "rec-app", "nsdId": ids["mec_app_ns"], "vimAccountId": vim_id, **config})
    assert set(answer) == {"id", "nslcmop_id", "nsName"} and answer["nsName"] == "rec-app"
    client.wait_for_operation(answer["nslcmop_id"], timeout=30)
    client.get_ns(answer["id"])
    raw = requests.get(f"{sandbox.url}/nslcm/v1/ns_instances/{answer['id']}",
                       params={"vcaStatusRefresh": "true"}, timeout=5,
                       headers={"Authorization": f"Bearer {_token(sandbox)}"})
    assert raw.status_code == 200
    records = _kafka_records(sandbox.kafka_bootstrap)
    request = next(v for k, v, _ in records if k == "instantiate")
    params = request["operationParams"]
    assert params["nsr_id"] == answer["id"] and isinstance(params["additionalParamsForVnf"], str)
    kdu_values = json.loads(params["additionalParamsForVnf"])[0]["additionalParamsForKdu"][0][
        "additionalParams"]
    assert any(isinstance(v, str) and v.startswith("!!yaml ") for v in kdu_values.values())
    assert (request["detailedStatus"], request["queuePosition"], request["stage"]) == \
        (None, None, None)
    done = next(v for k, v, _ in records if k == "instantiated")
    assert done["operationParams"] == {"nsInstanceId": answer["id"],
                                       "nsdId": ids["mec_app_ns"]}
    assert [k for k, _, _ in records].count("vca_status_refresh") == 1
    nsr = client.get_ns(answer["id"])
    assert "additionalParamsForVnf" not in nsr["instantiate_params"]
    assert nsr["currentOperation"] == "IDLE" and nsr["currentOperationID"] is None
    assert nsr["_admin"]["nslcmop"] == answer["nslcmop_id"]
    (vnfr,) = client.vnf_records(answer["id"])
    assert isinstance(vnfr["kdur"][0]["additionalParams"], str)  # NBI's JSON string


def test_what_osmclient_reads(make_sandbox) -> None:
    """Item 5 of issue 10: /version, projects (ids in _admin.projects_read), vnfrs, PATCH on
    VIM accounts and K8s clusters, deployment_methods, _admin.operations, delete answers."""
    sandbox = make_sandbox()
    client = client_for(sandbox)
    version = requests.get(f"{sandbox.url}/version", timeout=5)
    assert version.status_code == 200 and set(yaml.safe_load(version.text)) == {"version",
                                                                                "date"}
    (project,) = client.request("GET", "/admin/v1/projects")
    vim = client.find_admin("vim", "nsp-vim")
    assert vim["_admin"]["projects_read"] == [project["_id"]]
    assert vim["_admin"]["operations"][0]["lcmOperationType"] == "create"
    patched = client.request("PATCH", f"/admin/v1/vim_accounts/{vim['_id']}",
                             json={"description": "edited", "vim_password": "new"})
    assert patched == {"op_id": f"{vim['_id']}:1"}
    after = client.get_admin("vim", vim["_id"])
    assert after["description"] == "edited" and after["vim_password"] == "********"
    assert [o["lcmOperationType"] for o in after["_admin"]["operations"]] == ["create", "edit"]
    cluster = client.request("POST", "/admin/v1/k8sclusters", json={
        "name": "methods", "vim_account": vim["_id"], "k8s_version": "1.30",
        "nets": {"net1": None}, "deployment_methods": {"juju-bundle": False,
                                                        "helm-chart-v3": True},
        "credentials": {"apiVersion": "v1", "kind": "Config"}})
    assert set(cluster) == {"_id", "id", "op_id"}
    assert client.get_admin("k8scluster", cluster["id"])["deployment_methods"] == {
        "juju-bundle": False, "helm-chart-v3": True}
    assert client.request("PATCH", f"/admin/v1/k8sclusters/{cluster['id']}",
                          json={"description": "x"}) == {"op_id": f"{cluster['id']}:1"}
    deleted = client.request("DELETE", f"/admin/v1/k8sclusters/{cluster['id']}")
    assert deleted == {"_id": f"{cluster['id']}:2"}
    assert client.request("GET", "/nslcm/v1/vnfrs") == []


def test_no_timestamp_after_the_wall_clock_at_time_scale_0(make_sandbox, built, profile
                                                           ) -> None:
    """At time scale 0 operations keep their simulated durations, yet nothing is dated in
    the future: not the records, not the Kafka timestamps."""
    sandbox = make_sandbox(time_scale=0)
    client = client_for(sandbox)
    ids = onboard(client, built, ("baseline_vnf", "baseline_vnf_ns"))
    ns_id, op_id = client.create_ns("clock", ids["baseline_vnf_ns"], _vim(client),
                                    config=instantiation_params(profile, "baseline_vnf_ns",
                                                                "clock"))
    op = client.wait_for_operation(op_id, timeout=30)
    assert op["statusEnteredTime"] - op["startTime"] > 60  # a simulated deployment
    now = time.time()
    stamps: list[float] = []

    def collect(value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("created", "modified", "startTime", "statusEnteredTime",
                           "create-time", "created-time") and isinstance(item, float):
                    stamps.append(item)
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for path in ("/nslcm/v1/ns_instances", "/nslcm/v1/vnfrs", "/nslcm/v1/ns_lcm_op_occs",
                 "/admin/v1/vim_accounts", "/vnfpkgm/v1/vnf_packages"):
        collect(client.request("GET", path))
    assert len(stamps) > 10 and max(stamps) <= now
    kafka = [t for topic in ("ns", "vnfd", "vim_account")
             for _, _, t in _kafka_records(sandbox.kafka_bootstrap, topic)]
    assert kafka and max(kafka) <= now * 1000


def test_lcm_renders_a_vdu_with_its_own_parameters_only(sandbox, onboarded, client, listener,
                                                        profile) -> None:
    """Finding 2, LCM side: the controller's charm sees the controller VDU's parameters as
    NBI formatted them, not merged with the VNF-level ones."""
    config = instantiation_params(profile, "k8s_osm_cluster_ns", "render")
    item = config["additionalParamsForVnf"][0]
    own = {k: v for k, v in item["additionalParams"].items() if k != "cluster_name"}
    item["additionalParamsForVdu"] = [{"vdu_id": "controller", "additionalParams": own}]
    item["additionalParams"]["cluster_name"] = "from-vnf-level"
    ns_id, op_id = client.create_ns("render", onboarded["k8s_osm_cluster_ns"], _vim(client),
                                    config=config)
    client.wait_for_operation(op_id, listener=listener, timeout=30)
    kubeconfig = yaml.safe_load(yaml.safe_load(client.wait_for_operation(client.action(
        ns_id, "cluster", "get-kubeconfig", vdu_id="controller"), listener=listener,
        timeout=30)["detailed-status"])["kubeconfig"])
    assert kubeconfig["current-context"] == "cluster"  # the charm's default: no VNF value
    client.wait_for_operation(client.delete_ns(ns_id), listener=listener, timeout=30,
                              gone_ok=True)
