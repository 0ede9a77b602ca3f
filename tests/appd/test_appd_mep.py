"""mep_registration(appd) registers the application with our real MEP (uvicorn + Debian's
redis-server) with exactly the AppD's traffic rules, DNS rules, required services and
graceful termination timeout, MEC 010-2 spellings turned into MEC 011's."""

from __future__ import annotations

import httpx
import pytest
import redis

from osm_mec.appd import graceful_termination, load_appd, mep_registration
from osm_mec.appd.mep import ACTION_TO_MEC011
from osm_mec.mep.models import AppRegistration

from ..mep.servers import MepServer, RedisServer
from .helpers import EXAMPLE, appd_bytes, example_data

ADMIN = {"Authorization": "Bearer admin-token"}
MGMT = "/mec_platform_mgmt/v1/app_instances"


@pytest.fixture(scope="module")
def mep(tmp_path_factory: pytest.TempPathFactory):
    store = RedisServer(tmp_path_factory.mktemp("appd-redis")).start()
    redis.Redis.from_url(store.url).flushall()
    server = MepServer(store.url).start()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client
    server.stop()
    store.stop()


def _every_spelling() -> bytes:
    """The sample AppD with one traffic rule per MEC 010-2 action and every interface kind."""
    data = example_data()
    tunnel = {"interfaceType": "TUNNEL", "tunnelInfo": {
        "tunnelType": "GTP-U", "tunnelDstAddress": "10.0.0.1", "tunnelSrcAddress": "10.0.0.2"}}
    mac = {"interfaceType": "MAC", "srcMACAddress": "02:00:00:00:00:01",
           "dstMACAddress": "02:00:00:00:00:02"}
    rules = []
    for i, action in enumerate(ACTION_TO_MEC011):
        rule = {"trafficRuleId": f"r{i}", "filterType": "PACKET", "priority": i,
                "trafficFilter": [{"tag": ["t1"], "dSCP": 10, "srcPort": ["1000-2000"]}],
                "action": action}
        if action not in ("DROP", "PASSTHROUGH"):
            rule["dstInterface"] = [tunnel, mac]
        rules.append(rule)
    data["appTrafficRule"] = rules
    data["appDNSRule"].append({"dnsRuleId": "v6", "domainName": "v6.mec.local",
                               "ipAddressType": "IP_V6", "ipAddress": "2001:db8::10"})
    return appd_bytes(data)


def _register(mep: httpx.Client, body: dict) -> dict:
    answer = mep.post(MGMT, json=body, headers=ADMIN)
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.mark.parametrize("source,app_id", [(EXAMPLE, "sample-1"), (None, "spellings-1")],
                         ids=["sample", "every-spelling"])
def test_the_mep_holds_exactly_the_appd_rules_and_services(mep, source, app_id):
    appd = load_appd(source) if source else load_appd(_every_spelling(), "spellings.yaml")
    body = mep_registration(appd, app_id)
    registered = _register(mep, body)
    auth = {"Authorization": f"Bearer {registered['accessToken']}"}
    record = mep.get(f"{MGMT}/{app_id}", headers=ADMIN).json()
    assert record["appName"] == appd.name
    for key, registered_as in (("appServiceRequired", "requiredServices"),
                               ("appServiceOptional", "optionalServices"),
                               ("appServiceProduced", "producedServices")):
        assert record[registered_as] == [s["serName"] for s in appd.data[key]]
    assert record["gracefulTerminationTimeout"] == \
        appd.data["terminateAppInstanceOpConfig"]["minGracefulTerminationTimeout"]
    base = f"/mec_app_support/v1/applications/{app_id}"
    traffic = mep.get(f"{base}/traffic_rules", headers=auth).json()
    dns = mep.get(f"{base}/dns_rules", headers=auth).json()
    by_id = {r["trafficRuleId"]: r for r in traffic}
    assert sorted(by_id) == sorted(r["trafficRuleId"] for r in appd.data["appTrafficRule"])
    assert sorted(r["dnsRuleId"] for r in dns) == \
        sorted(r["dnsRuleId"] for r in appd.data["appDNSRule"])
    for rule in appd.data["appTrafficRule"]:
        stored = by_id[rule["trafficRuleId"]]
        assert stored["action"] == ACTION_TO_MEC011[rule["action"]]
        assert (stored["priority"], stored["filterType"], stored["state"]) == \
            (rule["priority"], rule["filterType"], "ACTIVE")
        assert len(stored.get("dstInterface", [])) == len(rule.get("dstInterface", []))
    for rule in appd.data["appDNSRule"]:
        stored = next(r for r in dns if r["dnsRuleId"] == rule["dnsRuleId"])
        assert {k: stored[k] for k in rule} == rule and stored["state"] == "ACTIVE"


def test_mec010_spellings_become_mec011():
    body = mep_registration(load_appd(_every_spelling(), "spellings.yaml"))
    forwarded = next(r for r in body["trafficRules"] if r["action"] == "FORWARD_ENCAPSULATED")
    tunnel, mac = forwarded["dstInterface"]
    assert tunnel["tunnelInfo"]["tunnelType"] == "GTP_U"
    assert (mac["srcMacAddress"], mac["dstMacAddress"]) == \
        ("02:00:00:00:00:01", "02:00:00:00:00:02")
    assert forwarded["trafficFilter"][0]["token"] == ["t1"]
    assert {r["action"] for r in body["trafficRules"]} == set(ACTION_TO_MEC011.values())
    AppRegistration.model_validate(body)  # the MEP's own request model accepts it


def test_an_appd_without_rules_or_termination_config():
    data = example_data()
    for key in ("appTrafficRule", "appDNSRule", "appServiceRequired",
                "terminateAppInstanceOpConfig"):
        del data[key]
    appd = load_appd(appd_bytes(data), "bare.yaml")
    del data["appServiceOptional"], data["appServiceProduced"]
    appd = load_appd(appd_bytes(data), "bare.yaml")
    assert mep_registration(appd) == {"appName": "mec-sample", "trafficRules": [],
                                      "dnsRules": [], "requiredServices": [],
                                      "optionalServices": [], "producedServices": []}
    assert graceful_termination(appd) == (None, None)
    assert graceful_termination(load_appd(EXAMPLE)) == (10, 60)
