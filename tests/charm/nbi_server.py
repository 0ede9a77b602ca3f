"""A real HTTP server speaking the NBI calls register-cluster makes (tokens, vim_accounts,
k8sclusters), with OSM's status codes and error bodies (osm-nbi.md). It answers JSON
only when asked for it, as NBI does, and can start late to exercise retries."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class NbiState:
    def __init__(self, enable_after: int = 2, final_state: str = "ENABLED") -> None:
        self.users = {"admin": "s3cret pass"}
        self.tokens: set[str] = set()
        self.vims = [{"_id": "vim-0001", "name": "edge-vim"}]
        self.clusters: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = {}
        self.enable_after = enable_after
        self.final_state = final_state
        self.requests: list[tuple[str, str, Any]] = []


def _handler(state: NbiState):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, code: str, detail: str) -> None:
            self._send(status, {"code": code, "status": status, "detail": detail})

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length)) if length else None

        def _authorised(self) -> bool:
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            if token not in state.tokens:
                self._error(401, "UNAUTHORIZED", "Needed a token or Authorization HTTP header")
                return False
            return True

        def do_POST(self) -> None:  # noqa: N802
            body = self._body()
            state.requests.append(("POST", self.path, body))
            if self.path == "/osm/admin/v1/tokens":
                if state.users.get(body.get("username")) != body.get("password"):
                    return self._error(401, "UNAUTHORIZED", "Invalid username or password")
                token = uuid.uuid4().hex
                state.tokens.add(token)
                return self._send(200, {"_id": token, "id": token, "expires": 0,
                                        "project_id": body.get("project_id")})
            if not self._authorised():
                return None
            if self.path == "/osm/admin/v1/k8sclusters":
                if any(c["name"] == body["name"] for c in state.clusters.values()):
                    return self._error(409, "CONFLICT", f"name '{body['name']}' already exists")
                cid = str(uuid.uuid4())
                state.clusters[cid] = {"_id": cid, **body,
                                       "_admin": {"operationalState": "PROCESSING"}}
                state.polls[cid] = 0
                return self._send(202, {"id": cid, "op_id": f"{cid}:0"})
            return self._error(404, "NOT_FOUND", "URL not found")

        def do_GET(self) -> None:  # noqa: N802
            state.requests.append(("GET", self.path, None))
            if not self._authorised():
                return None
            if self.path == "/osm/admin/v1/vim_accounts":
                return self._send(200, state.vims)
            if self.path == "/osm/admin/v1/k8sclusters":
                return self._send(200, list(state.clusters.values()))
            prefix = "/osm/admin/v1/k8sclusters/"
            if self.path.startswith(prefix):
                cid = self.path[len(prefix):]
                cluster = state.clusters.get(cid)
                if cluster is None:
                    return self._error(404, "NOT_FOUND", f"k8scluster {cid} not found")
                state.polls[cid] += 1
                if state.polls[cid] > state.enable_after:
                    cluster["_admin"] = {"operationalState": state.final_state,
                                         "detailed-status": "kubeconfig rejected" if
                                         state.final_state == "ERROR" else "ok"}
                return self._send(200, cluster)
            return self._error(404, "NOT_FOUND", "URL not found")

    return Handler


class NbiServer:
    """Start with `start()`; `url` is the NBI base URL (http://127.0.0.1:<port>/osm)."""

    def __init__(self, state: NbiState | None = None, port: int = 0) -> None:
        self.state = state or NbiState()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self.state))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/osm"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> "NbiServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
