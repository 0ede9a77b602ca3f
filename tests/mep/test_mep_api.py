"""Every MEP endpoint's success and error paths, against a real Redis over real HTTP."""

from __future__ import annotations

import pytest

from .conftest import ADMIN, add_service, register_app, service_body

SM = "/mec_service_mgmt/v1"
AS = "/mec_app_support/v1"
PM = "/mec_platform_mgmt/v1"
PROBLEM = "application/problem+json"


def assert_problem(response, status: int, text: str = "") -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert text in body["detail"], body["detail"]


# -- platform management ----------------------------------------------------------------------
def test_registration_returns_a_token_and_location(client):
    response = client.post(f"{PM}/app_instances", json={"appInstanceId": "app-1",
                                                        "appName": "demo"}, headers=ADMIN)
    assert response.status_code == 201
    body = response.json()
    assert body["appInstanceId"] == "app-1" and body["state"] == "INITIALIZED"
    assert len(body["accessToken"]) >= 40
    assert response.headers["location"].endswith(f"{PM}/app_instances/app-1")
    listed = client.get(f"{PM}/app_instances", headers=ADMIN).json()
    assert [a["appInstanceId"] for a in listed] == ["app-1"]
    assert "accessToken" not in listed[0]


def test_registration_errors(client):
    register_app(client, "app-1")
    assert_problem(client.post(f"{PM}/app_instances", json={"appInstanceId": "app-1"},
                               headers=ADMIN), 409, "already registered")
    assert_problem(client.post(f"{PM}/app_instances", json={"appInstanceId": "bad id!"},
                               headers=ADMIN), 400, "appInstanceId")
    assert_problem(client.post(f"{PM}/app_instances", json={"colour": 1}, headers=ADMIN),
                   400, "colour")
    assert_problem(client.post(f"{PM}/app_instances", json={}), 401, "platform manager")
    assert_problem(client.post(f"{PM}/app_instances", json={},
                               headers={"Authorization": "Bearer nope"}), 401)
    assert_problem(client.get(f"{PM}/app_instances/ghost", headers=ADMIN), 404)


def test_token_rotation(client):
    app, old = register_app(client, "app-1")
    new = client.post(f"{PM}/app_instances/{app}/token", headers=ADMIN).json()["accessToken"]
    assert_problem(client.get(f"{SM}/applications/{app}/services", headers=old), 401,
                   "valid access token")
    assert client.get(f"{SM}/applications/{app}/services",
                      headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_deregistration_without_subscriptions_is_immediate(client):
    app, auth = register_app(client, "app-1")
    other, other_auth = register_app(client, "app-2")
    add_service(client, app, auth)
    assert client.delete(f"{PM}/app_instances/{app}", headers=ADMIN).status_code == 204
    assert client.get(f"{SM}/services", headers=other_auth).json() == []
    assert_problem(client.get(f"{SM}/applications/{app}/services", headers=auth), 401)
    assert_problem(client.delete(f"{PM}/app_instances/{app}", headers=ADMIN), 404)


# -- access control ---------------------------------------------------------------------------
def test_tokens_isolate_applications(client):
    a, a_auth = register_app(client, "app-a")
    b, b_auth = register_app(client, "app-b")
    svc = add_service(client, a, a_auth)
    sid = svc["serInstanceId"]
    for method, path, body in [
        ("GET", f"{SM}/applications/{a}/services", None),
        ("POST", f"{SM}/applications/{a}/services", service_body()),
        ("GET", f"{SM}/applications/{a}/services/{sid}", None),
        ("PUT", f"{SM}/applications/{a}/services/{sid}", service_body()),
        ("DELETE", f"{SM}/applications/{a}/services/{sid}", None),
        ("GET", f"{SM}/applications/{a}/subscriptions", None),
        ("GET", f"{AS}/applications/{a}/traffic_rules", None),
        ("GET", f"{AS}/applications/{a}/dns_rules", None),
        ("POST", f"{AS}/applications/{a}/confirm_ready", {"indication": "READY"}),
    ]:
        response = client.request(method, path, json=body, headers=b_auth)
        assert_problem(response, 403, "does not belong to application 'app-a'")
        assert_problem(client.request(method, path, json=body), 401)
    # discovery of another application's services stays open to registered applications
    assert [s["serInstanceId"] for s in client.get(f"{SM}/services", headers=b_auth).json()] \
        == [sid]
    assert client.get(f"{SM}/services/{sid}", headers=b_auth).status_code == 200
    assert_problem(client.get(f"{SM}/services"), 401, "access token")


def test_unknown_application_is_403_like_any_other(client):
    _, auth = register_app(client, "app-a")
    assert_problem(client.get(f"{SM}/applications/ghost/services", headers=auth), 403,
                   "does not belong to application 'ghost'")
    assert_problem(client.post(f"{AS}/applications/ghost/confirm_ready",
                               json={"indication": "READY"}, headers=auth), 403)


# -- services -----------------------------------------------------------------------------------
def test_service_lifecycle_with_etags(client):
    app, auth = register_app(client, "app-1")
    response = client.post(f"{SM}/applications/{app}/services", json=service_body(),
                           headers=auth)
    assert response.status_code == 201
    created = response.json()
    sid = created["serInstanceId"]
    assert response.headers["location"] == f"{client.base_url}{SM}/applications/{app}/services/{sid}"
    assert created["_links"]["self"]["href"] == response.headers["location"]
    etag = response.headers["etag"]
    got = client.get(f"{SM}/applications/{app}/services/{sid}", headers=auth)
    assert got.json() == created and got.headers["etag"] == etag
    changed = service_body(version="2.0")
    stale = client.put(f"{SM}/applications/{app}/services/{sid}", json=changed,
                       headers={**auth, "If-Match": '"stale"'})
    assert_problem(stale, 412, "If-Match")
    updated = client.put(f"{SM}/applications/{app}/services/{sid}", json=changed,
                         headers={**auth, "If-Match": etag})
    assert updated.status_code == 200 and updated.json()["version"] == "2.0"
    assert updated.headers["etag"] != etag
    assert_problem(client.put(f"{SM}/applications/{app}/services/{sid}", json=changed,
                              headers={**auth, "If-Match": etag}), 412)
    assert client.delete(f"{SM}/applications/{app}/services/{sid}",
                         headers=auth).status_code == 204
    assert_problem(client.get(f"{SM}/applications/{app}/services/{sid}", headers=auth), 404)
    assert_problem(client.delete(f"{SM}/applications/{app}/services/{sid}", headers=auth), 404)


def test_service_validation_errors_are_400_problem_json(client):
    app, auth = register_app(client, "app-1")
    url = f"{SM}/applications/{app}/services"
    assert_problem(client.post(url, json={"serName": "x"}, headers=auth), 400, "version")
    assert_problem(client.post(url, json=service_body(state="BROKEN"), headers=auth), 400,
                   "state")
    assert_problem(client.post(url, json=service_body(serInstanceId="mine"), headers=auth),
                   400, "assigned by the platform")
    body = service_body()
    body["transportInfo"]["endpoint"] = {"uris": ["http://u/"], "addresses": [{"host": "h",
                                                                       "port": 1}]}
    assert_problem(client.post(url, json=body, headers=auth), 400, "exactly one")
    malformed = client.post(url, content=b'{"serName": ', headers={
        **auth, "Content-Type": "application/json"})
    assert_problem(malformed, 400)
    assert_problem(client.post(url, json=[1, 2], headers=auth), 400)


def test_put_with_a_different_instance_id_is_refused(client):
    app, auth = register_app(client, "app-1")
    sid = add_service(client, app, auth)["serInstanceId"]
    assert_problem(client.put(f"{SM}/applications/{app}/services/{sid}",
                              json=service_body(serInstanceId="other"), headers=auth),
                   400, "does not match the URI")


def test_oversize_body_is_413(client):
    app, auth = register_app(client, "app-1")
    huge = service_body(padding="x" * (1 << 20))
    assert_problem(client.post(f"{SM}/applications/{app}/services", json=huge, headers=auth),
                   413, "larger than")


@pytest.fixture()
def catalogue(client):
    app, auth = register_app(client, "app-1")
    other, other_auth = register_app(client, "app-2")
    a = add_service(client, app, auth, "location", isLocal=True,
                    scopeOfLocality="MEC_HOST", consumedLocalOnly=True)
    b = add_service(client, app, auth, "rnis", isLocal=False, scopeOfLocality="MEC_SYSTEM")
    c = add_service(client, other, other_auth, "location", isLocal=True,
                    scopeOfLocality="MEC_HOST")
    return auth, {"a": a, "b": b, "c": c}


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {s["serInstanceId"] for s in response.json()}


@pytest.mark.parametrize("params, expected", [
    ({}, {"a", "b", "c"}),
    ({"ser_name": "location"}, {"a", "c"}),
    ({"ser_name": "location,rnis"}, {"a", "b", "c"}),
    ({"ser_name": ["rnis", "nothing"]}, {"b"}),
    ({"ser_category_id": "cat-rnis"}, {"b"}),
    ({"is_local": "true"}, {"a", "c"}),
    ({"is_local": "false"}, {"b"}),
    ({"scope_of_locality": "MEC_SYSTEM"}, {"b"}),
    ({"consumed_local_only": "true"}, {"a"}),
    ({"ser_name": "location", "consumed_local_only": "false"}, {"c"}),
])
def test_discovery_filters(client, catalogue, params, expected):
    auth, services = catalogue
    found = _ids(client.get(f"{SM}/services", params=params, headers=auth))
    assert found == {services[k]["serInstanceId"] for k in expected}


def test_discovery_by_instance_ids(client, catalogue):
    auth, services = catalogue
    wanted = [services["a"]["serInstanceId"], services["c"]["serInstanceId"]]
    assert _ids(client.get(f"{SM}/services", params={"ser_instance_id": wanted},
                           headers=auth)) == set(wanted)
    assert _ids(client.get(f"{SM}/services", params={"ser_instance_id": "nope"},
                           headers=auth)) == set()


@pytest.mark.parametrize("params", [
    {"ser_name": "a", "ser_instance_id": "b"},
    {"ser_name": "a", "ser_category_id": "c"},
    {"ser_instance_id": "b", "ser_category_id": "c"},
])
def test_exclusive_filters_are_400(client, catalogue, params):
    auth, _ = catalogue
    assert_problem(client.get(f"{SM}/services", params=params, headers=auth), 400,
                   "mutually exclusive")


def test_discovery_of_one_service_and_bad_booleans(client, catalogue):
    auth, services = catalogue
    sid = services["b"]["serInstanceId"]
    assert client.get(f"{SM}/services/{sid}", headers=auth).json()["serName"] == "rnis"
    assert_problem(client.get(f"{SM}/services/nope", headers=auth), 404)
    assert_problem(client.get(f"{SM}/services", params={"is_local": "maybe"}, headers=auth), 400)


def test_own_services_list(client, catalogue):
    auth, services = catalogue
    own = client.get(f"{SM}/applications/app-1/services", headers=auth).json()
    assert {s["serInstanceId"] for s in own} == {services["a"]["serInstanceId"],
                                                 services["b"]["serInstanceId"]}
    by_name = client.get(f"{SM}/applications/app-1/services", params={"ser_name": "rnis"},
                         headers=auth).json()
    assert [s["serName"] for s in by_name] == ["rnis"]


def test_transports(client):
    _, auth = register_app(client, "app-1")
    transports = client.get(f"{SM}/transports", headers=auth).json()
    assert transports[0]["type"] == "REST_HTTP" and transports[0]["protocol"] == "HTTP"


# -- application support --------------------------------------------------------------------------
RULES = {
    "trafficRules": [{"trafficRuleId": "tr-1", "filterType": "FLOW", "priority": 1,
                      "trafficFilter": [{"dstAddress": ["10.0.0.1"]}], "action": "DROP",
                      "state": "ACTIVE"}],
    "dnsRules": [{"dnsRuleId": "dr-1", "domainName": "app.example", "ipAddressType": "IP_V4",
                  "ipAddress": "10.0.0.9", "ttl": 60, "state": "ACTIVE"}],
}


@pytest.mark.parametrize("path, rule_id, field, change", [
    ("traffic_rules", "tr-1", "trafficRuleId", {"state": "INACTIVE", "priority": 5}),
    ("dns_rules", "dr-1", "dnsRuleId", {"state": "INACTIVE", "ipAddress": "10.0.0.10"}),
])
def test_rules_get_and_put_with_etags(client, path, rule_id, field, change):
    app, auth = register_app(client, "app-1", **RULES)
    listed = client.get(f"{AS}/applications/{app}/{path}", headers=auth).json()
    assert [r[field] for r in listed] == [rule_id]
    one = client.get(f"{AS}/applications/{app}/{path}/{rule_id}", headers=auth)
    etag = one.headers["etag"]
    new = {**one.json(), **change}
    assert_problem(client.put(f"{AS}/applications/{app}/{path}/{rule_id}", json=new,
                              headers={**auth, "If-Match": '"old"'}), 412)
    put = client.put(f"{AS}/applications/{app}/{path}/{rule_id}", json=new,
                     headers={**auth, "If-Match": etag})
    assert put.status_code == 200 and put.json() == new and put.headers["etag"] != etag
    assert client.get(f"{AS}/applications/{app}/{path}/{rule_id}", headers=auth).json() == new
    assert_problem(client.put(f"{AS}/applications/{app}/{path}/{rule_id}",
                              json={**new, field: "other"}, headers=auth), 400, "does not match")
    assert_problem(client.put(f"{AS}/applications/{app}/{path}/{rule_id}",
                              json={**new, "state": "ON"}, headers=auth), 400)
    assert_problem(client.get(f"{AS}/applications/{app}/{path}/missing", headers=auth), 404)
    assert_problem(client.put(f"{AS}/applications/{app}/{path}/missing",
                              json={**new, field: "missing"}, headers=auth), 404)


def test_confirm_ready_and_termination_states(client):
    app, auth = register_app(client, "app-1")
    assert client.post(f"{AS}/applications/{app}/confirm_ready", json={"indication": "READY"},
                       headers=auth).status_code == 204
    assert client.get(f"{PM}/app_instances/{app}", headers=ADMIN).json()["state"] == "READY"
    assert client.post(f"{AS}/applications/{app}/confirm_ready", json={"indication": "READY"},
                       headers=auth).status_code == 204  # idempotent
    assert_problem(client.post(f"{AS}/applications/{app}/confirm_ready",
                               json={"indication": "SET"}, headers=auth), 400)
    assert_problem(client.post(f"{AS}/applications/{app}/confirm_termination",
                               json={"operationAction": "TERMINATING"}, headers=auth), 409,
                   "no termination")


def test_timing(client):
    _, auth = register_app(client, "app-1")
    now = client.get(f"{AS}/timing/current_time", headers=auth).json()
    assert now["timeSourceStatus"] in ("TRACEABLE", "NONTRACEABLE")
    assert now["seconds"] > 1_700_000_000 and 0 <= now["nanoSeconds"] < 1_000_000_000
    caps = client.get(f"{AS}/timing/timing_caps", headers=auth).json()
    assert caps["timeStamp"]["seconds"] >= now["seconds"]
    assert_problem(client.get(f"{AS}/timing/current_time"), 401)


def test_unknown_route_and_method_are_problem_json(client):
    assert_problem(client.get("/mec_service_mgmt/v1/nothing"), 404)
    _, auth = register_app(client, "app-1")
    assert_problem(client.patch(f"{SM}/transports", headers=auth), 405)
