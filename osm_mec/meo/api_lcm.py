"""HTTP routes of MEC 010-2 AppLcm (/app_lcm/v1): thin, the work is in lcm.py and
lcm_subscriptions.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from . import lcm, lcm_subscriptions
from .context import LCM_BASE, authorized, ctx
from .models import (
    CreateAppInstanceRequest,
    InstantiateAppRequest,
    LcmSubscriptionRequest,
    OperateAppRequest,
    TerminateAppRequest,
)
from .responses import accepted, created
from .store import public

router = APIRouter(prefix=LCM_BASE, dependencies=[Depends(authorized)])


@router.post("/app_instances", status_code=201)
def create_instance(body: CreateAppInstanceRequest, request: Request) -> JSONResponse:
    return created(lcm.create(ctx(request), body))


@router.get("/app_instances")
def list_instances(request: Request) -> JSONResponse:
    return JSONResponse(lcm.listing(ctx(request)))


@router.get("/app_instances/{appInstanceId}")
def get_instance(appInstanceId: str, request: Request) -> JSONResponse:
    return JSONResponse(public(lcm.get(ctx(request), appInstanceId)))


@router.delete("/app_instances/{appInstanceId}", status_code=204)
def delete_instance(appInstanceId: str, request: Request) -> Response:
    lcm.delete(ctx(request), appInstanceId)
    return Response(status_code=204)


@router.post("/app_instances/{appInstanceId}/instantiate", status_code=202)
def instantiate(appInstanceId: str, body: InstantiateAppRequest,
                request: Request) -> Response:
    return accepted(lcm.instantiate(ctx(request), appInstanceId, body))


@router.post("/app_instances/{appInstanceId}/terminate", status_code=202)
def terminate(appInstanceId: str, body: TerminateAppRequest,
              request: Request) -> Response:
    return accepted(lcm.terminate(ctx(request), appInstanceId, body))


@router.post("/app_instances/{appInstanceId}/operate", status_code=202)
def operate(appInstanceId: str, body: OperateAppRequest,
            request: Request) -> Response:
    return accepted(lcm.operate(ctx(request), appInstanceId, body))


@router.get("/app_lcm_op_occs")
def list_operations(request: Request) -> JSONResponse:
    return JSONResponse(lcm.op_listing(ctx(request)))


@router.get("/app_lcm_op_occs/{appLcmOpOccId}")
def get_operation(appLcmOpOccId: str, request: Request) -> JSONResponse:
    return JSONResponse(lcm.op_get(ctx(request), appLcmOpOccId))


@router.post("/subscriptions", status_code=201)
def subscribe(body: LcmSubscriptionRequest, request: Request,
              subscriptionType: str | None = Query(None)) -> JSONResponse:
    return created(lcm_subscriptions.subscribe(ctx(request), body, subscriptionType))


@router.get("/subscriptions")
def list_subscriptions(request: Request,
                       subscriptionType: str | None = Query(None)) -> JSONResponse:
    return JSONResponse(lcm_subscriptions.link_list(ctx(request), subscriptionType))


@router.get("/subscriptions/{subscriptionId}")
def get_subscription(subscriptionId: str, request: Request,
                     subscriptionType: str | None = Query(None)) -> JSONResponse:
    return JSONResponse(lcm_subscriptions.get(ctx(request), subscriptionId, subscriptionType))


@router.delete("/subscriptions/{subscriptionId}", status_code=204)
def delete_subscription(subscriptionId: str, request: Request) -> Response:
    lcm_subscriptions.delete(ctx(request), subscriptionId)
    return Response(status_code=204)
