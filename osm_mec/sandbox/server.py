"""The sandbox's NBI over HTTP: OSM's paths under /osm, status codes, JSON (when the client
accepts it) or YAML answers, error bodies {code, status, detail}, injected HTTP faults."""

from __future__ import annotations

import json
import logging
import re
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

import yaml

from .. import __version__
from ..core.yamlio import YamlInputError, load_yaml
from . import packages
from .engine import ADMIN_COLLECTION, SandboxOsm
from .store import Problem

log = logging.getLogger(__name__)
ROOT = "/osm"
SANDBOX_VERSION = {"version": f"{__version__}+osm-mec-sandbox", "date": "2026-01-01"}
Handler = Callable[[SandboxOsm, "Request"], tuple[Any, ...]]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


class Request:
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
            raise Problem(400, f"Invalid body: {exc.detail}") from exc


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^{pattern}$"), handler))
        return handler
    return register


QUERY_OPTIONS = {"vcaStatusRefresh", "FORCE"}


def _listing(osm: SandboxOsm, collection: str, query: dict[str, str]) -> list[dict[str, Any]]:
    """The documents matching every query field, copied (filtered before copying)."""
    wanted = {k: v for k, v in query.items() if k not in QUERY_OPTIONS}
    return [osm.store.snapshot(d) for d in osm.store.find(collection)
            if all(str(d.get(k)) == v for k, v in wanted.items())]


def _created(body: dict[str, Any], location: str) -> tuple[int, Any, dict[str, str]]:
    return 202, body, {"Location": f"{ROOT}{location}"}


ID = r"(?P<id>[^/]+)"
PKG = {"vnf": "/vnfpkgm/v1/vnf_packages", "ns": "/nsd/v1/ns_descriptors"}
ADMIN_PATHS = (("vim", "/admin/v1/vim_accounts"), ("k8scluster", "/admin/v1/k8sclusters"))

route("POST", "/admin/v1/tokens")(lambda osm, r: (200, osm.login(r.json())))
route("GET", "/version")(lambda osm, r: (200, dict(SANDBOX_VERSION)))
route("GET", "/admin/v1/projects")(lambda osm, r: (200, _listing(osm, "projects", r.query)))
route("GET", f"/admin/v1/projects/{ID}")(lambda osm, r: (200, osm.store.snapshot(next(
    (p for p in osm.store.find("projects") if r["id"] in (p["_id"], p["name"])), None)
    or osm.store.get("projects", r["id"], "project"))))
for _kind, _path in ADMIN_PATHS:
    route("POST", _path)(lambda osm, r, k=_kind, p=_path: (lambda out: _created(
        out, f"{p}/{out['_id']}"))(osm.create_admin(k, r.json())))
    route("GET", _path)(lambda osm, r, k=_kind: (200, _listing(osm, ADMIN_COLLECTION[k],
                                                               r.query)))
    route("GET", f"{_path}/{ID}")(lambda osm, r, k=_kind: (200, osm.store.snapshot(
        osm.store.get(ADMIN_COLLECTION[k], r["id"], k))))
    route("PATCH", f"{_path}/{ID}")(lambda osm, r, k=_kind: (202, osm.edit_admin(
        k, r["id"], r.json())))
    route("DELETE", f"{_path}/{ID}")(lambda osm, r, k=_kind: (202, osm.delete_admin(
        k, r["id"])))
for _kind, _path in PKG.items():
    route("POST", f"{_path}_content")(lambda osm, r, k=_kind, p=_path: (lambda out: (
        201, out, {"Location": f"{ROOT}{p}_content/{out['id']}"}))(osm.onboard(
            k, r.raw, r.headers)))
    route("GET", _path)(lambda osm, r, k=_kind: (200, _listing(osm, packages.COLLECTION[k],
                                                               r.query)))
    route("GET", f"{_path}/{ID}")(lambda osm, r, k=_kind: (200, osm.store.snapshot(
        osm.store.get(packages.COLLECTION[k], r["id"], packages.KIND_NAMES[k]))))
    route("DELETE", f"{_path}/{ID}")(lambda osm, r, k=_kind: (204, osm.delete_package(
        k, r["id"], r.query.get("FORCE", "").lower() == "true")))

route("GET", "/nslcm/v1/ns_instances(_content)?")(lambda osm, r: (200, _listing(osm, "nsrs", r.query)))
route("GET", f"/nslcm/v1/ns_instances(_content)?/{ID}")(lambda osm, r: (200, osm.show_ns(
    r["id"], r.query.get("vcaStatusRefresh") == "true")))
route("DELETE", f"/nslcm/v1/ns_instances/{ID}")(lambda osm, r: (204, osm.delete_ns_record(
    r["id"])))
for _records in ("vnf_instances", "vnfrs"):
    route("GET", f"/nslcm/v1/{_records}")(lambda osm, r: (200, _listing(osm, "vnfrs", r.query)))
    route("GET", f"/nslcm/v1/{_records}/{ID}")(lambda osm, r: (200, osm.store.snapshot(
        osm.store.get("vnfrs", r["id"], "vnfr"))))
route("GET", "/nslcm/v1/ns_lcm_op_occs")(lambda osm, r: (200, _listing(osm, "nslcmops", r.query)))
route("GET", f"/nslcm/v1/ns_lcm_op_occs/{ID}")(lambda osm, r: (200, osm.store.snapshot(
    osm.store.get("nslcmops", r["id"], "nslcmop"))))


@route("POST", "/nslcm/v1/ns_instances_content")
def _create_ns(osm: SandboxOsm, r: Request) -> tuple[int, Any, dict[str, str]]:
    out = osm.create_ns(r.json())
    return 201, out, {"Location": f"{ROOT}/nslcm/v1/ns_instances_content/{out['id']}"}


@route("POST", f"/nslcm/v1/ns_instances/{ID}/(?P<operation>scale|action|terminate)")
def _operate(osm: SandboxOsm, r: Request) -> tuple[int, Any, dict[str, str]]:
    body, name = r.json(), osm.ns_name(r["id"])
    op = osm.operate(r["id"], r["operation"], {} if body is None else body)
    if op is None:  # NBI: a terminate with autoremove of a never-instantiated NS
        return 202, {"id": None, "nsName": None}, {
            "Location": f"{ROOT}/nslcm/v1/ns_lcm_op_occs/None"}
    return 202, {"id": op["_id"], "nsName": name}, {
        "Location": f"{ROOT}/nslcm/v1/ns_lcm_op_occs/{op['_id']}"}


@route("DELETE", f"/nslcm/v1/ns_instances_content/{ID}")
def _delete_ns(osm: SandboxOsm, r: Request) -> tuple[int, Any]:
    """A terminate with autoremove; 204 (and nothing deleted, as NBI) when never instantiated."""
    name = osm.ns_name(r["id"])
    op = osm.operate(r["id"], "terminate", {"autoremove": True})
    return (202, {"_id": op["_id"], "nsName": name}) if op else (204, None)


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
            url = urlsplit(self.path)
            path = url.path.rstrip("/")
            try:
                if not path.startswith(ROOT):
                    raise Problem(404, f"URL {url.path} not found: the NBI is under {ROOT}")
                path = path[len(ROOT):]
                delay = osm.faults.delay(method, path)
                if delay:
                    time.sleep(delay)
                injected = osm.faults.http_error(method, path)
                if injected:
                    raise Problem(injected, f"injected fault: HTTP {injected} on {method} {path}")
                for verb, pattern, handler in ROUTES:
                    match = pattern.match(path)
                    if match and verb == method:
                        break
                else:
                    known = any(p.match(path) for _, p, _ in ROUTES)
                    raise Problem(405 if known else 404, f"Method {method} not allowed for "
                                  f"{path}" if known else f"URL {path} not found")
                if path not in ("/admin/v1/tokens", "/version"):
                    osm.authorise(self.headers.get("Authorization"))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, body, *extra = handler(osm, Request(match, dict(parse_qsl(url.query)),
                                                            headers, raw))
                answer_headers = extra[0] if extra else {}
            except Problem as problem:
                status, body, answer_headers = problem.status, problem.body(), {}
            except Exception as exc:  # a sandbox bug answers like NBI's own 500
                log.exception("sandbox NBI error")
                status, body = 500, Problem(500, f"internal error: {exc}").body()
                answer_headers = {}
            self._answer(status, body, answer_headers)

        def do_GET(self) -> None:  # noqa: N802
            self._dispatch("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._dispatch("POST")

        def do_DELETE(self) -> None:  # noqa: N802
            self._dispatch("DELETE")

        def do_PUT(self) -> None:  # noqa: N802
            self._dispatch("PUT")

        def do_PATCH(self) -> None:  # noqa: N802
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
