"""The frame both MEC APIs' applications share (the MEP's Mp1, the facade's MEC 010-2): a
FastAPI application for version 2.1.1 of the documents, its OpenAPI page at /docs, its
ProblemDetails handlers and its routers.

This module imports FastAPI: only the MEP and the facade use it (their install extras bring
it), no other module of ``core`` imports it, so the core install works without it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI

MEC_API_VERSION = "2.1.1"
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def mec_application(title: str, lifespan: Lifespan, install_problems: Callable[[FastAPI], None],
                    routers: Iterable[APIRouter], **state: Any) -> FastAPI:
    """The application: ``state`` set on ``app.state`` first, then the error handlers
    (``install_problems``), then the routers in the order given."""
    app = FastAPI(title=title, version=MEC_API_VERSION, lifespan=lifespan, docs_url="/docs",
                  redoc_url=None)
    for name, value in state.items():
        setattr(app.state, name, value)
    install_problems(app)
    for router in routers:
        app.include_router(router)
    return app
