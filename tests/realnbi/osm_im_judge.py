"""OSM's own verdict on descriptors: run INSIDE the harness's venv (``../shared/osm-nbi``),
not by pytest. Used by test_im_agreement.py, one process for a whole batch.

Input (stdin, JSON): ``{"vnfds": {id: vnfd}, "cases": [{"id", "kind": "vnfd"|"nsd",
"data": <descriptor file content>}], "paths": {"vnfd"|"nsd": [[yang node names]]}}``.
Output (stdout, JSON): ``{"verdicts": [{"id", "accepted": bool, "stage":
"envelope"|"pyangbind"|"nbi"|"", "detail": str}], "nodes": {"vnfd"|"nsd": [null | {"kind":
"container"|"list"|"leaf-list"|"leaf", "keys": [...]}]}}``: a verdict per case and, for each
path, what OSM's IM has there (null: no such node; leaves also give their YANG type and
enumeration values), read from the IM's generated bindings.

Each descriptor goes through the path of NBI's package upload that does not need the
package's files: ``_remove_envelop``, the RFC 7396 merge into the new record (which drops
null values), then ``check_conflict_on_edit`` of OSM's own VnfdTopic/NsdTopic (identifier
uniqueness, pyangbind validation against OSM's IM, NBI's cross-reference checks, NSD ->
VNFD references). Only the package-file checks (cloud-init files, charm folders: our
package check's job) are skipped, and the DB is a stand-in holding the given VNFDs. The
harness's own shims are applied first, as its NBI does.
"""

from __future__ import annotations

import json
import os
import sys


def _setup(harness: str) -> None:
    sys.path[:0] = [harness, os.path.join(harness, "vendor")]
    import launcher  # the harness: its IM-validation shims, exactly as its NBI has them

    launcher.apply_shims()


class _Db:
    """The VNFDs an NSD may name; nothing else exists."""

    def __init__(self, vnfds: dict) -> None:
        self.vnfds = vnfds

    def get_list(self, topic, q_filter=None, **_):
        if topic == "vnfds" and q_filter and q_filter.get("id") in self.vnfds:
            return [self.vnfds[q_filter["id"]]]
        return []

    def get_one(self, *_, **__):
        return None


def _topics(db: _Db):
    from osm_nbi.descriptor_topics import NsdTopic, VnfdTopic

    def no_files(*_, **__):
        return None

    def judge(topic_class):
        topic = topic_class.__new__(topic_class)  # no DB/bus/storage connections
        topic.db, topic.fs, topic.msg, topic.auth = db, None, None, None
        topic.multiproject = False
        for name in ("_validate_vdu_cloud_init_in_package", "_validate_vdu_charms_in_package",
                     "_validate_vnf_charms_in_package"):
            if hasattr(topic_class, name):
                setattr(topic, name, no_files)
        return topic

    return {"vnfd": judge(VnfdTopic), "nsd": judge(NsdTopic)}


def _stage(detail: str, passed_envelope: bool) -> str:
    if not passed_envelope:
        return "envelope"
    return "pyangbind" if "pyangbind" in detail else "nbi"


def verdict(topic, data) -> dict:
    from osm_common.dbbase import deep_update_rfc7396

    session = {"force": False, "public": None, "project_id": ["judge"], "admin": True,
               "method": "write", "set_project": None}
    passed_envelope = False
    try:
        indata = topic._remove_envelop(json.loads(json.dumps(data)))
        passed_envelope = True
        record = {"_id": "judge", "_admin": {"storage": {"folder": "judge", "pkg-dir": "p",
                                                         "descriptor": "d"}}}
        deep_update_rfc7396(record, indata)
        topic.check_conflict_on_edit(session, record, indata, _id="judge")
    except Exception as exc:  # NBI's answer, whatever its type (EngineException mostly)
        detail = f"{type(exc).__name__}: {exc}"
        return {"accepted": False, "stage": _stage(detail, passed_envelope), "detail": detail}
    return {"accepted": True, "stage": "", "detail": ""}


def _child(node, yang_name: str):
    for name in getattr(node, "_pyangbind_elements", {}):
        child = getattr(node, name)
        if getattr(child, "_yang_name", None) == yang_name:
            return child
    return None


def _describe(child) -> dict:
    if hasattr(child, "_keyval"):  # a YANG list: key leaves by their YANG names
        entry = child._contained_class()
        keys = [getattr(entry, key)._yang_name for key in (child._keyval or "").split()]
        return {"kind": "list", "keys": keys}
    if hasattr(child, "_pyangbind_elements"):
        return {"kind": "container", "keys": []}
    if hasattr(child, "_list"):
        return {"kind": "leaf-list", "keys": []}
    enum = (getattr(child, "_restriction_dict", None) or {}).get("dict_key")
    return {"kind": "leaf", "keys": [], "type": getattr(child, "_yang_type", None),
            "enum": sorted(enum) if isinstance(enum, dict) else None}


def node(root, path: list) -> dict | None:
    """What the IM has at a path of YANG node names (list entries are stepped through)."""
    current, found = root, None
    for yang_name in path:
        child = _child(current, yang_name)
        if child is None:
            return None
        found = _describe(child)
        current = child._contained_class() if found["kind"] == "list" else child
    return found


def main() -> None:
    _setup(os.environ["OSM_NBI_HARNESS"])
    from osm_im import etsi_nfv_nsd, etsi_nfv_vnfd

    batch = json.load(sys.stdin)
    topics = _topics(_Db(batch["vnfds"]))
    verdicts = [{"id": case["id"], **verdict(topics[case["kind"]], case["data"])}
                for case in batch["cases"]]
    roots = {"vnfd": etsi_nfv_vnfd.etsi_nfv_vnfd(), "nsd": etsi_nfv_nsd.etsi_nfv_nsd()}
    nodes = {kind: [node(roots[kind], path) for path in paths]
             for kind, paths in (batch.get("paths") or {}).items()}
    json.dump({"verdicts": verdicts, "nodes": nodes}, sys.stdout)


if __name__ == "__main__":
    main()
