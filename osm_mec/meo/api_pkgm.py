"""HTTP routes of MEC 010-2 AppPkgm (/app_pkgm/v1): thin, the work is in pkgm.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from . import pkgm
from .context import PKGM_BASE, authorized, ctx
from .models import AppPkgInfoModifications, AppPkgSubscription, CreateAppPkg
from .problems import Problem
from .responses import created
from .store import public

router = APIRouter(prefix=PKGM_BASE, dependencies=[Depends(authorized)])
ZIP = "application/zip"


@router.post("/app_packages", status_code=201)
def create_package(body: CreateAppPkg, request: Request) -> JSONResponse:
    info = pkgm.create(ctx(request), body)
    # the v2.1.1 document answers the creation with an array of AppPkgInfo
    return created(info, [info])


@router.get("/app_packages")
def list_packages(request: Request) -> JSONResponse:
    return JSONResponse(pkgm.listing(ctx(request)))


@router.get("/app_packages/{appPkgId}")
def get_package(appPkgId: str, request: Request) -> JSONResponse:
    meo = ctx(request)
    return JSONResponse(pkgm.view(meo, pkgm.get(meo, appPkgId), pkgm.packages_in_use(meo)))


@router.patch("/app_packages/{appPkgId}")
def patch_package(appPkgId: str, body: AppPkgInfoModifications,
                  request: Request) -> JSONResponse:
    return JSONResponse(pkgm.set_state(ctx(request), appPkgId, body))


@router.delete("/app_packages/{appPkgId}", status_code=204)
def delete_package(appPkgId: str, request: Request) -> Response:
    pkgm.delete(ctx(request), appPkgId)
    return Response(status_code=204)


async def _upload(request: Request, record_id: str) -> Response:
    meo = ctx(request)
    limit = meo.settings.max_package_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Problem(400, f"the package is larger than {limit} bytes")
    content = bytearray()
    async for chunk in request.stream():
        content += chunk
        if len(content) > limit:
            raise Problem(400, f"the package is larger than {limit} bytes")
    if not content:
        raise Problem(400, "empty body: send the AppD package archive (zip or tar.gz)")
    await run_in_threadpool(pkgm.upload, meo, record_id, bytes(content))
    return Response(status_code=202)


@router.put("/app_packages/{appPkgId}/package_content", status_code=202)
async def upload_content(appPkgId: str, request: Request) -> Response:
    return await _upload(request, appPkgId)


@router.get("/app_packages/{appPkgId}/package_content")
def get_content(appPkgId: str, request: Request) -> Response:
    meo = ctx(request)
    return Response(pkgm.content(meo, pkgm.get(meo, appPkgId)), media_type=ZIP)


@router.get("/app_packages/{appPkgId}/appd")
def get_appd(appPkgId: str, request: Request) -> Response:
    meo = ctx(request)
    return PlainTextResponse(pkgm.appd_text(pkgm.get(meo, appPkgId)))


@router.get("/onboarded_app_packages/{appDId}/appd")
def get_onboarded_appd(appDId: str, request: Request) -> Response:
    return PlainTextResponse(pkgm.appd_text(pkgm.by_appd(ctx(request), appDId)))


@router.get("/onboarded_app_packages/{appDId}/package_content")
def get_onboarded_content(appDId: str, request: Request) -> Response:
    meo = ctx(request)
    return Response(pkgm.content(meo, pkgm.by_appd(meo, appDId)), media_type=ZIP)


@router.put("/onboarded_app_packages/{appDId}/package_content", status_code=202)
async def upload_onboarded_content(appDId: str, request: Request) -> Response:
    """Onboarded already (that is how an appDId is known): uploading again is refused."""
    record = await run_in_threadpool(pkgm.by_appd, ctx(request), appDId)
    return await _upload(request, record["id"])


@router.post("/subscriptions", status_code=201)
def subscribe(body: AppPkgSubscription, request: Request) -> JSONResponse:
    return created(pkgm.subscribe(ctx(request), body))


@router.get("/subscriptions")
def list_subscriptions(request: Request) -> JSONResponse:
    return JSONResponse(pkgm.subscription_list(ctx(request)))


@router.get("/subscriptions/{subscriptionId}")
def get_subscription(subscriptionId: str, request: Request) -> JSONResponse:
    return JSONResponse(public(pkgm.subscription(ctx(request), subscriptionId)))


@router.delete("/subscriptions/{subscriptionId}", status_code=204)
def delete_subscription(subscriptionId: str, request: Request) -> Response:
    pkgm.unsubscribe(ctx(request), subscriptionId)
    return Response(status_code=204)
