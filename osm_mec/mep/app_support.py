"""MEC 011 application support API: /mec_app_support/v1."""


import time
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from . import subscriptions
from .context import caller, ctx, own_app
from .lifecycle import finalize_termination
from .models import (
    AppReadyConfirmation,
    AppTerminationConfirmation,
    AppTerminationSubscription,
    DnsRule,
    TrafficRule,
)
from .problems import Problem, if_match
from .store import Conflict

BASE = "/mec_app_support/v1"
router = APIRouter(prefix=BASE)
RULES = {"traffic_rules": ("traffic", "trafficRuleId", TrafficRule),
         "dns_rules": ("dns", "dnsRuleId", DnsRule)}


def _rules_routes(path: str) -> None:
    kind, id_field, model = RULES[path]

    @router.get(f"/applications/{{appInstanceId}}/{path}", name=f"list_{path}")
    async def list_rules(request: Request, app: str = Depends(own_app)) -> Response:
        return JSONResponse(await ctx(request).store.rules(app, kind))

    @router.get(f"/applications/{{appInstanceId}}/{path}/{{ruleId}}", name=f"get_{path}")
    async def get_rule(ruleId: str, request: Request,
                       app: str = Depends(own_app)) -> Response:
        entry = await ctx(request).store.rule(app, kind, ruleId)
        if entry is None:
            raise Problem(404, f"{id_field} {ruleId!r} not found for application {app!r}")
        return JSONResponse(entry["rule"], headers={"ETag": entry["etag"]})

    @router.put(f"/applications/{{appInstanceId}}/{path}/{{ruleId}}", name=f"put_{path}")
    async def put_rule(ruleId: str, body: model, request: Request,  # type: ignore[valid-type]
                       app: str = Depends(own_app)) -> Response:
        rule: dict[str, Any] = body.model_dump(mode="json",  # type: ignore[attr-defined]
                                               exclude_none=True)
        if rule[id_field] != ruleId:
            raise Problem(400, f"{id_field} {rule[id_field]!r} does not match the URI "
                               f"({ruleId!r})")
        try:
            entry = await ctx(request).store.replace_rule(app, kind, ruleId, rule,
                                                          if_match(request))
        except Conflict as exc:
            raise Problem(412, f"If-Match does not match the rule's current ETag {exc}") \
                from None
        except KeyError:
            raise Problem(404, f"{id_field} {ruleId!r} not found for application {app!r}") \
                from None
        return JSONResponse(entry["rule"], headers={"ETag": entry["etag"]})


for _path in RULES:
    _rules_routes(_path)


def _for_itself(body: AppTerminationSubscription, app: str) -> None:
    """An application subscribes to its own termination only."""
    if body.appInstanceId != app:
        raise Problem(400, f"appInstanceId {body.appInstanceId!r} does not match the URI "
                           f"({app!r})")


subscriptions.add_routes(router, BASE, "termination", AppTerminationSubscription, _for_itself)


@router.post("/applications/{appInstanceId}/confirm_ready", status_code=204)
async def confirm_ready(body: AppReadyConfirmation, request: Request,
                        app: str = Depends(own_app)) -> Response:
    store = ctx(request).store
    record = await store.get_app(app)
    if record is None:
        raise Problem(404, f"application instance {app!r} is not registered")
    if record.get("state") == "TERMINATING":
        raise Problem(409, f"application {app!r} is terminating")
    if record.get("state") != "READY":
        await store.put_app({**record, "state": "READY", "readySince": time.time()})
    return Response(status_code=204)


@router.post("/applications/{appInstanceId}/confirm_termination", status_code=204)
async def confirm_termination(body: AppTerminationConfirmation, request: Request,
                              app: str = Depends(own_app)) -> Response:
    mep = ctx(request)
    record = await mep.store.get_app(app)
    if record is None or record.get("state") != "TERMINATING":
        raise Problem(409, f"no termination of application {app!r} is in progress")
    request.app.state.timers.cancel(app)
    await finalize_termination(mep, app)
    return Response(status_code=204)


def _timestamp(now: float) -> dict[str, int]:
    return {"seconds": int(now), "nanoSeconds": int((now % 1) * 1_000_000_000)}


@router.get("/timing/current_time")
async def current_time(request: Request, app: str = Depends(caller)) -> Response:
    return JSONResponse({**_timestamp(time.time()), "timeSourceStatus": "NONTRACEABLE"})


@router.get("/timing/timing_caps")
async def timing_caps(request: Request, app: str = Depends(caller)) -> Response:
    servers = [{"ntpServerAddrType": "IP_ADDRESS" if server.replace(".", "").isdigit()
                else "DNS_NAME", "ntpServerAddr": server, "minPollingInterval": 6,
                "maxPollingInterval": 10, "localPriority": 1, "authenticationOption": "NONE",
                "authenticationKeyNum": 0} for server in ctx(request).settings.ntp_servers]
    return JSONResponse({"timeStamp": _timestamp(time.time()), "ntpServers": servers})
