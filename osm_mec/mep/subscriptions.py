"""Subscription resources shared by both Mp1 APIs: availability subscriptions (service
management) and termination subscriptions (application support) differ only in kind,
base path and body type.

No ``from __future__ import annotations`` here: FastAPI reads the body type of the routes
``add_routes`` makes from their annotations, which must be the model itself, not its name."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from .context import ctx, own_app
from .problems import Problem


def collection_url(request: Request, base: str, app: str) -> str:
    return f"{str(request.base_url).rstrip('/')}{base}/applications/{app}/subscriptions"


async def list_links(request: Request, base: str, app: str, kind: str) -> Response:
    """The application's subscriptions of one kind as a SubscriptionLinkList."""
    subs = await ctx(request).store.subscriptions_of(app, kind)
    links = [{"href": s["body"]["_links"]["self"]["href"],
              "subscriptionType": s["body"]["subscriptionType"]} for s in subs.values()]
    return JSONResponse({"_links": {"self": {"href": collection_url(request, base, app)},
                                    "subscriptions": links}})


async def create(request: Request, base: str, app: str, kind: str,
                 body: BaseModel) -> Response:
    """Store a subscription (201 + Location) after checking its callbackReference."""
    mep = ctx(request)
    try:
        await mep.policy.check(body.callbackReference)  # type: ignore[attr-defined]
    except ValueError as exc:
        raise Problem(400, str(exc)) from None
    sub_id = mep.store.new_id()
    limit = mep.settings.max_subscriptions_per_app
    if not await mep.store.reserve(app, "subs", sub_id, limit):
        raise Problem(403, f"application {app!r} already has {limit} subscriptions, the "
                           "most this platform allows per application: delete one first")
    url = f"{collection_url(request, base, app)}/{sub_id}"
    stored = {**body.model_dump(mode="json", exclude_none=True), "_links": {"self": {"href": url}}}
    await mep.store.add_subscription(kind, app, stored, sub_id)
    return JSONResponse(stored, status_code=201, headers={"Location": url})


async def owned(request: Request, app: str, kind: str, sub_id: str) -> dict[str, Any]:
    """The application's own subscription of that kind, or 404."""
    sub = await ctx(request).store.get_subscription(sub_id)
    if sub is None or sub["owner"] != app or sub["kind"] != kind:
        raise Problem(404, f"subscription {sub_id!r} not found")
    return sub


def add_routes(router: APIRouter, base: str, kind: str, model: type[BaseModel],
               check: Callable[[Any, str], None] | None = None) -> None:
    """The subscriptions of `kind` under `base`: the calling application's list (GET), a new
    one (POST, a `model` body; `check(body, app)` raises Problem for what the model cannot
    see), then GET and DELETE of one."""

    @router.get("/applications/{appInstanceId}/subscriptions")
    async def list_subscriptions(request: Request, app: str = Depends(own_app)) -> Response:
        return await list_links(request, base, app, kind)

    @router.post("/applications/{appInstanceId}/subscriptions", status_code=201)
    async def subscribe(body: model, request: Request,  # type: ignore[valid-type]
                        app: str = Depends(own_app)) -> Response:
        if check is not None:
            check(body, app)
        return await create(request, base, app, kind, body)

    @router.get("/applications/{appInstanceId}/subscriptions/{subscriptionId}")
    async def get_subscription(subscriptionId: str, request: Request,
                               app: str = Depends(own_app)) -> Response:
        sub = await owned(request, app, kind, subscriptionId)
        return JSONResponse(sub["body"])

    @router.delete("/applications/{appInstanceId}/subscriptions/{subscriptionId}",
                   status_code=204)
    async def unsubscribe(subscriptionId: str, request: Request,
                          app: str = Depends(own_app)) -> Response:
        await owned(request, app, kind, subscriptionId)
        await ctx(request).store.delete_subscription(subscriptionId)
        return Response(status_code=204)
