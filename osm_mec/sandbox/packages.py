"""Package onboarding as OSM's NBI does it, using osm-mec's own validator: MD5 (409),
archive layout (400), information model and references (422), NSD before its VNFDs (409),
duplicate descriptor ids (409), and delete refused while in use (409)."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from ..offer.validation import ERROR, Finding, validate_package_bytes
from .store import Problem, Store, new_id

COLLECTION = {"vnf": "vnfds", "ns": "nsds"}
KIND_NAMES = {"vnf": "vnfd", "ns": "nsd"}
ARCHIVE_PATHS = ("(archive)", "(package)")
_VALIDATED: dict[tuple[Any, ...], tuple[Any, list[Finding]]] = {}


def _status(finding: Finding) -> int:
    if finding.path in ARCHIVE_PATHS or "NBI answers 400" in finding.message \
            or "NBI refuses the package" in finding.message:
        return 400
    if ".vnfd-id[" in finding.path and "not onboarded" in finding.message:
        return 409
    return 422


def _refuse(errors: list[Finding]) -> Problem:
    status = min(_status(f) for f in errors)  # 400 (archive) before 409 before 422
    chosen = [f for f in errors if _status(f) == status]
    return Problem(status, "; ".join(f.line() for f in chosen))


def onboarded_vnfds(store: Store) -> dict[str, dict[str, Any]]:
    return {doc["id"]: doc for doc in store.find("vnfds")}


def onboard(store: Store, kind: str, data: bytes, headers: dict[str, str],
            now: float, project_id: str = "admin", package_id: str | None = None) -> str:
    """Validate and store a package; returns its _id or raises Problem."""
    filename = headers.get("content-filename") or f"{kind}-package.tar.gz"
    md5 = headers.get("content-file-md5")
    if not data:
        raise Problem(400, "empty body: send the package's tar.gz bytes")
    actual = hashlib.md5(data).hexdigest()
    if md5 and md5.lower() != actual:
        raise Problem(409, f"Invalid checksum: Content-File-MD5 {md5} does not match the "
                           f"uploaded content ({actual})")
    # validated outside the lock (Helm lint is slow), the same bytes against the same
    # onboarded VNFDs only once
    vnfds = onboarded_vnfds(store)
    key = (actual, filename, tuple(sorted((i, d["_admin"]["md5"]) for i, d in vnfds.items())))
    if key not in _VALIDATED:
        if len(_VALIDATED) > 256:
            _VALIDATED.clear()
        _VALIDATED[key] = validate_package_bytes(data, filename, vnfds)
    descriptor, findings = _VALIDATED[key]
    errors = [f for f in findings if f.severity == ERROR]
    if errors:
        raise _refuse(errors)
    assert descriptor is not None
    with store.lock:
        wanted = KIND_NAMES[kind]
        if descriptor.kind != wanted:
            raise Problem(422, f"{descriptor.file}: the package holds a "
                               f"{descriptor.kind or 'unknown descriptor'}, this endpoint "
                               f"onboards a {wanted}")
        body = descriptor.data["vnfd"] if kind == "vnf" else descriptor.data["nsd"]["nsd"][0]
        descriptor_id = str(body["id"])
        if any(doc["id"] == descriptor_id for doc in store.find(COLLECTION[kind])):
            raise Problem(409, f"{wanted} with id '{descriptor_id}' already exists for this "
                               "project")
        doc = {**copy.deepcopy(body), "_id": package_id or new_id(), "_admin": {
            "onboardingState": "ONBOARDED", "operationalState": "ENABLED",
            "usageState": "NOT_IN_USE", "created": now, "modified": now, "revision": 1,
            "projects_read": [project_id], "projects_write": [project_id],
            "userDefinedData": {}, "storage": {"zipfile": filename, "descriptor":
                                              descriptor.file.rsplit(":", 1)[-1]},
            "md5": actual}}
        return store.add(COLLECTION[kind], doc)["_id"]


def delete(store: Store, kind: str, package_id: str, force: bool) -> None:
    """Delete a package unless an NSD or an NS instance uses it (FORCE skips the checks)."""
    with store.lock:
        doc = store.get(COLLECTION[kind], package_id, KIND_NAMES[kind])
        if not force:
            if kind == "vnf":
                users = [n["id"] for n in store.find("nsds") if doc["id"] in n.get("vnfd-id", [])]
                users += [v["_id"] for v in store.find("vnfrs", **{"vnfd-id": package_id})]
            else:
                users = [n["_id"] for n in store.find("nsrs", **{"nsd-id": package_id})]
            if users:
                raise Problem(409, f"There is at least one {'NSD or NS' if kind == 'vnf' else 'NS'}"
                                   f" instance using this descriptor: {', '.join(users)}")
        store.remove(COLLECTION[kind], package_id)
