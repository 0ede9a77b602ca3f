"""End to end on real parts: the facade over an Edge OSM (the embedded sandbox at time scale
0, with its Kafka bus on librdkafka's mock cluster) and a real MEP (osm_mec.mep on Debian's
redis-server). An AppD package is uploaded and onboarded into the Edge OSM, an application
instance is instantiated (its NS READY in the Edge OSM, the application registered in the
MEP with its AppD's traffic and DNS rules), then terminated (deregistered, its NS gone),
and a subscriber receives every notification in order."""

from __future__ import annotations

import json
import time

import httpx
import yaml

from osm_mec.osm.nbi import NbiClient

from .conftest import INSTANTIATE, MEP_ADMIN, create_package, instance_state, new_instance, onboard
from .servers import AUTH, sample_package

PM = "/mec_platform_mgmt/v1/app_instances"
AS = "/mec_app_support/v1/applications"


def _subscribe_all(api: httpx.Client, url: str) -> None:
    for kind in ("AppPackageOnBoarding", "AppPacakgeOperationChange", "AppPackageDeletion"):
        assert api.post("/app_pkgm/v1/subscriptions", json={
            "callbackUri": f"{url}/pkgm", "subsctiptionType": kind}).status_code == 201
    for kind in ("AppInstanceStateChange", "AppLcmOpOccStateChange"):
        assert api.post(f"/app_lcm/v1/subscriptions?subscriptionType={kind}", json={
            "callbackUri": f"{url}/lcm", "subscriptionType": kind}).status_code == 201


def _app_auth(meo, instance_id: str) -> dict[str, str]:
    """The application's MEP token, from the 0600 file the facade wrote for the operator."""
    path = meo.meo.settings.credentials_dir / f"{instance_id}.json"
    assert path.stat().st_mode & 0o077 == 0
    return {"Authorization": f"Bearer {json.loads(path.read_text())['accessToken']}"}


def test_upload_instantiate_terminate_with_notifications_in_order(api, meo, mep, edge,
                                                                  receiver):
    _subscribe_all(api, receiver.url)
    package_id = onboard(api, "e2e-app-1")
    package = api.get(f"/app_pkgm/v1/app_packages/{package_id}").json()
    assert (package["onboardingState"], package["operationalState"], package["usageState"]) \
        == ("ONBOARDED", "ENABLED", "NOT_IN_USE")
    assert package["appDId"] == "e2e-app-1" and package["appName"] == "mec-sample"
    appd = yaml.safe_load(api.get(f"/app_pkgm/v1/app_packages/{package_id}/appd").text)
    assert appd["appDId"] == "e2e-app-1"
    osm = NbiClient(edge.url, edge.credentials)
    nsd = osm.find_package("ns", package["appDId"].replace("-", "_") + "_ns") or \
        next(p for p in osm.list_packages("ns") if p["_id"] == meo.meo.store.get(
            "app_package", package_id)["_osm"]["ns_package"])
    assert nsd["_admin"]["onboardingState"] == "ONBOARDED"

    instance_id = new_instance(api, "e2e-app-1")
    answer = api.post(f"/app_lcm/v1/app_instances/{instance_id}/instantiate", json=INSTANTIATE)
    assert answer.status_code == 202
    op_url = answer.headers["location"]
    record = instance_state(api, instance_id, "INSTANTIATED")
    assert record["instantiatedAppState"] == {"operationalState": "STARTED"}
    assert httpx.get(op_url, headers=api.headers).json()["operationState"] == "COMPLETED"
    ns = osm.find_ns(f"mecapp-{instance_id}")
    assert ns is not None and ns["nsState"] == "READY" and ns["nsd-id"] == nsd["_id"]
    assert api.get(f"/app_pkgm/v1/app_packages/{package_id}").json()["usageState"] == "IN_USE"
    assert api.delete(f"/app_pkgm/v1/app_packages/{package_id}").status_code == 409

    admin = {"Authorization": f"Bearer {MEP_ADMIN}"}
    registered = httpx.get(f"{mep.url}{PM}/{instance_id}", headers=admin).json()
    assert registered["requiredServices"] == ["mec_service_mgmt"]
    assert registered["gracefulTerminationTimeout"] == 10
    auth = _app_auth(meo, instance_id)
    rules = httpx.get(f"{mep.url}{AS}/{instance_id}/traffic_rules", headers=auth).json()
    assert [(r["trafficRuleId"], r["action"], r["state"]) for r in rules] == \
        [("mec-sample-clients", "FORWARD_DECAPSULATED", "ACTIVE")]
    dns = httpx.get(f"{mep.url}{AS}/{instance_id}/dns_rules", headers=auth).json()
    assert [(r["domainName"], r["ipAddress"]) for r in dns] == \
        [("mec-sample.mec.local", "10.244.0.10")]

    assert api.post(f"/app_lcm/v1/app_instances/{instance_id}/terminate",
                    json={"terminationType": "FORCEFUL"}).status_code == 202
    instance_state(api, instance_id, "NOT_INSTANTIATED")
    assert httpx.get(f"{mep.url}{PM}/{instance_id}", headers=admin).status_code == 404
    assert osm.find_ns(f"mecapp-{instance_id}") is None
    assert not (meo.meo.settings.credentials_dir / f"{instance_id}.json").exists()
    assert api.delete(f"/app_lcm/v1/app_instances/{instance_id}").status_code == 204
    assert api.delete(f"/app_pkgm/v1/app_packages/{package_id}").status_code == 204
    assert osm.find_package("ns", nsd["id"]) is None

    received = receiver.wait_for(10)
    seen = [(r["path"], r["body"]["notificationType"], r["body"].get("operationType"))
            for r in received]
    assert seen == [
        ("/pkgm", "AppPackageOnBoarded", None),
        ("/lcm", "STARTING", "INSTANTIATE"), ("/lcm", "PROCESSING", "INSTANTIATE"),
        ("/lcm", "STARTED", None), ("/lcm", "COMPLETED", "INSTANTIATE"),
        ("/lcm", "STARTING", "TERMINATE"), ("/lcm", "PROCESSING", "TERMINATE"),
        ("/lcm", "NOT_INSTANTIATED", None), ("/lcm", "COMPLETED", "TERMINATE"),
        ("/pkgm", "AppPackageDeleted", None)]
    first = received[0]["body"]
    assert first["appPkgId"] == package_id and first["appDId"] == "e2e-app-1"
    assert first["_links"]["subscription"]["href"].startswith(meo.url)
    op_note = received[1]["body"]
    assert op_note["appInstanceId"] == instance_id and \
        op_note["_links"]["appLcmOpOcc"]["href"] == op_url


def test_graceful_terminate_waits_for_the_application(api, meo, mep, receiver):
    """GRACEFUL: the MEP tells the application (subscribed to its termination) and the
    facade terminates the NS only after the application confirmed it is done."""
    onboard(api, "e2e-app-2")
    instance_id = new_instance(api, "e2e-app-2")
    api.post(f"/app_lcm/v1/app_instances/{instance_id}/instantiate", json=INSTANTIATE)
    instance_state(api, instance_id, "INSTANTIATED")
    auth = _app_auth(meo, instance_id)
    assert httpx.post(f"{mep.url}{AS}/{instance_id}/subscriptions", headers=auth, json={
        "subscriptionType": "AppTerminationNotificationSubscription",
        "callbackReference": f"{receiver.url}/app", "appInstanceId": instance_id}
    ).status_code == 201
    assert api.post(f"/app_lcm/v1/app_instances/{instance_id}/terminate", json={
        "terminationType": "GRACEFUL", "gracefulTerminationTimeout": 20}).status_code == 202
    notice = receiver.wait_for(1)[0]
    assert notice["path"] == "/app" and notice["body"]["operationAction"] == "TERMINATING"
    assert api.get(f"/app_lcm/v1/app_instances/{instance_id}").json()[
        "instantiationState"] == "INSTANTIATED"  # still waiting for the application
    assert httpx.post(f"{mep.url}{AS}/{instance_id}/confirm_termination", headers=auth,
                      json={"operationAction": "TERMINATING"}).status_code == 204
    instance_state(api, instance_id, "NOT_INSTANTIATED", timeout=10)


def test_notifications_are_retried_and_survive_a_restart(start_meo, receiver, tmp_path):
    """A subscriber that fails gets the notification again later, also from a new facade
    process on the same state (the outbox is in SQLite)."""
    first = start_meo(notify_first_backoff=1.0)
    with httpx.Client(base_url=first.url, headers=AUTH, timeout=30) as api:
        assert api.post("/app_pkgm/v1/subscriptions", json={
            "callbackUri": f"{receiver.url}/pkgm",
            "subsctiptionType": "AppPackageOnBoarding"}).status_code == 201
        receiver.fail_next = 1
        onboard(api, "e2e-retry")
    deadline = time.monotonic() + 10
    while [p.attempts for p in first.meo.store.pending()] != [1]:
        assert time.monotonic() < deadline, first.meo.store.pending()
        time.sleep(0.02)
    first.stop()
    assert receiver.received == [] and receiver.fail_next == 0
    second = start_meo(state=tmp_path / "meo")
    got = receiver.wait_for(1)
    assert [r["body"]["notificationType"] for r in got] == ["AppPackageOnBoarded"]
    deadline = time.monotonic() + 5
    while second.meo.store.pending():
        assert time.monotonic() < deadline, "delivered but still queued"
        time.sleep(0.02)


def test_checksum_archive_and_state_errors(api):
    content = sample_package("e2e-errors")
    package_id = create_package(api, content, "errors")
    wrong = api.put(f"/app_pkgm/v1/app_packages/{package_id}/package_content",
                    content=content + b"x", headers={"Content-Type": "application/zip"})
    assert wrong.status_code == 409 and "checksum" in wrong.json()["detail"]
    bad_id = create_package(api, b"not a zip", "bad")
    bad = api.put(f"/app_pkgm/v1/app_packages/{bad_id}/package_content", content=b"not a zip",
                  headers={"Content-Type": "application/zip"})
    assert bad.status_code == 400 and bad.json()["status"] == 400
    assert api.get(f"/app_pkgm/v1/app_packages/{bad_id}").json()["onboardingState"] == \
        "CREATED"
    not_yet = api.patch(f"/app_pkgm/v1/app_packages/{bad_id}", json={"operationState": "ENABLED"})
    assert (not_yet.status_code, not_yet.json()["detail"]) == (
        409, f"application package {bad_id} is CREATED, not ONBOARDED: upload its content first")
    assert api.post("/app_lcm/v1/app_instances", json={"appDId": "nope"}).status_code == 404
    assert api.get("/app_lcm/v1/app_instances", headers={"Authorization": "Bearer x"}
                   ).status_code == 401
    api.put(f"/app_pkgm/v1/app_packages/{package_id}/package_content", content=content,
            headers={"Content-Type": "application/zip"})
    again = api.put(f"/app_pkgm/v1/app_packages/{package_id}/package_content", content=content,
                    headers={"Content-Type": "application/zip"})
    assert (again.status_code, again.json()["detail"]) == (
        409, f"application package {package_id} is ONBOARDED: content is uploaded once; create a "
             "new application package for another version")
    assert api.patch(f"/app_pkgm/v1/app_packages/{package_id}",
                     json={"operationState": "DISABLED"}).json() == {"operationState": "DISABLED"}
    instance_id = new_instance(api, "e2e-errors")
    refused = api.post(f"/app_lcm/v1/app_instances/{instance_id}/instantiate", json=INSTANTIATE)
    assert refused.status_code == 409 and "DISABLED" in refused.json()["detail"]
    assert api.post(f"/app_lcm/v1/app_instances/{instance_id}/terminate",
                    json={"terminationType": "FORCEFUL"}).status_code == 409
    operate = api.post(f"/app_lcm/v1/app_instances/{instance_id}/operate",
                       json={"changeStateTo": "STOPPED"})
    assert operate.status_code == 409
    assert operate.headers["content-type"].startswith("application/problem+json")


def test_a_failed_registration_undoes_the_instantiation(start_meo, edge):
    """The MEP refuses the facade (a wrong platform manager token): the application is
    registered BEFORE its NS is made, so the instantiation is refused (409 with the MEP's
    answer), its operation ends FAILED, no NS is made in the Edge OSM and the instance can
    be instantiated later."""
    meo = start_meo(mep_token="not-the-mep-token")
    with httpx.Client(base_url=meo.url, headers=AUTH, timeout=30) as api:
        onboard(api, "e2e-refused")
        instance_id = new_instance(api, "e2e-refused")
        answer = api.post(f"/app_lcm/v1/app_instances/{instance_id}/instantiate",
                          json=INSTANTIATE)
        assert answer.status_code == 409 and "the MEP" in answer.json()["detail"]
        instance_state(api, instance_id, "NOT_INSTANTIATED")
        op = next(o for o in api.get("/app_lcm/v1/app_lcm_op_occs").json()
                  if o["appInstanceId"] == instance_id)
        assert op["operationState"] == "FAILED"
        assert "the MEP at" in op["error"]["detail"] and "HTTP 401" in op["error"]["detail"]
        assert NbiClient(edge.url, edge.credentials).find_ns(f"mecapp-{instance_id}") is None
        assert api.delete(f"/app_lcm/v1/app_instances/{instance_id}").status_code == 204


def test_an_unexpected_error_ends_the_operation_failed(meo, api, edge, mep):
    onboard(api, "e2e-crash")
    instance_id = new_instance(api, "e2e-crash")
    follow = meo.meo.edge.wait
    crashed: list[str] = []

    def broken(op_id: str, gone_ok: bool = False) -> dict:
        if not crashed:  # following the instantiation crashes; removing the NS works
            crashed.append(op_id)
            raise RuntimeError("boom")
        return follow(op_id, gone_ok=gone_ok)

    meo.meo.edge.wait = broken
    answer = api.post(f"/app_lcm/v1/app_instances/{instance_id}/instantiate", json=INSTANTIATE)
    deadline = time.monotonic() + 10
    while (op := httpx.get(answer.headers["location"], headers=AUTH).json())[
            "operationState"] not in ("COMPLETED", "FAILED"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert op["operationState"] == "FAILED"
    assert op["error"]["detail"] == "internal error of the facade (RuntimeError); see its log"
    assert NbiClient(edge.url, edge.credentials).find_ns(
        f"mecapp-{instance_id}") is None
    admin = {"Authorization": f"Bearer {MEP_ADMIN}"}  # registered before, deregistered again
    assert httpx.get(f"{mep.url}{PM}/{instance_id}", headers=admin).status_code == 404
