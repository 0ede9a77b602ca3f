"""Facade fixtures: one Edge OSM sandbox and one MEP (Debian's redis-server) per module, a
notification receiver, and a facade per test on its own state folder."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ..mep.servers import MepServer, Receiver, RedisServer
from .servers import AUTH, MeoServer, edge_osm, sample_package

MEP_ADMIN = "admin-token"


@pytest.fixture(scope="module")
def edge():
    sandbox = edge_osm()
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def mep(tmp_path_factory):
    store = RedisServer(tmp_path_factory.mktemp("meo-redis")).start()
    server = MepServer(store.url, admin_token=MEP_ADMIN).start()
    yield server
    server.stop()
    store.stop()


@pytest.fixture()
def receiver():
    rec = Receiver()
    yield rec
    rec.stop()


@pytest.fixture()
def start_meo(edge, mep, tmp_path) -> Iterator[Any]:
    """Start a facade (on tmp_path/meo unless told otherwise); all stopped at the end."""
    started: list[MeoServer] = []

    def start(state: Path | None = None, kafka: bool = True, mep_token: str = MEP_ADMIN,
              **settings: Any) -> MeoServer:
        server = MeoServer(edge.url, edge.credentials, state or tmp_path / "meo",
                           mep=(mep.url, mep_token),
                           kafka=edge.kafka_bootstrap if kafka else None, **settings).start()
        started.append(server)
        return server

    yield start
    for server in started:
        if server.thread.is_alive():
            server.stop()


@pytest.fixture()
def meo(start_meo) -> MeoServer:
    return start_meo()


@pytest.fixture()
def api(meo) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=meo.url, headers=AUTH, timeout=30) as client:
        yield client


def create_package(client: httpx.Client, content: bytes, name: str = "sample") -> str:
    answer = client.post("/app_pkgm/v1/app_packages", json={
        "appPkgName": name, "appPkgVersion": "0.1.0", "appPkgPath": "http://example.com/a.zip",
        "checksum": {"algorithm": "SHA-256", "hash": hashlib.sha256(content).hexdigest()}})
    assert answer.status_code == 201, answer.text
    return str(answer.json()[0]["id"])


def onboard(client: httpx.Client, appd_id: str) -> str:
    """An onboarded package of the sample application with its own appDId; its id."""
    content = sample_package(appd_id)
    package_id = create_package(client, content, appd_id)
    answer = client.put(f"/app_pkgm/v1/app_packages/{package_id}/package_content",
                        content=content, headers={"Content-Type": "application/zip"})
    assert answer.status_code == 202, answer.text
    return package_id


def new_instance(client: httpx.Client, appd_id: str, name: str = "app") -> str:
    answer = client.post("/app_lcm/v1/app_instances",
                         json={"appDId": appd_id, "appInstanceName": name})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


INSTANTIATE = {"selectedMECHostInfo": [{"hostId": {"site": "edge"}, "hostName": "edge"}]}


def instance_state(client: httpx.Client, instance_id: str, state: str,
                   timeout: float = 20.0) -> dict[str, Any]:
    """The instance once its instantiationState is `state` and no operation runs."""
    deadline = time.monotonic() + timeout
    while True:
        record = client.get(f"/app_lcm/v1/app_instances/{instance_id}").json()
        ops = [op for op in client.get("/app_lcm/v1/app_lcm_op_occs").json()
               if op["appInstanceId"] == instance_id]
        running = [op for op in ops if op["operationState"] in ("STARTING", "PROCESSING")]
        if record.get("instantiationState") == state and not running:
            return record
        if time.monotonic() > deadline:
            raise AssertionError(f"instance {instance_id} not {state} after {timeout} s: "
                                 f"{record}; operations {ops}")
        time.sleep(0.05)
