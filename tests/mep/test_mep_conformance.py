"""Conformance: schemathesis generates requests from the official MEC 011 OpenAPI
documents (``specs/mec011`` in the developers' shared folder, see tests/shared_dir.py) and
checks every response of the running MEP: no server error, status codes and bodies as the
documents declare, problem+json errors.

The MEP's deliberate differences (README): every call needs an application's bearer token
(the documents declare no security), so the tests send one; the paths' appInstanceId is set
to the registered application so that calls reach real resources.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.shared_dir import with_shared_file

from .conftest import add_service, register_app
from .servers import MepServer, RedisServer

CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance"]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    store = RedisServer(tmp_path_factory.mktemp("conformance-redis")).start()
    server = MepServer(store.url).start()
    with httpx.Client(base_url=server.url) as client:
        app, auth = register_app(client, "conformance-app", trafficRules=[{
            "trafficRuleId": "tr-1", "filterType": "FLOW", "priority": 1,
            "trafficFilter": [{"dstAddress": ["10.0.0.1"]}], "action": "DROP",
            "state": "ACTIVE"}], dnsRules=[{
                "dnsRuleId": "dr-1", "domainName": "a.example", "ipAddressType": "IP_V4",
                "ipAddress": "10.0.0.9", "state": "ACTIVE"}])
        add_service(client, app, auth, "location")
    yield server, app, auth
    server.stop()
    store.stop()


# Deliberate difference: an invalid body is 400 everywhere (issue #4), also on the two
# confirm_* operations whose v2.1.1 responses do not list 400; a body that is not JSON is
# 415 everywhere (v2.2.1 lists 415 for these operations).
UNDOCUMENTED_400 = ("/confirm_ready", "/confirm_termination")


def _check(case, live, base: str) -> None:
    server, app, auth = live
    if case.path_parameters and "appInstanceId" in case.path_parameters:
        case.path_parameters["appInstanceId"] = app
    names = CHECKS
    if case.path.endswith(UNDOCUMENTED_400):
        names = [n for n in CHECKS if n != "status_code_conformance"]
    checks = [getattr(schemathesis.checks, name) for name in names]
    response = case.call_and_validate(base_url=f"{server.url}{base}", headers=auth,
                                      checks=checks)
    if case.path.endswith(UNDOCUMENTED_400):
        allowed = {204, 400, 401, 403, 404, 409, 415, 429} | \
            ({405} if case.method != "POST" else set())
        assert response.status_code in allowed, (case.method, response.status_code)


FAST = settings(max_examples=25, deadline=None,
                suppress_health_check=list(HealthCheck), database=None)


def conformance(document: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """schemathesis' cases of one MEC 011 document from the shared folder; without the
    document, the test becomes one that skips naming it (fails under CI=true)."""
    def parametrize(path: Path) -> Callable[[Callable[..., None]], Callable[..., None]]:
        schema = schemathesis.openapi.from_path(path)
        return lambda test: schema.parametrize()(FAST(test))
    return with_shared_file(f"specs/mec011/{document}", parametrize)


@conformance("MecServiceMgmtApi.json")
def test_service_management_conforms(case, live):
    _check(case, live, "/mec_service_mgmt/v1")


@conformance("MecAppSupportApi.json")
def test_application_support_conforms(case, live):
    if case.path.endswith("confirm_termination"):
        pytest.skip("needs a termination in progress (tested in test_mep_events)")
    _check(case, live, "/mec_app_support/v1")
