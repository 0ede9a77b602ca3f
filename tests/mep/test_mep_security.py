"""The MEP under concurrent and hostile clients (issue #11): atomic registration, tokens
that stay revoked, no enumeration of application ids. Real redis-server, real HTTP, real
threads racing against the running server."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis

from .conftest import ADMIN, add_service, register_app
from .servers import MepServer, Receiver

SM = "/mec_service_mgmt/v1"
AS = "/mec_app_support/v1"
PM = "/mec_platform_mgmt/v1"


def _race(url: str, count: int, call) -> list[httpx.Response]:
    """`count` threads, each with its own connection, released together by a barrier."""
    barrier = threading.Barrier(count)

    def one(_: int) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=30) as client:
            barrier.wait()
            return call(client)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def _works(client: httpx.Client, app: str, token: str) -> bool:
    response = client.get(f"{SM}/applications/{app}/services",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


def test_parallel_registrations_of_one_id_have_one_winner(client, mep):
    replies = _race(mep.url, 60, lambda c: c.post(f"{PM}/app_instances",
                                                   json={"appInstanceId": "racer"},
                                                   headers=ADMIN))
    statuses = sorted(r.status_code for r in replies)
    assert statuses == [201] + [409] * 59, statuses
    token = next(r.json()["accessToken"] for r in replies if r.status_code == 201)
    assert _works(client, "racer", token)


def test_rotated_and_deregistered_tokens_never_work_again(client, mep):
    app, auth = register_app(client, "app-1")
    first = auth["Authorization"].split()[1]
    rotations = _race(mep.url, 20, lambda c: c.post(f"{PM}/app_instances/{app}/token",
                                                     headers=ADMIN))
    assert {r.status_code for r in rotations} == {200}
    tokens = [first] + [r.json()["accessToken"] for r in rotations]
    working = [t for t in tokens if _works(client, app, t)]
    assert len(working) == 1, "exactly the last rotation's token works"
    assert client.delete(f"{PM}/app_instances/{app}", headers=ADMIN).status_code == 204
    _, new_auth = register_app(client, "app-1")  # a new instance under the same id
    assert not any(_works(client, app, t) for t in tokens)
    assert _works(client, app, new_auth["Authorization"].split()[1])


def test_no_enumeration_of_application_ids(client):
    register_app(client, "known")
    _, other = register_app(client, "other")
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        answers = [client.get(f"{SM}/applications/{app}/services", headers=headers)
                   for app in ("known", "ghost")]
        assert [a.status_code for a in answers] == [401, 401]
        assert answers[0].json()["detail"] == answers[1].json()["detail"]
        assert answers[0].headers["www-authenticate"] == answers[1].headers["www-authenticate"]
    # a valid token of another application: the same 403 for a known and an unknown id
    answers = [client.post(f"{AS}/applications/{app}/confirm_ready",
                           json={"indication": "READY"}, headers=other)
               for app in ("known", "ghost")]
    assert [a.status_code for a in answers] == [403, 403]


# -- callbacks: deny by default ----------------------------------------------------------------
def _subscribe(client: httpx.Client, app: str, auth: dict, url: str) -> httpx.Response:
    return client.post(f"{SM}/applications/{app}/subscriptions", headers=auth, json={
        "subscriptionType": "SerAvailabilityNotificationSubscription",
        "callbackReference": url})


@pytest.mark.parametrize("allowed, url, accepted", [
    ([], "http://127.0.0.1:9/cb", False),  # the default: no network at all
    ([], "http://8.8.8.8/cb", False),
    (["0.0.0.0/0"], "http://8.8.8.8/cb", True),
    (["0.0.0.0/0", "::/0"], "http://127.0.0.1:9/cb", False),  # special: must be named
    (["0.0.0.0/0", "::/0"], "http://[::1]:9/cb", False),
    (["0.0.0.0/0"], "http://169.254.169.254/latest/meta-data", False),  # metadata
    (["169.254.0.0/16"], "http://169.254.169.254/latest/meta-data", False),
    (["169.254.169.254/32"], "http://169.254.169.254/latest/meta-data", True),
    (["0.0.0.0/0"], "http://10.1.2.3/cb", False),  # private
    (["10.0.0.0/8"], "http://10.1.2.3/cb", True),
    (["0.0.0.0/0"], "http://100.64.0.1/cb", False),  # carrier-grade NAT
    (["0.0.0.0/0", "::/0"], "http://[::ffff:127.0.0.1]:9/cb", False),  # v4-mapped loopback
    (["127.0.0.0/8"], "http://127.0.0.1:9/cb", True),
    (["127.0.0.0/8"], "http://localhost:9/cb", True),  # a name, resolved
    (["10.0.0.0/8"], "http://localhost:9/cb", False),
])
def test_callback_networks(redis_server, allowed, url, accepted):
    redis.Redis.from_url(redis_server.url).flushall()
    server = MepServer(redis_server.url, allowed_callback_networks=allowed).start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            app, auth = register_app(client, "app-1")
            response = _subscribe(client, app, auth, url)
            assert response.status_code == (201 if accepted else 400), response.text
            if not accepted:
                assert response.headers["content-type"].startswith("application/problem+json")
                assert "refused" in response.json()["detail"]
    finally:
        server.stop()


def _refused(server: MepServer, subscription: dict) -> None:
    """Wait until the subscription expired: every delivery attempt was refused."""
    sub_id = subscription["_links"]["self"]["href"].rsplit("/", 1)[1]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and sub_id not in server.mep.notifier.expired:
        time.sleep(0.05)
    assert sub_id in server.mep.notifier.expired


def test_callbacks_are_checked_again_at_delivery(redis_server):
    """A subscription accepted under a wider policy is not called after the operator
    narrowed it (the same Redis, a MEP restarted with no callback network)."""
    redis.Redis.from_url(redis_server.url).flushall()
    receiver = Receiver()
    first = MepServer(redis_server.url).start()
    try:
        with httpx.Client(base_url=first.url) as client:
            watcher, auth = register_app(client, "watcher")
            sub = _subscribe(client, watcher, auth, f"{receiver.url}/cb")
            assert sub.status_code == 201
        first.stop()
        second = MepServer(redis_server.url, allowed_callback_networks=[],
                           notify_max_attempts=2, notify_first_backoff=0.01).start()
        with httpx.Client(base_url=second.url) as client:
            provider, provider_auth = register_app(client, "provider")
            add_service(client, provider, provider_auth)
        _refused(second, sub.json())
        assert receiver.received == []
        second.stop()
    finally:
        receiver.stop()


def test_a_name_whose_dns_answer_changes_is_checked_before_connecting(redis_server):
    """The DNS answer changes between the subscription and the delivery (DNS rebinding).
    Test double: a resolver table stands in for a DNS server we cannot run here."""
    redis.Redis.from_url(redis_server.url).flushall()
    receiver = Receiver()
    dns = {"callbacks.example": ["127.0.0.1"]}

    async def resolve(host: str) -> list[str]:
        if host not in dns:
            raise OSError(f"unknown host {host}")
        return dns[host]

    server = MepServer(redis_server.url, resolve=resolve, allowed_callback_networks=[
        "127.0.0.0/8"], notify_max_attempts=2, notify_first_backoff=0.01).start()
    port = receiver.url.rsplit(":", 1)[1]
    try:
        with httpx.Client(base_url=server.url) as client:
            watcher, auth = register_app(client, "watcher")
            provider, provider_auth = register_app(client, "provider")
            sub = _subscribe(client, watcher, auth, f"http://callbacks.example:{port}/cb")
            assert sub.status_code == 201, sub.text
            add_service(client, provider, provider_auth, "first")
            assert len(receiver.wait_for(1)) == 1  # delivered while the name is allowed
            dns["callbacks.example"] = ["10.0.0.1"]  # rebound to an internal address
            add_service(client, provider, provider_auth, "second")
            _refused(server, sub.json())
            assert len(receiver.received) == 1
    finally:
        server.stop()
        receiver.stop()
