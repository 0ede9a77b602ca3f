"""Mp1 as MEC 011 v2.2.1 has it (issue #11): transportId, filters on the application's
own service list, format: uri, 415, 405 with Allow, 413 for chunked bodies, If-Match
lists, livenessInterval 0, per-application quotas and field length limits."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis

from .conftest import add_service, register_app, service_body
from .servers import MepServer
from .test_mep_api import assert_problem

SM = "/mec_service_mgmt/v1"
AS = "/mec_app_support/v1"


def test_transport_id_refers_to_a_listed_transport(client):
    app, auth = register_app(client, "app-1")
    listed = client.get(f"{SM}/transports", headers=auth).json()
    body = {k: v for k, v in service_body().items() if k != "transportInfo"}
    created = client.post(f"{SM}/applications/{app}/services",
                          json={**body, "transportId": listed[0]["id"]}, headers=auth)
    assert created.status_code == 201, created.text
    assert created.json()["transportInfo"] == listed[0]
    assert "transportId" not in created.json()
    url = f"{SM}/applications/{app}/services"
    assert_problem(client.post(url, json={**body, "transportId": "carrier-pigeon"},
                               headers=auth), 400, listed[0]["id"])
    assert_problem(client.post(url, json={**service_body(), "transportId": listed[0]["id"]},
                               headers=auth), 400, "transportId or transportInfo")
    assert_problem(client.post(url, json=body, headers=auth), 400,
                   "transportId or transportInfo")


def test_transports_advertise_the_oauth_token_endpoint(client, mep):
    _, auth = register_app(client, "app-1")
    security = client.get(f"{SM}/transports", headers=auth).json()[0]["security"]
    assert security["oAuth2Info"]["grantTypes"] == ["OAUTH2_CLIENT_CREDENTIALS"]
    assert security["oAuth2Info"]["tokenEndpoint"] == f"{mep.url}/oauth2/token"


def test_security_null_is_accepted(client):
    app, auth = register_app(client, "app-1")
    body = service_body()
    body["transportInfo"]["security"] = None
    created = client.post(f"{SM}/applications/{app}/services", json=body, headers=auth)
    assert created.status_code == 201, created.text
    assert created.json()["transportInfo"]["security"] == {}


@pytest.mark.parametrize("params, expected", [
    ({"is_local": "true"}, {"location"}),
    ({"is_local": "false"}, {"rnis"}),
    ({"consumed_local_only": "true"}, {"location"}),
    ({"scope_of_locality": "MEC_SYSTEM"}, {"rnis"}),
    ({"ser_name": "location", "is_local": "false"}, set()),
])
def test_own_service_list_applies_locality_filters(client, params, expected):
    app, auth = register_app(client, "app-1")
    add_service(client, app, auth, "location", isLocal=True, scopeOfLocality="MEC_HOST",
                consumedLocalOnly=True)
    add_service(client, app, auth, "rnis", isLocal=False, scopeOfLocality="MEC_SYSTEM")
    found = client.get(f"{SM}/applications/{app}/services", params=params, headers=auth)
    assert found.status_code == 200, found.text
    assert {s["serName"] for s in found.json()} == expected


@pytest.mark.parametrize("path", ["/services", "/applications/app-1/services"])
@pytest.mark.parametrize("params, text", [
    ({"is_local": "maybe"}, "is_local"),
    ({"consumed_local_only": "2"}, "consumed_local_only"),
    ({"scope_of_locality": "PLANET"}, "scope_of_locality"),
])
def test_locality_filters_are_validated(client, path, params, text):
    _, auth = register_app(client, "app-1")
    assert_problem(client.get(f"{SM}{path}", params=params, headers=auth), 400, text)


@pytest.mark.parametrize("change, text", [
    ({"serCategory": {"href": "not a uri", "id": "c", "name": "n", "version": "1"}}, "href"),
    ({"transportInfo": {**service_body()["transportInfo"],
                        "endpoint": {"uris": ["/relative/only"]}}}, "uris"),
    ({"transportInfo": {**service_body()["transportInfo"], "security": {"oAuth2Info": {
        "grantTypes": ["OAUTH2_CLIENT_CREDENTIALS"], "tokenEndpoint": "nowhere"}}}},
     "tokenEndpoint"),
    ({"serName": "x" * 257}, "serName"),
    ({"version": "v" * 257}, "version"),
    ({"transportInfo": {**service_body()["transportInfo"],
                        "endpoint": {"uris": ["http://a/"] * 65}}}, "uris"),
])
def test_uri_fields_and_lengths_are_validated(client, change, text):
    app, auth = register_app(client, "app-1")
    assert_problem(client.post(f"{SM}/applications/{app}/services",
                               json={**service_body(), **change}, headers=auth), 400, text)


def test_subscription_callback_must_be_a_uri(client):
    app, auth = register_app(client, "app-1")
    assert_problem(client.post(f"{AS}/applications/{app}/subscriptions", json={
        "subscriptionType": "AppTerminationNotificationSubscription",
        "callbackReference": "http://127.0.0.1:9/" + "x" * 3000, "appInstanceId": app},
        headers=auth), 400, "callbackReference")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml",
                                          "application/x-www-form-urlencoded"])
def test_wrong_content_type_is_415(client, content_type):
    app, auth = register_app(client, "app-1")
    import json
    response = client.post(f"{SM}/applications/{app}/services",
                           content=json.dumps(service_body()).encode(),
                           headers={**auth, "Content-Type": content_type})
    assert_problem(response, 415, "application/json")
    ok = client.post(f"{SM}/applications/{app}/services",
                     content=json.dumps(service_body()).encode(),
                     headers={**auth, "Content-Type": "application/json; charset=utf-8"})
    assert ok.status_code == 201, ok.text


def test_405_lists_every_allowed_method(client):
    app, auth = register_app(client, "app-1")
    sid = add_service(client, app, auth)["serInstanceId"]
    response = client.patch(f"{SM}/applications/{app}/services/{sid}", json={}, headers=auth)
    assert_problem(response, 405)
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "PUT",
                                                                           "DELETE"}
    response = client.delete(f"{SM}/applications/{app}/services", headers=auth)
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "POST"}


def test_chunked_body_over_the_limit_is_413(client):
    app, auth = register_app(client, "app-1")

    def chunks():
        yield b'{"serName": "'
        for _ in range(40):
            yield b"x" * 32768
        yield b'"}'

    response = client.post(f"{SM}/applications/{app}/services", content=chunks(),
                           headers={**auth, "Content-Type": "application/json"})
    assert_problem(response, 413, "larger than")


def test_if_match_takes_a_list(client):
    app, auth = register_app(client, "app-1")
    created = client.post(f"{SM}/applications/{app}/services", json=service_body(),
                          headers=auth)
    url = f"{SM}/applications/{app}/services/{created.json()['serInstanceId']}"
    etag = created.headers["etag"]
    assert_problem(client.put(url, json=service_body(version="2"),
                              headers={**auth, "If-Match": '"a", "b"'}), 412)
    updated = client.put(url, json=service_body(version="2"),
                         headers={**auth, "If-Match": f'"stale", {etag}'})
    assert updated.status_code == 200, updated.text
    assert client.put(url, json=service_body(version="3"),
                      headers={**auth, "If-Match": '"x", *'}).status_code == 200


def test_liveness_interval_zero_gets_the_platforms_interval(client, mep):
    app, auth = register_app(client, "app-1")
    created = add_service(client, app, auth, livenessInterval=0)
    assert created["livenessInterval"] == mep.settings.liveness_interval > 0
    assert created["_links"]["liveness"]["href"].endswith("/liveness")
    status = client.get(created["_links"]["liveness"]["href"], headers=auth).json()
    assert status["interval"] == mep.settings.liveness_interval


@pytest.fixture()
def small_quotas(redis_server):
    redis.Redis.from_url(redis_server.url).flushall()
    server = MepServer(redis_server.url, max_services_per_app=3,
                       max_subscriptions_per_app=2).start()
    yield server
    server.stop()


def test_per_application_quotas_hold_under_concurrency(small_quotas):
    url = small_quotas.url
    with httpx.Client(base_url=url) as client:
        app, auth = register_app(client, "app-1")
    barrier = threading.Barrier(12)

    def post(i: int) -> int:
        with httpx.Client(base_url=url, timeout=30) as client:
            barrier.wait()
            return client.post(f"{SM}/applications/{app}/services",
                               json=service_body(f"s{i}"), headers=auth).status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = sorted(pool.map(post, range(12)))
    assert statuses == [201] * 3 + [403] * 9, statuses
    with httpx.Client(base_url=url) as client:
        refused = client.post(f"{SM}/applications/{app}/services", json=service_body("more"),
                              headers=auth)
        assert_problem(refused, 403, "3 services")
        sub = {"subscriptionType": "SerAvailabilityNotificationSubscription",
               "callbackReference": "http://127.0.0.1:9/cb"}
        for _ in range(2):
            assert client.post(f"{SM}/applications/{app}/subscriptions", json=sub,
                               headers=auth).status_code == 201
        assert_problem(client.post(f"{SM}/applications/{app}/subscriptions", json=sub,
                                   headers=auth), 403, "2 subscriptions")
        mine = client.get(f"{SM}/applications/{app}/services", headers=auth).json()
        client.delete(f"{SM}/applications/{app}/services/{mine[0]['serInstanceId']}",
                      headers=auth)
        assert client.post(f"{SM}/applications/{app}/services", json=service_body("again"),
                           headers=auth).status_code == 201
