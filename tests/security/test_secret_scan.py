"""No secret in any OSM record or bus message (issue 11 item 1).

A full B2B2C chain on the sandbox (provision, scale out, scale in), then every NS record,
VNF record and operation record of the Main OSM and of each Edge OSM, and every Kafka
record on their buses, is searched for every secret the run generated: the OSMs'
passwords, the edge VIM password, live NBI tokens, the MEP's admin token and the sample
app's MEP token and client secret (which reach the MEP and the app only as Kubernetes
Secrets), private keys and kubeadm bootstrap tokens (by shape, whoever made them). The same for the day-1 requests against OSM's real NBI
(`real_nbi_lcm`, whose LCM stand-in completes operations without running the charm): its
records through the NBI API and its message bus, `RealNbi.bus_records`.

A `register-cluster` token recorded as a primitive parameter is harmless only once it is
revoked: each one found is first shown to be refused (401) by the OSM that issued it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from osm_mec.chain import names
from osm_mec.chain.mep_link import read_admin_token
from osm_mec.chain.run import provision_action, scale_action
from osm_mec.chain.state import CspState
from osm_mec.osm.credentials import Credentials
from osm_mec.osm.mep_access import token_secret_name
from osm_mec.osm.nbi import NbiClient, NbiError
from osm_mec.sandbox import TOPICS

from ..chain.conftest import dirs, osm, run  # noqa: F401  (fixtures)
from ..realnbi.test_chain_real import ChainRun
from ..sandbox.conftest import CREDENTIALS, make_sandbox  # noqa: F401  (fixture)
from .scan import Scan, kafka_records, nbi_records, passwords_in, recorded_params, store_records

EDGE_VIM_PASSWORD = "edge-vim pass 7f3a"
OPERATOR = Credentials("scan-operator", "Scan-Pass-8472!xq", "admin")
BUS_TOPICS = ("ns", "nsi", "vnf", "vnfd", "nsd", "vim_account", "k8scluster", "admin")


def assert_revoked(url: str, token: str, verify: bool | str = True) -> None:
    """The token no longer authenticates at that OSM: 401 on an authenticated GET."""
    client = NbiClient(url, Credentials("nobody", "-", "-"), verify=verify)
    client._token = token  # use exactly the recorded token, never log in
    with pytest.raises(NbiError) as refused:
        client.request("GET", "/admin/v1/vim_accounts")
    assert refused.value.status == 401, refused.value


def _sandbox_documents(sandbox) -> list[tuple[str, object]]:
    """The Main OSM's records through its NBI, each Edge OSM's from its store, and every
    Kafka record of each."""
    documents = nbi_records(NbiClient(sandbox.url, CREDENTIALS, verify=sandbox.verify), "main")
    documents += kafka_records(sandbox.kafka_bootstrap, TOPICS, "main")
    for i, edge in enumerate(sandbox.edges):
        documents += store_records(edge.osm.store, f"edge{i}")
        documents += kafka_records(edge.kafka_bootstrap, TOPICS, f"edge{i}")
    return documents


def test_full_chain_on_the_sandbox_leaves_no_secret_in_osm(osm, dirs):  # noqa: F811
    sandbox, options = osm()
    options = replace(options, edge_vim_password=EDGE_VIM_PASSWORD)
    run(options, provision_action, "scan", dirs)
    out = run(options, scale_action(True, 1), "scan", dirs)
    assert len(out["workers"]) == 2, out  # the scale-out worker joined the cluster
    run(options, scale_action(False, 1), "scan", dirs)

    scan = Scan()
    scan.add("Main OSM password", sandbox.credentials.password)
    scan.add("edge VIM password", EDGE_VIM_PASSWORD)
    for password in passwords_in(dirs[0]):  # the operator files the chain wrote (0600)
        scan.add("a password the chain generated", password)
    admin = read_admin_token(dirs[0] / "scan.json")
    assert admin, "the chain made the MEP's admin token"
    scan.add("MEP admin token", admin)
    app = CspState.load(dirs[0], "scan").get(names.APP.key) or {}
    app_secret = sandbox.edges[0].osm.kube.secret(app["mep_cluster"], app["mep_namespace"],
                                                  token_secret_name(app["mep_app"]))
    scan.add("the sample app's MEP token", app_secret["token"])
    scan.add("the sample app's MEP client secret", app_secret.get("client-secret"))
    for osm_ in [sandbox] + sandbox.edges:
        for token in osm_.osm.store.data["tokens"]:
            scan.add(f"live NBI token of {osm_.name}", token)
    documents = _sandbox_documents(sandbox)
    assert len(documents) > 50  # the run really left records and messages to scan
    hits = scan.all_hits(documents)
    assert hits == [], "\n".join(map(str, hits))
    recorded = recorded_params(documents, "osm-token")
    assert recorded, "register-cluster ran with an NBI token"
    for token in recorded:  # harmless only once no OSM accepts it any more
        for osm_ in [sandbox] + sandbox.edges:
            assert token not in osm_.osm.store.data["tokens"]
            assert_revoked(osm_.url, token, osm_.verify)


def test_day1_requests_to_the_real_nbi_leave_no_secret(real_nbi_lcm, tmp_path: Path):
    """provision against OSM's real NBI up to register-cluster (the LCM stand-in returns no
    cluster id, so the chain stops there): the instantiation and the register-cluster
    request as OSM records and publishes them."""
    chain = ChainRun(real_nbi_lcm, tmp_path, "scan", "b2b2c", False)
    profile = Path(chain.args[chain.args.index("--profile") + 1])  # packages of its own:
    data = yaml.safe_load(profile.read_text())                      # the harness is shared
    chain.prefix = data["name_prefix"] = "scanrn"
    profile.write_text(yaml.safe_dump(data))
    # an operator of our own: the harness's admin/admin cannot be told apart from "_admin"
    chain.client.request("POST", "/admin/v1/users", json={
        "username": OPERATOR.user, "password": OPERATOR.password,
        "project_role_mappings": [{"project": real_nbi_lcm.project,
                                   "role": "system_admin"}]})
    chain.env.update(OSM_USER=OPERATOR.user, OSM_PASSWORD=OPERATOR.password,
                     OSM_EDGE_VIM_PASSWORD=EDGE_VIM_PASSWORD)
    result = chain("provision")
    assert result.exit_code == 1 and "register-cluster" in result.output, result.output

    documents = [(f"real-nbi {label}", record)
                 for label, record in nbi_records(chain.client, "")]
    documents += [(f"real-nbi bus {topic}/{key}", value) for topic in BUS_TOPICS
                  for key, value in real_nbi_lcm.bus_records(topic)]
    ops = [d for d in documents if d[0].startswith("real-nbi  nslcmop")]
    assert any((r.get("operationParams") or {}).get("primitive") == "register-cluster"
               for _, r in ops), "the register-cluster request was recorded"
    scan = Scan()
    scan.add("OSM operator password", OPERATOR.password)
    scan.add("edge VIM password", EDGE_VIM_PASSWORD)
    hits = scan.all_hits(documents)
    assert hits == [], "\n".join(map(str, hits))
    recorded = recorded_params(documents, "osm-token")
    assert recorded, "register-cluster ran with an NBI token"
    for token in recorded:  # harmless only once OSM refuses it
        assert_revoked(real_nbi_lcm.url, token)
