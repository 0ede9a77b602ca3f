"""The sandbox's database: OSM's collections in memory behind one lock, and the error type
its NBI answers with ({code, status, detail})."""

from __future__ import annotations

import copy
import threading
import uuid
from http import HTTPStatus
from typing import Any, Iterator

COLLECTIONS = ("vnfds", "nsds", "nsrs", "vnfrs", "nslcmops", "vim_accounts", "k8sclusters",
               "tokens", "projects")


class Problem(Exception):
    """An NBI error answer: HTTP status, OSM's code (the status name) and detail."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail

    def body(self) -> dict[str, Any]:
        return {"code": HTTPStatus(self.status).name, "status": self.status,
                "detail": self.detail}


def new_id() -> str:
    return str(uuid.uuid4())


class Store:
    """Collections of documents by _id. Use ``with store.lock:`` around read-modify-write."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.data: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in COLLECTIONS}

    def add(self, collection: str, doc: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.data[collection][doc["_id"]] = doc
            return doc

    def get(self, collection: str, doc_id: str, what: str = "") -> dict[str, Any]:
        """The live document (callers hold the lock to change it) or 404."""
        with self.lock:
            doc = self.data[collection].get(doc_id)
        if doc is None:
            raise Problem(404, f"{what or collection} '{doc_id}' not found")
        return doc

    def find(self, collection: str, **match: Any) -> Iterator[dict[str, Any]]:
        with self.lock:
            docs = list(self.data[collection].values())
        for doc in docs:
            if all(doc.get(k) == v for k, v in match.items()):
                yield doc

    def member_vnfr(self, nsr: dict[str, Any], member: str) -> dict[str, Any] | None:
        """The VNF record of one member-vnf-index of an NS instance (None if no such member)."""
        vnfrs = (self.get("vnfrs", v) for v in nsr["constituent-vnfr-ref"])
        return next((v for v in vnfrs if v["member-vnf-index-ref"] == member), None)

    def remove(self, collection: str, doc_id: str) -> None:
        with self.lock:
            self.data[collection].pop(doc_id, None)

    def snapshot(self, doc: dict[str, Any]) -> dict[str, Any]:
        """A deep copy taken under the lock, safe to serialise."""
        with self.lock:
            return copy.deepcopy(doc)
