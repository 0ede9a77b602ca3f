"""Every public NbiClient method, and every NBI request the chain code sends, against OSM's
real NBI (``../shared/osm-nbi``: OSM's unmodified NBI code, in-memory DB, file message bus).

`real_nbi_lcm` adds the harness's LCM stand-in (not OSM code; the one stand-in here, because
there is no LCM, RO or Juju to run): it completes every operation after 100 ms and deploys
nothing. A response hook on the client's own session records each request as it left the
client with the status NBI gave it: the tests assert the exact bodies and headers accepted.
Packages use their own name prefix and NSs their own names (the harness's DB is shared by the
whole session).
"""

from __future__ import annotations

import hashlib
import secrets

import pytest
import yaml

from osm_mec.chain import day2
from osm_mec.offer.descriptors import network_services as nsd_members
from osm_mec.offer.descriptors import package_spec
from osm_mec.offer.descriptors.k8s_cluster_vnf import SCALING_ASPECT
from osm_mec.offer.packages import archive_bytes, package_files
from osm_mec.offer.params import cluster_name, instantiation_params
from osm_mec.offer.profile import Profile, default_profile, validate_profile_data
from osm_mec.osm.credentials import Credentials
from osm_mec.osm.nbi import NbiClient, NbiError

from .recorder import Recorder, assert_json_request

PREFIX = "h3client"
CSP = "rnc"
NSP_VIM, EDGE_VIM = "h3-nsp-vim", "h3-edge-vim"
# what these tests use (every package of both models onboards in test_chain_real.py)
PACKAGES = ("k8s_cluster_vnf", "mec_app_cnf", "baseline_vnf", "k8s_osm_cluster_ns",
            "mec_app_ns", "baseline_vnf_ns")


def client_for(harness) -> NbiClient:
    return NbiClient(harness.url, Credentials(harness.user, harness.password, harness.project))


def vim_body(name: str) -> dict[str, str]:
    """A VIM account as an operator creates it (`osm vim-create`); the harness has no RO, so
    nothing connects to it."""
    return {"name": name, "vim_type": "openstack", "vim_url": "http://127.0.0.1:5000/v3",
            "vim_user": "osm", "vim_password": secrets.token_urlsafe(12),
            "vim_tenant_name": "osm"}


def cluster_body(name: str, vim_id: str) -> dict:
    """A K8s cluster as the register-cluster charm registers it (osm_registration.py)."""
    kubeconfig = {"apiVersion": "v1", "kind": "Config", "clusters": [
        {"name": name, "cluster": {"server": "https://192.0.2.10:6443"}}],
        "users": [{"name": "admin", "user": {"token": secrets.token_hex(16)}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": "admin"}}],
        "current-context": name}
    return {"name": name, "credentials": kubeconfig, "vim_account": vim_id,
            "k8s_version": "1.29", "nets": {"net1": None}, "namespace": "kube-system",
            "description": "registered by osm-mec"}


def prefixed_profile(prefix: str) -> Profile:
    """The default profile with its own descriptor ids (the harness's DB is shared)."""
    data = yaml.safe_load(yaml.safe_dump(dict(default_profile().data)))
    data["name_prefix"] = prefix
    return validate_profile_data(data, f"profile {prefix}")


@pytest.fixture(scope="module")
def client_profile() -> Profile:
    return prefixed_profile(PREFIX)


@pytest.fixture(scope="module")
def nbi(real_nbi_lcm) -> tuple[NbiClient, Recorder]:
    client = client_for(real_nbi_lcm)
    return client, Recorder(client)


@pytest.fixture(scope="module")
def vims(nbi) -> dict[str, str]:
    """The NSP and edge VIM accounts, each with a K8s cluster (KNF NSs need one)."""
    client, _ = nbi
    ids = {}
    for name in (NSP_VIM, EDGE_VIM):
        ids[name] = client.create_admin("vim", vim_body(name))
        client.wait_for_admin("vim", ids[name], timeout=30)
        cluster = client.create_admin("k8scluster", cluster_body(f"{name}-k8s", ids[name]))
        client.wait_for_admin("k8scluster", cluster, timeout=30)
    return ids


@pytest.fixture(scope="module")
def packages(nbi, client_profile) -> dict[str, str]:
    """Every package the chain onboards (VNFs first), uploaded with upload_package."""
    client, _ = nbi
    ids = {}
    for name in PACKAGES:
        spec = package_spec(name)
        data = archive_bytes(name, package_files(spec, client_profile))
        ids[name] = client.upload_package(spec.kind, data, f"{name}.tar.gz",
                                          client_profile.descriptor_id(name))
    return ids


CLUSTER_CONFIG: dict = {}  # the instantiation parameters cluster_ns sent


@pytest.fixture(scope="module")
def cluster_ns(nbi, vims, packages, client_profile) -> str:
    """k8s-osm-cluster-ns instantiated with `osm-mec params` output: the NS the chain's
    cluster primitives and scaling run on."""
    client, _ = nbi
    CLUSTER_CONFIG.update(instantiation_params(client_profile, "k8s_osm_cluster_ns", CSP))
    ns_id, op_id = client.create_ns(f"{PREFIX}-{CSP}-nsp-cluster", packages["k8s_osm_cluster_ns"],
                                    vims[NSP_VIM], "client tests", CLUSTER_CONFIG)
    assert client.wait_for_operation(op_id, timeout=30)["operationState"] == "COMPLETED"
    return ns_id


def baseline_ns(client: NbiClient, packages, vims, name: str, profile: Profile
                ) -> tuple[str, str]:
    config = instantiation_params(profile, "baseline_vnf_ns", CSP)
    return client.create_ns(name, packages["baseline_vnf_ns"], vims[NSP_VIM], "", config)


# -- finding 5: the delete answer has `_id`, not `id` ---------------------------------------
def test_delete_ns_returns_the_terminate_op_and_the_ns_goes(nbi, vims, packages,
                                                            client_profile) -> None:
    client, sent = nbi
    ns_id, op_id = baseline_ns(client, packages, vims, "h3-delete-me", client_profile)
    client.wait_for_operation(op_id, timeout=30)
    mark = sent.mark()
    terminate = client.delete_ns(ns_id)
    request = sent.one(mark, "DELETE", f"/nslcm/v1/ns_instances_content/{ns_id}")
    assert request.status == 202 and request.body is None
    assert_json_request(request)
    op = client.get_operation(terminate)
    assert op["lcmOperationType"] == "terminate" and op["nsInstanceId"] == ns_id
    assert op["operationParams"]["autoremove"] is True
    client.wait_for_operation(terminate, timeout=30, gone_ok=True)
    assert client.find_ns("h3-delete-me") is None


def test_delete_of_a_never_instantiated_ns_removes_it(real_nbi) -> None:
    """Without an LCM the NS stays NOT_INSTANTIATED; NBI answers that DELETE with 204 and
    keeps the NS (a regression of NBI master): the client deletes its record instead."""
    client = client_for(real_nbi)
    sent = Recorder(client)
    vim = client.create_admin("vim", vim_body("h3-idle-vim"))
    profile = prefixed_profile("h3idle")  # real_nbi is shared: packages of our own
    for name in ("baseline_vnf", "baseline_vnf_ns"):
        spec = package_spec(name)
        client.upload_package(spec.kind, archive_bytes(name, package_files(spec, profile)),
                              f"{name}.tar.gz", profile.descriptor_id(name))
    nsd = client.find_package("ns", profile.descriptor_id("baseline_vnf_ns"))
    ns_id, _ = client.create_ns("h3-never-instantiated", nsd["_id"], vim,
                                config=instantiation_params(profile, "baseline_vnf_ns", CSP))
    assert client.get_ns(ns_id)["_admin"]["nsState"] == "NOT_INSTANTIATED"
    mark = sent.mark()
    assert client.delete_ns(ns_id) is None
    assert [(s.method, s.path, s.status) for s in sent.since(mark)] == [
        ("DELETE", f"/nslcm/v1/ns_instances_content/{ns_id}", 204),
        ("DELETE", f"/nslcm/v1/ns_instances/{ns_id}", 204)]
    assert client.find_ns("h3-never-instantiated") is None


# -- tokens -----------------------------------------------------------------------------
def test_token_login_and_wrong_password(real_nbi_lcm) -> None:
    client = client_for(real_nbi_lcm)
    sent = Recorder(client)
    token = client.token()
    assert token and client.token() == token  # one login, reused
    login = sent.one(0, "POST", "/admin/v1/tokens")
    assert login.status == 200 and login.body == {
        "username": real_nbi_lcm.user, "password": real_nbi_lcm.password,
        "project_id": real_nbi_lcm.project}
    assert client.is_sandbox is False
    wrong = NbiClient(real_nbi_lcm.url, Credentials(real_nbi_lcm.user, "not the password"))
    with pytest.raises(NbiError) as refused:
        wrong.list_ns()
    assert refused.value.status == 401 and refused.value.path == "/admin/v1/tokens"


def test_an_expired_token_is_renewed_once(real_nbi_lcm) -> None:
    client = client_for(real_nbi_lcm)
    sent = Recorder(client)
    client.list_ns()
    old = client.token()
    other = client_for(real_nbi_lcm)
    other.request("DELETE", f"/admin/v1/tokens/{old}")  # as an expiry would
    client.list_ns()
    assert client.token() != old
    assert [(s.method, s.path, s.status) for s in sent.since(0)] == [
        ("POST", "/admin/v1/tokens", 200), ("GET", "/nslcm/v1/ns_instances", 200),
        ("GET", "/nslcm/v1/ns_instances", 401), ("POST", "/admin/v1/tokens", 200),
        ("GET", "/nslcm/v1/ns_instances", 200)]


# -- packages ---------------------------------------------------------------------------
def test_package_upload_list_find_and_delete(nbi, packages, client_profile) -> None:
    client, sent = nbi
    uploads = [s for s in sent.sent if s.method == "POST" and "_content" in s.path
               and s.path.startswith(("/vnfpkgm", "/nsd"))]
    assert len(uploads) >= len(PACKAGES) and all(s.status == 201 for s in uploads)
    for request in uploads:
        assert request.headers["Content-Type"] == "application/gzip"
        assert request.headers["Content-File-MD5"] == hashlib.md5(request.body).hexdigest()
        assert request.headers["Content-Filename"].endswith(".tar.gz")
        assert request.headers["Authorization"].startswith("Bearer ")
    vnf_id = client_profile.descriptor_id("k8s_cluster_vnf")
    found = client.find_package("vnf", vnf_id)
    assert found["_id"] == packages["k8s_cluster_vnf"] and found["id"] == vnf_id
    assert [p["id"] for p in client.list_packages("vnf", vnf_id)] == [vnf_id]
    assert {p["id"] for p in client.list_packages("ns")} >= {
        client_profile.descriptor_id(n) for n in PACKAGES if n.endswith("_ns")}
    assert client.find_package("ns", "h3-no-such-nsd") is None

    # a package in use is refused, then deleted: NSD first, then its VNFD
    extra = "mec_app_cnf"
    with pytest.raises(NbiError) as in_use:
        client.delete_package("vnf", packages[extra])
    assert in_use.value.status == 409
    mark = sent.mark()
    client.delete_package("ns", packages["mec_app_ns"])
    client.delete_package("vnf", packages[extra])
    assert [(s.method, s.status) for s in sent.since(mark)] == [("DELETE", 204)] * 2
    assert client.find_package("vnf", client_profile.descriptor_id(extra)) is None
    for name in (extra, "mec_app_ns"):  # put both back for the other tests of this module
        spec = package_spec(name)
        packages[name] = client.upload_package(
            spec.kind, archive_bytes(name, package_files(spec, client_profile)),
            f"{name}.tar.gz", client_profile.descriptor_id(name))


def test_package_delete_with_force(nbi, client_profile) -> None:
    client, sent = nbi
    name = "baseline_cnf"
    spec = package_spec(name)
    package_id = client.upload_package(spec.kind, archive_bytes(
        name, package_files(spec, client_profile)), f"{name}.tar.gz",
        client_profile.descriptor_id(name))
    mark = sent.mark()
    client.delete_package("vnf", package_id, force=True)
    request = sent.one(mark, "DELETE", f"/vnfpkgm/v1/vnf_packages/{package_id}")
    assert request.status == 204 and request.query == {"FORCE": ["True"]}


# -- VIM accounts and K8s clusters --------------------------------------------------------
def test_vim_and_cluster_create_find_wait_delete(nbi, vims) -> None:
    client, sent = nbi
    creates = [s for s in sent.sent if s.method == "POST" and s.path.startswith("/admin/")
               and s.path != "/admin/v1/tokens"]
    assert [(s.path, s.status) for s in creates] == [
        ("/admin/v1/vim_accounts", 202), ("/admin/v1/k8sclusters", 202)] * 2
    for request in creates:
        assert_json_request(request)
    nsp = client.find_admin("vim", NSP_VIM)
    assert nsp["_id"] == vims[NSP_VIM] and client.find_admin("vim", vims[NSP_VIM]) == nsp
    assert client.get_admin("vim", vims[NSP_VIM])["name"] == NSP_VIM
    assert {NSP_VIM, EDGE_VIM} <= {v["name"] for v in client.list_admin("vim")}
    assert client.find_admin("vim", "h3-no-such-vim") is None
    assert client.find_admin("k8scluster", f"{NSP_VIM}-k8s")["vim_account"] == vims[NSP_VIM]

    # the Edge OSM's copy of the edge VIM, as the chain builds it from the Main OSM's record
    source = client.get_admin("vim", vims[EDGE_VIM])
    mark = sent.mark()
    body = day2.edge_vim_body("h3-edge-copy", source, "edge secret", CSP)
    copy = client.create_admin("vim", body)
    assert sent.one(mark, "POST", "/admin/v1/vim_accounts").body == body
    assert client.wait_for_admin("vim", copy, timeout=30)["_admin"]["operationalState"] \
        == "ENABLED"
    cluster = client.create_admin("k8scluster", cluster_body("h3-extra-k8s", copy))
    client.wait_for_admin("k8scluster", cluster, timeout=30)
    mark = sent.mark()
    client.delete_admin("k8scluster", cluster)
    client.delete_admin("vim", copy)
    assert [(s.method, s.path, s.status) for s in sent.since(mark)] == [
        ("DELETE", f"/admin/v1/k8sclusters/{cluster}", 202),
        ("DELETE", f"/admin/v1/vim_accounts/{copy}", 202)]
    _wait_gone(client, "k8scluster", "h3-extra-k8s")
    _wait_gone(client, "vim", "h3-edge-copy")


def _wait_gone(client: NbiClient, kind: str, name: str) -> None:
    import time
    deadline = time.monotonic() + 10
    while client.find_admin(kind, name) is not None:
        assert time.monotonic() < deadline, f"{kind} {name} still there"
        time.sleep(0.05)


# -- NS instances and operations -------------------------------------------------------------
def test_ns_create_records_and_operations(nbi, cluster_ns, packages, vims) -> None:
    client, sent = nbi
    name = f"{PREFIX}-{CSP}-nsp-cluster"
    create = [s for s in sent.sent if s.path == "/nslcm/v1/ns_instances_content"
              and s.method == "POST" and s.body["nsName"] == name]
    assert len(create) == 1 and create[0].status == 201
    assert_json_request(create[0])
    assert create[0].body == {"nsName": name, "nsdId": packages["k8s_osm_cluster_ns"],
                              "vimAccountId": vims[NSP_VIM], "nsDescription": "client tests",
                              **CLUSTER_CONFIG}
    ns = client.get_ns(cluster_ns)
    assert ns["name"] == name and ns["nsState"] == "READY"
    assert client.find_ns(name)["_id"] == cluster_ns
    assert [n["_id"] for n in client.list_ns(name)] == [cluster_ns]
    assert cluster_ns in {n["_id"] for n in client.list_ns()}
    assert client.find_ns("h3-no-such-ns") is None
    vnfrs = client.vnf_records(cluster_ns)
    assert [v["member-vnf-index-ref"] for v in vnfrs] == [nsd_members.CLUSTER_MEMBER]
    assert {v["vdu-id-ref"] for v in vnfrs[0]["vdur"]} == {"controller", "worker"}
    ops = client.list_operations(cluster_ns)
    assert [op["lcmOperationType"] for op in ops][:1] == ["instantiate"]
    assert client.get_operation(ops[0]["_id"])["operationState"] == "COMPLETED"


# -- the chain's day-2 requests ----------------------------------------------------------
def test_the_chains_primitives_are_accepted(nbi, cluster_ns, vims) -> None:
    """Every day-2 request of the chain, as it sends it; none carries a secret (register-
    cluster's NBI token is revoked when its operation ends)."""
    client, sent = nbi
    path = f"/nslcm/v1/ns_instances/{cluster_ns}/action"
    cluster = cluster_name(default_profile(), CSP, "nsp")
    controller = {"vdu_id": day2.CONTROLLER_VDU}
    worker = {"vdu_id": day2.WORKER_VDU, "vdu_count_index": 0}
    wait = lambda op_id: client.wait_for_operation(op_id, timeout=30)  # noqa: E731
    mark = sent.mark()
    op = day2.register_cluster(client, cluster_ns, client, NSP_VIM, cluster, wait)
    request = sent.one(mark, "POST", path)
    token = request.body["primitive_params"]["osm-token"]
    assert request.body["primitive_params"] == day2.register_cluster_params(
        client, token, NSP_VIM, cluster)
    assert op["operationParams"]["primitive"] == "register-cluster"
    assert sent.one(mark, "DELETE", f"/admin/v1/tokens/{token}").status == 200
    added = {"address": "10.10.0.7", "host-key": "ssh-ed25519 AAAA", "username": "ubuntu",
             "port": "22"}
    for start, primitive, params, vdu in (
            (lambda: day2.list_nodes(client, cluster_ns), "list-nodes", {}, controller),
            (lambda: day2.remove_node(client, cluster_ns, "worker-9"), "remove-node",
             {"node": "worker-9"}, controller),
            # the undo of a refused scale-in: the worker resets, the controller rejoins it
            (lambda: day2.leave_cluster(client, cluster_ns, 0), "leave-cluster", {}, worker),
            (lambda: client.action(cluster_ns, nsd_members.CLUSTER_MEMBER,
                                   "get-ssh-public-key", vdu_id=day2.CONTROLLER_VDU),
             "get-ssh-public-key", {}, controller),
            (lambda: client.action(cluster_ns, nsd_members.CLUSTER_MEMBER,
                                   "authorize-controller", {"public-key": "ssh-ed25519 AAAA"},
                                   vdu_id=day2.WORKER_VDU, vdu_count_index=0),
             "authorize-controller", {"public-key": "ssh-ed25519 AAAA"}, worker),
            (lambda: client.action(cluster_ns, nsd_members.CLUSTER_MEMBER, "add-worker",
                                   day2.add_worker_params(added), vdu_id=day2.CONTROLLER_VDU),
             "add-worker", added, controller)):
        mark = sent.mark()
        op_id = start()
        request = sent.one(mark, "POST", path)
        assert request.status == 202, primitive
        assert_json_request(request)
        assert request.body == {"member_vnf_index": nsd_members.CLUSTER_MEMBER,
                                "primitive": primitive, "primitive_params": params, **vdu}
        op = wait(op_id)
        assert op["operationState"] == "COMPLETED" and op["lcmOperationType"] == "action"
        assert op["operationParams"]["primitive"] == primitive


def test_a_refused_action_is_an_nbi_error(nbi, cluster_ns) -> None:
    client, _ = nbi
    with pytest.raises(NbiError) as unknown:
        client.action(cluster_ns, nsd_members.CLUSTER_MEMBER, "no-such-primitive",
                      vdu_id=day2.CONTROLLER_VDU)
    assert unknown.value.status == 400 and "no-such-primitive" in unknown.value.detail
    with pytest.raises(NbiError) as missing:
        client.action(cluster_ns, nsd_members.CLUSTER_MEMBER, "remove-node",
                      vdu_id=day2.CONTROLLER_VDU)
    assert missing.value.status == 400 and "node" in missing.value.detail


def test_scale_out_and_in(nbi, cluster_ns) -> None:
    client, sent = nbi
    path = f"/nslcm/v1/ns_instances/{cluster_ns}/scale"
    for out, kind in ((True, "SCALE_OUT"), (False, "SCALE_IN")):
        mark = sent.mark()
        op_id = day2.scale_workers(client, cluster_ns, out)
        request = sent.one(mark, "POST", path)
        assert request.status == 202
        assert_json_request(request)
        assert request.body == {"scaleType": "SCALE_VNF", "scaleVnfData": {
            "scaleVnfType": kind, "scaleByStepData": {
                "scaling-group-descriptor": SCALING_ASPECT,
                "member-vnf-index": nsd_members.CLUSTER_MEMBER}}}
        op = client.wait_for_operation(op_id, timeout=30)
        assert op["lcmOperationType"] == "scale" and op["operationState"] == "COMPLETED"


def test_every_request_asks_for_json_and_was_accepted(nbi, cluster_ns) -> None:
    """Run last in this module: nothing the client sent was refused, except the refusals the
    tests above asked for."""
    _, sent = nbi
    for request in sent.sent:
        assert request.headers["Accept"] == "application/json"
    refused = [(s.method, s.path.split("/")[-1] if s.method == "POST" else "", s.status)
               for s in sent.sent if s.status >= 400 and s.method != "GET"]
    # the refusals asked for: an unknown primitive, a missing parameter, a package in use
    assert sorted(refused) == [("DELETE", "", 409), ("POST", "action", 400),
                               ("POST", "action", 400)]
    lookups = {s.status for s in sent.sent if s.method == "GET" and s.status >= 400}
    assert lookups <= {404}  # find_admin by id, an autoremoved operation
