"""RFC 7807 ProblemDetails bodies as the MEC APIs (MEC 011, MEC 010-2) return them, shared
by the MEP and the MEC 010-2 facade. Plain data: no web framework here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

PROBLEM_JSON = "application/problem+json"
TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
          405: "Method Not Allowed", 406: "Not Acceptable", 409: "Conflict",
          412: "Precondition Failed", 413: "Payload Too Large", 414: "URI Too Long",
          415: "Unsupported Media Type", 429: "Too Many Requests",
          500: "Internal Server Error", 503: "Service Unavailable"}


def problem_body(status: int, detail: str, instance: str = "") -> dict[str, Any]:
    """type, title, status, detail (and instance when given)."""
    body: dict[str, Any] = {"type": f"https://httpstatuses.io/{status}",
                            "title": TITLES.get(status, "Error"), "status": status,
                            "detail": detail}
    if instance:
        body["instance"] = instance
    return body


def validation_detail(errors: Iterable[Mapping[str, Any]], limit: int = 10) -> str:
    """A request validator's errors (pydantic's shape: loc, msg) as one line naming each
    field: ``field.path: what is wrong; ...``."""
    parts = []
    for index, error in enumerate(errors):
        if index >= limit:
            break
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{where or 'body'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"
