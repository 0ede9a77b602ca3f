"""Conformance: schemathesis generates requests from the official MEC 010-2 (v2.1.1)
OpenAPI documents of AppPkgm and AppLcm (``specs/mec010-2`` in the developers' shared
folder, see tests/shared_dir.py) and checks every answer of a running facade over an
Edge OSM sandbox: no server error, only documented status codes, content types and bodies
as documented.

The facade's deliberate differences (docs/mec-apps.md): every call needs the operator's
bearer token (the documents declare no security), so the tests send it; path identifiers
are set to an onboarded package, its appDId and an application instance so that calls
reach real resources. The document spells the instantiate operation ``INSTATIATE``
(LcmOperation); the facade answers with the standard's ``INSTANTIATE``, which the checked
schema is told about. Deleting an application package that application instances use is
refused with 409 Conflict (as in ETSI NFV-SOL 005), a code the document does not list for
DELETE. Errors are ProblemDetails as application/problem+json (RFC 7807),
where the documents name application/json: the content-type check accepts both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.shared_dir import with_shared_file

from .conftest import MEP_ADMIN, new_instance, onboard
from .servers import AUTH, MeoServer, sample_package

CHECKS = ["not_a_server_error", "status_code_conformance", "response_schema_conformance"]
# package content (application/zip): random bytes, and a real AppD package now and then
schemathesis.openapi.media_type("application/zip", st.one_of(
    st.binary(max_size=256), st.just(sample_package("conformance-upload"))))
UNDOCUMENTED_409 = {("DELETE", "/app_packages/{appPkgId}")}
FAST = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck),
                database=None)


@pytest.fixture(scope="module")
def live(edge, mep, tmp_path_factory):
    server = MeoServer(edge.url, edge.credentials, tmp_path_factory.mktemp("conformance"),
                       mep=(mep.url, MEP_ADMIN), notify_max_attempts=1).start()
    with httpx.Client(base_url=server.url, headers=AUTH, timeout=30) as api:
        package_id = onboard(api, "conformance-app")
        instance_id = new_instance(api, "conformance-app")
    yield server, {"appPkgId": package_id, "appDId": "conformance-app",
                   "appInstanceId": instance_id}
    server.stop()


def _document(path: Path) -> dict[str, Any]:
    raw = json.loads(path.read_text())
    if "LcmOperation" in raw["components"]["schemas"]:
        raw["components"]["schemas"]["LcmOperation"]["enum"].append("INSTANTIATE")
    return raw


def conformance(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """schemathesis' cases of one document; without it, a test that skips naming it
    (fails under CI=true)."""
    def parametrize(path: Path) -> Callable[[Callable[..., None]], Callable[..., None]]:
        schema = schemathesis.openapi.from_dict(_document(path))
        return lambda test: schema.parametrize()(FAST(test))
    return with_shared_file(f"specs/mec010-2/{name}", parametrize)


def _check(case: Any, live: Any, base: str) -> None:
    server, ids = live
    for key, value in ids.items():
        if case.path_parameters and key in case.path_parameters:
            case.path_parameters[key] = value
    names = CHECKS
    if (case.method, case.path) in UNDOCUMENTED_409:
        names = [n for n in CHECKS if n != "status_code_conformance"]
    checks = [getattr(schemathesis.checks, name) for name in names]
    response = case.call_and_validate(base_url=f"{server.url}{base}", headers=AUTH,
                                      checks=checks)
    if (case.method, case.path) in UNDOCUMENTED_409:
        assert response.status_code in {204, 400, 401, 403, 404, 406, 409, 429}
    kind = (response.headers.get("content-type") or [""])[0].split(";")[0]
    if response.status_code >= 400:
        assert kind == "application/problem+json", (case.method, case.path, kind)
        assert response.json()["status"] == response.status_code


@conformance("MEC010-2_AppPkgMgmt.json")
def test_application_package_management_conforms(case, live):
    _check(case, live, "/app_pkgm/v1")


@conformance("MEC010-2_AppLcm.json")
def test_application_lifecycle_management_conforms(case, live):
    _check(case, live, "/app_lcm/v1")
