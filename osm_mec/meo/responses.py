"""The facade's answers that point at a resource: MEC 010-2 puts its address (the
``_links.self.href`` of the record) in the Location header of a 201 or a 202."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from fastapi.responses import JSONResponse


def location(record: dict[str, Any]) -> dict[str, str]:
    """The Location header naming ``record`` (its ``_links.self.href``)."""
    return {"Location": str(record["_links"]["self"]["href"])}


def created(record: dict[str, Any], body: Any = None) -> JSONResponse:
    """201 with the new ``record`` (or ``body`` when given) and its address."""
    return JSONResponse(record if body is None else body, status_code=201,
                        headers=location(record))


def accepted(operation: dict[str, Any]) -> Response:
    """202 with the operation occurrence's address."""
    return Response(status_code=202, headers=location(operation))
