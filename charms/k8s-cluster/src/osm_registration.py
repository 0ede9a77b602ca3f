"""Registering this cluster in an OSM through its NBI ``k8sclusters`` API (stdlib only).

Authenticates with a short-lived NBI token that osm-mec issued for this one registration
(and revokes when the action ends): no password reaches the charm. Retries until that OSM
answers (bounded), adopts an existing registration with the same name instead of
duplicating it, waits for ``_admin.operationalState`` ENABLED. A 401 is final (the token
expired or was revoked: nothing to log in again with). The token and the kubeconfig never
appear in errors or logs.

``deployment_methods`` (NBI's ``{"juju-bundle": bool, "helm-chart-v3": bool}``) tells OSM
which K8s connectors to initialise; sent only when asked (osm-mec asks only an OSM whose NBI
knows the field). An NBI that refuses it (422 naming the field) is offered the shape of the
releases that still had Helm v2, then the registration without the field; the result says
what OSM holds.
"""

import json
import ssl
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

DEPLOYMENT_METHODS = ("juju-bundle", "helm-chart-v3")
ALL_METHODS = "all"


class RegistrationError(Exception):
    """Registration failed; the message names the call and OSM's answer."""


def parse_deployment_methods(text: str) -> Optional[Dict[str, bool]]:
    """NBI's ``deployment_methods`` for the action's ``deployment-methods`` text: None for
    ``all`` or empty (not sent: OSM initialises every method), else the listed methods true
    and the others false. RegistrationError names a bad item and the accepted values.
    (osm_mec.osm.deployment_methods.parse is the same rule on osm-mec's side.)"""
    value = text.strip()
    if value in ("", ALL_METHODS):
        return None
    chosen = [item.strip() for item in value.split(",")]
    for item in chosen:
        if item not in DEPLOYMENT_METHODS:
            raise RegistrationError(
                f"deployment-methods: {item!r} is not a deployment method; use "
                f"{ALL_METHODS!r} or a comma-separated list of {', '.join(DEPLOYMENT_METHODS)}")
    return {method: method in chosen for method in DEPLOYMENT_METHODS}


def method_shapes(methods: Optional[Dict[str, bool]]) -> List[Dict[str, bool]]:
    """The ``deployment_methods`` bodies to offer, in order: NBI master's (the two keys),
    then that of releases with Helm v2 (``helm-chart`` too, false); none for OSM's default."""
    return [] if methods is None else [methods, {"helm-chart": False, **methods}]


def describe_methods(methods: Optional[Dict[str, bool]]) -> str:
    """The action result's text for what OSM was asked to initialise."""
    if methods is None:
        return "not sent (OSM initialises every method)"
    return ",".join(f"{m}={'true' if on else 'false'}" for m, on in methods.items())


class NbiAnswer(NamedTuple):
    status: int
    body: Any


class OsmRegistration:
    """Just enough of an NBI client to register one K8s cluster."""

    def __init__(self, url: str, token: str, verify_tls: bool = True, timeout: float = 600.0, poll: float = 5.0,
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.base = url.rstrip("/")
        self._token = token
        self.context = ssl.create_default_context()
        if not verify_tls:
            self.context.check_hostname = False
            self.context.verify_mode = ssl.CERT_NONE
        self.deadline = now() + timeout
        self.timeout, self.poll, self.sleep, self.now = timeout, poll, sleep, now

    def _call(self, method: str, path: str, body: Any = None) -> NbiAnswer:
        """One NBI call; connection errors and 5xx are retried until the deadline."""
        delay = 1.0
        while True:
            headers = {"Accept": "application/json", "Content-Type": "application/json",
                       "Authorization": f"Bearer {self._token}"}
            data = json.dumps(body).encode() if body is not None else None
            request = urllib.request.Request(self.base + path, data=data, method=method,
                                             headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=30, context=self.context) as resp:
                    raw = resp.read()
                    return NbiAnswer(resp.status, json.loads(raw) if raw else None)
            except urllib.error.HTTPError as exc:
                raw = exc.read()
                try:
                    answer = json.loads(raw) if raw else {}
                except ValueError:
                    answer = {"detail": raw.decode(errors="replace")[:200]}
                if exc.code == 401:
                    raise RegistrationError(
                        f"{method} {self.base}{path}: HTTP 401 {answer.get('detail', '')}: "
                        "the osm-token expired or was revoked; ask osm-mec for a new one "
                        "(run the registration again)") from None
                if exc.code < 500:
                    return NbiAnswer(exc.code, answer)
                problem = f"HTTP {exc.code} {answer.get('detail', '')}"
            except (urllib.error.URLError, OSError, ValueError) as exc:
                problem = str(getattr(exc, "reason", exc))
            if self.now() + delay > self.deadline:
                raise RegistrationError(f"{method} {self.base}{path}: OSM did not answer within "
                                        f"{self.timeout:.0f} s (last: {problem})")
            self.sleep(delay)
            delay = min(delay * 2, 15.0)

    @staticmethod
    def _detail(answer: NbiAnswer) -> str:
        return str(answer.body.get("detail", "")) if isinstance(answer.body, dict) else ""

    def _expect(self, answer: NbiAnswer, method: str, path: str, *ok: int) -> Any:
        if answer.status not in ok:
            raise RegistrationError(f"{method} {self.base}{path}: HTTP {answer.status} "
                                    f"{self._detail(answer)}")
        return answer.body

    def vim_id(self, vim: str) -> str:
        """The _id of a VIM account given by name or id."""
        path = "/admin/v1/vim_accounts"
        for account in self._expect(self._call("GET", path), "GET", path, 200) or []:
            if vim in (account.get("_id"), account.get("name")):
                return str(account["_id"])
        raise RegistrationError(f"VIM account {vim!r} not found in {self.base}; create it or "
                                "pass its name or id as vim-account")

    def find_cluster(self, name: str) -> Optional[Dict[str, Any]]:
        path = "/admin/v1/k8sclusters"
        for cluster in self._expect(self._call("GET", path), "GET", path, 200) or []:
            if cluster.get("name") == name:
                return cluster
        return None

    def register(self, name: str, vim: str, kubeconfig: Dict[str, Any], k8s_version: str,
                 vim_network: str = "", deployment_methods: Optional[Dict[str, bool]] = None
                 ) -> Dict[str, Any]:
        """Create (or adopt) the registration and wait until it is ENABLED. The result's
        ``deployment-methods`` says what OSM holds for a new registration (or an adopted
        one)."""
        vim_id = self.vim_id(vim)
        existing = self.find_cluster(name)
        created = existing is None
        if existing is None:
            body = {"name": name, "credentials": kubeconfig, "vim_account": vim_id,
                    "k8s_version": k8s_version, "nets": {"net1": vim_network or None},
                    "namespace": "kube-system", "description": "registered by osm-mec"}
            cluster_id, methods = self._create(body, deployment_methods)
        else:
            cluster_id, methods = str(existing["_id"]), describe_methods(
                existing.get("deployment_methods"))
        state = self.wait_enabled(cluster_id)
        return {"cluster-id": cluster_id, "state": state, "created": created,
                "deployment-methods": methods}

    def _create(self, body: Dict[str, Any], methods: Optional[Dict[str, bool]]
                ) -> Tuple[str, str]:
        """POST the registration, with ``deployment_methods`` when given: NBI master's two
        keys, else (a 422 naming the field) the three keys of releases that still had Helm
        v2 (``helm-chart`` false), else without the field. (id, what OSM holds)."""
        path = "/admin/v1/k8sclusters"
        refused = ""
        for shape in method_shapes(methods):
            answer = self._call("POST", path, {**body, "deployment_methods": shape})
            if answer.status != 422 or "deployment_methods" not in self._detail(answer):
                return str(self._expect(answer, "POST", path, 201, 202)["id"]), \
                    describe_methods(shape)
            refused = self._detail(answer).strip()
        created = self._expect(self._call("POST", path, body), "POST", path, 201, 202)
        return str(created["id"]), (
            f"not sent: {self.base} refused deployment_methods ({refused}); OSM initialises "
            "every method" if refused else describe_methods(None))

    def wait_enabled(self, cluster_id: str) -> str:
        path = f"/admin/v1/k8sclusters/{cluster_id}"
        while True:
            cluster = self._expect(self._call("GET", path), "GET", path, 200)
            admin = cluster.get("_admin", {}) if isinstance(cluster, dict) else {}
            state = admin.get("operationalState", "")
            if state == "ENABLED":
                return state
            if state == "ERROR":
                raise RegistrationError(f"cluster {cluster_id} is in ERROR in {self.base}: "
                                        f"{admin.get('detailed-status', 'no detail')}")
            if state == "DEGRADED":  # final: LCM initialised only some methods
                raise RegistrationError(
                    f"cluster {cluster_id} is DEGRADED in {self.base}: "
                    f"{admin.get('detailed-status', 'no detail')} (a method OSM could not "
                    "initialise; for a cluster that hosts only Helm KDUs register it with "
                    "deployment-methods=helm-chart-v3)")
            if self.now() + self.poll > self.deadline:
                raise RegistrationError(f"cluster {cluster_id} still {state or 'unknown'} after "
                                        f"{self.timeout:.0f} s")
            self.sleep(self.poll)
