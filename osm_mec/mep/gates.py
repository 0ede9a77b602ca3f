"""ASGI gates in front of the MEP's routes: request bodies must be JSON (415 otherwise)
and no larger than a limit (413, whether declared with Content-Length or streamed in
chunks), both answered with problem+json before any route runs; and a fast path for
discovery."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from . import problems

BODY_METHODS = {"POST", "PUT", "PATCH"}


def _json(media_type: bytes) -> bool:
    kind = media_type.split(b";", 1)[0].strip().lower()
    return kind == b"application/json" or (kind.startswith(b"application/")
                                           and kind.endswith(b"+json"))


class JsonOnly:
    """415 for a body that is not declared as JSON (application/json or */*+json).
    Paths in `exempt` (the OAuth token endpoint: a form) are let through."""

    def __init__(self, app: Any, exempt: tuple[str, ...] = ()) -> None:
        self.app, self.exempt = app, exempt

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS or \
                scope["path"] in self.exempt:
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        media_type = headers.get(b"content-type")
        has_body = headers.get(b"content-length", b"0") != b"0" or \
            b"transfer-encoding" in headers
        if (media_type is not None and not _json(media_type)) or \
                (media_type is None and has_body):
            given = media_type.decode("latin-1") if media_type else "none"
            response = problems.problem_response(
                415, f"request bodies must be application/json (Content-Type: {given})",
                problems.instance_url(scope))
            return await response(scope, receive, send)
        return await self.app(scope, receive, send)


class BodyLimit:
    """Refuse request bodies over a size limit with 413, declared or streamed."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(scope, send)
        seen = 0

        async def limited() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # an HTTPException: FastAPI re-raises it from the body reader as is
                    raise TooLarge(self.limit)
            return message

        try:
            await self.app(scope, limited, send)
        except TooLarge:
            await self._refuse(scope, send)

    async def _refuse(self, scope: dict, send: Any) -> None:
        response = problems.problem_response(
            413, f"request body larger than {self.limit} bytes", problems.instance_url(scope))
        await response(scope, _no_body, send)


async def _no_body() -> dict[str, Any]:
    """An ASGI receive for an answer given before the body is read: an empty body."""
    return {"type": "http.request", "body": b"", "more_body": False}


class TooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


class FastPath:
    """Hand GET requests for one exact path (discovery, the hot path) straight to their
    handler, skipping the router's matching over every route. The handler is the route's
    own function and its errors go through the application's own exception handlers, so
    answers are the same as through the router."""

    def __init__(self, app: Any, path: str, handler: Callable[[Request], Awaitable[Any]]) -> None:
        self.app, self.path, self.handler = app, path, handler

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != self.path:
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        try:
            response = await self.handler(request)
        except Exception as exc:
            handler = _handler_for(scope["app"], exc)
            if handler is None:
                raise
            response = await handler(request, exc)
        await response(scope, receive, send)


def _handler_for(app: Any, exc: Exception) -> Callable | None:
    for kind in type(exc).__mro__:
        if kind is not Exception and kind in app.exception_handlers:
            return app.exception_handlers[kind]
    return None
