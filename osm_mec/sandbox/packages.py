"""Package onboarding as OSM's NBI does it, using osm-mec's own validator: MD5 (409),
archive layout (400), information model and references (422), NSD before its VNFDs (409),
duplicate descriptor ids (409), and delete refused while in use (409)."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from ..offer.validation import ERROR, Finding, validate_package_bytes
from ..offer.validation.findings import LAYOUT, MISSING_DEPENDENCY
from .store import Conflict, FormatError, InvalidRequest, Refusal, Store, new_id

COLLECTION = {"vnf": "vnfds", "ns": "nsds"}
KIND_NAMES = {"vnf": "vnfd", "ns": "nsd"}
ARCHIVE_PATHS = ("(archive)", "(package)")
_VALIDATED: dict[tuple[Any, ...], tuple[Any, list[Finding]]] = {}


def _refusal(finding: Finding) -> type[Refusal]:
    """NBI's answer to a finding: a bad archive or layout is a bad request, a VNFD the NSD
    needs and that is not onboarded a conflict, anything else a format error."""
    if finding.path in ARCHIVE_PATHS or finding.kind == LAYOUT:
        return InvalidRequest
    if finding.kind == MISSING_DEPENDENCY:
        return Conflict
    return FormatError


REFUSAL_ORDER: tuple[type[Refusal], ...] = (InvalidRequest, Conflict, FormatError)


def _refuse(errors: list[Finding]) -> Refusal:
    """NBI's first refusal: the archive's layout, then a missing VNFD, then the model."""
    kind = min((_refusal(f) for f in errors), key=REFUSAL_ORDER.index)
    return kind("; ".join(f.line() for f in errors if _refusal(f) is kind))


def onboarded_vnfds(store: Store) -> dict[str, dict[str, Any]]:
    return {doc["id"]: doc for doc in store.find("vnfds")}


def onboard(store: Store, kind: str, data: bytes, headers: dict[str, str],
            now: float, project_id: str = "admin", package_id: str | None = None) -> str:
    """Validate and store a package; returns its _id or raises a Refusal."""
    filename = headers.get("content-filename") or f"{kind}-package.tar.gz"
    md5 = headers.get("content-file-md5")
    if not data:
        raise InvalidRequest("empty body: send the package's tar.gz bytes")
    actual = hashlib.md5(data).hexdigest()
    if md5 and md5.lower() != actual:
        raise Conflict(f"Invalid checksum: Content-File-MD5 {md5} does not match the "
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
    if errors or descriptor is None:
        raise _refuse(errors or [Finding(filename, "(package)", "no descriptor found")])
    with store.lock:
        wanted = KIND_NAMES[kind]
        if descriptor.kind != wanted:
            raise FormatError(f"{descriptor.file}: the package holds a "
                              f"{descriptor.kind or 'unknown descriptor'}, this endpoint "
                              f"onboards a {wanted}")
        body = descriptor.data["vnfd"] if kind == "vnf" else descriptor.data["nsd"]["nsd"][0]
        descriptor_id = str(body["id"])
        if any(doc["id"] == descriptor_id for doc in store.find(COLLECTION[kind])):
            raise Conflict(f"{wanted} with id '{descriptor_id}' already exists for this "
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
                raise Conflict(f"There is at least one {'NSD or NS' if kind == 'vnf' else 'NS'}"
                               f" instance using this descriptor: {', '.join(users)}")
        store.remove(COLLECTION[kind], package_id)
