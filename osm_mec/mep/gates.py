"""ASGI gates in front of the MEP's routes: request bodies must be JSON (415 otherwise)
and no larger than a limit (413, whether declared with Content-Length or streamed in
chunks). Both answer with problem+json before any route runs."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException

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
        await response(scope, None, send)


class TooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")
