"""The sandbox OSM behind its NBI: tokens, VIM accounts, K8s clusters, packages, NS
instances and their operations, with the checks and answers of OSM's NBI (osm-nbi.md).
The HTTP layer (``server``) only maps paths to these methods."""

from __future__ import annotations

import copy
import hmac
import secrets
import threading
import time
from typing import Any

from ..credentials import Credentials
from . import packages
from .addressing import VimNetworks
from .clock import SimClock
from .deploy import aspect_deltas
from .faults import Faults
from .instances import check_create, new_records
from .lcm import EdgeLauncher, Lcm, Publish
from .store import Problem, Store, new_id
from .timing import TimingModel

VIM_TYPES = ("openstack", "openvim", "vmware", "aws", "azure", "gcp", "fos", "dummy")
ADMIN_COLLECTION = {"vim": "vim_accounts", "k8scluster": "k8sclusters"}
ADMIN_TOPIC = {"vim": "vim_account", "k8scluster": "k8scluster"}
SECRET_MASK = "********"


def _mask_kubeconfig(credentials: dict[str, Any]) -> dict[str, Any]:
    """A kubeconfig with its user secrets hidden, as OSM keeps them (encrypted)."""
    masked = copy.deepcopy(credentials)
    for user in masked.get("users") or []:
        for key in list((user.get("user") or {})):
            if key in ("token", "password", "client-key-data"):
                user["user"][key] = SECRET_MASK
    return masked


class SandboxOsm:
    """One simulated OSM (Main or Edge)."""

    def __init__(self, credentials: Credentials, time_scale: float = 0.0, seed: int | None = None,
                 faults: Faults | None = None, publish: Publish | None = None,
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
        self.lcm = Lcm(self.store, self.clock, self.timing, self.faults, self.publish,
                       VimNetworks(), launch_edge)
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
        if not isinstance(body, dict) or not body.get("username"):
            raise Problem(401, "Provide credentials: username/password or Authorization "
                               "Bearer token")
        ok_user = hmac.compare_digest(str(body.get("username")), self.credentials.user)
        ok_password = hmac.compare_digest(str(body.get("password", "")),
                                          self.credentials.password)
        if not (ok_user and ok_password):
            raise Problem(401, "Invalid username or password")
        project = body.get("project_id") or self.credentials.project
        if project != self.credentials.project:
            raise Problem(401, f"project '{project}' not found for this user")
        token_id = secrets.token_urlsafe(24)
        now = time.time()
        token = {"_id": token_id, "id": token_id, "issued_at": now,
                 "expires": now + self.token_lifetime, "project_id": project,
                 "project_name": project, "username": self.credentials.user,
                 "user_id": "u-" + self.credentials.user, "admin": True,
                 "roles": [{"name": "system_admin", "id": "r-admin"}], "remote_port": 0}
        self.store.add("tokens", token)
        return token

    def authorise(self, header: str | None) -> None:
        token_id = (header or "").removeprefix("Bearer ").strip()
        if not token_id:
            raise Problem(401, "Needed a token or Authorization HTTP header")
        token = self.store.data["tokens"].get(token_id)
        if token is None:
            raise Problem(401, "Invalid token")
        if token["expires"] < time.time():
            self.store.remove("tokens", token_id)
            raise Problem(401, "Expired Token or Authorization HTTP header")

    # -- VIM accounts and K8s clusters ----------------------------------------------------
    def create_admin(self, kind: str, body: Any, ready_now: bool = False) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise Problem(422, "Format error: the body must be a mapping")
        required = (("name", "vim_type", "vim_url", "vim_user", "vim_password",
                     "vim_tenant_name") if kind == "vim" else
                    ("name", "credentials", "vim_account", "k8s_version", "nets"))
        for key in required:
            if body.get(key) in (None, ""):
                raise Problem(422, f"Format error at '' ''{key}' is a required property'")
        doc = {k: v for k, v in body.items() if k != "vim_password"}
        if kind == "vim":
            if body["vim_type"] not in VIM_TYPES:
                raise Problem(422, f"Format error at 'vim_type' ''{body['vim_type']}' is not "
                                   f"one of {list(VIM_TYPES)}'")
            doc["vim_password"] = SECRET_MASK
        else:
            if not isinstance(body["credentials"], dict):
                raise Problem(422, "Format error at 'credentials' 'must be a kubeconfig "
                                   "mapping'")
            vim = next((v for v in self.store.find("vim_accounts")
                        if body["vim_account"] in (v["_id"], v["name"])), None)
            if vim is None:
                raise Problem(409, f"Invalid vim_account '{body['vim_account']}': not found")
            doc["vim_account"] = vim["_id"]
            doc["credentials"] = _mask_kubeconfig(body["credentials"])
            doc.setdefault("namespace", "kube-system")
        collection = ADMIN_COLLECTION[kind]
        now = self.clock.now()
        with self.store.lock:
            if any(d["name"] == body["name"] for d in self.store.find(collection)):
                raise Problem(409, f"name '{body['name']}' already exists for "
                                   f"{collection.rstrip('s')}")
            doc_id = new_id()
            enabled = ready_now or self.clock.time_scale == 0
            error = self.faults.registration_error(kind, str(body["name"]))
            final = ("ERROR", error) if error else ("ENABLED", "")
            doc.update({"_id": doc_id, "schema_version": "1.11", "_admin": {
                "created": now, "modified": now, "projects_read": ["admin"],
                "projects_write": ["admin"],
                "operationalState": final[0] if enabled else "PROCESSING",
                "detailed-status": final[1] if enabled else "registering"}})
            self.store.add(collection, doc)
        if not enabled:
            threading.Thread(target=self._enable, args=(kind, doc, final), daemon=True).start()
        self.publish(ADMIN_TOPIC[kind], "created", {"_id": doc_id}, now)
        return {"id": doc_id, "op_id": f"{doc_id}:0"}

    def _enable(self, kind: str, doc: dict[str, Any], final: tuple[str, str]) -> None:
        start = self.clock.now()
        duration = self.timing.draw(kind)
        self.clock.sleep(duration)
        self.clock.advance_to(start + duration)
        with self.store.lock:
            doc["_admin"].update({"operationalState": final[0], "detailed-status": final[1],
                                  "modified": self.clock.now()})

    def delete_admin(self, kind: str, doc_id: str) -> None:
        collection = ADMIN_COLLECTION[kind]
        with self.store.lock:
            doc = self.store.get(collection, doc_id, kind)
            if kind == "k8scluster":
                users = [v["nsr-id-ref"] for v in self.store.find("vnfrs")
                         for k in v["kdur"] if k.get("status") and
                         (k.get("k8s-cluster") or {}).get("id") == doc_id]
            else:
                users = [n["_id"] for n in self.store.find("nsrs", datacenter=doc_id)]
                users += [c["_id"] for c in self.store.find("k8sclusters", vim_account=doc_id)]
            if users:
                raise Problem(409, f"{kind} '{doc['name']}' is in use by {', '.join(users)}")
            self.store.remove(collection, doc_id)
        self.publish(ADMIN_TOPIC[kind], "deleted", {"_id": doc_id}, self.clock.now())

    # -- packages -------------------------------------------------------------------------
    def onboard(self, kind: str, data: bytes, headers: dict[str, str]) -> dict[str, Any]:
        package_id = packages.onboard(self.store, kind, data, headers, self.clock.now())
        self.publish(packages.KIND_NAMES[kind], "created", {"_id": package_id}, self.clock.now())
        return {"id": package_id}

    def delete_package(self, kind: str, package_id: str, force: bool) -> None:
        packages.delete(self.store, kind, package_id, force)
        self.publish(packages.KIND_NAMES[kind], "deleted", {"_id": package_id}, self.clock.now())

    # -- NS instances ---------------------------------------------------------------------
    def create_ns(self, body: Any) -> dict[str, Any]:
        with self.store.lock:
            nsd, members = check_create(self.store, body)
            nsr, vnfrs = new_records(nsd, members, body, self.clock.now())
            for vnfr in vnfrs:
                self.store.add("vnfrs", vnfr)
            self.store.add("nsrs", nsr)
        op = self.lcm.start(nsr, "instantiate", dict(body))
        return {"id": nsr["_id"], "nslcmop_id": op["_id"]}

    def _instantiated(self, ns_id: str, operation: str) -> dict[str, Any]:
        nsr = self.store.get("nsrs", ns_id, "nsr")
        if nsr["_admin"]["nsState"] != "INSTANTIATED" or nsr["nsState"] == "TERMINATING":
            raise Problem(409, f"Cannot {operation} ns '{ns_id}': the NS is not instantiated "
                               f"(nsState {nsr['nsState']})")
        return nsr

    def scale(self, ns_id: str, body: Any) -> dict[str, Any]:
        nsr = self._instantiated(ns_id, "scale")
        try:
            data = body["scaleVnfData"]
            direction = data["scaleVnfType"]
            step = data["scaleByStepData"]
            aspect, member = step["scaling-group-descriptor"], step["member-vnf-index"]
        except (TypeError, KeyError) as exc:
            raise Problem(422, f"Format error at 'scaleVnfData' 'missing {exc}'") from exc
        if body.get("scaleType") != "SCALE_VNF" or direction not in ("SCALE_OUT", "SCALE_IN"):
            raise Problem(422, "Format error: scaleType must be SCALE_VNF and scaleVnfType "
                               "SCALE_OUT or SCALE_IN")
        vnfr = self.store.member_vnfr(nsr, member)
        if vnfr is None:
            raise Problem(400, f"Invalid member-vnf-index '{member}'")
        if aspect_deltas(self.store.get("vnfds", vnfr["vnfd-id"]), aspect) is None:
            raise Problem(400, f"Invalid scaling-group-descriptor '{aspect}' for vnfd "
                               f"'{vnfr['vnfd-ref']}'")
        return {"id": self.lcm.start(nsr, "scale", dict(body))["_id"]}

    def action(self, ns_id: str, body: Any) -> dict[str, Any]:
        nsr = self._instantiated(ns_id, "execute a primitive on")
        if not isinstance(body, dict) or not body.get("primitive") \
                or not body.get("member_vnf_index"):
            raise Problem(422, "Format error: 'member_vnf_index' and 'primitive' are required")
        member = body["member_vnf_index"]
        vnfr = self.store.member_vnfr(nsr, member)
        if vnfr is None:
            raise Problem(422, f"Invalid member_vnf_index '{member}'")
        vnfd = self.store.get("vnfds", vnfr["vnfd-id"])
        declared = self._config_primitive(vnfd, body.get("vdu_id"), body["primitive"])
        if declared is None:
            raise Problem(422, f"Invalid primitive '{body['primitive']}': not in the "
                               f"config-primitive of vnfd '{vnfd['id']}'"
                               + (f" vdu '{body['vdu_id']}'" if body.get("vdu_id") else ""))
        given = body.get("primitive_params") or {}
        for parameter in declared.get("parameter", []):
            if parameter["name"] not in given and "default-value" not in parameter:
                raise Problem(422, f"Invalid primitive_params: '{parameter['name']}' is "
                                   f"required by primitive '{body['primitive']}'")
        params = {p["name"]: p["default-value"] for p in declared.get("parameter", [])
                  if "default-value" in p}
        op_body = {**body, "primitive_params": {**params, **given}}
        return {"id": self.lcm.start(nsr, "action", op_body)["_id"]}

    @staticmethod
    def _config_primitive(vnfd: dict[str, Any], vdu_id: str | None, name: str
                          ) -> dict[str, Any] | None:
        for df in vnfd.get("df", []):
            config = (df.get("lcm-operations-configuration") or {}).get(
                "operate-vnf-op-config") or {}
            for day12 in config.get("day1-2", []):
                if vdu_id and day12.get("id") != vdu_id:
                    continue
                for primitive in day12.get("config-primitive", []):
                    if primitive.get("name") == name:
                        return primitive
        return None

    def terminate(self, ns_id: str, autoremove: bool) -> dict[str, Any] | None:
        """A terminate operation, or None (record deleted) when never instantiated."""
        with self.store.lock:
            nsr = self.store.get("nsrs", ns_id, "nsr")
            if nsr["_admin"]["nsState"] != "INSTANTIATED":
                if not autoremove:
                    raise Problem(409, f"ns '{ns_id}' is not instantiated")
                self.lcm.remove_ns(ns_id)
                return None
        op = self.lcm.start(nsr, "terminate", {"autoremove": autoremove}, autoremove=autoremove)
        return {"id": op["_id"]}

    def delete_ns_record(self, ns_id: str) -> None:
        with self.store.lock:
            nsr = self.store.get("nsrs", ns_id, "nsr")
            if nsr["_admin"]["nsState"] == "INSTANTIATED":
                raise Problem(409, f"ns '{ns_id}' is instantiated: terminate it first")
            self.lcm.remove_ns(ns_id)

    def stop(self) -> None:
        self.lcm.stop()


