"""AppLcm subscriptions (AppInstanceStateChange, AppLcmOpOccStateChange) and which of them
a change matches (their state and instance filters)."""

from __future__ import annotations

import uuid
from typing import Any

from .context import LCM_BASE, MeoContext
from .models import LcmSubscriptionRequest
from .problems import Problem
from .store import Doc, public

KIND = "app_lcm_subscription"
TYPES = ("AppInstanceStateChange", "AppLcmOpOccStateChange")


def subscribe(meo: MeoContext, body: LcmSubscriptionRequest, query_type: str | None) -> Doc:
    if query_type is not None and query_type != body.subscriptionType:
        raise Problem(400, f"subscriptionType {query_type!r} in the query differs from "
                           f"{body.subscriptionType!r} in the body")
    subscription_id = str(uuid.uuid4())
    record: Doc = {"id": subscription_id, "subscriptionType": body.subscriptionType,
                   "callbackUri": body.callbackUri,
                   "_links": {"self": meo.settings.link(
                       f"{LCM_BASE}/subscriptions/{subscription_id}")}}
    if body.subscriptionType == "AppInstanceStateChange":
        # AppInstSubscriptionInfo.notificationType is mandatory: the state subscribed to
        record["notificationType"] = body.appInstanceState or "STARTED"
        record["_state"] = body.appInstanceState
        if body.appInstanceSubscriptionFilter is not None:
            record["appInstanceSubscriptionFilter"] = \
                body.appInstanceSubscriptionFilter.model_dump(mode="json", exclude_none=True)
    elif body.appLcmOpOccSubscriptionFilter is not None:
        record["appLcmOpOccSubscriptionFilter"] = body.appLcmOpOccSubscriptionFilter
    return public(meo.store.put(KIND, record))


def get(meo: MeoContext, subscription_id: str, query_type: str | None) -> Doc:
    record = meo.store.get(KIND, subscription_id)
    if record is None or (query_type is not None and record["subscriptionType"] != query_type):
        raise Problem(404, f"no subscription {subscription_id!r}"
                      + (f" of type {query_type}" if query_type else ""))
    return public(record)


def link_list(meo: MeoContext, query_type: str | None) -> Doc:
    if query_type is not None and query_type not in TYPES:
        raise Problem(400, f"subscriptionType {query_type!r}: use one of {', '.join(TYPES)}")
    return {"_links": {"self": meo.settings.link(f"{LCM_BASE}/subscriptions"),
                       "subscriptions": [
                           {"href": s["_links"]["self"]["href"],
                            "subscriptionType": s["subscriptionType"]}
                           for s in meo.store.all(KIND)
                           if query_type in (None, s["subscriptionType"])]}}


def delete(meo: MeoContext, subscription_id: str) -> None:
    if not meo.store.delete(KIND, subscription_id):
        raise Problem(404, f"no subscription {subscription_id!r}")


def selects(selector: dict[str, Any] | None, instance: Doc) -> bool:
    """AppInstanceSubscriptionFilter: does it select this application instance?"""
    if not selector or selector.get("appInstSelectorType", "VOID") == "VOID":
        return True
    kind, listed = selector["appInstSelectorType"], selector.get("appInstances") or []
    if kind == "APP_IDENTITY":
        return instance.get("id") in listed
    if kind == "APP_NAME":
        return instance.get("appInstanceName") in listed or instance.get("appName") in listed
    if kind == "APP_D_ID":
        return instance.get("appDId") in listed
    providers = selector.get("appsFromProviders") or []
    return any(p.get("appProvider") == instance.get("appProvider") and (
        not p.get("appProducts") or p["appProducts"].get("appName") == instance.get("appName"))
        for p in providers)


def _one_of(wanted: Any, value: str) -> bool:
    """A filter attribute: absent, one value, or a list of values."""
    if wanted is None:
        return True
    return value in (wanted if isinstance(wanted, list) else [wanted])


def instance_subscribers(meo: MeoContext, instance: Doc, state: str) -> list[Doc]:
    return [s for s in meo.store.all(KIND)
            if s["subscriptionType"] == "AppInstanceStateChange"
            and s.get("_state") in (None, state)
            and selects(s.get("appInstanceSubscriptionFilter"), instance)]


def op_subscribers(meo: MeoContext, instance: Doc, op: Doc) -> list[Doc]:
    found = []
    for s in meo.store.all(KIND):
        if s["subscriptionType"] != "AppLcmOpOccStateChange":
            continue
        criteria = s.get("appLcmOpOccSubscriptionFilter") or {}
        if _one_of(criteria.get("operationStates"), op["operationState"]) and \
                _one_of(criteria.get("operationTypes"), op["lcmOperation"]) and \
                selects(criteria.get("appInstanceSubscriptionFilter"), instance):
            found.append(s)
    return found
