"""Realistic Kafka captures for tests and benchmarks/timings_import.py, written from the
shapes OSM publishes (docs/timings.md): NBI's whole operation document on ``instantiate``
/ ``scale`` / ``terminate``, LCM's ``{nsr_id, nslcmop_id, operationState}`` on completion,
NBI's ``deleted`` after an autoremove, and the noise a real capture holds (``echo``
keep-alives, ``vca_status_refresh``, package and cluster topics). Values are
``yaml.safe_dump(..., default_flow_style=True)`` as OSM dumps them (wrapped at 80 columns).

Two layouts: ``consumer`` prints what a simple consumer script prints (the value's text,
so several indented lines, then `` in topic ns with key b'...' create with timestamp
<ms>``, and the next record sometimes on the same line), ``jsonl`` one JSON object per
record. Every draw comes from a seeded RNG: the same seed writes the same bytes."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from typing import Any, TextIO

import yaml

# (NS name, package, mean s, sd s) of one deployment iteration, in order (the paper's order)
CHAIN = (("osm-cluster", "k8s-osm-cluster-ns", 585.3, 34.5),
         ("mec-env", "mec-env-ns", 646.6, 59.9),
         ("mec-app", "mec-app-ns", 18.4, 5.1))
SCALE = {"SCALE_OUT": ("scale-out", 485.7, 53.8), "SCALE_IN": ("scale-in", 38.3, 3.6)}
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class Expected:
    """An operation the capture holds, as the import must find it."""

    ns_name: str
    operation: str
    duration_ms: int
    state: str


class CaptureWriter:
    """Writes records of one capture, in either layout."""

    def __init__(self, out: TextIO, layout: str = "consumer", seed: int = 1) -> None:
        if layout not in ("consumer", "jsonl"):
            raise ValueError(layout)
        self.out, self.layout = out, layout
        self.rng = random.Random(seed)
        self.project = self.uuid()
        self.expected: list[Expected] = []

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def record(self, topic: str, key: str, value: Any, timestamp_ms: int) -> None:
        text = yaml.dump(value, Dumper=_DUMPER, default_flow_style=True)
        if self.layout == "jsonl":
            self.out.write(json.dumps({"topic": topic, "key": key, "timestamp": timestamp_ms,
                                       "value": text}) + "\n")
            return
        self.out.write(f"Received message {text} in topic {topic} with key "
                       f"{key.encode()!r} create with timestamp {timestamp_ms}")
        self.out.write("\n" if self.rng.random() < 0.5 else "")

    def _noise(self, ns_id: str, start: int, end: int) -> None:
        for _ in range(self.rng.randint(1, 4)):
            at = self.rng.randint(start, end)
            if self.rng.random() < 0.5:
                self.record("ns", "vca_status_refresh", {"nsr_id": ns_id}, at)
            else:
                self.record("ns", "echo", "dummy message", at)

    def operation(self, ns_id: str, ns_name: str, kind: str, params: dict[str, Any],
                  operation: str, start_ms: int, seconds: float, state: str = "COMPLETED",
                  completion: bool = True) -> int:
        """Request, noise, completion of one operation; its completion time (ms)."""
        op_id = self.uuid()
        end_ms = start_ms + max(1, int(seconds * 1000))
        self.record("ns", kind, self._op_document(op_id, ns_id, kind, params, start_ms),
                    start_ms)
        self._noise(ns_id, start_ms, end_ms)
        if completion:
            done: dict[str, Any] = {"nslcmop_id": op_id, "nsr_id": ns_id, "operationState": state}
            if kind == "terminate":
                done["autoremove"] = True
            self.record("ns", kind + ("d" if kind.endswith("e") else "ed"), done, end_ms)
            self.expected.append(Expected(ns_name, operation, end_ms - start_ms, state))
        return end_ms

    def _op_document(self, op_id: str, ns_id: str, kind: str, params: dict[str, Any],
                     start_ms: int) -> dict[str, Any]:
        now = start_ms / 1000
        return {"_admin": {"created": now, "modified": now, "projects_read": [self.project],
                           "projects_write": [self.project], "worker": "a9c3b1f6e2d4"},
                "_id": op_id, "id": op_id, "detailedStatus": None, "errorMessage": None,
                "isAutomaticInvocation": False, "isCancelPending": False,
                "lcmOperationType": kind,
                "links": {"nsInstance": f"/osm/nslcm/v1/ns_instances/{ns_id}",
                          "self": f"/osm/nslcm/v1/ns_lcm_op_occs/{op_id}"},
                "nsInstanceId": ns_id,
                "operationParams": {**params, "lcmOperationType": kind, "nsInstanceId": ns_id},
                "operationState": "PROCESSING", "queuePosition": None, "stage": None,
                "startTime": now, "statusEnteredTime": now}

    def _instantiate_params(self, ns_name: str, package: str, ns_id: str) -> dict[str, Any]:
        vnf_params = [{"member-vnf-index": "osm_vnf", "additionalParams": {
            "cluster_name": f"{ns_name}-{ns_id[:8]}", "pod_network_cidr": "10.244.0.0/16",
            "ssh_user": "ubuntu", "workers": 2, "k8s_version": "1.29",
            "registration": {"nbi_url": "https://10.0.0.5:9999/osm", "vim": "nsp-vim"}}}]
        return {"nsName": ns_name, "nsdId": self.uuid(), "vimAccountId": self.uuid(),
                "nsDescription": f"{package} of CSP acme, instantiated by osm-mec bench",
                "nsr_id": ns_id, "additionalParamsForVnf": json.dumps(vnf_params),
                "ssh_keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3x9Qq7Lk2f nsp@osm"]}

    def _draw(self, mean: float, sd: float) -> float:
        return max(0.5, self.rng.gauss(mean, sd))

    def iteration(self, start_ms: int, scale_pairs: int = 1) -> int:
        """One deployment iteration of the chain, scale pairs on mec-env, teardown, and a
        few records of other topics; the time it ended (ms)."""
        at = start_ms
        self.record("nsd", "created", {"_id": self.uuid(), "id": "k8s-osm-cluster-nsd"}, at)
        ns_ids = {}
        for name, package, mean, sd in CHAIN:
            ns_ids[name] = self.uuid()
            at = self.operation(ns_ids[name], name, "instantiate",
                                self._instantiate_params(name, package, ns_ids[name]),
                                "instantiate", at + self.rng.randint(200, 3000),
                                self._draw(mean, sd))
        for _ in range(scale_pairs):
            for direction in ("SCALE_OUT", "SCALE_IN"):
                operation, mean, sd = SCALE[direction]
                params = {"scaleType": "SCALE_VNF", "scaleVnfData": {
                    "scaleVnfType": direction, "scaleByStepData": {
                        "scaling-group-descriptor": "worker-scale",
                        "member-vnf-index": "osm_vnf"}}}
                at = self.operation(ns_ids["mec-env"], "mec-env", "scale", params, operation,
                                    at + self.rng.randint(200, 3000), self._draw(mean, sd))
        self.record("k8scluster", "edited", {"_id": self.uuid(), "name": "edge-cluster"}, at)
        for name in reversed(ns_ids):
            at = self.operation(ns_ids[name], name, "terminate", {"autoremove": True},
                                "terminate", at + self.rng.randint(200, 3000),
                                self._draw(35.0, 5.0))
            self.record("ns", "deleted", {"_id": ns_ids[name]}, at + 40)
        return at + 1000
