"""``KubeconfigApi`` against a local HTTPS server that answers as the Kubernetes API server
does for the few calls it makes (201 created, 409 AlreadyExists, 404 NotFound, Status
bodies). Test double: the API server itself (no Kubernetes runs here); the server checks
every path, method, body and Authorization header, and TLS is verified with the
kubeconfig's certificate-authority-data. Until run against a real API server, the
paths and bodies are a claim checked against Kubernetes' documented core/v1 API."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import requests.certs

from osm_mec.osm.kube import HIDDEN, KubeconfigApi, KubeFailed
from osm_mec.sandbox.tls import self_signed

BEARER = "kube-api-bearer-token"
SECRET_VALUE = "the-mep-admin-token"
MANAGED = {"app.kubernetes.io/managed-by": "osm-mec"}


class FakeApiServer:
    """The API server's answers for namespaces, Secrets and Services; every request is
    recorded as (method, path, Authorization header, JSON body)."""

    def __init__(self, folder: Path) -> None:
        self.requests: list[tuple[str, str, str | None, Any]] = []
        self.namespaces: set[str] = set()
        self.secrets: dict[tuple[str, str], dict[str, Any]] = {}
        self.services: dict[tuple[str, str], dict[str, Any]] = {}
        self.refuse: tuple[int, str] | None = None  # (status, message) for every request
        ca, context = self_signed(folder)
        self.ca = ca.read_bytes()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def kubeconfig(self, **user: Any) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "Config",
                "clusters": [{"name": "c", "cluster": {
                    "server": self.url,
                    "certificate-authority-data": base64.b64encode(self.ca).decode()}}],
                "users": [{"name": "u", "user": user or {"token": BEARER}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}]}

    def answer(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        if self.refuse:
            return self.refuse[0], status(self.refuse[0], self.refuse[1])
        parts = path.strip("/").split("/")  # api v1 namespaces [ns [kind [name]]]
        if parts[:3] != ["api", "v1", "namespaces"]:
            return 404, status(404, "the server could not find the requested resource")
        if len(parts) == 3 and method == "POST":
            name = body["metadata"]["name"]
            if name in self.namespaces:
                return 409, status(409, f'namespaces "{name}" already exists')
            self.namespaces.add(name)
            return 201, body
        namespace, kind, rest = parts[3], parts[4], parts[5:]
        table = {"secrets": self.secrets, "services": self.services}[kind]
        if namespace not in self.namespaces and kind == "secrets":
            return 404, status(404, f'namespaces "{namespace}" not found')
        key = (namespace, rest[0] if rest else body["metadata"]["name"])
        if method == "POST":
            if key in table:
                return 409, status(409, f'{kind} "{key[1]}" already exists')
            if kind == "services":
                body["spec"]["ports"][0]["nodePort"] = 30000 + len(table)
            table[key] = body
            return 201, body
        if key not in table:
            return 404, status(404, f'{kind} "{key[1]}" not found')
        if method == "GET":
            return 200, table[key]
        if method == "PUT":
            table[key] = body
            return 200, body
        if method == "DELETE":
            del table[key]
            return 200, status(200, "")
        return 405, status(405, "method not allowed")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                server.requests.append((self.command, self.path,
                                        self.headers.get("Authorization"), body))
                code, answer = server.answer(self.command, self.path, body)
                data = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def status(code: int, message: str) -> dict[str, Any]:
    """A Kubernetes Status body."""
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure" if code >= 300 else
            "Success", "message": message, "code": code}


@pytest.fixture()
def api(tmp_path: Path, monkeypatch) -> Iterator[FakeApiServer]:
    """The fake API server; REQUESTS_CA_BUNDLE names the system's CAs, as on many machines
    (requests would let it override a session's CA: the kubeconfig's must still win)."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())
    server = FakeApiServer(tmp_path)
    yield server
    server.stop()


def test_ensure_secret_creates_namespace_then_secret(api) -> None:
    KubeconfigApi(api.kubeconfig()).ensure_secret("mecaas-acme-mep", "mep-admin",
                                                  {"admin-token": SECRET_VALUE})
    assert [(m, p, auth) for m, p, auth, _ in api.requests] == [
        ("POST", "/api/v1/namespaces", f"Bearer {BEARER}"),
        ("POST", "/api/v1/namespaces/mecaas-acme-mep/secrets", f"Bearer {BEARER}")]
    assert api.requests[0][3] == {"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": "mecaas-acme-mep", "labels": MANAGED}}
    assert api.requests[1][3] == {
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "mep-admin", "namespace": "mecaas-acme-mep", "labels": MANAGED},
        "stringData": {"admin-token": SECRET_VALUE}}


def test_ensure_secret_again_replaces_it(api) -> None:
    kube = KubeconfigApi(api.kubeconfig())
    kube.ensure_secret("ns1", "mep-admin", {"admin-token": "first"})
    api.requests.clear()
    kube.ensure_secret("ns1", "mep-admin", {"admin-token": SECRET_VALUE})
    assert [(m, p) for m, p, _, _ in api.requests] == [
        ("POST", "/api/v1/namespaces"),  # 409: exists
        ("POST", "/api/v1/namespaces/ns1/secrets"),  # 409: exists
        ("PUT", "/api/v1/namespaces/ns1/secrets/mep-admin")]
    assert api.secrets[("ns1", "mep-admin")]["stringData"] == {"admin-token": SECRET_VALUE}


def test_delete_secret_and_already_gone(api) -> None:
    kube = KubeconfigApi(api.kubeconfig())
    kube.ensure_secret("ns1", "mep-admin", {"admin-token": SECRET_VALUE})
    kube.delete_secret("ns1", "mep-admin")
    kube.delete_secret("ns1", "mep-admin")  # 404: already gone
    assert [(m, p) for m, p, _, _ in api.requests[-2:]] == [
        ("DELETE", "/api/v1/namespaces/ns1/secrets/mep-admin")] * 2
    assert not api.secrets


def test_refusals_never_show_the_secret(api) -> None:
    api.refuse = (403, f'secrets is forbidden: value "{SECRET_VALUE}" rejected')
    with pytest.raises(KubeFailed) as refused:
        KubeconfigApi(api.kubeconfig()).ensure_secret("ns1", "s", {"k": SECRET_VALUE})
    assert refused.value.status == 403
    assert SECRET_VALUE not in str(refused.value) and HIDDEN in str(refused.value)
    assert "POST https://127.0.0.1" in str(refused.value)


def test_delete_refused_otherwise_than_404_fails(api) -> None:
    api.refuse = (401, "Unauthorized")
    with pytest.raises(KubeFailed) as refused:
        KubeconfigApi(api.kubeconfig(token="wrong")).delete_secret("ns1", "s")
    assert refused.value.status == 401 and api.requests[0][2] == "Bearer wrong"


def test_expose_and_node_address(api) -> None:
    kube = KubeconfigApi(api.kubeconfig())
    api.namespaces.add("osm")
    first = kube.expose("osm", "nbi-np", "nbi", 9999)
    again = kube.expose("osm", "nbi-np", "nbi", 9999)  # 409: read back
    assert first == again and (first.host, kube.node_address()) == ("127.0.0.1", "127.0.0.1")
    assert [(m, p) for m, p, _, _ in api.requests] == [
        ("POST", "/api/v1/namespaces/osm/services"), ("POST", "/api/v1/namespaces/osm/services"),
        ("GET", "/api/v1/namespaces/osm/services/nbi-np")]
    assert api.requests[0][3]["spec"]["selector"] == {"app.kubernetes.io/name": "nbi"}


def test_no_answer_and_unverified_certificate(api, tmp_path) -> None:
    config = api.kubeconfig()
    (tmp_path / "other").mkdir()
    other_ca, _ = self_signed(tmp_path / "other")
    config["clusters"][0]["cluster"]["certificate-authority-data"] = base64.b64encode(
        other_ca.read_bytes()).decode()
    with pytest.raises(KubeFailed) as untrusted:  # a certificate the CA did not sign
        KubeconfigApi(config).ensure_secret("ns1", "s", {"k": SECRET_VALUE})
    assert untrusted.value.status is None and "no answer (SSLError)" in str(untrusted.value)
    api.stop()
    with pytest.raises(KubeFailed) as gone:
        KubeconfigApi(api.kubeconfig()).delete_secret("ns1", "s")
    assert gone.value.status is None and "no answer" in str(gone.value)
