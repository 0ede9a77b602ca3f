"""The sandbox's database: OSM's collections in memory behind one lock, and the refusals its
operations raise (why a request is refused; the HTTP layer maps them to NBI's answers)."""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Iterator
from typing import Any

COLLECTIONS = ("vnfds", "nsds", "nsrs", "vnfrs", "nslcmops", "vim_accounts", "k8sclusters",
               "tokens", "projects")


class Refusal(Exception):
    """A request the sandbox OSM refuses, worded as OSM's NBI words it. The subclass says why;
    the HTTP layer (``server``) turns it into NBI's status code and error body."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def during(self, step: str) -> Refusal:
        """The same refusal with the step NBI was at appended, as NBI words it."""
        return type(self)(f"{self.detail} while '{step}'")


class InvalidRequest(Refusal):
    """Parameters that do not fit the descriptors or the records (NBI: 400)."""


class NotAuthenticated(Refusal):
    """No token, an unknown or expired one, or wrong credentials (NBI: 401)."""


class NotFound(Refusal):
    """No record with that id or name (NBI: 404)."""


class Conflict(Refusal):
    """The records' state forbids it: in use, already there, wrong state (NBI: 409)."""


class FormatError(Refusal):
    """A body or descriptor that does not fit OSM's schema or information model (NBI: 422)."""


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
        """The live document (callers hold the lock to change it) or NotFound."""
        with self.lock:
            doc = self.data[collection].get(doc_id)
        if doc is None:
            raise NotFound(f"{what or collection} '{doc_id}' not found")
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
