"""What an NbiClient sent and what OSM's real NBI answered, recorded by a requests response
hook on the client's own session (nothing is replaced: the real requests go out)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from osm_mec.osm.nbi import NbiClient


@dataclass(frozen=True)
class Sent:
    """One request as it left the client, and the HTTP status NBI gave it."""

    method: str
    path: str                 # after the /osm base
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any                 # decoded JSON, raw bytes (packages) or None
    status: int


class Recorder:
    """Every request `client` sends from now on, in order."""

    def __init__(self, client: NbiClient) -> None:
        self.base = urlsplit(client.url).path
        self.sent: list[Sent] = []
        client.session.hooks["response"].append(self._hook)

    def _hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        url = urlsplit(request.url or "")
        body: Any = request.body
        if body is not None and request.headers.get("Content-Type") == "application/json":
            body = json.loads(body)
        self.sent.append(Sent(request.method or "", url.path[len(self.base):],
                              parse_qs(url.query), dict(request.headers), body,
                              response.status_code))

    def mark(self) -> int:
        return len(self.sent)

    def since(self, mark: int, method: str | None = None) -> list[Sent]:
        return [s for s in self.sent[mark:] if method is None or s.method == method]

    def one(self, mark: int, method: str, path: str) -> Sent:
        """The single request `method path` sent since `mark`."""
        found = [s for s in self.sent[mark:] if s.method == method and s.path == path]
        assert len(found) == 1, (method, path, [(s.method, s.path) for s in self.sent[mark:]])
        return found[0]


def assert_json_request(sent: Sent) -> None:
    """The headers of an authenticated JSON request, as osmclient sends them."""
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["Authorization"].startswith("Bearer ")
    if sent.body is not None:
        assert sent.headers["Content-Type"] == "application/json"
