"""The facade's requests judged by OSM's real NBI (../shared/osm-nbi, unmodified NBI code,
with the harness's LCM stand-in completing every operation after 100 ms: it deploys
nothing). An AppD package uploaded to the facade is onboarded (both packages accepted by
OSM's information model), an instance's NS is created and instantiated with the AppD's
parameters, the completion is followed, the application registered in a real MEP, and
terminate removes the NS (NBI deletes it itself after the `terminated` record)."""

from __future__ import annotations

import httpx
import pytest

from osm_mec.osm.credentials import Credentials
from osm_mec.osm.nbi import NbiClient

from ..realnbi.dummies import dummy_vim_with_cluster
from .conftest import INSTANTIATE, MEP_ADMIN, instance_state, new_instance, onboard
from .servers import AUTH, MeoServer

PREFIX = "meo-real"
VIM = f"{PREFIX}-vim"  # made by dummy_vim_with_cluster


@pytest.fixture(scope="module")
def real_edge(real_nbi_lcm) -> tuple[str, Credentials]:
    credentials = Credentials(real_nbi_lcm.user, real_nbi_lcm.password, real_nbi_lcm.project)
    nbi = NbiClient(real_nbi_lcm.url, credentials, timeout=30)
    dummy_vim_with_cluster(nbi, PREFIX)
    return real_nbi_lcm.url, credentials


def test_onboard_instantiate_terminate_on_the_real_nbi(real_edge, mep, tmp_path):
    url, credentials = real_edge
    server = MeoServer(url, credentials, tmp_path / "meo", mep=(mep.url, MEP_ADMIN),
                       vim_account=VIM).start()
    nbi = NbiClient(url, credentials)
    try:
        with httpx.Client(base_url=server.url, headers=AUTH, timeout=60) as api:
            package_id = onboard(api, "real-nbi-app")
            osm = server.meo.store.get("app_package", package_id)["_osm"]
            assert nbi.find_package("vnf", osm["vnfd"])["_id"] == osm["vnf_package"]
            assert nbi.find_package("ns", osm["nsd"])["_id"] == osm["ns_package"]

            instance_id = new_instance(api, "real-nbi-app")
            assert api.post(f"/app_lcm/v1/app_instances/{instance_id}/instantiate",
                            json=INSTANTIATE).status_code == 202
            instance_state(api, instance_id, "INSTANTIATED", timeout=60)
            ns = nbi.find_ns(f"mecapp-{instance_id}")
            assert ns is not None and ns["nsd-id"] == osm["ns_package"]
            instantiate = [op for op in nbi.list_operations(ns["_id"])
                           if op["lcmOperationType"] == "instantiate"]
            assert instantiate[0]["operationState"] == "COMPLETED"
            assert api.get(f"/app_pkgm/v1/app_packages/{package_id}").json()[
                "usageState"] == "IN_USE"
            assert httpx.get(f"{mep.url}/mec_platform_mgmt/v1/app_instances/{instance_id}",
                             headers={"Authorization": f"Bearer {MEP_ADMIN}"}
                             ).status_code == 200

            assert api.post(f"/app_lcm/v1/app_instances/{instance_id}/terminate",
                            json={"terminationType": "FORCEFUL"}).status_code == 202
            instance_state(api, instance_id, "NOT_INSTANTIATED", timeout=60)
            assert nbi.find_ns(f"mecapp-{instance_id}") is None
            assert api.delete(f"/app_lcm/v1/app_instances/{instance_id}").status_code == 204
            assert api.delete(f"/app_pkgm/v1/app_packages/{package_id}").status_code == 204
            assert nbi.find_package("ns", osm["nsd"]) is None
            assert nbi.find_package("vnf", osm["vnfd"]) is None
    finally:
        server.stop()
