"""The sandbox's NBI over HTTP: OSM's paths under /osm, one named handler per method and path,
JSON (when the client accepts it) or YAML answers, injected HTTP faults. The engine's refusals
(``store.Refusal``) become NBI's status codes and error bodies {code, status, detail} here."""

from __future__ import annotations

import json
import logging
import re
import ssl
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from .. import __version__
from ..core.yamlio import YamlInputError, load_yaml
from . import admin_routes, kube_routes, packages
from .engine import ADMIN_COLLECTION, SandboxOsm
from .store import Conflict, FormatError, InvalidRequest, NotAuthenticated, NotFound, Refusal

log = logging.getLogger(__name__)
ROOT = "/osm"
SANDBOX_VERSION = {"version": f"{__version__}+osm-mec-sandbox", "date": "2026-01-01"}
Answer = tuple[Any, ...]  # (status, body) or (status, body, headers)
Handler = Callable[[SandboxOsm, "Request"], Answer]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []
PUBLIC_PATHS = ("/admin/v1/tokens", "/version")  # the only paths answered without a token


class HttpProblem(Exception):
    """An answer the HTTP layer itself gives: unknown path or method, an injected fault."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


REFUSAL_STATUS: dict[type[Refusal], int] = {
    InvalidRequest: 400, NotAuthenticated: 401, NotFound: 404, Conflict: 409, FormatError: 422}


def refusal_status(refusal: Refusal) -> int:
    """NBI's status code for a refusal of the sandbox OSM."""
    return next(status for kind, status in REFUSAL_STATUS.items() if isinstance(refusal, kind))


def error_body(status: int, detail: str) -> dict[str, Any]:
    """NBI's error body: {code, status, detail}."""
    return {"code": HTTPStatus(status).name, "status": status, "detail": detail}


class Request:
    """What a handler gets: the path's named groups, the query, the headers, the body."""

    def __init__(self, match: re.Match[str], query: dict[str, str], headers: dict[str, str],
                 raw: bytes) -> None:
        self.match, self.query, self.headers, self.raw = match, query, headers, raw

    def __getitem__(self, name: str) -> str:
        return self.match.group(name)

    def json(self) -> Any:
        if not self.raw:
            return None
        try:  # NBI reads JSON or YAML bodies
            if "yaml" not in self.headers.get("content-type", ""):
                try:
                    return json.loads(self.raw)
                except ValueError:
                    pass
            return load_yaml(self.raw, "request body")
        except YamlInputError as exc:
            raise InvalidRequest(f"Invalid body: {exc.detail}") from exc


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Register a handler for a method and a path pattern (under /osm, anchored)."""
    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^{pattern}$"), handler))
        return handler
    return register


QUERY_OPTIONS = {"vcaStatusRefresh", "FORCE"}
ID = r"(?P<id>[^/]+)"
# VIM accounts and K8s clusters: the path's collection and the engine's kind
ADMIN_KIND = {"vim_accounts": "vim", "k8sclusters": "k8scluster"}
ADMIN = r"/admin/v1/(?P<collection>vim_accounts|k8sclusters)"
# packages: the path's prefix and the engine's kind
PACKAGE_KIND = {"/vnfpkgm/v1/vnf_packages": "vnf", "/nsd/v1/ns_descriptors": "ns"}
PACKAGES = r"(?P<packages>/vnfpkgm/v1/vnf_packages|/nsd/v1/ns_descriptors)"
NS_INSTANCES = "/nslcm/v1/ns_instances(_content)?"
OP_OCCS = "/nslcm/v1/ns_lcm_op_occs"
# VNF records and operation occurrences (read only): the path's collection and the store's
# collection and kind
RECORD_KIND = {"vnf_instances": ("vnfrs", "vnfr"), "vnfrs": ("vnfrs", "vnfr"),
               "ns_lcm_op_occs": ("nslcmops", "nslcmop")}
RECORDS = r"/nslcm/v1/(?P<records>vnf_instances|vnfrs|ns_lcm_op_occs)"


def _listing(osm: SandboxOsm, collection: str, query: dict[str, str]) -> list[dict[str, Any]]:
    """The documents matching every query field, copied (filtered before copying)."""
    wanted = {k: v for k, v in query.items() if k not in QUERY_OPTIONS}
    return [osm.store.snapshot(d) for d in osm.store.find(collection)
            if all(str(d.get(k)) == v for k, v in wanted.items())]


def _location(path: str) -> dict[str, str]:
    return {"Location": f"{ROOT}{path}"}


# -- tokens, version, projects ----------------------------------------------------------
@route("POST", "/admin/v1/tokens")
def new_token(osm: SandboxOsm, r: Request) -> Answer:
    return 200, osm.login(r.json())


@route("DELETE", f"/admin/v1/tokens/{ID}")
def revoke_token(osm: SandboxOsm, r: Request) -> Answer:
    return 200, osm.revoke_token(r["id"])


@route("GET", "/version")
def version(osm: SandboxOsm, r: Request) -> Answer:
    return 200, dict(SANDBOX_VERSION)


@route("GET", "/admin/v1/projects")
def list_projects(osm: SandboxOsm, r: Request) -> Answer:
    return 200, _listing(osm, "projects", r.query)


@route("GET", f"/admin/v1/projects/{ID}")
def show_project(osm: SandboxOsm, r: Request) -> Answer:
    """A project by _id or by name."""
    named = next((p for p in osm.store.find("projects") if r["id"] in (p["_id"], p["name"])),
                 None)
    return 200, osm.store.snapshot(named or osm.store.get("projects", r["id"], "project"))


# -- VIM accounts and K8s clusters ------------------------------------------------------
@route("POST", ADMIN)
def create_account(osm: SandboxOsm, r: Request) -> Answer:
    out = osm.create_admin(ADMIN_KIND[r["collection"]], r.json())
    return 202, out, _location(f"/admin/v1/{r['collection']}/{out['_id']}")


@route("GET", ADMIN)
def list_accounts(osm: SandboxOsm, r: Request) -> Answer:
    return 200, _listing(osm, ADMIN_COLLECTION[ADMIN_KIND[r["collection"]]], r.query)


@route("GET", f"{ADMIN}/{ID}")
def show_account(osm: SandboxOsm, r: Request) -> Answer:
    kind = ADMIN_KIND[r["collection"]]
    return 200, osm.store.snapshot(osm.store.get(ADMIN_COLLECTION[kind], r["id"], kind))


@route("PATCH", f"{ADMIN}/{ID}")
def edit_account(osm: SandboxOsm, r: Request) -> Answer:
    return 202, osm.edit_admin(ADMIN_KIND[r["collection"]], r["id"], r.json())


@route("DELETE", f"{ADMIN}/{ID}")
def delete_account(osm: SandboxOsm, r: Request) -> Answer:
    return 202, osm.delete_admin(ADMIN_KIND[r["collection"]], r["id"])


# -- VNF and NS packages ----------------------------------------------------------------
@route("POST", f"{PACKAGES}_content")
def onboard_package(osm: SandboxOsm, r: Request) -> Answer:
    out = osm.onboard(PACKAGE_KIND[r["packages"]], r.raw, r.headers)
    return 201, out, _location(f"{r['packages']}_content/{out['id']}")


@route("GET", PACKAGES)
def list_packages(osm: SandboxOsm, r: Request) -> Answer:
    return 200, _listing(osm, packages.COLLECTION[PACKAGE_KIND[r["packages"]]], r.query)


@route("GET", f"{PACKAGES}/{ID}")
def show_package(osm: SandboxOsm, r: Request) -> Answer:
    kind = PACKAGE_KIND[r["packages"]]
    return 200, osm.store.snapshot(osm.store.get(packages.COLLECTION[kind], r["id"],
                                                 packages.KIND_NAMES[kind]))


@route("DELETE", f"{PACKAGES}/{ID}")
def delete_package(osm: SandboxOsm, r: Request) -> Answer:
    force = r.query.get("FORCE", "").lower() == "true"
    osm.delete_package(PACKAGE_KIND[r["packages"]], r["id"], force)
    return 204, None


# -- NS instances, VNF records, operation occurrences -----------------------------------
@route("GET", NS_INSTANCES)
def list_ns(osm: SandboxOsm, r: Request) -> Answer:
    return 200, _listing(osm, "nsrs", r.query)


@route("GET", f"{NS_INSTANCES}/{ID}")
def show_ns(osm: SandboxOsm, r: Request) -> Answer:
    return 200, osm.show_ns(r["id"], r.query.get("vcaStatusRefresh") == "true")


@route("POST", "/nslcm/v1/ns_instances_content")
def create_ns(osm: SandboxOsm, r: Request) -> Answer:
    out = osm.create_ns(r.json())
    return 201, out, _location(f"/nslcm/v1/ns_instances_content/{out['id']}")


@route("POST", f"/nslcm/v1/ns_instances/{ID}/(?P<operation>scale|action|terminate)")
def operate_ns(osm: SandboxOsm, r: Request) -> Answer:
    body, name = r.json(), osm.ns_name(r["id"])
    op = osm.operate(r["id"], r["operation"], {} if body is None else body)
    if op is None:  # NBI: a terminate with autoremove of a never-instantiated NS
        return 202, {"id": None, "nsName": None}, _location(f"{OP_OCCS}/None")
    return 202, {"id": op["_id"], "nsName": name}, _location(f"{OP_OCCS}/{op['_id']}")


@route("DELETE", f"/nslcm/v1/ns_instances/{ID}")
def delete_ns_record(osm: SandboxOsm, r: Request) -> Answer:
    osm.delete_ns_record(r["id"])
    return 204, None


@route("DELETE", f"/nslcm/v1/ns_instances_content/{ID}")
def terminate_and_delete_ns(osm: SandboxOsm, r: Request) -> Answer:
    """A terminate with autoremove; 204 (and nothing deleted, as NBI) when never instantiated."""
    name = osm.ns_name(r["id"])
    op = osm.operate(r["id"], "terminate", {"autoremove": True})
    return (202, {"_id": op["_id"], "nsName": name}) if op else (204, None)


@route("GET", RECORDS)
def list_records(osm: SandboxOsm, r: Request) -> Answer:
    collection, _ = RECORD_KIND[r["records"]]
    return 200, _listing(osm, collection, r.query)


@route("GET", f"{RECORDS}/{ID}")
def show_record(osm: SandboxOsm, r: Request) -> Answer:
    collection, kind = RECORD_KIND[r["records"]]
    return 200, osm.store.snapshot(osm.store.get(collection, r["id"], kind))


# users and projects (admin_routes), the simulated clusters' Kubernetes boundary (kube_routes)
for _method, _pattern, _handler in admin_routes.ROUTES + kube_routes.ROUTES:
    route(_method, _pattern)(_handler)


def find_route(method: str, path: str) -> tuple[Handler, re.Match[str]]:
    """The handler of a method and path; HttpProblem 404 (unknown path) or 405."""
    for verb, pattern, handler in ROUTES:
        match = pattern.match(path)
        if match and verb == method:
            return handler, match
    if any(pattern.match(path) for _, pattern, _ in ROUTES):
        raise HttpProblem(405, f"Method {method} not allowed for {path}")
    raise HttpProblem(404, f"URL {path} not found")


def _make_handler(osm: SandboxOsm) -> type[BaseHTTPRequestHandler]:
    class NbiHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stalls
        server_version = "osm-mec-sandbox"

        def log_message(self, fmt: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), fmt % args)

        def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None
                    ) -> None:
            if body is None or status == 204:
                data, kind = b"", "application/json"
            elif "application/json" in (self.headers.get("Accept") or ""):
                data, kind = json.dumps(body).encode(), "application/json"
            else:
                data = yaml.safe_dump(body, default_flow_style=False).encode()
                kind = "application/yaml"
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _dispatch(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                answer = self._handle(method, raw)
            except Refusal as refusal:
                status = refusal_status(refusal)
                answer = (status, error_body(status, refusal.detail))
            except HttpProblem as problem:
                answer = (problem.status, error_body(problem.status, problem.detail))
            except Exception as exc:  # a sandbox bug answers like NBI's own 500
                log.exception("sandbox NBI error")
                answer = (500, error_body(500, f"internal error: {exc}"))
            status, body, *extra = answer
            self._answer(status, body, extra[0] if extra else {})

        def _handle(self, method: str, raw: bytes) -> Answer:
            """Faults, routing, authorisation, then the handler's answer."""
            url = urlsplit(self.path)
            path = url.path.rstrip("/")
            if not path.startswith(ROOT):
                raise HttpProblem(404, f"URL {url.path} not found: the NBI is under {ROOT}")
            path = path[len(ROOT):]
            delay = osm.faults.delay(method, path)
            if delay:
                time.sleep(delay)
            injected = osm.faults.http_error(method, path)
            if injected:
                raise HttpProblem(injected, f"injected fault: HTTP {injected} on {method} {path}")
            handler, match = find_route(method, path)
            if path not in PUBLIC_PATHS:
                osm.authorise(self.headers.get("Authorization"))
            headers = {k.lower(): v for k, v in self.headers.items()}
            return handler(osm, Request(match, dict(parse_qsl(url.query)), headers, raw))

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_DELETE(self) -> None:
            self._dispatch("DELETE")

        def do_PUT(self) -> None:
            self._dispatch("PUT")

        def do_PATCH(self) -> None:
            self._dispatch("PATCH")

    return NbiHandler


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # many clients at once (parallel CSPs): no refused connects


class NbiServer:
    """The HTTP(S) server of one sandbox OSM, in a background thread."""

    def __init__(self, osm: SandboxOsm, host: str = "127.0.0.1", port: int = 0,
                 tls: ssl.SSLContext | None = None) -> None:
        self.httpd = _Server((host, port), _make_handler(osm))
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.host, self.port = host, self.httpd.server_address[1]
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="sandbox-nbi",
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{ROOT}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
