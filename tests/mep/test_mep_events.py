"""Notifications to real HTTP receivers, liveness (v2.2.1), termination, persistence."""

from __future__ import annotations

import time

import httpx
import pytest
import redis

from .clock import ManualClock
from .conftest import ADMIN, add_service, register_app, service_body
from .servers import MepServer, Receiver

SM = "/mec_service_mgmt/v1"
AS = "/mec_app_support/v1"
PM = "/mec_platform_mgmt/v1"


def subscribe(client, app, auth, callback, **criteria):
    body = {"subscriptionType": "SerAvailabilityNotificationSubscription",
            "callbackReference": callback}
    if criteria:
        body["filteringCriteria"] = criteria
    response = client.post(f"{SM}/applications/{app}/subscriptions", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response


def test_subscription_crud(client, receiver):
    app, auth = register_app(client, "app-1")
    created = subscribe(client, app, auth, f"{receiver.url}/cb", serNames=["location"])
    body = created.json()
    href = body["_links"]["self"]["href"]
    assert created.headers["location"] == href
    sub_id = href.rsplit("/", 1)[1]
    assert client.get(f"{SM}/applications/{app}/subscriptions/{sub_id}",
                      headers=auth).json() == body
    listed = client.get(f"{SM}/applications/{app}/subscriptions", headers=auth).json()
    assert listed["_links"]["subscriptions"] == [
        {"href": href, "subscriptionType": "SerAvailabilityNotificationSubscription"}]
    assert client.delete(f"{SM}/applications/{app}/subscriptions/{sub_id}",
                         headers=auth).status_code == 204
    assert client.get(f"{SM}/applications/{app}/subscriptions/{sub_id}",
                      headers=auth).status_code == 404


@pytest.mark.parametrize("body, text", [
    ({"subscriptionType": "SerAvailabilityNotificationSubscription",
      "callbackReference": "http://198.51.100.7/cb"}, "refused"),
    ({"subscriptionType": "SerAvailabilityNotificationSubscription",
      "callbackReference": "http://receiver.invalid/cb"}, "cannot be resolved"),
    ({"subscriptionType": "SerAvailabilityNotificationSubscription",
      "callbackReference": "ftp://127.0.0.1/cb"}, "not an http(s) URL"),
    ({"subscriptionType": "Other", "callbackReference": "http://127.0.0.1/cb"},
     "subscriptionType"),
    ({"subscriptionType": "SerAvailabilityNotificationSubscription",
      "callbackReference": "http://127.0.0.1/cb",
      "filteringCriteria": {"serNames": ["a"], "serInstanceIds": ["b"]}},
     "mutually exclusive"),
])
def test_bad_subscriptions(client, body, text):
    app, auth = register_app(client, "app-1")
    response = client.post(f"{SM}/applications/{app}/subscriptions", json=body, headers=auth)
    assert response.status_code == 400 and text in response.json()["detail"]


def test_availability_notifications_follow_the_service(client, receiver):
    watcher, watcher_auth = register_app(client, "watcher")
    provider, provider_auth = register_app(client, "provider")
    subscribe(client, watcher, watcher_auth, f"{receiver.url}/all")
    subscribe(client, watcher, watcher_auth, f"{receiver.url}/rnis-only", serNames=["rnis"])
    info = add_service(client, provider, provider_auth, "location")
    sid = info["serInstanceId"]
    url = f"{SM}/applications/{provider}/services/{sid}"
    client.put(url, json=service_body("location", state="INACTIVE"), headers=provider_auth)
    client.put(url, json=service_body("location", state="INACTIVE", version="2"),
               headers=provider_auth)
    client.delete(url, headers=provider_auth)
    received = receiver.wait_for(4)
    assert [r["path"] for r in received] == ["/all"] * 4  # the filter excluded /rnis-only
    changes = [r["body"]["serviceReferences"][0]["changeType"] for r in received]
    assert changes == ["ADDED", "STATE_CHANGED", "ATTRIBUTES_CHANGED", "REMOVED"]
    first = received[0]["body"]
    assert first["notificationType"] == "SerAvailabilityNotification"
    assert first["serviceReferences"][0]["serInstanceId"] == sid
    assert first["serviceReferences"][0]["link"]["href"].endswith(url)
    assert "/subscriptions/" in first["_links"]["subscription"]["href"]


def test_delivery_retries_after_receiver_errors_and_keeps_order(client, receiver, mep):
    watcher, watcher_auth = register_app(client, "watcher")
    provider, provider_auth = register_app(client, "provider")
    subscribe(client, watcher, watcher_auth, f"{receiver.url}/cb")
    receiver.fail_next = 3
    names = [f"svc-{i}" for i in range(5)]
    for name in names:
        add_service(client, provider, provider_auth, name)
    received = receiver.wait_for(5)
    assert [r["body"]["serviceReferences"][0]["serName"] for r in received] == names
    assert receiver.fail_next == 0  # the failures were retried, nothing lost
    deadline = time.monotonic() + 5
    while mep.mep.notifier.delivered < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert mep.mep.notifier.delivered == 5


def test_undeliverable_subscriptions_expire(redis_server):
    redis.Redis.from_url(redis_server.url).flushall()
    server = MepServer(redis_server.url, notify_max_attempts=3,
                       notify_first_backoff=0.01).start()
    dead = Receiver()
    dead_url = dead.url
    dead.stop()  # nothing listens there any more
    try:
        with httpx.Client(base_url=server.url) as client:
            watcher, auth = register_app(client, "watcher")
            provider, provider_auth = register_app(client, "provider")
            sub = subscribe(client, watcher, auth, f"{dead_url}/cb").json()
            sub_id = sub["_links"]["self"]["href"].rsplit("/", 1)[1]
            add_service(client, provider, provider_auth)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and sub_id not in server.mep.notifier.expired:
                time.sleep(0.05)
            assert sub_id in server.mep.notifier.expired
            assert client.get(f"{SM}/applications/{watcher}/subscriptions/{sub_id}",
                              headers=auth).status_code == 404
    finally:
        server.stop()


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture()
def clocked(redis_server, clock):
    """A MEP on the test's clock, its watchdog looking every 10 ms of real time."""
    redis.Redis.from_url(redis_server.url).flushall()
    server = MepServer(redis_server.url, clock=clock, watchdog_period=0.01).start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            yield http
    finally:
        server.stop()


def _let_the_mep_look() -> None:
    """Real time for the watchdog and timers to look several times; the MEP's clock
    stands still meanwhile, so nothing lapses unless the test moved it."""
    time.sleep(0.15)


def test_liveness_heartbeats_and_watchdog(clocked, clock, receiver):
    client = clocked
    watcher, watcher_auth = register_app(client, "watcher")
    app, auth = register_app(client, "app-1")
    subscribe(client, watcher, watcher_auth, f"{receiver.url}/cb")
    info = add_service(client, app, auth, "beating", livenessInterval=1)
    sid = info["serInstanceId"]
    liveness = info["_links"]["liveness"]["href"]
    assert liveness.endswith(f"/services/{sid}/liveness")
    path = liveness.split(str(client.base_url))[1]
    for _ in range(4):  # heartbeats keep it ACTIVE past several intervals
        clock.advance(0.9)
        _let_the_mep_look()
        assert client.patch(path, json={"state": "ACTIVE"}, headers=auth).status_code == 204
    _let_the_mep_look()
    assert client.get(f"{SM}/services/{sid}", headers=auth).json()["state"] == "ACTIVE"
    status = client.get(path, headers=auth).json()
    assert status["state"] == "ACTIVE" and status["interval"] == 1
    assert status["timeStamp"]["seconds"] == int(clock.time())  # the last heartbeat
    assert len(receiver.wait_for(1)) == 1  # ADDED only: nothing lapsed
    clock.advance(0.99)
    _let_the_mep_look()
    assert client.get(f"{SM}/services/{sid}", headers=auth).json()["state"] == "ACTIVE"
    clock.advance(0.02)  # one interval without a heartbeat
    received = receiver.wait_for(2, timeout=5)  # ADDED, then STATE_CHANGED on the lapse
    assert [r["body"]["serviceReferences"][0]["changeType"] for r in received] == [
        "ADDED", "STATE_CHANGED"]
    assert received[1]["body"]["serviceReferences"][0]["state"] == "SUSPENDED"
    assert client.get(f"{SM}/services/{sid}", headers=auth).json()["state"] == "SUSPENDED"
    assert client.patch(path, json={"state": "ACTIVE"}, headers=auth).status_code == 204
    assert client.get(f"{SM}/services/{sid}", headers=auth).json()["state"] == "ACTIVE"
    assert receiver.wait_for(3)[2]["body"]["serviceReferences"][0]["state"] == "ACTIVE"
    assert client.patch(path, json={"state": "SUSPENDED"}, headers=auth).status_code == 400


def test_liveness_needs_an_interval(client):
    app, auth = register_app(client, "app-1")
    sid = add_service(client, app, auth)["serInstanceId"]
    path = f"{SM}/applications/{app}/services/{sid}/liveness"
    assert client.patch(path, json={"state": "ACTIVE"}, headers=auth).status_code == 409
    assert client.get(path, headers=auth).status_code == 404


def test_graceful_termination(client, receiver):
    watcher, watcher_auth = register_app(client, "watcher")
    app, auth = register_app(client, "app-1", gracefulTerminationTimeout=30)
    subscribe(client, watcher, watcher_auth, f"{receiver.url}/availability")
    add_service(client, app, auth)
    sub = client.post(f"{AS}/applications/{app}/subscriptions", json={
        "subscriptionType": "AppTerminationNotificationSubscription",
        "callbackReference": f"{receiver.url}/terminate", "appInstanceId": app}, headers=auth)
    assert sub.status_code == 201
    assert client.post(f"{AS}/applications/{app}/subscriptions", json={
        "subscriptionType": "AppTerminationNotificationSubscription",
        "callbackReference": f"{receiver.url}/x", "appInstanceId": "other"},
        headers=auth).status_code == 400
    response = client.delete(f"{PM}/app_instances/{app}", headers=ADMIN)
    assert response.status_code == 202 and response.json()["state"] == "TERMINATING"
    notices = [r for r in receiver.wait_for(2) if r["path"] == "/terminate"]
    assert notices[0]["body"]["operationAction"] == "TERMINATING"
    assert notices[0]["body"]["maxGracefulTimeout"] == 30
    assert notices[0]["body"]["_links"]["confirmTermination"]["href"].endswith(
        f"/applications/{app}/confirm_termination")
    assert client.post(f"{AS}/applications/{app}/confirm_ready", json={"indication": "READY"},
                       headers=auth).status_code == 409
    assert client.post(f"{AS}/applications/{app}/confirm_termination",
                       json={"operationAction": "TERMINATING"}, headers=auth).status_code == 204
    assert client.get(f"{PM}/app_instances/{app}", headers=ADMIN).status_code == 404
    removed = [r for r in receiver.wait_for(3) if r["path"] == "/availability"]
    assert removed[-1]["body"]["serviceReferences"][0]["changeType"] == "REMOVED"


def test_termination_times_out_without_confirmation(clocked, clock, receiver):
    client = clocked
    app, auth = register_app(client, "app-1", gracefulTerminationTimeout=1)
    client.post(f"{AS}/applications/{app}/subscriptions", json={
        "subscriptionType": "AppTerminationNotificationSubscription",
        "callbackReference": f"{receiver.url}/terminate", "appInstanceId": app}, headers=auth)
    assert client.delete(f"{PM}/app_instances/{app}", headers=ADMIN).status_code == 202
    clock.advance(0.9)
    _let_the_mep_look()
    assert client.get(f"{PM}/app_instances/{app}", headers=ADMIN).json()["state"] == \
        "TERMINATING"
    clock.advance(0.2)  # past the graceful timeout
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and \
            client.get(f"{PM}/app_instances/{app}", headers=ADMIN).status_code != 404:
        time.sleep(0.02)
    assert client.get(f"{PM}/app_instances/{app}", headers=ADMIN).status_code == 404


def test_state_survives_a_mep_restart_and_pending_notifications_resume(redis_server):
    redis.Redis.from_url(redis_server.url).flushall()
    receiver = Receiver()
    first = MepServer(redis_server.url).start()
    with httpx.Client(base_url=first.url) as client:
        watcher, watcher_auth = register_app(client, "watcher")
        provider, auth = register_app(client, "provider",
                                      dnsRules=[{"dnsRuleId": "d1", "domainName": "a.b",
                                                 "ipAddressType": "IP_V4",
                                                 "ipAddress": "10.0.0.1", "state": "ACTIVE"}])
        subscribe(client, watcher, watcher_auth, f"{receiver.url}/cb")
        receiver.fail_next = 10**6  # the receiver is down while the MEP stops
        sid = add_service(client, provider, auth)["serInstanceId"]
    first.stop()
    receiver.fail_next = 0
    second = MepServer(redis_server.url).start()
    try:
        with httpx.Client(base_url=second.url) as client:
            assert client.get(f"{SM}/services/{sid}", headers=auth).status_code == 200
            assert client.get(f"{AS}/applications/{provider}/dns_rules/d1",
                              headers=auth).json()["ipAddress"] == "10.0.0.1"
            received = receiver.wait_for(1)
            assert received[0]["body"]["serviceReferences"][0]["changeType"] == "ADDED"
    finally:
        second.stop()
        receiver.stop()


def test_state_survives_a_redis_restart(tmp_path):
    from .servers import RedisServer

    store = RedisServer(tmp_path / "redis").start()
    server = MepServer(store.url).start()
    try:
        with httpx.Client(base_url=server.url) as client:
            app, auth = register_app(client, "app-1")
            sid = add_service(client, app, auth)["serInstanceId"]
            port = store.port
            store.stop()
            assert client.get(f"{SM}/services/{sid}", headers=auth).status_code == 503
            assert client.get("/healthz").status_code == 503  # not ready
            assert client.get("/livez").status_code == 200  # but alive: no restart
            store.port = port
            store.start()  # the same append-only file
            response = client.get(f"{SM}/services/{sid}", headers=auth)
            assert response.status_code == 200, response.text
            assert response.json()["serInstanceId"] == sid
    finally:
        server.stop()
        store.stop()
