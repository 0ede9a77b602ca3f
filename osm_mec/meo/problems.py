"""Every facade error as MEC 010-2 ProblemDetails (application/problem+json)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..core.problem_details import PROBLEM_JSON, problem_body, validation_detail

log = logging.getLogger("osm_mec.meo")
UNAUTHORIZED = {"WWW-Authenticate": 'Bearer realm="meo"'}


class Problem(Exception):
    """Raise to answer with a ProblemDetails body."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


def problem(status: int, detail: str, instance: str = "",
            headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(problem_body(status, detail, instance), status_code=status,
                        media_type=PROBLEM_JSON, headers=headers)


def found(record: dict[str, Any] | None, what: str) -> dict[str, Any]:
    """The record, or 404 naming what was asked for."""
    if record is None:
        raise Problem(404, f"no {what}")
    return record


def _instance(request: Request) -> str:
    return str(request.url.replace(query=""))


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return problem(exc.status, exc.detail, _instance(request), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(400, validation_detail(exc.errors()), _instance(request))

    @app.exception_handler(HTTPException)
    async def on_http(request: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), _instance(request),
                       dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return problem(500, f"internal error: {type(exc).__name__}", _instance(request))
