"""The CSP's MEP as the facade uses it (its platform-management API): register an
application instance with the rules and services its AppD names once OSM has deployed it,
and deregister it at termination, giving the application its graceful termination time.

The credentials the MEP issues to the application are written to a 0600 file for the
operator to hand to the application (never logged, never in OSM or in the facade's API)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from ..core.errors import OsmMecError
from ..core.retry import Backoff, poll
from ..core.secret_files import write_secret_file

BASE = "/mec_platform_mgmt/v1/app_instances"
GONE_POLL = 0.2


class MepError(OsmMecError):
    """The MEP refused or did not answer; names the call and what it said."""


class MepClient:
    """One MEP, reached with the platform manager's (admin) bearer token."""

    def __init__(self, url: str, token: str, credentials_dir: Path, timeout: float = 10.0,
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.url = url.rstrip("/")
        self.credentials_dir = credentials_dir
        self.timeout, self.sleep, self.now = timeout, sleep, now
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, self.url + path, timeout=self.timeout,
                                        **kwargs)
        except requests.RequestException as exc:
            raise MepError(f"{method} {self.url}{path}: no answer from the MEP "
                           f"({type(exc).__name__}); check --mep-url") from exc

    def _refused(self, response: requests.Response, what: str) -> MepError:
        try:
            detail = str(response.json().get("detail", response.text[:300]))
        except ValueError:
            detail = response.text[:300]
        return MepError(f"{what}: the MEP answered HTTP {response.status_code}: {detail}")

    def register(self, app_instance_id: str, registration: dict[str, Any]) -> dict[str, Any]:
        """Register (idempotent: an instance registered already is kept); the MEP's
        record without credentials."""
        body = {**registration, "appInstanceId": app_instance_id}
        response = self._call("POST", BASE, json=body)
        if response.status_code == 409:
            return self.registered(app_instance_id) or {}
        if response.status_code != 201:
            raise self._refused(response, f"registering application {app_instance_id}")
        answer = response.json()
        secret = {k: answer[k] for k in ("accessToken", "oauth2") if k in answer}
        write_secret_file(self.credentials_dir / f"{app_instance_id}.json",
                          json.dumps({"appInstanceId": app_instance_id, "mepUrl": self.url,
                                      **secret}, indent=2) + "\n")
        return {k: v for k, v in answer.items() if k not in secret}

    def registered(self, app_instance_id: str) -> dict[str, Any] | None:
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
                self._forget(app_instance_id)
                return
            if response.status_code != 202:
                raise self._refused(response, f"deregistering application {app_instance_id}")
            gone = poll(lambda: True if self.registered(app_instance_id) is None else None,
                        graceful_timeout, Backoff(GONE_POLL, factor=1.0), self.sleep, self.now)
            if gone:
                self._forget(app_instance_id)
                return
        response = self._call("DELETE", path, params={"force": "true"})
        if response.status_code not in (204, 404):
            raise self._refused(response, f"deregistering application {app_instance_id}")
        self._forget(app_instance_id)

    def _forget(self, app_instance_id: str) -> None:
        (self.credentials_dir / f"{app_instance_id}.json").unlink(missing_ok=True)
