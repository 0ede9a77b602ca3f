"""The MEP under concurrent and hostile clients (issue #11): atomic registration, tokens
that stay revoked, no enumeration of application ids. Real redis-server, real HTTP, real
threads racing against the running server."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from .conftest import ADMIN, register_app

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
