"""VIM accounts and K8s clusters as OSM's NBI keeps them: schema checks, unique names, the
``_admin.operations`` history (create, edit, delete), the ``<_id>:<n>`` operation ids, the
bus records (``created``, ``edited``, ``delete``) and the conflicts that block a delete.
Secrets are never kept nor published: NBI stores them encrypted, the sandbox masks them."""

from __future__ import annotations

import copy
from typing import Any

from .inputs import ADMIN_SCHEMAS, check
from .store import Conflict, InvalidRequest, Store, new_id

COLLECTION = {"vim": "vim_accounts", "k8scluster": "k8sclusters"}
TOPIC = {"vim": "vim_account", "k8scluster": "k8scluster"}
SECRET_MASK = "********"
SECRET_KEYS = ("token", "password", "client-key-data", "secret")
_EMPTY = {"total": None, "used": None}
OPENSTACK_RESOURCES = {
    "compute": {k: dict(_EMPTY) for k in ("ram", "vcpus", "instances")},
    "storage": {k: dict(_EMPTY) for k in ("volumes", "snapshots", "storage")},
    "network": {k: dict(_EMPTY) for k in ("networks", "subnets", "floating_ips")}}


def mask_secrets(content: dict[str, Any]) -> dict[str, Any]:
    """A copy with the VIM password and kubeconfig user secrets replaced by a mask."""
    masked = copy.deepcopy(content)
    if "vim_password" in masked:
        masked["vim_password"] = SECRET_MASK
    credentials = masked.get("credentials")
    if isinstance(credentials, dict):
        for user in credentials.get("users") or []:
            for key in list(user.get("user") or {}):
                if key in SECRET_KEYS:
                    user["user"][key] = SECRET_MASK
    return masked


def operation(kind: str, now: float) -> dict[str, Any]:
    """One entry of ``_admin.operations``."""
    return {"lcmOperationType": kind, "operationState": "PROCESSING", "startTime": now,
            "statusEnteredTime": now, "detailed-status": "", "operationParams": None}


def new_account(store: Store, kind: str, body: Any, project_id: str, now: float
                ) -> dict[str, Any]:
    """The stored document of a new VIM account or K8s cluster (PROCESSING), or a Refusal."""
    check(body, ADMIN_SCHEMAS[(kind, "new")])
    collection = COLLECTION[kind]
    if any(d["name"] == body["name"] for d in store.find(collection)):
        raise Conflict(f"name '{body['name']}' already exists for {collection}")
    doc_id = new_id()
    doc = mask_secrets(body)
    doc["_admin"] = {"created": now, "modified": now, "projects_read": [project_id],
                     "projects_write": [project_id], "operationalState": "PROCESSING",
                     "detailed-status": "registering",
                     "operations": [operation("create", now)], "current_operation": None}
    doc.update({"_id": doc_id, "schema_version": "1.11", "key": "registered"})
    if kind == "vim" and body.get("vim_type") == "openstack":
        doc["resources"] = copy.deepcopy(OPENSTACK_RESOURCES)
    if kind == "k8scluster":
        doc["_admin"].update({"helm_chart_repos": [], "juju_bundle_repos": []})
    return doc


def bus_content(doc: dict[str, Any], op_id: str) -> dict[str, Any]:
    """A bus record's content: the document without ``_admin``, with the operation id."""
    content = {k: v for k, v in copy.deepcopy(doc).items() if k != "_admin"}
    content["op_id"] = op_id
    return content


def edit_account(store: Store, kind: str, doc: dict[str, Any], body: Any, now: float
                 ) -> tuple[str, dict[str, Any]]:
    """Apply a PATCH to a live document: (operation id, the masked edit to publish)."""
    check(body, ADMIN_SCHEMAS[(kind, "edit")])
    if not body:
        raise InvalidRequest("Nothing to update. Provide payload and/or query string")
    collection = COLLECTION[kind]
    if body.get("name") and any(d["name"] == body["name"] and d["_id"] != doc["_id"]
                                for d in store.find(collection)):
        raise Conflict(f"name '{body['name']}' already exists for {collection}")
    edit = mask_secrets(body)
    for key, value in edit.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key].update(value)
        else:
            doc[key] = value
    doc["_admin"]["modified"] = now
    doc["_admin"]["operations"].append(operation("edit", now))
    return f"{doc['_id']}:{len(doc['_admin']['operations']) - 1}", edit


def delete_conflict(store: Store, kind: str, doc_id: str) -> None:
    """NBI's 409 when VNF records still use the account."""
    if kind == "vim":
        if any(v.get("vim-account-id") == doc_id for v in store.find("vnfrs")):
            raise Conflict("There is at least one VNF using this VIM account")
    elif any((k.get("k8s-cluster") or {}).get("id") == doc_id
             for v in store.find("vnfrs") for k in v.get("kdur") or []):
        raise Conflict("There is at least one VNF using this k8scluster")


def mark_deleting(doc: dict[str, Any], now: float) -> str:
    """Record the delete operation; its id."""
    doc["_admin"]["to_delete"] = True
    doc["_admin"]["operations"].append(operation("delete", now))
    return f"{doc['_id']}:{len(doc['_admin']['operations']) - 1}"


def finish_operations(doc: dict[str, Any], state: str, detail: str, now: float) -> None:
    """What LCM writes when it processed an account: its state and the operations' end."""
    doc["_admin"].update({"operationalState": state, "detailed-status": detail,
                          "modified": now})
    for entry in doc["_admin"]["operations"]:
        if entry["operationState"] == "PROCESSING":
            entry.update({"operationState": "FAILED" if state == "ERROR" else "COMPLETED",
                          "statusEnteredTime": now, "detailed-status": detail})
