"""The CSP's MEP as the chain and the facade use it: its platform-management API
(``/mec_platform_mgmt/v1``), reached with the platform manager's (admin) bearer token.

Registering an application instance gives its credentials (``AppCredentials``) to the
caller, who hands them to the application (``osm_mec.osm.mep_access``): never logged,
never in OSM's records or in the facade's API. Deregistering gives the application its
graceful termination time. Here (and not in the facade's package) so that the chain
reaches the MEP with the ``chain`` extra alone."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from ..core.errors import OsmMecError
from ..core.retry import Backoff, poll

BASE = "/mec_platform_mgmt/v1/app_instances"
GONE_POLL = 0.2


class MepError(OsmMecError):
    """The MEP refused or did not answer; names the call and what it said."""


@dataclass(frozen=True)
class AppCredentials:
    """What the MEP issued to one application instance: its bearer token for Mp1 and its
    OAuth 2.0 client secret (hidden from repr)."""

    app_instance_id: str
    access_token: str = field(repr=False)
    client_secret: str = field(default="", repr=False)

    def secret_data(self) -> dict[str, str]:
        """The keys of the application's Secret (helm/mec-app reads ``token`` and
        ``client-secret``)."""
        data = {"token": self.access_token}
        if self.client_secret:
            data["client-secret"] = self.client_secret
        return data


def _credentials(app_instance_id: str, answer: dict[str, Any]) -> AppCredentials:
    token = answer.get("accessToken")
    if not isinstance(token, str) or not token:
        raise MepError(f"the MEP issued no accessToken for application {app_instance_id}")
    oauth2 = answer.get("oauth2") or {}
    return AppCredentials(app_instance_id, token, str(oauth2.get("clientSecret") or ""))


class MepClient:
    """One MEP, reached with the platform manager's (admin) bearer token."""

    def __init__(self, url: str, token: str, timeout: float = 10.0,
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.url = url.rstrip("/")
        self.timeout, self.sleep, self.now = timeout, sleep, now
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, self.url + path, timeout=self.timeout,
                                        **kwargs)
        except requests.RequestException as exc:
            raise MepError(f"{method} {self.url}{path}: no answer from the MEP "
                           f"({type(exc).__name__}); check that the MEP runs and its "
                           "address (--mep-url, or its KDU's Service)") from exc

    def _refused(self, response: requests.Response, what: str) -> MepError:
        try:
            detail = str(response.json().get("detail", response.text[:300]))
        except (ValueError, AttributeError):
            detail = response.text[:300]
        return MepError(f"{what}: the MEP at {self.url} answered HTTP "
                        f"{response.status_code}: {detail}")

    def register(self, app_instance_id: str, registration: dict[str, Any]) -> AppCredentials:
        """Register the instance and return its credentials. Idempotent: an instance the
        MEP has already (an earlier run stopped before the application got them) is kept,
        and gets new credentials (the MEP's token rotation), so it is never registered
        twice and the caller always holds working ones."""
        body = {**registration, "appInstanceId": app_instance_id}
        response = self._call("POST", BASE, json=body)
        if response.status_code == 409:
            response = self._call("POST", f"{BASE}/{app_instance_id}/token")
            if response.status_code != 200:
                raise self._refused(response, f"new credentials for application "
                                              f"{app_instance_id}")
        elif response.status_code != 201:
            raise self._refused(response, f"registering application {app_instance_id}")
        return _credentials(app_instance_id, response.json())

    def registered(self, app_instance_id: str) -> dict[str, Any] | None:
        """The MEP's record of the instance (no credentials), or None."""
        response = self._call("GET", f"{BASE}/{app_instance_id}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._refused(response, f"reading application {app_instance_id}")
        record: dict[str, Any] = response.json()
        return record

    def deregister(self, app_instance_id: str, graceful_timeout: float | None) -> None:
        """Deregister. Graceful (a timeout given): the MEP tells the application and waits
        for it up to the timeout; then, still there, it is removed by force."""
        path = f"{BASE}/{app_instance_id}"
        if graceful_timeout is not None:
            response = self._call("DELETE", path)
            if response.status_code in (204, 404):
                return
            if response.status_code != 202:
                raise self._refused(response, f"deregistering application {app_instance_id}")
            gone = poll(lambda: True if self.registered(app_instance_id) is None else None,
                        graceful_timeout, Backoff(GONE_POLL, factor=1.0), self.sleep, self.now)
            if gone:
                return
        response = self._call("DELETE", path, params={"force": "true"})
        if response.status_code not in (204, 404):
            raise self._refused(response, f"deregistering application {app_instance_id}")
