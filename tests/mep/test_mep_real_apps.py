"""Real MEC applications on our MEP (issue #11): OAuth 2.0 client credentials as MEC 009
describes them, and the opt-in legacy mode for applications that send no token at all."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import redis

from .conftest import ADMIN, add_service
from .servers import MepServer, Receiver

SM = "/mec_service_mgmt/v1"
AS = "/mec_app_support/v1"
PM = "/mec_platform_mgmt/v1"


def _register(client: httpx.Client, app_id: str) -> dict[str, Any]:
    response = client.post(f"{PM}/app_instances", json={"appInstanceId": app_id},
                           headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


def _token(client: httpx.Client, endpoint: str, client_id: str, secret: str,
           basic: bool = True) -> httpx.Response:
    if basic:
        return client.post(endpoint, data={"grant_type": "client_credentials"},
                           auth=(client_id, secret))
    return client.post(endpoint, data={"grant_type": "client_credentials",
                                       "client_id": client_id, "client_secret": secret})


@pytest.mark.parametrize("basic", [True, False])
def test_oauth_client_credentials(client, mep, basic):
    registered = _register(client, "oauth-app")
    oauth2 = registered["oauth2"]
    assert oauth2["clientId"] == "oauth-app" and len(oauth2["clientSecret"]) >= 40
    listed = client.get(f"{SM}/transports", headers={
        "Authorization": f"Bearer {registered['accessToken']}"}).json()
    endpoint = listed[0]["security"]["oAuth2Info"]["tokenEndpoint"]
    assert endpoint == oauth2["tokenEndpoint"]
    issued = _token(client, endpoint, "oauth-app", oauth2["clientSecret"], basic)
    assert issued.status_code == 200, issued.text
    assert issued.headers["cache-control"] == "no-store"
    body = issued.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    auth = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get(f"{SM}/applications/oauth-app/services", headers=auth).status_code == 200
    wrong = _token(client, endpoint, "oauth-app", "not-the-secret", basic)
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    assert _token(client, endpoint, "ghost", oauth2["clientSecret"], basic).json()[
        "error"] == "invalid_client"
    password = client.post(endpoint, data={"grant_type": "password"},
                           auth=("oauth-app", oauth2["clientSecret"]))
    assert password.status_code == 400 and password.json()["error"] == "unsupported_grant_type"
    # rotation: the access token issued before and the old client secret are dead
    rotated = client.post(f"{PM}/app_instances/oauth-app/token", headers=ADMIN).json()
    assert client.get(f"{SM}/applications/oauth-app/services", headers=auth).status_code == 401
    assert _token(client, endpoint, "oauth-app", oauth2["clientSecret"]).status_code == 401
    fresh = _token(client, endpoint, "oauth-app", rotated["oauth2"]["clientSecret"]).json()
    auth = {"Authorization": f"Bearer {fresh['access_token']}"}
    assert client.get(f"{SM}/applications/oauth-app/services", headers=auth).status_code == 200
    # deregistration: dead too, also for a new instance under the same id
    assert client.delete(f"{PM}/app_instances/oauth-app", headers=ADMIN).status_code == 204
    _register(client, "oauth-app")
    assert client.get(f"{SM}/applications/oauth-app/services", headers=auth).status_code == 401


class PlainMp1App:
    """A MEC application written against plain MEC 011 Mp1, as public ones are: no
    Authorization header, `security: null` in its transport, its id in every path."""

    def __init__(self, mep_url: str, app_id: str, callback: str) -> None:
        self.http = httpx.Client(base_url=mep_url, timeout=10)
        self.app_id, self.callback = app_id, callback

    def start(self) -> list[dict[str, Any]]:
        """register its service, discover, subscribe, confirm_ready; what it discovered"""
        base = f"/mec_service_mgmt/v1/applications/{self.app_id}"
        registered = self.http.post(f"{base}/services", json={
            "serName": "plain-app", "version": "1.0", "state": "ACTIVE", "serializer": "JSON",
            "transportInfo": {"id": "t", "name": "REST", "type": "REST_HTTP",
                              "protocol": "HTTP", "version": "1.1", "security": None,
                              "endpoint": {"uris": ["http://127.0.0.1:9/plain"]}}})
        registered.raise_for_status()
        found = self.http.get("/mec_service_mgmt/v1/services")
        found.raise_for_status()
        self.http.post(f"{base}/subscriptions", json={
            "subscriptionType": "SerAvailabilityNotificationSubscription",
            "callbackReference": self.callback}).raise_for_status()
        self.http.post(f"/mec_app_support/v1/applications/{self.app_id}/confirm_ready",
                       json={"indication": "READY"}).raise_for_status()
        return found.json()


@pytest.fixture()
def legacy_mep(redis_server):
    redis.Redis.from_url(redis_server.url).flushall()
    server = MepServer(redis_server.url, legacy_app_networks=["127.0.0.0/8"]).start()
    yield server
    server.stop()


def test_a_plain_mp1_application_runs_in_legacy_mode(legacy_mep):
    receiver = Receiver()
    try:
        with httpx.Client(base_url=legacy_mep.url) as client:
            _register(client, "plain")
            provider = _register(client, "provider")
            provider_auth = {"Authorization": f"Bearer {provider['accessToken']}"}
            add_service(client, "provider", provider_auth, "location")
            found = PlainMp1App(legacy_mep.url, "plain", f"{receiver.url}/cb").start()
            assert {s["serName"] for s in found} == {"location", "plain-app"}
            state = client.get(f"{PM}/app_instances/plain", headers=ADMIN).json()["state"]
            assert state == "READY"
            add_service(client, "provider", provider_auth, "rnis")
            received = receiver.wait_for(1)
            assert received[0]["body"]["serviceReferences"][0]["serName"] == "rnis"
            # legacy identity comes from the path, and only for registered instances
            assert client.get(f"{SM}/applications/ghost/services").status_code == 401
    finally:
        receiver.stop()


def test_without_legacy_mode_the_plain_application_is_refused(client, mep, receiver):
    _register(client, "plain")
    with pytest.raises(httpx.HTTPStatusError) as refused:
        PlainMp1App(mep.url, "plain", f"{receiver.url}/cb").start()
    assert refused.value.response.status_code == 401


def test_legacy_mode_only_for_the_named_networks(redis_server, receiver):
    redis.Redis.from_url(redis_server.url).flushall()
    server = MepServer(redis_server.url, legacy_app_networks=["10.0.0.0/8"]).start()
    try:
        with httpx.Client(base_url=server.url) as client:
            _register(client, "plain")
            with pytest.raises(httpx.HTTPStatusError) as refused:
                PlainMp1App(server.url, "plain", f"{receiver.url}/cb").start()
            assert refused.value.response.status_code == 401
    finally:
        server.stop()
