"""One timed OSM operation, and the pairing of Kafka request and completion records
(osm-kafka.md): duration = completion timestamp - request timestamp, request ``_id`` paired
with completion ``nslcmop_id``. Unpaired records are reported, never filled in."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..kafka_bus import COMPLETION_KEYS, REQUEST_KEYS, Record

SOURCES = ("kafka", "nbi")


@dataclass(frozen=True)
class OpTiming:
    """One operation: which OSM and NS, what, when (ms since epoch), how long, how it ended."""

    osm: str
    ns_name: str
    ns_id: str
    operation: str          # instantiate | scale-out | scale-in | action | terminate | ...
    op_id: str
    request_ms: int
    completion_ms: int
    state: str
    source: str = "kafka"   # kafka: record timestamps; nbi: startTime/statusEnteredTime
    simulated: bool = False
    ns_package: str = ""    # e.g. k8s-osm-cluster-ns: the paper's column
    iteration: int | None = None

    @property
    def duration_s(self) -> float:
        return (self.completion_ms - self.request_ms) / 1000

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "duration_s": round(self.duration_s, 3)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "OpTiming":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Pairing:
    timings: list[OpTiming] = field(default_factory=list)
    unpaired_requests: list[dict[str, Any]] = field(default_factory=list)
    unpaired_completions: list[dict[str, Any]] = field(default_factory=list)


def operation_name(request: dict[str, Any], key: str) -> str:
    """instantiate / scale-out / scale-in / action / terminate from a request record."""
    if key == "scale":
        params = request.get("operationParams") or {}
        kind = ((params.get("scaleVnfData") or {}).get("scaleVnfType") or "").upper()
        return {"SCALE_OUT": "scale-out", "SCALE_IN": "scale-in"}.get(kind, "scale")
    return key


def pair_records(records: Iterable[Record], osm: str, ns_names: dict[str, str] | None = None,
                 simulated: bool = False) -> Pairing:
    """Pair request and completion records of topic ``ns`` by op id."""
    names = dict(ns_names or {})
    requests: dict[str, tuple[Record, dict[str, Any]]] = {}
    completions: dict[str, tuple[Record, dict[str, Any]]] = {}
    for record in records:
        value = record.value if isinstance(record.value, dict) else {}
        if record.key in REQUEST_KEYS:
            op_id = str(value.get("_id") or value.get("id") or "")
            requests[op_id] = (record, value)
            params = value.get("operationParams") or {}
            if record.key == "instantiate" and params.get("nsName"):
                names.setdefault(str(value.get("nsInstanceId")), str(params["nsName"]))
        elif record.key in COMPLETION_KEYS:
            completions[str(value.get("nslcmop_id", ""))] = (record, value)
    result = Pairing()
    for op_id, (record, value) in requests.items():
        if op_id not in completions:
            result.unpaired_requests.append({"key": record.key, "op_id": op_id,
                                             "ns_id": str(value.get("nsInstanceId", "")),
                                             "timestamp_ms": record.timestamp_ms})
            continue
        done, done_value = completions.pop(op_id)
        ns_id = str(value.get("nsInstanceId", done_value.get("nsr_id", "")))
        result.timings.append(OpTiming(
            osm=osm, ns_name=names.get(ns_id, ns_id), ns_id=ns_id,
            operation=operation_name(value, record.key), op_id=op_id,
            request_ms=record.timestamp_ms, completion_ms=done.timestamp_ms,
            state=str(done_value.get("operationState", "")), simulated=simulated))
    for op_id, (record, value) in completions.items():
        result.unpaired_completions.append({"key": record.key, "op_id": op_id,
                                            "ns_id": str(value.get("nsr_id", "")),
                                            "timestamp_ms": record.timestamp_ms})
    result.timings.sort(key=lambda t: t.request_ms)
    return result


def from_operation(op: dict[str, Any], osm: str, ns_name: str,
                   simulated: bool = False) -> OpTiming:
    """The fallback without Kafka: an operation occurrence's startTime / statusEnteredTime."""
    key = str(op.get("lcmOperationType", ""))
    return OpTiming(osm=osm, ns_name=ns_name, ns_id=str(op.get("nsInstanceId", "")),
                    operation=operation_name(op, key), op_id=str(op.get("_id") or op["id"]),
                    request_ms=int(float(op["startTime"]) * 1000),
                    completion_ms=int(float(op["statusEnteredTime"]) * 1000),
                    state=str(op.get("operationState", "")), source="nbi", simulated=simulated)


def write_jsonl(path: Path, timings: Iterable[OpTiming], append: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a" if append else "w") as out:
        for timing in timings:
            out.write(json.dumps(timing.as_dict(), sort_keys=True) + "\n")


def read_jsonl(path: Path) -> list[OpTiming]:
    return [OpTiming.from_dict(json.loads(line)) for line in path.read_text().splitlines()
            if line.strip()]
