"""Client of OSM's northbound API (NBI), as osmclient talks to it, with the details right:
JSON answers asked for explicitly, lazy tokens renewed once on 401, retries only where they
are safe, and creates that time out recovered by name instead of being sent twice.
Facts: ``shared/reference/osm-nbi.md``.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import yaml

from ..core.errors import UsageError
from ..core.retry import Backoff, poll
from . import waiting
from .credentials import Credentials
from .errors import NbiError, NbiFailure, OsmUnreachable

__all__ = ["NbiClient", "NbiError", "NbiFailure", "OsmUnreachable", "RetryPolicy",
           "check_nbi_url"]

log = logging.getLogger(__name__)

RETRIED_METHODS = ("GET", "DELETE")
LOOKUP_POLLING = Backoff(0.25, factor=1.0)  # a create whose answer was lost: look every 0.25 s
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PLAIN_HTTP_SIGNS = ("WRONG_VERSION_NUMBER", "record layer failure", "packet length too long",
                    "unknown protocol")
PACKAGE_PATHS = {"vnf": ("/vnfpkgm/v1/vnf_packages_content", "/vnfpkgm/v1/vnf_packages"),
                 "ns": ("/nsd/v1/ns_descriptors_content", "/nsd/v1/ns_descriptors")}
ADMIN_PATHS = {"k8scluster": "/admin/v1/k8sclusters", "vim": "/admin/v1/vim_accounts"}


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter for GET/DELETE on connection errors and 5xx."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return Backoff(self.base_delay, 2.0, self.max_delay, jitter=True).delay(attempt, rng)


def check_nbi_url(url: str, flag: str = "--osm-url") -> str:
    """An NBI base URL (http[s]://host[:port]/path), or UsageError naming the flag."""
    parts = urlsplit(url.strip())
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok \
            or any(c.isspace() for c in url.strip()):
        raise UsageError(f"{flag} {url!r}: not an NBI URL; expected "
                         "https://<host>:9999/osm (or http:// for a plain-HTTP NBI)")
    return url.strip()


def _no_answer(exc: requests.RequestException, url: str) -> str:
    """Why a request got no HTTP answer, and what to do."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        if any(s in text for s in PLAIN_HTTP_SIGNS):
            return (f"TLS handshake failed: the server at {url} answers plain HTTP, not "
                    "HTTPS; use " + url.replace("https://", "http://", 1))
        if "CERTIFICATE_VERIFY_FAILED" in text:
            return ("TLS: the NBI's certificate is not trusted; pass --ca-bundle FILE with its "
                    "CA (or --insecure to skip the check)")
        return f"TLS handshake failed ({text[-200:]}); check the URL's scheme and port"
    return (f"no answer ({exc.__class__.__name__}); check that OSM is reachable at this URL")


def _error_body(response: requests.Response) -> tuple[str, str]:
    """OSM's error body {code, status, detail} (JSON, or YAML when NBI chose YAML)."""
    try:
        body = response.json()
    except ValueError:
        try:
            body = yaml.load(response.text, Loader=SAFE_LOADER) if response.text else None
        except yaml.YAMLError:
            body = None
    if isinstance(body, dict):
        return str(body.get("code", response.reason)), str(body.get("detail", response.text))
    return response.reason or "ERROR", response.text[:500]


class NbiClient:
    """One OSM, one user. Every method either returns what OSM answered or raises NbiFailure
    (NbiError for an error answer, OsmUnreachable for none)."""

    def __init__(self, url: str, credentials: Credentials, verify: bool | str = True,
                 timeout: float = 60.0, retry: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep, seed: int | None = None,
                 recovery_grace: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.retry = retry
        self.sleep = sleep
        self.recovery_grace = recovery_grace
        self._rng = random.Random(seed)
        self.verify = verify  # passed on every request: requests lets REQUESTS_CA_BUNDLE
        self.session = requests.Session()  # override a session-level setting
        host = self.url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
        if host in LOOPBACK:  # no proxy applies: skip requests' per-call environment scan
            self.session.trust_env = False
        self.session.headers["Accept"] = "application/json"
        self._token: str | None = None
        self.server = ""  # the Server header of the last answer
        if verify is False:
            log.warning("TLS verification of %s is off (--insecure)", self.url)

    # -- transport ------------------------------------------------------------------------
    def _send(self, method: str, path: str, token: bool, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {self.token()}"
        return self.session.request(method, self.url + path, headers=headers,
                                    timeout=kwargs.pop("timeout", self.timeout),
                                    verify=self.verify, **kwargs)

    def request(self, method: str, path: str, *, auth: bool = True, ok: Iterable[int] = (),
                **kwargs: Any) -> Any:
        """One NBI call: the decoded JSON answer (None when empty), NbiError (an error
        answer) or OsmUnreachable (no answer).

        401 renews the token once; GET/DELETE are retried on connection errors and 5xx.
        """
        # logging in creates nothing: as safe to retry as a GET
        safe = method in RETRIED_METHODS or path == "/admin/v1/tokens"
        attempts = self.retry.attempts if safe else 1
        renewed = False
        attempt = 0
        while True:
            try:
                response = self._send(method, path, auth, **kwargs)
            except requests.RequestException as exc:
                attempt += 1
                if attempt >= attempts or isinstance(exc, requests.exceptions.SSLError):
                    raise OsmUnreachable(method, path, type(exc).__name__,
                                         _no_answer(exc, self.url), self.url) from exc
                self._backoff(method, path, attempt, type(exc).__name__)
                continue
            log.debug("%s %s -> %s", method, path, response.status_code)
            self.server = response.headers.get("Server", "")
            if response.status_code == 401 and auth and not renewed:
                renewed = True
                self._token = None
                continue
            if response.status_code >= 500 and attempt + 1 < attempts:
                attempt += 1
                self._backoff(method, path, attempt, f"HTTP {response.status_code}")
                continue
            if response.status_code >= 400 or (ok and response.status_code not in ok):
                code, detail = _error_body(response)
                raise NbiError(method, path, response.status_code, code, detail, self.url)
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError as exc:
                raise NbiError(method, path, response.status_code, "BAD_ANSWER",
                               "the answer is not JSON: is this an OSM NBI URL "
                               "(https://<host>:9999/osm)?", self.url) from exc

    def _backoff(self, method: str, path: str, attempt: int, why: str) -> None:
        delay = self.retry.delay(attempt - 1, self._rng)
        log.info("%s %s: %s, retrying in %.1f s (%d/%d)", method, path, why, delay, attempt,
                 self.retry.attempts - 1)
        self.sleep(delay)

    def token(self) -> str:
        """The bearer token, obtained on first use."""
        if self._token is None:
            answer = self.request("POST", "/admin/v1/tokens", auth=False, ok=(200, 201), json={
                "username": self.credentials.user, "password": self.credentials.password,
                "project_id": self.credentials.project})
            self._token = str(answer["id"])
        return self._token

    @classmethod
    def with_token(cls, url: str, token: str, verify: bool | str = True,
                   **options: Any) -> NbiClient:
        """A client that authenticates only with an NBI token issued to someone else (no
        password: a 401 is final)."""
        client = cls(url, Credentials("", "", ""), verify=verify, **options)
        client._token = token
        return client

    def issue_token(self) -> str:
        """A new NBI token for this user, separate from the client's own (hand it to one
        operation, then revoke_token it)."""
        answer = self.request("POST", "/admin/v1/tokens", auth=False, ok=(200, 201), json={
            "username": self.credentials.user, "password": self.credentials.password,
            "project_id": self.credentials.project})
        return str(answer["id"])

    def revoke_token(self, token_id: str) -> None:
        """Revoke an NBI token (DELETE /admin/v1/tokens/<id>); one already gone is fine."""
        try:
            self.request("DELETE", f"/admin/v1/tokens/{token_id}")
        except NbiError as exc:
            if exc.status != 404:
                raise

    @property
    def is_sandbox(self) -> bool:
        """True when this NBI is osm-mec's embedded sandbox (results are simulated)."""
        if not self.server:
            self.token()
        return self.server.startswith("osm-mec-sandbox")

    def _create(self, path: str, body: Any, recover: Callable[[], Any], what: str,
                **kwargs: Any) -> Any:
        """POST that creates a named object; a lost answer is recovered by lookup, not resent."""
        try:
            return self.request("POST", path, json=body, **kwargs) if body is not None \
                else self.request("POST", path, **kwargs)
        except OsmUnreachable as exc:
            found = self._look_for(recover)
            if found is None:
                raise OsmUnreachable("POST", path, exc.code, f"no answer, and {what} was not "
                                     f"there {self.recovery_grace:g} s later: OSM may not have "
                                     "created it, or may still be creating it; run the command "
                                     f"again: it adopts {what} if it appears", self.url) from exc
            log.info("POST %s: no answer, but %s exists: using it", path, what)
            return found

    def _look_for(self, recover: Callable[[], Any]) -> Any:
        """Look the object up for `recovery_grace` seconds: OSM may still be creating it."""
        def found() -> Any:
            try:
                return recover()
            except NbiFailure:
                return None

        return poll(found, self.recovery_grace, LOOKUP_POLLING, self.sleep)

    # -- packages -------------------------------------------------------------------------
    def upload_package(self, kind: str, data: bytes, filename: str, descriptor_id: str) -> str:
        """Onboard a VNF ('vnf') or NS ('ns') package; returns its _id."""
        path = PACKAGE_PATHS[kind][0]
        headers = {"Content-Type": "application/gzip", "Content-Filename": filename,
                   "Content-File-MD5": hashlib.md5(data).hexdigest()}

        def recover() -> dict[str, Any] | None:
            found = self.find_package(kind, descriptor_id)
            return {"id": found["_id"]} if found else None

        answer = self._create(path, None, recover, f"package {descriptor_id}", data=data,
                              headers=headers)
        return str(answer["id"])

    def list_packages(self, kind: str, descriptor_id: str | None = None) -> list[dict[str, Any]]:
        params = {"id": descriptor_id} if descriptor_id else None
        return self.request("GET", PACKAGE_PATHS[kind][1], params=params) or []

    def find_package(self, kind: str, descriptor_id: str) -> dict[str, Any] | None:
        return next(iter(self.list_packages(kind, descriptor_id)), None)

    def delete_package(self, kind: str, package_id: str, force: bool = False) -> None:
        params = {"FORCE": "True"} if force else None
        self.request("DELETE", f"{PACKAGE_PATHS[kind][1]}/{package_id}", params=params)

    # -- NS instances ---------------------------------------------------------------------
    def create_ns(self, name: str, nsd_id: str, vim_id: str, description: str = "",
                  config: dict[str, Any] | None = None) -> tuple[str, str]:
        """Create and instantiate an NS; returns (nsr id, instantiate op id)."""
        body = {"nsName": name, "nsdId": nsd_id, "vimAccountId": vim_id,
                "nsDescription": description or name, **(config or {})}

        def recover() -> dict[str, Any] | None:
            ns = self.find_ns(name)
            if ns is None:
                return None
            ops = [op for op in self.list_operations(ns["_id"])
                   if op.get("lcmOperationType") == "instantiate"]
            return {"id": ns["_id"], "nslcmop_id": ops[0]["id"] if ops else ""}

        answer = self._create("/nslcm/v1/ns_instances_content", body, recover, f"NS {name}")
        return str(answer["id"]), str(answer.get("nslcmop_id", ""))

    def get_ns(self, ns_id: str) -> dict[str, Any]:
        return self.request("GET", f"/nslcm/v1/ns_instances/{ns_id}")

    def list_ns(self, name: str | None = None) -> list[dict[str, Any]]:
        params = {"name": name} if name else None
        return self.request("GET", "/nslcm/v1/ns_instances", params=params) or []

    def find_ns(self, name: str) -> dict[str, Any] | None:
        return next((ns for ns in self.list_ns(name) if ns.get("name") == name), None)

    def vnf_records(self, ns_id: str) -> list[dict[str, Any]]:
        return self.request("GET", "/nslcm/v1/vnf_instances",
                            params={"nsr-id-ref": ns_id}) or []

    def scale(self, ns_id: str, member: str, aspect: str, out: bool) -> str:
        """Scale one step of `aspect` of VNF `member` out or in; returns the op id."""
        body = {"scaleType": "SCALE_VNF", "scaleVnfData": {
            "scaleVnfType": "SCALE_OUT" if out else "SCALE_IN",
            "scaleByStepData": {"scaling-group-descriptor": aspect, "member-vnf-index": member}}}
        return str(self.request("POST", f"/nslcm/v1/ns_instances/{ns_id}/scale",
                                json=body)["id"])

    def action(self, ns_id: str, member: str, primitive: str,
               params: dict[str, Any] | None = None, vdu_id: str | None = None,
               vdu_count_index: int | None = None, kdu_name: str | None = None) -> str:
        """Run a day-2 primitive; returns the op id (results are in the op's detailed-status)."""
        body: dict[str, Any] = {"member_vnf_index": member, "primitive": primitive,
                                "primitive_params": params or {}}
        if vdu_id is not None:
            body["vdu_id"] = vdu_id
        if vdu_count_index is not None:
            body["vdu_count_index"] = vdu_count_index
        if kdu_name is not None:
            body["kdu_name"] = kdu_name
        return str(self.request("POST", f"/nslcm/v1/ns_instances/{ns_id}/action",
                                json=body)["id"])

    def delete_ns(self, ns_id: str) -> str | None:
        """Terminate and delete (autoremove); the terminate op id to wait on (gone_ok), or
        None when the NS was never instantiated and is deleted already.

        NBI answers 202 ``{"_id": <op id>, "nsName"}`` (older releases ``{"_id"}``; no
        ``id``). A never-instantiated NS gets 204, and NBI master then keeps it (a
        regression): its record is deleted with ``DELETE /nslcm/v1/ns_instances/{id}``.
        """
        answer = self.request("DELETE", f"/nslcm/v1/ns_instances_content/{ns_id}")
        op_id = (answer or {}).get("_id") or (answer or {}).get("id")
        if op_id:
            return str(op_id)
        try:
            self.request("DELETE", f"/nslcm/v1/ns_instances/{ns_id}")
        except NbiError as exc:
            if exc.status != 404:  # gone already: what older NBIs do on that 204
                raise
        return None

    # -- operation occurrences ------------------------------------------------------------
    def get_operation(self, op_id: str) -> dict[str, Any]:
        return self.request("GET", f"/nslcm/v1/ns_lcm_op_occs/{op_id}")

    def list_operations(self, ns_id: str) -> list[dict[str, Any]]:
        return self.request("GET", "/nslcm/v1/ns_lcm_op_occs",
                            params={"nsInstanceId": ns_id}) or []

    # -- K8s clusters and VIM accounts ----------------------------------------------------
    def create_admin(self, kind: str, body: dict[str, Any]) -> str:
        """Create a K8s cluster ('k8scluster') or VIM account ('vim'); returns its _id."""
        path = ADMIN_PATHS[kind]

        def recover() -> dict[str, Any] | None:
            found = self.find_admin(kind, str(body["name"]))
            return {"id": found["_id"]} if found else None

        return str(self._create(path, body, recover, f"{kind} {body['name']}")["id"])

    def get_admin(self, kind: str, object_id: str) -> dict[str, Any]:
        return self.request("GET", f"{ADMIN_PATHS[kind]}/{object_id}")

    def list_admin(self, kind: str) -> list[dict[str, Any]]:
        return self.request("GET", ADMIN_PATHS[kind]) or []

    def find_admin(self, kind: str, name_or_id: str) -> dict[str, Any] | None:
        """By name (NBI filters the list), else by _id; None when neither exists."""
        found = self.request("GET", ADMIN_PATHS[kind], params={"name": name_or_id}) or []
        match = next((item for item in found if item.get("name") == name_or_id), None)
        if match is not None:
            return match
        try:
            return self.get_admin(kind, name_or_id)
        except NbiError as exc:
            if exc.status in (404, 400, 422):
                return None
            raise

    def delete_admin(self, kind: str, object_id: str) -> None:
        self.request("DELETE", f"{ADMIN_PATHS[kind]}/{object_id}")

    # -- waiting (osm_mec.osm.waiting) --------------------------------------------------------
    def wait_for_operation(self, op_id: str, timeout: float = 3600.0,
                           progress: Callable[[str], None] | None = None,
                           listener: Any = None, gone_ok: bool = False) -> dict[str, Any]:
        """See osm_mec.osm.waiting.wait_for_operation."""
        return waiting.wait_for_operation(self, op_id, timeout, progress, listener, gone_ok)

    def wait_for_admin_gone(self, kind: str, object_id: str, timeout: float = 600.0) -> None:
        """See osm_mec.osm.waiting.wait_for_admin_gone."""
        waiting.wait_for_admin_gone(self, kind, object_id, timeout)

    def wait_for_admin(self, kind: str, object_id: str, timeout: float = 600.0,
                       progress: Callable[[str], None] | None = None) -> dict[str, Any]:
        """See osm_mec.osm.waiting.wait_for_admin."""
        return waiting.wait_for_admin(self, kind, object_id, timeout, progress)
