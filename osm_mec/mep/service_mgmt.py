"""MEC 011 service management API: /mec_service_mgmt/v1."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from . import oauth, subscriptions
from .context import caller, ctx, own_app
from .models import LivenessUpdate, LocalityType, SerAvailabilitySubscription, ServiceInfo
from .problems import Problem, if_match
from .store import Conflict, Service

BASE = "/mec_service_mgmt/v1"
router = APIRouter(prefix=BASE)
TRANSPORT = {"id": "rest-http-json", "name": "REST", "type": "REST_HTTP", "protocol": "HTTP",
             "version": "1.1", "description": "HTTP/1.1 with JSON bodies, bearer tokens "
                                              "(OAuth 2.0 client credentials)",
             "implSpecificInfo": {"serializers": ["JSON"]}}
EXCLUSIVE = ("ser_instance_id", "ser_name", "ser_category_id")
LOCALITIES = {locality.value for locality in LocalityType}


def _transports(request: Request) -> list[dict[str, Any]]:
    """The transports this platform provides (what transportId may name)."""
    endpoint = {"uris": [str(request.base_url).rstrip("/")]}
    return [{**TRANSPORT, "endpoint": endpoint, "security": oauth.security_info(request)}]


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v for value in values for v in value.split(",") if v]


def _service_url(request: Request, owner: str, sid: str) -> str:
    return f"{str(request.base_url).rstrip('/')}{BASE}/applications/{owner}/services/{sid}"


def _with_links(request: Request, owner: str, info: dict[str, Any]) -> dict[str, Any]:
    href = _service_url(request, owner, info["serInstanceId"])
    links: dict[str, Any] = {"self": {"href": href}}
    if info.get("livenessInterval"):
        links["liveness"] = {"href": f"{href}/liveness"}
    return {**info, "_links": links}


def _record(request: Request, owner: str, body: ServiceInfo, sid: str) -> dict[str, Any]:
    """The stored form of a service an application registers or updates: a transportId
    replaced by the transport it names; livenessInterval 0 by the platform's interval."""
    if body.state.value == "SUSPENDED":
        raise Problem(400, "state SUSPENDED is set by the platform only")
    info = body.model_dump(mode="json", exclude_none=True)
    transport_id = info.pop("transportId", None)
    if transport_id is not None:
        known = {t["id"]: t for t in _transports(request)}
        if transport_id not in known:
            raise Problem(400, f"transportId {transport_id!r} is not a transport of this "
                               f"platform (GET {BASE}/transports lists {', '.join(known)})")
        info["transportInfo"] = known[transport_id]
    if info.get("livenessInterval") == 0:
        info["livenessInterval"] = ctx(request).settings.liveness_interval
    return _with_links(request, owner, {**info, "serInstanceId": sid})


def _flag(request: Request, name: str) -> bool | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise Problem(400, f"{name}: {value!r} is not a boolean (true or false)")


@dataclass(frozen=True)
class Filters:
    """The query filters of both service lists (/services and an application's own)."""

    ids: list[str] | None
    names: list[str] | None
    category: str | None
    consumed_local_only: bool | None
    is_local: bool | None
    scope_of_locality: str | None

    @property
    def by_locality(self) -> bool:
        return (self.consumed_local_only, self.is_local, self.scope_of_locality) != \
            (None, None, None)

    def keep(self, info: dict[str, Any]) -> bool:
        """The locality filters (the others select what is read)."""
        if self.consumed_local_only is not None and \
                bool(info.get("consumedLocalOnly", False)) != self.consumed_local_only:
            return False
        if self.is_local is not None and bool(info.get("isLocal", True)) != self.is_local:
            return False
        return self.scope_of_locality is None or \
            info.get("scopeOfLocality") == self.scope_of_locality


def _filters(request: Request) -> Filters:
    """The query's filters, validated: the first three are mutually exclusive (400),
    booleans and scope_of_locality must be valid values (400). Read by hand: hot path."""
    query = request.query_params
    given = [name for name in EXCLUSIVE if name in query]
    if len(given) > 1:
        raise Problem(400, f"{' and '.join(given)} are mutually exclusive: give at most one "
                           "of ser_instance_id, ser_name, ser_category_id")
    scope = query.get("scope_of_locality")
    if scope is not None and scope not in LOCALITIES:
        raise Problem(400, f"scope_of_locality: {scope!r} is not one of "
                           f"{', '.join(sorted(LOCALITIES))}")
    return Filters(
        ids=_split(query.getlist("ser_instance_id")) if "ser_instance_id" in query else None,
        names=_split(query.getlist("ser_name")) if "ser_name" in query else None,
        category=query.get("ser_category_id"),
        consumed_local_only=_flag(request, "consumed_local_only"),
        is_local=_flag(request, "is_local"), scope_of_locality=scope)


@router.get("/services")
async def discover(request: Request) -> Response:
    """Discovery with every filter (ser_instance_id, ser_name, ser_category_id,
    consumed_local_only, is_local, scope_of_locality)."""
    await caller(request)
    filters = _filters(request)
    store = ctx(request).store
    ids = filters.ids
    if filters.category is not None:
        ids = list(await store.service_ids(category=filters.category))
    answer = await store.discovery_answer(names=filters.names, ids=ids)
    if not filters.by_locality:
        return Response(answer, media_type="application/json")
    return JSONResponse([info for info in json.loads(answer) if filters.keep(info)])


@router.get("/services/{serviceId}")
async def discover_one(serviceId: str, request: Request,
                       app: str = Depends(caller)) -> Response:
    service = await ctx(request).store.get_service(serviceId)
    if service is None:
        raise Problem(404, f"service {serviceId!r} not found")
    return JSONResponse(service.info)


@router.get("/transports")
async def transports(request: Request, app: str = Depends(caller)) -> Response:
    return JSONResponse(_transports(request))


@router.get("/applications/{appInstanceId}/services")
async def own_services(request: Request, app: str = Depends(own_app)) -> Response:
    """The application's own services, with the same filters as /services."""
    filters = _filters(request)
    store = ctx(request).store
    services = await store.services(await store.service_ids(owner=app))
    result = [s.info for s in services
              if (filters.ids is None or s.info["serInstanceId"] in filters.ids)
              and (filters.names is None or s.info["serName"] in filters.names)
              and (filters.category is None
                   or (s.info.get("serCategory") or {}).get("id") == filters.category)
              and filters.keep(s.info)]
    result.sort(key=lambda i: (i["serName"], i["serInstanceId"]))
    return JSONResponse(result)


@router.post("/applications/{appInstanceId}/services", status_code=201)
async def register_service(body: ServiceInfo, request: Request,
                           app: str = Depends(own_app)) -> Response:
    mep = ctx(request)
    if body.serInstanceId is not None:
        raise Problem(400, "serInstanceId is assigned by the platform; leave it out")
    sid = str(uuid.uuid4())
    info = _record(request, app, body, sid)
    limit = mep.settings.max_services_per_app
    if not await mep.store.reserve(app, "svcs", sid, limit):
        raise Problem(403, f"application {app!r} already has {limit} services, the most "
                           "this platform allows per application: delete one first")
    service = await mep.store.add_service(app, info)
    if info.get("livenessInterval"):
        await mep.store.set_deadline(sid, mep.clock.time() + info["livenessInterval"])
    await mep.notifier.service_changed("ADDED", [service])
    url = _service_url(request, app, sid)
    return JSONResponse(info, status_code=201, headers={"Location": url, "ETag": service.etag})


async def _owned_service(request: Request, app: str, sid: str) -> Service:
    service = await ctx(request).store.get_service(sid)
    if service is None or service.owner != app:
        raise Problem(404, f"service {sid!r} of application {app!r} not found")
    return service


@router.get("/applications/{appInstanceId}/services/{serviceId}")
async def get_service(serviceId: str, request: Request,
                      app: str = Depends(own_app)) -> Response:
    service = await _owned_service(request, app, serviceId)
    return JSONResponse(service.info, headers={"ETag": service.etag})


@router.put("/applications/{appInstanceId}/services/{serviceId}")
async def update_service(serviceId: str, body: ServiceInfo, request: Request,
                         app: str = Depends(own_app)) -> Response:
    mep = ctx(request)
    await _owned_service(request, app, serviceId)
    if body.serInstanceId not in (None, serviceId):
        raise Problem(400, f"serInstanceId {body.serInstanceId!r} does not match the URI "
                           f"({serviceId!r})")
    info = _record(request, app, body, serviceId)
    try:
        old, new = await mep.store.replace_service(serviceId, info, if_match(request))
    except Conflict as exc:
        raise Problem(412, f"If-Match does not match the service's current ETag {exc}") \
            from None
    except KeyError:
        raise Problem(404, f"service {serviceId!r} not found") from None
    if info.get("livenessInterval"):
        await mep.store.set_deadline(serviceId, mep.clock.time() + info["livenessInterval"])
    else:
        await mep.store.clear_deadline(serviceId)
    change = "STATE_CHANGED" if old.info["state"] != new.info["state"] else "ATTRIBUTES_CHANGED"
    if old.info != new.info:
        await mep.notifier.service_changed(change, [new])
    return JSONResponse(new.info, headers={"ETag": new.etag})


@router.delete("/applications/{appInstanceId}/services/{serviceId}", status_code=204)
async def delete_service(serviceId: str, request: Request,
                         app: str = Depends(own_app)) -> Response:
    mep = ctx(request)
    await _owned_service(request, app, serviceId)
    service = await mep.store.delete_service(serviceId)
    if service is not None:
        await mep.notifier.service_changed("REMOVED", [service])
    return Response(status_code=204)


@router.get("/applications/{appInstanceId}/services/{serviceId}/liveness")
async def get_liveness(serviceId: str, request: Request,
                       app: str = Depends(own_app)) -> Response:
    service = await _owned_service(request, app, serviceId)
    interval = service.info.get("livenessInterval")
    if not interval:
        raise Problem(404, f"service {serviceId!r} has no livenessInterval")
    deadline = await ctx(request).store.deadline(serviceId)
    last = (deadline - interval) if deadline else ctx(request).clock.time()
    return JSONResponse({"state": service.info["state"], "interval": interval,
                         "timeStamp": {"seconds": int(last),
                                       "nanoSeconds": int((last % 1) * 1e9)}})


@router.patch("/applications/{appInstanceId}/services/{serviceId}/liveness", status_code=204)
async def heartbeat(serviceId: str, body: LivenessUpdate, request: Request,
                    app: str = Depends(own_app)) -> Response:
    """v2.2.1 heartbeat: the service stays (or becomes again) ACTIVE."""
    mep = ctx(request)
    service = await _owned_service(request, app, serviceId)
    interval = service.info.get("livenessInterval")
    if not interval:
        raise Problem(409, f"service {serviceId!r} has no livenessInterval to refresh")
    await mep.store.set_deadline(serviceId, mep.clock.time() + interval)
    if service.info["state"] == "SUSPENDED":
        _, new = await mep.store.replace_service(serviceId, {**service.info, "state": "ACTIVE"},
                                                 None)
        await mep.notifier.service_changed("STATE_CHANGED", [new])
    return Response(status_code=204)


subscriptions.add_routes(router, BASE, "availability", SerAvailabilitySubscription)
