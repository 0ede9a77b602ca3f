"""Smoke: management registration, service registration, discovery."""

from __future__ import annotations

from .conftest import add_service, register_app


def test_register_and_discover(client):
    app, auth = register_app(client, "app-1")
    info = add_service(client, app, auth, "location")
    assert info["serInstanceId"]
    found = client.get("/mec_service_mgmt/v1/services", params={"ser_name": "location"},
                       headers=auth)
    assert found.status_code == 200 and [s["serName"] for s in found.json()] == ["location"]
