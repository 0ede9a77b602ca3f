"""Application lifecycle management (MEC 010-2 AppLcm) on the Edge OSM.

An application instance is the facade's record until it is instantiated; instantiate
registers it with the CSP's MEP with the AppD's rules and services and leaves its MEP
credentials where the application reads them (a Secret in its namespace on the edge
cluster, else a 0600 file: osm_mec.osm.mep_access), then creates and instantiates its NS in
the Edge OSM with the MEP's URL, its instance id and the Secret's name as the KDU's ``mep``
values (OSM's answer comes before the 202); a worker follows OSM's operation (Kafka or
polling). A failed instantiation is undone (NS removed, deregistered). Terminate
deregisters it from the MEP first (giving it its graceful termination time) and deletes
its credentials, then terminates and removes the NS. Every state change is an operation
occurrence (app_lcm_op_occs) and a notification to the matching subscriptions."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from ..core.errors import OsmMecError
from ..osm.waiting import OperationFailed
from . import pkgm
from .appd_bridge import instantiation_config
from .context import LCM_BASE as BASE
from .context import MeoContext
from .lcm_subscriptions import instance_subscribers, op_subscribers
from .models import (
    CreateAppInstanceRequest,
    InstantiateAppRequest,
    OperateAppRequest,
    TerminateAppRequest,
)
from .notify import timestamp
from .problems import Problem, found
from .store import Doc, public

log = logging.getLogger("osm_mec.meo.lcm")
INSTANCES, OPS = "app_instance", "app_lcm_op_occ"
# LcmOperation: the standard's text; the v2.1.1 OpenAPI document misspells INSTANTIATE
INSTANTIATE, TERMINATE, OPERATE = "INSTANTIATE", "TERMINATE", "OPERATE"
RUNNING = ("STARTING", "PROCESSING")


# -- instances ----------------------------------------------------------------------------
def create(meo: MeoContext, body: CreateAppInstanceRequest) -> Doc:
    package = pkgm.by_appd(meo, body.appDId)
    instance_id = str(uuid.uuid4())
    path = f"{BASE}/app_instances/{instance_id}"
    record: Doc = {
        "id": instance_id, "appDId": package["appDId"], "appProvider": package["appProvider"],
        "appName": package["appName"], "appSoftVersion": package["appSoftwareVersion"],
        "appDVersion": package["appDVersion"], "appPkgId": package["id"],
        "instantiationState": "NOT_INSTANTIATED",
        "_links": {"self": meo.settings.link(path),
                   "instantiate": meo.settings.link(f"{path}/instantiate"),
                   "terminate": meo.settings.link(f"{path}/terminate"),
                   "operate": meo.settings.link(f"{path}/operate")}}
    if body.appInstanceName is not None:
        record["appInstanceName"] = body.appInstanceName
    if body.appInstanceDescription is not None:
        record["appInstanceDescription"] = body.appInstanceDescription
    return public(meo.store.put(INSTANCES, record))


def get(meo: MeoContext, instance_id: str) -> Doc:
    return found(meo.store.get(INSTANCES, instance_id), f"application instance {instance_id!r}")


def listing(meo: MeoContext) -> list[Doc]:
    return [public(r) for r in meo.store.all(INSTANCES)]


def delete(meo: MeoContext, instance_id: str) -> None:
    with meo.lock:
        record = get(meo, instance_id)
        _idle(record)
        if record["instantiationState"] != "NOT_INSTANTIATED":
            raise Problem(409, f"application instance {instance_id} is INSTANTIATED: "
                               "terminate it first")
        meo.store.delete(INSTANCES, instance_id)


def _idle(record: Doc) -> None:
    if record.get("_busy"):
        raise Problem(409, f"application instance {record['id']} has operation "
                           f"{record['_busy']} in progress; wait for it to end "
                           "(GET /app_lcm/v1/app_lcm_op_occs/{id})")


def ns_name(instance: Doc) -> str:
    """The NS's name in the Edge OSM (found again by name after a restart)."""
    return f"mecapp-{instance['id']}"


def kdu_namespace(instance: Doc) -> str:
    """The Kubernetes namespace of the application's KDU (its MEP Secret goes there)."""
    return f"mecapp-{instance['id'][:8]}"


# -- operation occurrences ----------------------------------------------------------------
def _new_op(meo: MeoContext, instance: Doc, operation: str, request: dict[str, Any],
            **internal: Any) -> Doc:
    op_id = str(uuid.uuid4())
    now = timestamp()
    op: Doc = {"id": op_id, "operationState": "STARTING", "stateEnteredTime": now,
               "startTime": now, "lcmOperation": operation, "appInstanceId": instance["id"],
               "_links": {"self": meo.settings.link(f"{BASE}/app_lcm_op_occs/{op_id}"),
                          "appInstance": meo.settings.link(
                              f"{BASE}/app_instances/{instance['id']}")},
               "_request": request, **internal}
    meo.store.put(OPS, op)
    meo.store.put(INSTANCES, {**instance, "_busy": op_id})
    return op


def _advance(meo: MeoContext, op: Doc, state: str, **fields: Any) -> Doc:
    op = meo.store.put(OPS, {**op, **fields, "operationState": state,
                             "stateEnteredTime": timestamp()})
    notify_op(meo, op)
    return op


def op_get(meo: MeoContext, op_id: str) -> Doc:
    return public(found(meo.store.get(OPS, op_id),
                        f"application LCM operation occurrence {op_id!r}"))


def op_listing(meo: MeoContext) -> list[Doc]:
    return [public(op) for op in meo.store.all(OPS)]


def _follow(meo: MeoContext, op: Doc, follow: Callable[[MeoContext, str], None]) -> None:
    """Follow an operation in a worker; an unexpected error ends it FAILED (logged with
    its traceback) instead of leaving it running for ever."""
    def run() -> None:
        try:
            follow(meo, op["id"])
        except Exception as exc:
            if meo.workers.stopping.is_set():
                return
            log.exception("following operation %s failed", op["id"])
            if op["lcmOperation"] == INSTANTIATE:
                _undo(meo, get(meo, op["appInstanceId"]))
            _end(meo, meo.store.get(OPS, op["id"]) or op, "FAILED",
                 f"internal error of the facade ({type(exc).__name__}); see its log")

    meo.workers.spawn(f"meo-{op['lcmOperation'].lower()}-{op['id']}", run)


# -- instantiate --------------------------------------------------------------------------
def instantiate(meo: MeoContext, instance_id: str, body: InstantiateAppRequest) -> Doc:
    """Create and instantiate the NS in the Edge OSM; the operation occurrence once OSM
    accepted it (a worker follows it to the end)."""
    with meo.lock:
        instance = get(meo, instance_id)
        _idle(instance)
        if instance["instantiationState"] != "NOT_INSTANTIATED":
            raise Problem(409, f"application instance {instance_id} is already INSTANTIATED")
        package = meo.store.get(pkgm.KIND, instance["appPkgId"])
        if package is None or package["operationalState"] != "ENABLED":
            state = "deleted" if package is None else "DISABLED"
            raise Problem(409, f"application package {instance['appPkgId']} is {state}: "
                               "it cannot be used for new instantiations")
        op = _new_op(meo, instance, INSTANTIATE, body.model_dump(mode="json"))
        instance = get(meo, instance_id)
    notify_op(meo, op)
    values = _hand_over(meo, instance, package, op)
    try:
        config = instantiation_config(package["_appd"], kdu_namespace(instance), values)
        ns_id, osm_op = meo.edge.instantiate(
            ns_name(instance), package["_osm"]["ns_package"],
            instance.get("appInstanceDescription") or f"MEC application {instance['appName']}",
            config)
    except OsmMecError as exc:
        _release(meo, instance)
        _end(meo, op, "FAILED", f"the Edge OSM did not instantiate the NS: {exc}")
        raise Problem(409, f"the Edge OSM did not accept the instantiation: {exc}") from exc
    meo.store.put(INSTANCES, {**instance, "_ns": {"id": ns_id, "name": ns_name(instance)}})
    op = _advance(meo, op, "PROCESSING", _osmOp=osm_op)
    _follow(meo, op, follow_instantiate)
    return public(op)


def _hand_over(meo: MeoContext, instance: Doc, package: Doc, op: Doc) -> dict[str, Any]:
    """Register the instance with the MEP (its AppD's rules and services) and leave its
    credentials for it, before OSM deploys it; the KDU's values (``mep``: URL, instance
    id, Secret name; nothing without a MEP). Problem (operation FAILED) when the MEP or
    the cluster's API refuses."""
    access = meo.mep_access
    if access is None:
        return {}
    try:
        mep = access.hand_over(instance["id"], kdu_namespace(instance),
                               package.get("_registration") or {})
    except OsmMecError as exc:
        _release(meo, instance)
        _end(meo, op, "FAILED", f"the application was not registered with the MEP: {exc}")
        raise Problem(409, f"the application could not be registered with the MEP before "
                           f"its instantiation: {exc}") from exc
    return {"mep": mep}


def _release(meo: MeoContext, instance: Doc) -> None:
    """Undo a registration of an instance that did not come up: deregistered at once, its
    credentials deleted (a failure is logged: the operation's own error says more)."""
    access = meo.mep_access
    if access is None:
        return
    try:
        access.take_back(instance["id"], kdu_namespace(instance), None)
    except OsmMecError as exc:
        log.warning("application instance %s not deregistered from the MEP: %s",
                    instance["id"], exc)


def _undo(meo: MeoContext, instance: Doc) -> None:
    """A failed instantiation: its NS removed from OSM, its registration from the MEP."""
    _remove_ns(meo, instance)
    _release(meo, instance)


def follow_instantiate(meo: MeoContext, op_id: str) -> None:
    """Until OSM ends the operation (undone on failure)."""
    op = meo.store.get(OPS, op_id) or {}
    instance = get(meo, op["appInstanceId"])
    try:
        meo.edge.wait(op["_osmOp"])
        if meo.workers.stopping.is_set():
            return  # shutting down: the next run follows it again (resume)
    except (OperationFailed, OsmMecError) as exc:
        if meo.workers.stopping.is_set():
            return
        _undo(meo, instance)
        _end(meo, op, "FAILED", str(exc))
        return
    instance = {**get(meo, instance["id"]), "instantiationState": "INSTANTIATED",
                "instantiatedAppState": {"operationalState": "STARTED"}}
    meo.store.put(INSTANCES, instance)
    notify_instance(meo, instance, "STARTED")
    _end(meo, op, "COMPLETED")


def _remove_ns(meo: MeoContext, instance: Doc) -> None:
    """Undo a failed instantiation in OSM (a failed NS would block the next one)."""
    ns = get(meo, instance["id"]).get("_ns")
    if not ns:
        return
    try:
        osm_op = meo.edge.terminate(ns["id"])
        if osm_op:
            meo.edge.wait(osm_op, gone_ok=True)
    except (OperationFailed, OsmMecError) as exc:
        log.warning("NS %s of application instance %s not removed: %s", ns["id"],
                    instance["id"], exc)
        return
    meo.store.put(INSTANCES, {**get(meo, instance["id"]), "_ns": None})


def _end(meo: MeoContext, op: Doc, state: str, error: str = "") -> None:
    """The operation's final state; the instance is free for the next one."""
    with meo.lock:
        instance = meo.store.get(INSTANCES, op["appInstanceId"])
        if instance is not None:
            meo.store.put(INSTANCES, {**instance, "_busy": None})
    fields: dict[str, Any] = {}
    if error:
        fields["error"] = {"type": "about:blank", "title": "Operation failed",
                           "status": 409, "detail": error}
    _advance(meo, op, state, **fields)


# -- terminate ----------------------------------------------------------------------------
def terminate(meo: MeoContext, instance_id: str, body: TerminateAppRequest) -> Doc:
    with meo.lock:
        instance = get(meo, instance_id)
        _idle(instance)
        if instance["instantiationState"] != "INSTANTIATED":
            raise Problem(409, f"application instance {instance_id} is NOT_INSTANTIATED")
        op = _new_op(meo, instance, TERMINATE, body.model_dump(mode="json"),
                     _nsId=(instance.get("_ns") or {}).get("id"))
    notify_op(meo, op)
    op = _advance(meo, op, "PROCESSING")
    _follow(meo, op, follow_terminate)
    return public(op)


def graceful_timeout(meo: MeoContext, instance: Doc, request: dict[str, Any]) -> float | None:
    """Seconds the application gets to leave (None: forceful): the request's, else the
    AppD's minimum graceful termination timeout, else the MEP registration's."""
    if request.get("terminationType") != "GRACEFUL":
        return None
    if request.get("gracefulTerminationTimeout") is not None:
        return float(request["gracefulTerminationTimeout"])
    package = meo.store.get(pkgm.KIND, instance["appPkgId"]) or {}
    config = (package.get("_appd") or {}).get("terminateAppInstanceOpConfig") or {}
    if config.get("minGracefulTerminationTimeout") is not None:
        return float(config["minGracefulTerminationTimeout"])
    return float((package.get("_registration") or {}).get("gracefulTerminationTimeout", 30))


def follow_terminate(meo: MeoContext, op_id: str) -> None:
    """Deregister from the MEP, then terminate and remove the NS."""
    op = meo.store.get(OPS, op_id) or {}
    instance = get(meo, op["appInstanceId"])
    try:
        if not op.get("_osmOp"):
            access = meo.mep_access
            if access is not None:
                access.take_back(instance["id"], kdu_namespace(instance),
                                 graceful_timeout(meo, instance, op["_request"]))
            ns = instance.get("_ns") or {}
            osm_op = meo.edge.terminate(ns["id"]) if ns.get("id") else None
            op = meo.store.put(OPS, {**op, "_osmOp": osm_op or ""})
        if op.get("_osmOp"):
            meo.edge.wait(op["_osmOp"], gone_ok=True)
        if meo.workers.stopping.is_set():
            return  # shutting down: the next run follows it again (resume)
    except (OperationFailed, OsmMecError) as exc:
        if not meo.workers.stopping.is_set():
            _end(meo, op, "FAILED", str(exc))
        return
    instance = {**get(meo, instance["id"]), "instantiationState": "NOT_INSTANTIATED",
                "_ns": None}
    instance.pop("instantiatedAppState", None)
    meo.store.put(INSTANCES, instance)
    notify_instance(meo, instance, "NOT_INSTANTIATED")
    _end(meo, op, "COMPLETED")


# -- operate ------------------------------------------------------------------------------
def operate(meo: MeoContext, instance_id: str, body: OperateAppRequest) -> Doc:
    """OSM has no operation that stops or starts a running NS (or a Helm KDU) and keeps
    it: refused with 409, whatever the requested state."""
    instance = get(meo, instance_id)
    _idle(instance)
    if instance["instantiationState"] != "INSTANTIATED":
        raise Problem(409, f"application instance {instance_id} is NOT_INSTANTIATED")
    raise Problem(409, f"changing the operational state to {body.changeStateTo} is not "
                       "supported: OSM cannot stop or start an instantiated NS; terminate "
                       "and instantiate the application instead")


# -- after a restart ----------------------------------------------------------------------
def resume(meo: MeoContext) -> int:
    """Follow again every operation a previous run left running; how many."""
    count = 0
    for op in meo.store.all(OPS):
        if op["operationState"] not in RUNNING:
            continue
        count += 1
        _follow(meo, op, _resume_one)
    return count


def _resume_one(meo: MeoContext, op_id: str) -> None:
    op = meo.store.get(OPS, op_id) or {}
    if op["lcmOperation"] == TERMINATE:
        follow_terminate(meo, op_id)
    elif op.get("_osmOp"):
        follow_instantiate(meo, op_id)
    else:
        _adopt(meo, op)


def _adopt(meo: MeoContext, op: Doc) -> None:
    """An instantiation interrupted before OSM's answer was recorded: OSM's NS of that
    name (and its instantiate operation), else the operation failed."""
    instance = get(meo, op["appInstanceId"])
    try:
        ns = meo.edge.find_ns(ns_name(instance))
        ops = meo.edge.operations(str(ns["_id"])) if ns else []
    except OsmMecError as exc:
        _end(meo, op, "FAILED", f"interrupted by a restart; OSM did not answer: {exc}")
        return
    first = next((o for o in ops if o.get("lcmOperationType") == "instantiate"), None)
    if ns is None or first is None:
        _end(meo, op, "FAILED", "interrupted by a restart before the Edge OSM accepted it")
        return
    meo.store.put(INSTANCES, {**instance, "_ns": {"id": ns["_id"], "name": ns_name(instance)}})
    meo.store.put(OPS, {**op, "_osmOp": first["_id"], "operationState": "PROCESSING",
                        "stateEnteredTime": timestamp()})
    follow_instantiate(meo, op["id"])


# -- notifications ------------------------------------------------------------------------
def notify_instance(meo: MeoContext, instance: Doc, state: str) -> None:
    meo.notifier.send(instance_subscribers(meo, instance, state), {
        "notificationType": state, "appInstanceId": instance["id"],
        "appDId": instance["appDId"], "appPkgId": instance["appPkgId"], "_links": {}})


def notify_op(meo: MeoContext, op: Doc) -> None:
    instance = meo.store.get(INSTANCES, op["appInstanceId"]) or {"id": op["appInstanceId"]}
    meo.notifier.send(op_subscribers(meo, instance, op), {
        "notificationType": op["operationState"], "appLcmOpOccId": op["id"],
        "appInstanceId": op["appInstanceId"], "operationType": op["lcmOperation"],
        "_links": {"appInstance": op["_links"]["appInstance"],
                   "appLcmOpOcc": op["_links"]["self"]}})
