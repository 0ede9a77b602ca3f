"""The facade's state survives a restart: packages, instances, subscriptions and an
instantiation still running in OSM when the facade stopped, which the next facade
process follows to its end (registering the application in the MEP then). The Edge OSM
here is a sandbox on a slower clock (time scale 0.1: an application NS takes 1 to 3 s)
and the facade polls OSM's operation records (no Kafka), the path without a bus."""

from __future__ import annotations

import httpx
import pytest

from .conftest import INSTANTIATE, MEP_ADMIN, instance_state, new_instance, onboard
from .servers import AUTH, MeoServer, edge_osm


@pytest.fixture()
def slow_edge():
    sandbox = edge_osm(time_scale=0.1)
    yield sandbox
    sandbox.stop()


def test_an_instantiation_in_flight_completes_after_a_restart(slow_edge, mep, tmp_path):
    state = tmp_path / "meo"
    first = MeoServer(slow_edge.url, slow_edge.credentials, state,
                      mep=(mep.url, MEP_ADMIN)).start()
    try:
        with httpx.Client(base_url=first.url, headers=AUTH, timeout=30) as api:
            package_id = onboard(api, "restart-app")
            assert api.post("/app_lcm/v1/subscriptions", json={
                "callbackUri": "http://127.0.0.1:9/lcm",
                "subscriptionType": "AppInstanceStateChange"}).status_code == 201
            instance_id = new_instance(api, "restart-app")
            answer = api.post(f"/app_lcm/v1/app_instances/{instance_id}/instantiate",
                              json=INSTANTIATE)
            assert answer.status_code == 202
            op = httpx.get(answer.headers["location"], headers=AUTH).json()
            assert op["operationState"] == "PROCESSING"
    finally:
        first.stop()
    second = MeoServer(slow_edge.url, slow_edge.credentials, state,
                       mep=(mep.url, MEP_ADMIN)).start()
    try:
        with httpx.Client(base_url=second.url, headers=AUTH, timeout=30) as api:
            assert [p["id"] for p in api.get("/app_pkgm/v1/app_packages").json()] == \
                [package_id]
            assert len(api.get("/app_lcm/v1/subscriptions").json()["_links"][
                "subscriptions"]) == 1
            instance_state(api, instance_id, "INSTANTIATED", timeout=30)
            assert api.get(f"/app_lcm/v1/app_lcm_op_occs/{op['id']}").json()[
                "operationState"] == "COMPLETED"
        registered = httpx.get(f"{mep.url}/mec_platform_mgmt/v1/app_instances/{instance_id}",
                               headers={"Authorization": f"Bearer {MEP_ADMIN}"})
        assert registered.status_code == 200
    finally:
        second.stop()
