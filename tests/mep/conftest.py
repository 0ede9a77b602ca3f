"""MEP fixtures: one real redis-server per session (flushed per test), a fresh MEP per
test, an httpx client, and helpers to register applications and services."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import redis

from .servers import MepServer, Receiver, RedisServer

ADMIN = {"Authorization": "Bearer admin-token"}


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture()
def mep(redis_server):
    redis.Redis.from_url(redis_server.url).flushall()
    server = MepServer(redis_server.url).start()
    yield server
    server.stop()


@pytest.fixture()
def client(mep):
    with httpx.Client(base_url=mep.url, timeout=10) as http:
        yield http


@pytest.fixture()
def receiver():
    rec = Receiver()
    yield rec
    rec.stop()


def register_app(client: httpx.Client, app_id: str | None = None, **extra: Any) -> tuple[str, dict]:
    """Register an application instance; returns (id, auth headers)."""
    body: dict[str, Any] = {**extra}
    if app_id:
        body["appInstanceId"] = app_id
    response = client.post("/mec_platform_mgmt/v1/app_instances", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    data = response.json()
    return data["appInstanceId"], {"Authorization": f"Bearer {data['accessToken']}"}


def service_body(name: str = "location", **extra: Any) -> dict[str, Any]:
    return {"serName": name, "version": "1.0", "state": "ACTIVE", "serializer": "JSON",
            "serCategory": {"href": "http://cat/loc", "id": f"cat-{name}", "name": name,
                            "version": "1"},
            "transportInfo": {"id": "t1", "name": "REST", "type": "REST_HTTP",
                              "protocol": "HTTP", "version": "1.1",
                              "endpoint": {"uris": [f"http://127.0.0.1:9/{name}"]},
                              "security": {}},
            **extra}


def add_service(client: httpx.Client, app: str, auth: dict, name: str = "location",
                **extra: Any) -> dict[str, Any]:
    response = client.post(f"/mec_service_mgmt/v1/applications/{app}/services",
                           json=service_body(name, **extra), headers=auth)
    assert response.status_code == 201, response.text
    return response.json()
