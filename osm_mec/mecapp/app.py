"""The sample MEC application.

On start it confirms ready, registers its own service, discovers the other services and
subscribes to availability changes and to its own termination; it logs notifications and
serves a page (/) and a JSON view (/state) of what it sees. On shutdown (SIGTERM, or the
MEP's termination notice) it deregisters its service and subscriptions and confirms
termination.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from .mp1 import Mp1Client

log = logging.getLogger("osm_mec.mecapp")


@dataclass
class MecAppConfig:
    """Who the application is to its MEP: a bearer token, or OAuth 2.0 client credentials
    (client id: app_id; the token endpoint defaults to the MEP's /oauth2/token)."""

    mep_url: str
    app_id: str
    token: str = field(repr=False)
    public_url: str
    service_name: str = "mec-sample"
    client_secret: str = field(default="", repr=False)
    token_endpoint: str | None = None


@dataclass
class View:
    """What the application knows, shown at /state."""

    state: str = "starting"
    service: dict[str, Any] | None = None
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    subscriptions: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"state": self.state, "service": self.service,
                "services": sorted(self.services.values(),
                                   key=lambda s: (s["serName"], s["serInstanceId"])),
                "notifications": self.notifications[-100:]}


async def start(mp1: Mp1Client, config: MecAppConfig, view: View) -> None:
    await mp1.confirm_ready()
    view.service = await mp1.register_service(config.service_name,
                                              f"{config.public_url.rstrip('/')}/")
    for service in await mp1.discover():
        view.services[service["serInstanceId"]] = service
    base = config.public_url.rstrip("/")
    view.subscriptions.append(await mp1.subscribe_availability(f"{base}/notifications"))
    view.subscriptions.append(await mp1.subscribe_termination(f"{base}/termination"))
    view.state = "running"
    log.info("ready: service %s registered, %d services discovered",
             view.service["serInstanceId"], len(view.services))


async def stop(mp1: Mp1Client, view: View) -> None:
    """Deregister (service and subscriptions), then confirm termination."""
    if view.state == "stopped":
        return
    view.state = "stopping"
    if view.service is not None:
        await mp1.delete_service(view.service["serInstanceId"])
    for href in view.subscriptions:
        await mp1.delete(href)
    confirmed = await mp1.confirm_termination()
    view.state = "stopped"
    log.info("deregistered%s", "; termination confirmed" if confirmed else "")


def _sigterm_self() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def create_app(config: MecAppConfig, mp1: Mp1Client | None = None,
               request_exit: Callable[[], None] = _sigterm_self) -> FastAPI:
    """The application; request_exit stops the server (default: SIGTERM to itself)."""
    client = mp1 or Mp1Client(config.mep_url, config.app_id, config.token,
                              client_secret=config.client_secret,
                              token_endpoint=config.token_endpoint)
    view = View()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(start(client, config, view))
        app.state.starting = task
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            try:
                await stop(client, view)
            except Exception as exc:  # noqa: BLE001 - report, still close
                log.error("deregistration failed: %s", exc)
            await client.close()

    app = FastAPI(title="osm-mec sample MEC application", lifespan=lifespan)
    app.state.view = view

    @app.get("/state")
    async def state() -> JSONResponse:
        return JSONResponse(view.as_json())

    @app.get("/", response_class=HTMLResponse)
    async def page() -> str:
        rows = "".join(f"<tr><td>{html.escape(s['serName'])}</td>"
                       f"<td>{html.escape(s['state'])}</td>"
                       f"<td>{html.escape(s['serInstanceId'])}</td></tr>"
                       for s in view.as_json()["services"])
        events = "".join(f"<li>{html.escape(n['changeType'])} {html.escape(n['serName'])}</li>"
                         for n in view.notifications[-20:])
        return (f"<!doctype html><title>{html.escape(config.service_name)}</title>"
                f"<h1>{html.escape(config.service_name)} ({html.escape(view.state)})</h1>"
                f"<h2>Services on this MEC platform</h2><table><tr><th>name</th>"
                f"<th>state</th><th>id</th></tr>{rows}</table>"
                f"<h2>Recent availability notifications</h2><ul>{events}</ul>")

    @app.post("/notifications", status_code=204)
    async def notification(request: Request) -> Response:
        body = await request.json()
        for ref in body.get("serviceReferences", []):
            entry = {"at": time.time(), "changeType": ref.get("changeType"),
                     "serName": ref.get("serName"), "serInstanceId": ref.get("serInstanceId"),
                     "state": ref.get("state")}
            view.notifications.append(entry)
            log.info("service %s %s (%s)", entry["serName"], entry["changeType"],
                     entry["state"])
            if ref.get("changeType") == "REMOVED":
                view.services.pop(ref.get("serInstanceId"), None)
            else:
                view.services[ref["serInstanceId"]] = {
                    **view.services.get(ref["serInstanceId"], {}),
                    "serName": ref.get("serName"), "serInstanceId": ref["serInstanceId"],
                    "state": ref.get("state")}
        return Response(status_code=204)

    @app.post("/termination", status_code=204)
    async def termination(request: Request) -> Response:
        body = await request.json()
        log.info("the platform asks this application to stop (%s)",
                 body.get("operationAction"))
        view.state = "terminating"
        # answer first, then stop the way SIGTERM does (deregister, confirm termination)
        asyncio.get_running_loop().call_later(0.05, request_exit)
        return Response(status_code=204)

    return app
