"""The sandbox OSM behind its NBI: tokens, VIM accounts, K8s clusters, packages, NS
instances and their operations, with the checks and answers of OSM's NBI (osm-nbi.md).
The HTTP layer (``server``) only maps paths to these methods."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..osm.credentials import Credentials
from . import accounts, k8s_init, packages
from .addressing import VimNetworks
from .admin_users import Directory
from .clock import SimClock
from .faults import Faults
from .inputs import OPERATIONS, check
from .instances import new_ns
from .kube_sim import SimulatedClusters
from .lcm import EdgeLauncher, Lcm
from .operations import check_instantiate, check_operation, check_state, operation_params
from .store import Conflict, NotAuthenticated, NotFound, Store, new_id
from .timing import TimingModel

ADMIN_COLLECTION = accounts.COLLECTION
KafkaPublish = Callable[[str, str, dict[str, Any], int], None]  # topic, key, message, time ms


class SandboxOsm:
    """One simulated OSM (Main or Edge)."""

    def __init__(self, credentials: Credentials, time_scale: float = 0.0, seed: int | None = None,
                 faults: Faults | None = None, publish: KafkaPublish | None = None,
                 launch_edge: EdgeLauncher | None = None, vims: tuple[str, ...] = (),
                 token_lifetime: float = 3600.0, name: str = "main") -> None:
        self.name = name
        self.credentials = credentials
        self.faults = faults or Faults()
        self.token_lifetime = self.faults.token_lifetime or token_lifetime
        self.store = Store()
        self.clock = SimClock(time_scale)
        self.timing = TimingModel(seed)
        self._publish = publish
        now = self.clock.now()
        self.project = self.store.add("projects", {
            "name": credentials.project, "_id": new_id(),
            "_admin": {"created": now, "modified": now},
            "git_name": f"osm_{credentials.project.lower()}"})
        self.users = Directory(self.store, self.clock.now, self.publish, credentials,
                               self.project, self.token_lifetime)
        self.kube = SimulatedClusters()  # what the chain creates in its clusters' Kubernetes
        self.lcm = Lcm(self.store, self.clock, self.timing, self.faults, self.publish,
                       VimNetworks(), launch_edge, kube=self.kube)
        for vim in vims:
            self.create_admin("vim", {"name": vim, "vim_type": "openstack",
                                      "vim_url": f"https://{vim}.sandbox.invalid:5000/v3",
                                      "vim_user": "osm", "vim_password": "unused",
                                      "vim_tenant_name": "osm"}, ready_now=True)

    def publish(self, topic: str, key: str, msg: dict[str, Any], moment: float) -> None:
        if self._publish is not None and not self.faults.kafka_unavailable:
            self._publish(topic, key, msg, int(moment * 1000))

    # -- tokens ---------------------------------------------------------------------------
    def login(self, body: Any) -> dict[str, Any]:
        return self.users.login(body)

    def revoke_token(self, token_id: str) -> str:
        """DELETE /admin/v1/tokens/<id>: the token stops working at once (404 if unknown)."""
        with self.store.lock:
            if token_id not in self.store.data["tokens"]:
                raise NotFound(f"Token '{token_id}' not found")
            self.store.remove("tokens", token_id)
        return f"token '{token_id}' deleted"

    def authorise(self, header: str | None) -> None:
        token_id = (header or "").removeprefix("Bearer ").strip()
        if not token_id:
            raise NotAuthenticated("Needed a token or Authorization http header")
        token = self.store.data["tokens"].get(token_id)
        if token is None:
            raise NotAuthenticated("Invalid token")
        if token["expires"] < time.time():
            self.store.remove("tokens", token_id)
            raise NotAuthenticated("Expired Token or Authorization HTTP header")

    # -- VIM accounts and K8s clusters ----------------------------------------------------
    def create_admin(self, kind: str, body: Any, ready_now: bool = False) -> dict[str, Any]:
        """NBI's 202 answer to a new VIM account or K8s cluster; LCM's check follows."""
        now = self.clock.now()
        with self.store.lock:
            doc = accounts.new_account(self.store, kind, body, self.project["_id"], now)
            self.store.add(accounts.COLLECTION[kind], doc)
        op_id = f"{doc['_id']}:0"
        self.publish(accounts.TOPIC[kind], "created", accounts.bus_content(doc, op_id), now)
        self._settle(kind, doc, ready_now)
        return {"_id": doc["_id"], "id": doc["_id"], "op_id": op_id}

    def _settle(self, kind: str, doc: dict[str, Any], ready_now: bool = False) -> None:
        """LCM's processing of an account operation, now (time scale 0) or in a thread."""
        if ready_now or self.clock.time_scale == 0:
            self._process_account(kind, doc, 0.0)
        else:
            threading.Thread(target=self._process_account, daemon=True,
                             args=(kind, doc, self.timing.draw(kind, str(doc["name"])))).start()

    def _process_account(self, kind: str, doc: dict[str, Any], duration: float) -> None:
        start = self.clock.now()
        self.clock.sleep(duration)
        end = self.clock.advance_to(start + duration)
        with self.store.lock:
            if doc["_admin"].get("to_delete"):
                self.store.remove(accounts.COLLECTION[kind], doc["_id"])
                return
            error = self.faults.registration_error(kind, str(doc["name"]))
            if kind == "k8scluster" and doc["vim_account"] not in self.store.data["vim_accounts"]:
                error = error or f"VIM account {doc['vim_account']} not found"
            state, detail = ("ERROR", error) if error else \
                k8s_init.settle(doc) if kind == "k8scluster" else ("ENABLED", "")
            accounts.finish_operations(doc, state, detail, end)

    def edit_admin(self, kind: str, doc_id: str, body: Any) -> dict[str, Any]:
        now = self.clock.now()
        with self.store.lock:
            doc = self.store.get(accounts.COLLECTION[kind], doc_id, kind)
            op_id, edit = accounts.edit_account(self.store, kind, doc, body, now)
        self.publish(accounts.TOPIC[kind], "edited", {"_id": doc_id, **edit, "op_id": op_id}, now)
        self._settle(kind, doc)
        return {"op_id": op_id}

    def delete_admin(self, kind: str, doc_id: str) -> dict[str, Any]:
        now = self.clock.now()
        with self.store.lock:
            doc = self.store.get(accounts.COLLECTION[kind], doc_id, kind)
            accounts.delete_conflict(self.store, kind, doc_id)
            op_id = accounts.mark_deleting(doc, now)
        self.publish(accounts.TOPIC[kind], "delete", {"_id": doc_id, "op_id": op_id}, now)
        self._settle(kind, doc)
        return {"_id": op_id}

    # -- packages -------------------------------------------------------------------------
    def onboard(self, kind: str, data: bytes, headers: dict[str, str]) -> dict[str, Any]:
        """NBI creates the package entry (bus record ``created``) before it checks the
        content, so a refused upload is announced too; a stored one is ``edited``."""
        now = self.clock.now()
        topic, package_id = packages.KIND_NAMES[kind], new_id()
        self.publish(topic, "created", {"_id": package_id}, now)
        packages.onboard(self.store, kind, data, headers, now, self.project["_id"], package_id)
        stored = self.store.snapshot(self.store.get(packages.COLLECTION[kind], package_id))
        self.publish(topic, "edited", {k: v for k, v in stored.items() if k != "_admin"}, now)
        return {"id": package_id}

    def delete_package(self, kind: str, package_id: str, force: bool) -> None:
        packages.delete(self.store, kind, package_id, force)
        self.publish(packages.KIND_NAMES[kind], "deleted", {"_id": package_id}, self.clock.now())

    # -- NS instances ---------------------------------------------------------------------
    def create_ns(self, body: Any) -> dict[str, Any]:
        """NBI's create + instantiate: the records only when every check passed."""
        with self.store.lock:
            nsr, vnfrs, request = new_ns(self.store, body, self.project["_id"],
                                         self.clock.now())
            request.update({"lcmOperationType": "instantiate", "nsInstanceId": nsr["_id"]})
            check_instantiate(self.store, nsr, vnfrs, request)
            for vnfr in vnfrs:
                self.store.add("vnfrs", vnfr)
            self.store.add("nsrs", nsr)
        op = self.lcm.start(nsr, "instantiate", operation_params(request))
        return {"id": nsr["_id"], "nslcmop_id": op["_id"], "nsName": nsr["name"]}

    def operate(self, ns_id: str, operation: str, body: Any) -> dict[str, Any] | None:
        """A scale, action or terminate as NBI takes it: the operation recorded (then run by
        the LCM), or None for a terminate with autoremove of a never-instantiated NS."""
        request = dict(body) if isinstance(body, dict) else body
        if isinstance(request, dict):
            request.update({"lcmOperationType": operation, "nsInstanceId": ns_id})
        check(request, OPERATIONS[operation])
        with self.store.lock:
            nsr = self.store.get("nsrs", ns_id, "nsr")
            if not check_state(nsr, operation, bool(request.get("autoremove"))):
                return None
            check_operation(self.store, nsr, operation, request)
        return self.lcm.start(nsr, operation, operation_params(request),
                              autoremove=bool(request.get("autoremove")))

    def ns_name(self, ns_id: str) -> str | None:
        return (self.store.data["nsrs"].get(ns_id) or {}).get("name")

    def show_ns(self, ns_id: str, refresh: bool) -> dict[str, Any]:
        """An NS record; NBI asks LCM for a VCA status refresh (a ``vca_status_refresh``
        record) when asked to or when the record is more than 120 s old."""
        now = self.clock.now()
        with self.store.lock:
            nsr = self.store.get("nsrs", ns_id, "nsr")
            if refresh or now - nsr["_admin"]["modified"] > 120:
                nsr["_admin"]["modified"] = now
                self.publish("ns", "vca_status_refresh", self.lcm.refresh_record(nsr, now), now)
            return self.store.snapshot(nsr)

    def delete_ns_record(self, ns_id: str) -> None:
        with self.store.lock:
            nsr = self.store.get("nsrs", ns_id, "nsr")
            if nsr["_admin"]["nsState"] == "INSTANTIATED":
                raise Conflict(f"nsr '{ns_id}' cannot be deleted because it is in "
                               "'INSTANTIATED' state. Launch 'terminate' operation first; "
                               "or force deletion")
            self.lcm.remove_ns(ns_id)
        self.publish("ns", "deleted", {"_id": ns_id}, self.clock.now())

    def stop(self) -> None:
        self.lcm.stop()
