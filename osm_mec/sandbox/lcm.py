"""The sandbox's LCM: every operation runs in its own thread through PROCESSING with OSM's
stages and ``detailed-status`` texts to COMPLETED or FAILED on the simulated clock, changes
the records the way LCM does, and publishes OSM's Kafka records (request when accepted,
completion when it ends, ``deleted`` after an autoremove)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..osm.kafka_bus import NS_TOPIC
from . import k8s_init
from .addressing import VimNetworks
from .clock import SimClock
from .deploy import (
    VnfNetworks,
    aspect_deltas,
    cluster_node_ip,
    day1_config,
    edge_osm_services,
    initial_counts,
    kdu_services,
    kdu_values,
    vdu_limits,
    vnf_work_kind,
)
from .faults import Faults
from .kdu_workloads import chart_name
from .kdu_workloads import launch as launch_workload
from .kube_sim import SimulatedClusters
from .mep_runner import WorkloadFailed
from .nbi_params import unyaml
from .operations import declared_primitives
from .primitives import ClusterView, PrimitiveFailed, run_primitive
from .relations import related_instances
from .store import Refusal, Store, new_id
from .timing import TimingModel

log = logging.getLogger(__name__)
COMPLETION_KEY = {"instantiate": "instantiated", "scale": "scaled", "action": "actioned",
                  "terminate": "terminated"}
CURRENT_OPERATION = {"instantiate": "INSTANTIATING", "scale": "SCALING",
                     "action": "RUNNING ACTION", "terminate": "TERMINATING"}
STAGE_PREPARE = "Stage 1/3: preparation of the environment."
STAGE_DEPLOY = "Stage 2/3: deployment of KDUs, VMs and execution environments."
STAGE_DAY1 = "Stage 3/3: running Day-1 primitives for NS."
Publish = Callable[[str, str, dict[str, Any], float], None]
EdgeLauncher = Callable[[str, str, str], tuple[str, Callable[[], None]]]  # -> Kafka, stop


class OperationError(Exception):
    """The operation FAILS with this detailed-status."""


@dataclass
class Plan:
    """How an operation unfolds: simulated duration, stages, the effect at the end."""

    duration: float
    stages: list[tuple[float, str, str]]
    finish: Callable[[], str]          # applies the effect; returns the final detailed-status
    fail_at: float | None = None       # fraction of the duration where it fails
    failure: str = ""


@dataclass
class Lcm:
    store: Store
    clock: SimClock
    timing: TimingModel
    faults: Faults
    publish: Publish
    networks: VimNetworks
    launch_edge: EdgeLauncher | None = None
    kube: SimulatedClusters = field(default_factory=SimulatedClusters)  # NodePorts, Services
    _ns_locks: dict[str, threading.Lock] = field(default_factory=dict)
    _views: dict[str, ClusterView] = field(default_factory=dict)
    _vnf_nets: dict[str, VnfNetworks] = field(default_factory=dict)
    # NS id -> stops of what the sandbox runs for its KDUs (Edge OSMs, MEPs)
    _workloads: dict[str, list[Callable[[], None]]] = field(default_factory=dict)
    _threads: list[threading.Thread] = field(default_factory=list)

    # -- operation documents --------------------------------------------------------------
    def start(self, nsr: dict[str, Any], op_type: str, params: dict[str, Any],
              autoremove: bool = False) -> dict[str, Any]:
        """Record a new operation occurrence as NBI does, publish its request record, run it."""
        now = self.clock.now()
        op = self._occurrence(nsr, op_type, params, now)
        self.store.add("nslcmops", op)
        self.publish(NS_TOPIC, op_type, self.store.snapshot(op), now)
        thread = threading.Thread(target=self._run, args=(nsr["_id"], op["_id"], autoremove),
                                  name=f"lcm-{op_type}-{op['_id'][:8]}", daemon=True)
        self._threads.append(thread)
        thread.start()
        return op

    @staticmethod
    def _occurrence(nsr: dict[str, Any], op_type: str, params: dict[str, Any] | None,
                    now: float) -> dict[str, Any]:
        """An ns_lcm_op_occs document as NBI writes it (LCM fills the rest)."""
        op_id = new_id()
        return {"id": op_id, "_id": op_id, "operationState": "PROCESSING",
                "queuePosition": None, "stage": None, "errorMessage": None,
                "detailedStatus": None, "statusEnteredTime": now, "nsInstanceId": nsr["_id"],
                "lcmOperationType": op_type, "startTime": now, "isAutomaticInvocation": False,
                "operationParams": params, "isCancelPending": False,
                "links": {"self": f"/osm/nslcm/v1/ns_lcm_op_occs/{op_id}",
                          "nsInstance": f"/osm/nslcm/v1/ns_instances/{nsr['_id']}"},
                "_admin": {"created": now, "modified": now,
                           "projects_read": list(nsr["_admin"]["projects_read"]),
                           "projects_write": list(nsr["_admin"]["projects_write"])}}

    def refresh_record(self, nsr: dict[str, Any], now: float) -> dict[str, Any]:
        """The ``vca_status_refresh`` request NBI publishes (never stored)."""
        return self._occurrence(nsr, "vca_status_refresh", None, now)

    def _set(self, op: dict[str, Any], **changes: Any) -> None:
        """Update op fields (``detailed_status`` stands for ``detailed-status``)."""
        with self.store.lock:
            if "detailed_status" in changes:
                changes["detailed-status"] = changes.pop("detailed_status")
            op.update(changes)
            op["_admin"]["modified"] = self.clock.now()

    def _run(self, nsr_id: str, op_id: str, autoremove: bool) -> None:
        lock = self._ns_locks.setdefault(nsr_id, threading.Lock())
        op = self.store.get("nslcmops", op_id)
        with lock:
            start = self.clock.now()
            self._current(op, started=True)
            try:
                plan = self._plan(op)
                state, detail = self._execute(op, plan, start)
            except OperationError as exc:
                state, detail, plan = "FAILED", str(exc), None
                self._mark_failed(op)
            except Exception as exc:  # a sandbox bug must still end the operation
                log.exception("sandbox LCM error")
                state, detail, plan = "FAILED", f"internal sandbox error: {exc}", None
            end = self.clock.advance_to(max(self.clock.now(), start + (
                plan.duration if plan and state == "COMPLETED" else 0.0)))
            self._set(op, operationState=state, detailed_status=detail, statusEnteredTime=end,
                      stage="", errorMessage=None if state == "COMPLETED" else detail,
                      queuePosition=None)
            self._current(op, started=False, error=None if state == "COMPLETED" else detail)
            completion: dict[str, Any] = {"nsr_id": nsr_id, "nslcmop_id": op_id,
                                          "operationState": state}
            op_type = op["lcmOperationType"]
            if op_type == "instantiate":  # OSM's LCM (master) adds these
                completion.update({"startTime": op["startTime"], "links": dict(op["links"]),
                                   "operationParams": {"nsInstanceId": nsr_id,
                                                       "nsdId": self._nsd_id(nsr_id)}})
            if op_type == "terminate":
                completion["autoremove"] = autoremove
            self.publish(NS_TOPIC, COMPLETION_KEY[op_type], completion, end)
            if op_type == "terminate" and autoremove and state == "COMPLETED":
                self.remove_ns(nsr_id)
                self.publish(NS_TOPIC, "deleted", {"_id": nsr_id}, end)

    def _nsd_id(self, nsr_id: str) -> str | None:
        return (self.store.data["nsrs"].get(nsr_id) or {}).get("nsd-id")

    def _current(self, op: dict[str, Any], started: bool, error: str | None = None) -> None:
        """The NS record's current-operation fields, as LCM keeps them (osmclient reads)."""
        with self.store.lock:
            nsr = self.store.data["nsrs"].get(op["nsInstanceId"])
            if nsr is None:
                return
            nsr["_admin"]["modified"] = self.clock.now()
            if started:
                nsr.update({"currentOperation": CURRENT_OPERATION[op["lcmOperationType"]],
                            "currentOperationID": op["_id"], "errorDescription": None,
                            "errorDetail": None})
                nsr["_admin"].update({"nslcmop": op["_id"], "current-operation": op["_id"],
                                      "operation-type": op["lcmOperationType"]})
                return
            nsr.update({"currentOperation": "IDLE", "currentOperationID": None})
            nsr["_admin"]["current-operation"] = None
            if error:
                nsr.update({"errorDescription": f"Operation: "
                                                f"{CURRENT_OPERATION[op['lcmOperationType']]}."
                                                f"{op['_id']}", "errorDetail": error})

    def _execute(self, op: dict[str, Any], plan: Plan, start: float) -> tuple[str, str]:
        done = 0.0
        stop = plan.fail_at if plan.fail_at is not None else 1.0
        for fraction, stage, status in plan.stages:
            if fraction > stop:
                break
            self.clock.sleep((fraction - done) * plan.duration)
            done = fraction
            self.clock.advance_to(start + done * plan.duration)
            self._set(op, stage=stage, detailed_status=status)
        self.clock.sleep((stop - done) * plan.duration)
        self.clock.advance_to(start + stop * plan.duration)
        if plan.fail_at is not None:
            self._mark_failed(op)
            return "FAILED", plan.failure
        return "COMPLETED", plan.finish()

    def _mark_failed(self, op: dict[str, Any]) -> None:
        with self.store.lock:
            nsr = self.store.data["nsrs"].get(op["nsInstanceId"])
            if nsr is None:
                return
            if op["lcmOperationType"] == "instantiate":
                nsr.update({"nsState": "BROKEN", "operational-status": "failed",
                            "config-status": "failed"})
                nsr["_admin"]["nsState"] = "INSTANTIATED"
            nsr["detailed-status"] = f"{op['lcmOperationType']} operation failed"

    # -- plans ----------------------------------------------------------------------------
    def _plan(self, op: dict[str, Any]) -> Plan:
        nsr = self.store.get("nsrs", op["nsInstanceId"])
        op_type = op["lcmOperationType"]
        plan = getattr(self, f"_plan_{op_type}")(nsr, op)
        primitive = op["operationParams"].get("primitive", "") if op_type == "action" else ""
        injected = self.faults.operation_failure(op_type, nsr["name"], primitive)
        if injected and plan.fail_at is None:
            plan.fail_at, plan.failure = 0.5, injected
        return plan

    def _member_vnfr(self, nsr: dict[str, Any], member: str) -> dict[str, Any]:
        """The VNF record of a member (NBI checked it before accepting; gone now: the
        operation fails as LCM's does)."""
        vnfr = self.store.member_vnfr(nsr, member)
        if vnfr is None:
            raise OperationError(f"vnfr of member-vnf-index {member!r} not found in NS "
                                 f"{nsr['_id']}")
        return vnfr

    def _members(self, nsr: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        vnfrs = [self.store.get("vnfrs", v) for v in nsr["constituent-vnfr-ref"]]
        return [(v, self.store.get("vnfds", v["vnfd-id"])) for v in vnfrs]

    def _k8s_cluster(self, kdur: dict[str, Any]) -> dict[str, Any] | None:
        """The K8s cluster NBI chose for a KDU, when LCM can use it (ENABLED, or DEGRADED:
        some deployment methods initialised, see k8s_init)."""
        cluster_id = (kdur.get("k8s-cluster") or {}).get("id")
        cluster = self.store.data["k8sclusters"].get(cluster_id) if cluster_id else None
        return cluster if cluster and cluster["_admin"]["operationalState"] in (
            "ENABLED", "DEGRADED") else None

    def _plan_instantiate(self, nsr: dict[str, Any], op: dict[str, Any]) -> Plan:
        with self.store.lock:
            nsr.update({"nsState": "BUILDING", "operational-status": "init",
                        "detailed-status": "instantiating"})
            nsr["_admin"]["nsState"] = "INSTANTIATED"
        durations, vdus, kdus, day1, failure = [], [], [], [], None
        for vnfr, vnfd in self._members(nsr):
            member = vnfr["member-vnf-index-ref"]
            kind = vnf_work_kind(vnfd)
            if kind:
                durations.append(self.timing.draw(kind, f"{nsr['name']}/{member}"))
                vdus += [f"{v['id']} ({member})" for v in vnfd["vdu"]]
                day1 += sorted({p["name"] for v in vnfd["vdu"] for p in day1_config(
                    vnfd, v["id"]).get("initial-config-primitive", [])} - {"config"})
            for kdur, kdu in zip(vnfr.get("kdur") or [], vnfd.get("kdu", []), strict=False):
                durations.append(self.timing.draw(
                    "kdu-juju-bundle" if "juju-bundle" in kdu else "kdu-helm",
                    f"{nsr['name']}/{member}/{kdu['name']}"))
                kdus.append(f"{kdu['name']} ({member})")
                if self._k8s_cluster(kdur) is None and failure is None:
                    failure = (0.1, f"Error deploying KDU {kdu['name']} of member-vnf-index "
                                    f"{member}: K8s cluster {kdur['k8s-cluster'].get('id')} "
                                    "is not ENABLED (its registration has not finished or "
                                    "failed); wait for it or register another one")
                cluster = self._k8s_cluster(kdur)
                refusal = cluster and k8s_init.kdu_refusal(cluster, kdu)
                if refusal and failure is None:
                    failure = (0.1, f"Error deploying KDU {kdu['name']} of member-vnf-index "
                                    f"{member}: {refusal}")
        deploying = "Deploying " + "; ".join(
            part for part in (f"VDUs: {', '.join(vdus)}" if vdus else "",
                              f"KDUs: {', '.join(kdus)}" if kdus else "") if part)
        stages = [(0.0, STAGE_PREPARE, "Preparing the NS: networks and VIM resources"),
                  (0.05, STAGE_DEPLOY, deploying)]
        if day1:
            stages.append((0.6, STAGE_DAY1, f"Executing day-1 primitives: {', '.join(day1)}"))
        return Plan(max(durations or [1.0]), stages, lambda: self._instantiated(nsr),
                    *(failure or (None, "")))

    def _edge_services(self, nsr: dict[str, Any], vnfr: dict[str, Any], vnfd: dict[str, Any]
                       ) -> dict[str, dict[str, Any]]:
        """An Edge OSM for an Edge-MANO KDU (on the KDU's cluster and namespace): its
        Services as OSM records them (deploy.edge_osm_services)."""
        if not any("juju-bundle" in k for k in vnfd.get("kdu", [])) or not self.launch_edge:
            return {}
        kdur = (vnfr.get("kdur") or [{}])[0]
        kafka, stop = self.launch_edge(f"{nsr['name']}-{vnfr['member-vnf-index-ref']}",
                                       str((kdur.get("k8s-cluster") or {}).get("id")),
                                       str(kdur.get("k8s-namespace")))
        self._workloads.setdefault(nsr["_id"], []).append(stop)
        return edge_osm_services(kafka)

    def _helm_workloads(self, nsr: dict[str, Any], vnfr: dict[str, Any],
                        vnfd: dict[str, Any]) -> None:
        """Start what the sandbox runs for the VNF's Helm KDUs (``kdu_workloads``); a
        workload that cannot start fails the KDU as helm fails it."""
        for kdur, kdu in zip(vnfr.get("kdur") or [], vnfd.get("kdu", []), strict=False):
            if "helm-chart" not in kdu or self._k8s_cluster(kdur) is None:
                continue
            try:
                stop = launch_workload(self.kube, str((kdur.get("k8s-cluster") or {}).get(
                    "id")), str(kdur.get("k8s-namespace")), kdu, kdu_values(kdur))
            except WorkloadFailed as exc:
                raise OperationError(f"Error deploying KDU {kdu['name']} of member-vnf-index "
                                     f"{vnfr['member-vnf-index-ref']}: {exc}") from None
            if stop is not None:
                self._workloads.setdefault(nsr["_id"], []).append(stop)

    def _juju_namespaces_free(self, vnfr: dict[str, Any], vnfd: dict[str, Any]) -> None:
        """A Juju bundle KDU's namespace is its Juju model's (OSM names the model after
        it): Juju refuses to make the model in a namespace that already exists, e.g. one
        a Secret was put into beforehand (Juju 2.9's wording)."""
        for kdur, kdu in zip(vnfr.get("kdur") or [], vnfd.get("kdu", []), strict=False):
            place = (str((kdur.get("k8s-cluster") or {}).get("id")),
                     str(kdur.get("k8s-namespace")))
            if "juju-bundle" in kdu and place in self.kube.namespaces:
                raise OperationError(
                    f"Error deploying KDU {kdu['name']} of member-vnf-index "
                    f"{vnfr['member-vnf-index-ref']}: add_model {place[1]}: the model cannot "
                    "be created because a namespace with the proposed model name already "
                    "exists in the k8s cluster. Please choose a different model name.")

    def _stop_workloads(self, nsr_id: str) -> None:
        for stop in self._workloads.pop(nsr_id, []):
            stop()

    def _node_ports(self, kdur: dict[str, Any], kdu: dict[str, Any]
                    ) -> Callable[[str, int | None], int]:
        """NodePorts of a KDU's Services from its cluster (selecting the chart's pods: a
        workload the sandbox runs for it answers there); a taken one fails the KDU as the
        API server fails ``helm install``."""
        cluster = str((kdur.get("k8s-cluster") or {}).get("id"))
        namespace = str(kdur.get("k8s-namespace"))

        def allocate(service: str, wanted: int | None) -> int:
            try:
                return self.kube.allocate(cluster, namespace, service, wanted,
                                          app=chart_name(kdu))
            except Refusal as exc:
                raise OperationError(f"Error deploying KDU in namespace {namespace}: helm "
                                     f"install: Service \"{service}\": {exc.detail}") from exc
        return allocate

    def _instantiated(self, nsr: dict[str, Any]) -> str:
        nsd = self.store.get("nsds", nsr["nsd-id"])
        for vnfr, vnfd in self._members(nsr):
            member = vnfr["member-vnf-index-ref"]
            self._juju_namespaces_free(vnfr, vnfd)
            edge_services = self._edge_services(nsr, vnfr, vnfd)
            self._helm_workloads(nsr, vnfr, vnfd)
            with self.store.lock:
                nets = VnfNetworks(nsr, vnfr, vnfd, nsd, self.networks)
                self._vnf_nets[vnfr["_id"]] = nets
                by_id = {v["id"]: v for v in vnfd.get("vdu", [])}
                templates = {v["vdu-id-ref"]: v for v in vnfr["vdur"]}
                vnfr["vdur"] = [nets.vdur(by_id[vdu_id], i, nsr["name"], member,
                                          templates.get(vdu_id, {}))
                                for vdu_id, n in initial_counts(vnfd).items() if vdu_id in by_id
                                for i in range(n)]
                mgmt = next((v["ip-address"] for v in vnfr["vdur"]), None)
                for kdur, kdu in zip(vnfr.get("kdur") or [], vnfd.get("kdu", []), strict=False):
                    node_ip = cluster_node_ip(self._k8s_cluster(kdur))
                    services = kdu_services(kdu, kdu_values(kdur), "10.152.183.20",
                                            edge_services, self._node_ports(kdur, kdu))
                    if "juju-bundle" in kdu and "kafka" in edge_services:
                        services.append(edge_services["kafka"])
                    kdur.update({"status": "READY", "kdu-instance": f"{kdu['name']}-"
                                 f"{new_id()[:8]}", "services": services})
                    mgmt = mgmt or node_ip
                vnfr["ip-address"] = mgmt
                vnfr["_admin"]["nsState"] = "INSTANTIATED"
                controller = next((v for v in vnfr["vdur"] if v["vdu-id-ref"] == "controller"),
                                  None)
                if controller is not None:  # the charm renders the controller VDU's params
                    self._views[vnfr["_id"]] = ClusterView(vnfr, vnfd, unyaml(
                        controller.get("additionalParams")))
                    # the controller is initialised: related workers join over the relation
                    self._views[vnfr["_id"]].join_related(related_instances(vnfd,
                                                                            vnfr["vdur"]))
        with self.store.lock:
            nsr.update({"nsState": "READY", "operational-status": "running",
                        "config-status": "configured", "detailed-status": "Done",
                        "configurationStatus": [
                            {"elementType": "VDU" if v.get("vdur") else "KDU",
                             "elementUnderConfiguration": v["member-vnf-index-ref"],
                             "status": "READY"} for v, _ in self._members(nsr)],
                        "vcaStatus": {}})
        return "Done"

    def _scale_target(self, nsr: dict[str, Any], op: dict[str, Any]
                      ) -> tuple[dict[str, Any], dict[str, Any], str, bool, dict[str, int]]:
        data = op["operationParams"]["scaleVnfData"]
        step = data["scaleByStepData"]
        vnfr = self._member_vnfr(nsr, step["member-vnf-index"])
        vnfd = self.store.get("vnfds", vnfr["vnfd-id"])
        deltas = aspect_deltas(vnfd, step["scaling-group-descriptor"]) or {}
        return vnfr, vnfd, step["scaling-group-descriptor"], \
            data["scaleVnfType"] == "SCALE_OUT", deltas

    def _plan_scale(self, nsr: dict[str, Any], op: dict[str, Any]) -> Plan:
        vnfr, vnfd, aspect, out, deltas = self._scale_target(nsr, op)
        failure = None
        for vdu_id, delta in deltas.items():
            low, high = vdu_limits(vnfd, vdu_id)
            count = sum(1 for v in vnfr["vdur"] if v["vdu-id-ref"] == vdu_id)
            if out and count + delta > high:
                failure = (0.05, f"reached the limit of {high} (max-instance-count) scaling-out "
                                 f"operations for the scaling-group-descriptor '{aspect}'")
            if not out and count - delta < low:
                failure = (0.05, f"reached the limit of {low} (min-instance-count) scaling-in "
                                 f"operations for the scaling-group-descriptor '{aspect}'")
        names = ", ".join(deltas)
        if out:
            primitives = sorted({p["name"] for v in deltas for p in day1_config(vnfd, v).get(
                "initial-config-primitive", [])} - {"config"})
            stages = [(0.0, STAGE_PREPARE, f"Scaling out {aspect}"),
                      (0.05, STAGE_DEPLOY, f"Deploying VDUs: {names}"),
                      (0.6, STAGE_DAY1, f"Executing day-1 primitives: {', '.join(primitives)}")]
        else:
            primitives = sorted({p["name"] for v in deltas for p in day1_config(vnfd, v).get(
                "terminate-config-primitive", [])})
            stages = [(0.0, STAGE_PREPARE, f"Scaling in {aspect}"),
                      (0.1, "Stage 2/3: terminate primitives.",
                       f"Executing terminate primitives: {', '.join(primitives) or 'none'}"),
                      (0.5, "Stage 3/3: deleting VDUs.", f"Deleting VDUs: {names}")]
        return Plan(self.timing.draw("scale-out" if out else "scale-in",
                                     f"{nsr['name']}/{vnfr['member-vnf-index-ref']}"), stages,
                    lambda: self._scaled(nsr, vnfr, vnfd, aspect, out, deltas),
                    *(failure or (None, "")))

    def _scaled(self, nsr: dict[str, Any], vnfr: dict[str, Any], vnfd: dict[str, Any],
                aspect: str, out: bool, deltas: dict[str, int]) -> str:
        with self.store.lock:
            nets = self._vnf_nets[vnfr["_id"]]
            by_id = {v["id"]: v for v in vnfd.get("vdu", [])}
            for vdu_id, delta in deltas.items():
                for _ in range(delta):
                    existing = [v for v in vnfr["vdur"] if v["vdu-id-ref"] == vdu_id]
                    if out:
                        index = max((v["count-index"] for v in existing), default=-1) + 1
                        vnfr["vdur"].append(nets.vdur(by_id[vdu_id], index, nsr["name"],
                                                      vnfr["member-vnf-index-ref"],
                                                      existing[0] if existing else {}))
                    else:
                        last = max(existing, key=lambda v: v["count-index"])
                        vnfr["vdur"].remove(last)
                        view = self._views.get(vnfr["_id"])
                        if view is not None:
                            view.forget(last["name"])
            groups = nsr["_admin"].setdefault("scaling-group", [])
            group = next((g for g in groups if g["name"] == aspect), None)
            if group is None:
                group = {"name": aspect, "nb-scale-op": 0, "scale-record": []}
                groups.append(group)
            group["nb-scale-op"] += 1 if out else -1
        return "Done"

    def _plan_action(self, nsr: dict[str, Any], op: dict[str, Any]) -> Plan:
        p = op["operationParams"]
        vnfr = self._member_vnfr(nsr, p["member_vnf_index"])
        view = self._views.get(vnfr["_id"])
        results: dict[str, Any] = {}
        given = p.get("primitive_params") or {}
        given = json.loads(given) if isinstance(given, str) else given
        declared = next((d for d in declared_primitives(self.store, nsr, p)
                         if d.get("name") == p["primitive"]), {})
        params = {**{d["name"]: d["default-value"] for d in declared.get("parameter") or []
                     if "default-value" in d}, **given}

        def finish() -> str:
            if view is None:
                raise OperationError(f"action {p['primitive']}: member {p['member_vnf_index']} "
                                     "has no execution environment")
            try:
                index = int(p.get("vdu_count_index") or 0)
                related = (str(p.get("vdu_id")), index) in related_instances(
                    view.vnfd, view.vnfr["vdur"])
                results.update(run_primitive(view, p.get("vdu_id") or "", p["primitive"],
                                             params, index, related))
            except PrimitiveFailed as exc:
                raise OperationError(str(exc)) from exc
            return json.dumps(results, sort_keys=True)

        stages = [(0.0, "", f"Executing primitive {p['primitive']}")]
        subject = f"{nsr['name']}/{p['member_vnf_index']}/{p['primitive']}"
        return Plan(self.timing.draw("action", subject), stages, finish)

    def _plan_terminate(self, nsr: dict[str, Any], op: dict[str, Any]) -> Plan:
        with self.store.lock:
            nsr.update({"nsState": "TERMINATING", "operational-status": "terminating",
                        "detailed-status": "terminating"})
        kinds = []
        for vnfr, vnfd in self._members(nsr):
            if vnfr["vdur"]:
                kinds.append("terminate-vnf")
            if vnfd.get("kdu"):
                kinds.append("terminate-kdu")
        duration = max([self.timing.draw(k, nsr["name"]) for k in kinds] or [1.0])
        stages = [(0.0, "Stage 1/3: preparing the termination.", "Running terminate primitives"),
                  (0.3, "Stage 2/3: deleting VDUs, KDUs and networks.",
                   "Deleting VDUs and KDUs"),
                  (0.9, "Stage 3/3: deleting the NS from the VIM.", "Deleting VIM networks")]
        return Plan(duration, stages, lambda: self._terminated(nsr))

    def _terminated(self, nsr: dict[str, Any]) -> str:
        self._stop_workloads(nsr["_id"])
        with self.store.lock:
            for vnfr, _ in self._members(nsr):
                vnfr["vdur"] = []
                for kdur in vnfr.get("kdur") or []:
                    kdur.update({"status": "", "services": []})
                    self.kube.forget(str((kdur.get("k8s-cluster") or {}).get("id")),
                                     str(kdur.get("k8s-namespace")))
                vnfr["_admin"]["nsState"] = "NOT_INSTANTIATED"
                self._views.pop(vnfr["_id"], None)
                self._vnf_nets.pop(vnfr["_id"], None)
            nsr.update({"nsState": "NOT_INSTANTIATED", "operational-status": "terminated",
                        "config-status": "terminated", "detailed-status": "Done"})
            nsr["_admin"]["nsState"] = "NOT_INSTANTIATED"
        return "Done"

    def remove_ns(self, nsr_id: str) -> None:
        self._stop_workloads(nsr_id)  # deleted without terminating (forced): stop them too
        with self.store.lock:
            nsr = self.store.data["nsrs"].pop(nsr_id, None)
            for vnfr_id in (nsr or {}).get("constituent-vnfr-ref", []):
                self.store.remove("vnfrs", vnfr_id)
            for op in list(self.store.find("nslcmops", nsInstanceId=nsr_id)):
                self.store.remove("nslcmops", op["_id"])

    def stop(self) -> None:
        for nsr_id in list(self._workloads):
            self._stop_workloads(nsr_id)
