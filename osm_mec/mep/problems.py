"""Every MEP error as application/problem+json (MEC 011 ProblemDetails)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..core.problem_details import PROBLEM_JSON, problem_body, validation_detail
from .outage import UNAVAILABLE

log = logging.getLogger("osm_mec.mep")
SAFE = "/%:@!$&'()*+,;=-._~"


class Problem(Exception):
    """Raise to answer with a ProblemDetails body."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def instance_url(scope: Mapping[str, Any]) -> str:
    """The request's URL as a valid URI (odd path segments percent-encoded)."""
    host = dict(scope.get("headers") or []).get(b"host", b"localhost").decode("latin-1")
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else quote(scope.get("path", ""), safe="/")
    return f"{scope.get('scheme', 'http')}://{host}{quote(path, safe=SAFE)}"


METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route accepts on the request's path (the router's 405 names
    only the methods of the first route matching the path)."""
    routes = request.app.router.routes
    return [method for method in METHODS
            if any(route.matches({**request.scope, "method": method})[0] == Match.FULL
                   for route in routes)]


def if_match(request: Request) -> list[str] | None:
    """The entity tags of an If-Match header (a comma-separated list, or *), or None."""
    header = request.headers.get("if-match")
    if header is None:
        return None
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def problem_response(status: int, detail: str, instance: str = "",
                     headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(problem_body(status, detail, instance), status_code=status,
                        media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, instance_url(request.scope), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(400, validation_detail(exc.errors()),
                                instance_url(request.scope))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(exc.status_code, str(exc.detail), instance_url(request.scope),
                                headers)

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        mep = request.app.state.mep
        mep.store.outage.failed(exc)
        return problem_response(
            503, "the platform's state store (Redis) is unreachable; retry later",
            instance_url(request.scope), {"Retry-After": str(mep.settings.retry_after)})

    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, _unavailable)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return problem_response(500, f"internal error: {type(exc).__name__}", instance_url(request.scope))
