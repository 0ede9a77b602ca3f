"""How an app gets to its MEP (osm_mec.osm.mep_access, issue 12 item 9), against a real MEP
(osm_mec.mep on Debian's redis-server): registering twice keeps one registration and hands
out working credentials (the MEP rotates them), the 0600 file of the standalone facade,
deregistration; and the deadline of the chain's wait for a facade operation (issue 14)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from osm_mec.chain.apps import EdgeApps
from osm_mec.chain.progress import quiet
from osm_mec.chain.target import OsmTarget
from osm_mec.core.errors import OsmMecError
from osm_mec.meo import lcm
from osm_mec.osm.credentials import Credentials
from osm_mec.osm.mep_access import FileDrop, MepAccess, token_secret_name
from osm_mec.osm.mep_client import MepClient, MepError
from osm_mec.osm.nbi import NbiClient

from .conftest import MEP_ADMIN

PM = "/mec_platform_mgmt/v1/app_instances"
MP1 = "/mec_service_mgmt/v1/services"


def _mp1(mep, token: str) -> int:
    return httpx.get(f"{mep.url}{MP1}", headers={"Authorization": f"Bearer {token}"}).status_code


def test_registering_again_keeps_one_registration_and_gives_working_credentials(mep):
    client = MepClient(mep.url, MEP_ADMIN)
    first = client.register("again-1", {"appName": "again"})
    second = client.register("again-1", {"appName": "again"})
    listed = httpx.get(f"{mep.url}{PM}", headers={"Authorization": f"Bearer {MEP_ADMIN}"})
    assert [a["appInstanceId"] for a in listed.json()].count("again-1") == 1
    assert _mp1(mep, second.access_token) == 200
    assert _mp1(mep, first.access_token) == 401  # rotated: only the latest ones work
    assert second.access_token not in repr(second) and second.client_secret not in repr(second)
    client.deregister("again-1", None)
    assert client.registered("again-1") is None


def test_a_wrong_admin_token_is_named(mep):
    with pytest.raises(MepError, match=r"registering application x: the MEP at .* HTTP 401"):
        MepClient(mep.url, "wrong").register("x", {})


def test_the_file_drop_writes_0600_and_take_back_removes_it(mep, tmp_path: Path):
    access = MepAccess(MepClient(mep.url, MEP_ADMIN), FileDrop(tmp_path / "creds"))
    values = access.hand_over("filed-1", "ns", {"appName": "filed"})
    assert values == {"url": mep.url, "appInstanceId": "filed-1"}  # no Secret to name
    path = tmp_path / "creds" / "filed-1.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert _mp1(mep, json.loads(path.read_text())["accessToken"]) == 200
    access.take_back("filed-1", "ns", 1.0)
    assert not path.exists() and access.mep.registered("filed-1") is None


def test_secret_names_are_kubernetes_names():
    assert token_secret_name("Mecaas-Acme-App") == "osm-mec-mep-token-mecaas-acme-app"


def test_the_wait_for_a_facade_operation_has_a_deadline(tmp_path: Path):
    target = OsmTarget("edge", NbiClient("http://127.0.0.1:9", Credentials("u", "p", "p")))
    apps = EdgeApps(target, lambda: target.client, tmp_path / "meo", "edge-vim", None,
                    quiet(), run_timeout=0.3)
    try:
        op = apps.meo.store.put(lcm.OPS, {"id": "op-1", "operationState": "PROCESSING",
                                          "lcmOperation": lcm.INSTANTIATE,
                                          "appInstanceId": "app-1"})
        started = time.monotonic()
        with pytest.raises(OsmMecError, match=r"instantiate of application instance app-1 "
                                              r"\(operation op-1\) did not end within 0.3 s"):
            apps.run(op)
        assert time.monotonic() - started < 5
    finally:
        apps.close()
