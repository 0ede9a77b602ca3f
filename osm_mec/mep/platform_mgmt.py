"""Management side of the platform (Mm5-style, /mec_platform_mgmt/v1): the MEC platform
manager registers an application instance with its traffic rules, DNS rules and required
services before the application starts, gets its access token, and deregisters it."""

from __future__ import annotations

import hmac
import time
import uuid

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from . import oauth
from .context import UNAUTHORIZED, ctx
from .lifecycle import finalize_termination
from .models import AppRegistration
from .problems import Problem
from .store import Credentials

BASE = "/mec_platform_mgmt/v1"
router = APIRouter(prefix=BASE)


async def manager(request: Request) -> None:
    """Only the platform manager (the admin token) may use this API."""
    expected = request.app.state.admin_token
    given = request.headers.get("authorization", "").partition(" ")[2].strip()
    if not given or not hmac.compare_digest(given, expected):
        raise Problem(401, "the platform manager's bearer token is required", UNAUTHORIZED)


def _public(app: dict) -> dict:
    return {k: v for k, v in app.items() if k != "terminationDeadline"}


def _credentials(request: Request, app_id: str, creds: Credentials) -> dict:
    """The instance's credentials as the platform manager hands them to the application:
    a bearer token, and OAuth 2.0 client credentials for MEC 009-style applications."""
    return {"accessToken": creds.access_token,
            "oauth2": {"clientId": app_id, "clientSecret": creds.client_secret,
                       "grantType": "OAUTH2_CLIENT_CREDENTIALS",
                       "tokenEndpoint": oauth.token_endpoint(request)}}


@router.post("/app_instances", status_code=201, dependencies=[Depends(manager)])
async def register_app(body: AppRegistration, request: Request) -> Response:
    store = ctx(request).store
    app_id = body.appInstanceId or str(uuid.uuid4())
    for kind, rules, field in (("traffic", body.trafficRules, "trafficRuleId"),
                               ("dns", body.dnsRules, "dnsRuleId")):
        ids = [getattr(r, field) for r in rules]
        if len(ids) != len(set(ids)):
            raise Problem(400, f"duplicate {field} in {kind} rules")
    record = {"appInstanceId": app_id, "appName": body.appName or app_id,
              "state": "INITIALIZED", "requiredServices": body.requiredServices,
              "optionalServices": body.optionalServices,
              "producedServices": body.producedServices,
              "gracefulTerminationTimeout": body.gracefulTerminationTimeout,
              "registeredAt": time.time()}
    creds = await store.create_app(record)
    if creds is None:
        raise Problem(409, f"application instance {app_id!r} is already registered")
    await store.set_rules(app_id, "traffic",
                          [r.model_dump(mode="json", exclude_none=True) for r in body.trafficRules],
                          "trafficRuleId")
    await store.set_rules(app_id, "dns",
                          [r.model_dump(mode="json", exclude_none=True) for r in body.dnsRules],
                          "dnsRuleId")
    url = f"{str(request.base_url).rstrip('/')}{BASE}/app_instances/{app_id}"
    return JSONResponse({**record, **_credentials(request, app_id, creds)}, status_code=201,
                        headers={"Location": url, "Cache-Control": "no-store"})


@router.get("/app_instances", dependencies=[Depends(manager)])
async def list_apps(request: Request) -> Response:
    apps = await ctx(request).store.list_apps()
    return JSONResponse(sorted((_public(a) for a in apps), key=lambda a: a["appInstanceId"]))


async def _app(request: Request, app_id: str) -> dict:
    record = await ctx(request).store.get_app(app_id)
    if record is None:
        raise Problem(404, f"application instance {app_id!r} is not registered")
    return record


@router.get("/app_instances/{appInstanceId}", dependencies=[Depends(manager)])
async def get_app(appInstanceId: str, request: Request) -> Response:
    return JSONResponse(_public(await _app(request, appInstanceId)))


@router.post("/app_instances/{appInstanceId}/token", dependencies=[Depends(manager)])
async def rotate_token(appInstanceId: str, request: Request) -> Response:
    """New credentials for the application; every token issued before stops working."""
    mep = ctx(request)
    record = await _app(request, appInstanceId)
    creds = await mep.store.rotate_credentials(record)
    mep.tokens.forget(appInstanceId)
    if creds is None:
        raise Problem(404, f"application instance {appInstanceId!r} is not registered")
    return JSONResponse({"appInstanceId": appInstanceId,
                         **_credentials(request, appInstanceId, creds)},
                        headers={"Cache-Control": "no-store"})


@router.delete("/app_instances/{appInstanceId}", dependencies=[Depends(manager)])
async def deregister_app(appInstanceId: str, request: Request,
                         force: bool = Query(False)) -> Response:
    """Deregister: with termination subscriptions and no force, notify the application and
    wait (up to its graceful timeout) for confirm_termination (202); else remove now (204)."""
    mep = ctx(request)
    record = await _app(request, appInstanceId)
    if not force and record.get("state") != "TERMINATING" and \
            await mep.store.subscriptions_of(appInstanceId, "termination"):
        timeout = int(record.get("gracefulTerminationTimeout", 30))
        deadline = mep.clock.time() + timeout
        await mep.store.put_app({**record, "state": "TERMINATING",
                                 "terminationDeadline": deadline})
        await mep.notifier.app_terminating(appInstanceId, timeout)
        request.app.state.timers.schedule(appInstanceId, deadline)
        return JSONResponse({**_public(record), "state": "TERMINATING"}, status_code=202)
    request.app.state.timers.cancel(appInstanceId)
    await finalize_termination(mep, appInstanceId)
    return Response(status_code=204)
