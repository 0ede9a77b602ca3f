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

from . import packages
from .engine import ADMIN_COLLECTION, SandboxOsm
from .store import Problem

log = logging.getLogger(__name__)
ROOT = "/osm"
Handler = Callable[[SandboxOsm, "Request"], tuple[int, Any]]
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
            return yaml.load(self.raw.decode(), Loader=getattr(yaml, "CSafeLoader",
                                                                yaml.SafeLoader))
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise Problem(400, f"Invalid body: {exc}") from exc


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^{pattern}$"), handler))
        return handler
    return register


def _listing(osm: SandboxOsm, collection: str, query: dict[str, str]) -> list[dict[str, Any]]:
    """The documents matching every query field, copied (filtered before copying)."""
    return [osm.store.snapshot(d) for d in osm.store.find(collection)
            if all(str(d.get(k)) == v for k, v in query.items())]


ID = r"(?P<id>[^/]+)"
PKG = {"vnf": "/vnfpkgm/v1/vnf_packages", "ns": "/nsd/v1/ns_descriptors"}

route("POST", "/admin/v1/tokens")(lambda osm, r: (200, osm.login(r.json())))
for _kind, _path in (("vim", "/admin/v1/vim_accounts"), ("k8scluster", "/admin/v1/k8sclusters")):
    route("POST", _path)(lambda osm, r, k=_kind: (202, osm.create_admin(k, r.json())))
    route("GET", _path)(lambda osm, r, k=_kind: (200, _listing(osm, ADMIN_COLLECTION[k],
                                                               r.query)))
    route("GET", f"{_path}/{ID}")(lambda osm, r, k=_kind: (200, osm.store.snapshot(
        osm.store.get(ADMIN_COLLECTION[k], r["id"], k))))
    route("DELETE", f"{_path}/{ID}")(lambda osm, r, k=_kind: (202, osm.delete_admin(k, r["id"])))
for _kind, _path in PKG.items():
    route("POST", f"{_path}_content")(lambda osm, r, k=_kind: (201, osm.onboard(k, r.raw,
                                                                                 r.headers)))
    route("GET", _path)(lambda osm, r, k=_kind: (200, _listing(osm, packages.COLLECTION[k],
                                                               r.query)))
    route("GET", f"{_path}/{ID}")(lambda osm, r, k=_kind: (200, osm.store.snapshot(
        osm.store.get(packages.COLLECTION[k], r["id"], packages.KIND_NAMES[k]))))
    route("DELETE", f"{_path}/{ID}")(lambda osm, r, k=_kind: (204, osm.delete_package(
        k, r["id"], r.query.get("FORCE", "").lower() == "true")))

route("POST", "/nslcm/v1/ns_instances_content")(lambda osm, r: (201, osm.create_ns(r.json())))
route("GET", "/nslcm/v1/ns_instances(_content)?")(lambda osm, r: (200, _listing(osm, "nsrs", r.query)))
route("POST", f"/nslcm/v1/ns_instances/{ID}/scale")(lambda osm, r: (202, osm.scale(
    r["id"], r.json())))
route("POST", f"/nslcm/v1/ns_instances/{ID}/action")(lambda osm, r: (202, osm.action(
    r["id"], r.json())))
route("POST", f"/nslcm/v1/ns_instances/{ID}/terminate")(lambda osm, r: (202, osm.terminate(
    r["id"], bool((r.json() or {}).get("autoremove", False)))))
route("DELETE", f"/nslcm/v1/ns_instances/{ID}")(lambda osm, r: (204, osm.delete_ns_record(
    r["id"])))
route("GET", "/nslcm/v1/vnf_instances")(lambda osm, r: (200, _listing(osm, "vnfrs", r.query)))
route("GET", f"/nslcm/v1/vnf_instances/{ID}")(lambda osm, r: (200, osm.store.snapshot(
    osm.store.get("vnfrs", r["id"], "vnfr"))))
route("GET", "/nslcm/v1/ns_lcm_op_occs")(lambda osm, r: (200, _listing(osm, "nslcmops", r.query)))
route("GET", f"/nslcm/v1/ns_lcm_op_occs/{ID}")(lambda osm, r: (200, osm.store.snapshot(
    osm.store.get("nslcmops", r["id"], "nslcmop"))))


@route("GET", f"/nslcm/v1/ns_instances(_content)?/{ID}")
def _get_ns(osm: SandboxOsm, r: Request) -> tuple[int, Any]:
    nsr = osm.store.snapshot(osm.store.get("nsrs", r["id"], "nsr"))
    osm.publish("ns", "vca_status_refresh", {"nsr_id": r["id"]}, osm.clock.now())  # OSM's noise
    return 200, nsr


@route("DELETE", f"/nslcm/v1/ns_instances_content/{ID}")
def _delete_ns(osm: SandboxOsm, r: Request) -> tuple[int, Any]:
    op = osm.terminate(r["id"], autoremove=True)
    return (202, op) if op else (204, None)


def _make_handler(osm: SandboxOsm) -> type[BaseHTTPRequestHandler]:
    class NbiHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stalls
        server_version = "osm-mec-sandbox"

        def log_message(self, fmt: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), fmt % args)

        def _answer(self, status: int, body: Any) -> None:
            if body is None or status == 204:
                data, kind = b"", "application/json"
            elif "application/json" in (self.headers.get("Accept") or ""):
                data, kind = json.dumps(body).encode(), "application/json"
            else:
                data = yaml.safe_dump(body, default_flow_style=False).encode()
                kind = "application/yaml"
            self.send_response(status)
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
                if path != "/admin/v1/tokens":
                    osm.authorise(self.headers.get("Authorization"))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, body = handler(osm, Request(match, dict(parse_qsl(url.query)),
                                                    headers, raw))
            except Problem as problem:
                status, body = problem.status, problem.body()
            except Exception as exc:  # a sandbox bug answers like NBI's own 500
                log.exception("sandbox NBI error")
                status, body = 500, Problem(500, f"internal error: {exc}").body()
            self._answer(status, body)

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
