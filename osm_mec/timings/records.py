"""One timed OSM operation, and the pairing of Kafka request and completion records
(osm-kafka.md): duration = completion timestamp - request timestamp, request ``_id`` paired
with completion ``nslcmop_id``. Unpaired records are reported, never filled in."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..core.errors import UsageError
from ..osm.kafka_bus import COMPLETION_KEYS, REQUEST_KEYS, Record

SOURCES = ("kafka", "nbi")
_JSON = json.JSONEncoder(sort_keys=True)   # what json.dumps(..., sort_keys=True) uses
_JSON_STR = json.encoder.encode_basestring_ascii   # a str as json.dumps writes it


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
    run: int | None = None  # which bench run timed it (a resumed bench re-runs an iteration)

    @property
    def duration_s(self) -> float:
        return (self.completion_ms - self.request_ms) / 1000

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "duration_s": round(self.duration_s, 3)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OpTiming:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Pairing:
    timings: list[OpTiming] = field(default_factory=list)
    unpaired_requests: list[dict[str, Any]] = field(default_factory=list)
    unpaired_completions: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0     # records repeated (a consumer restarted, say): counted once


def pairing_fields(key: str, value: Any) -> tuple[str, str, str, str] | None:
    """What pairing reads of a record: (op id, NS id, operation or final state, NS name
    of an instantiate request); ('', NS id, '', '') for ``deleted``; None for a key
    pairing does not use."""
    value = value if isinstance(value, dict) else {}
    if key == "deleted":
        return "", str(value.get("_id", "")), "", ""
    if key in REQUEST_KEYS:
        params = value.get("operationParams") or {}
        name = str(params["nsName"]) if key == "instantiate" and params.get("nsName") else ""
        return (str(value.get("_id") or value.get("id") or ""),
                str(value.get("nsInstanceId", "")), operation_name(value, key), name)
    if key in COMPLETION_KEYS:
        return (str(value.get("nslcmop_id", "")), str(value.get("nsr_id", "")),
                str(value.get("operationState", "")), "")
    return None


def operation_name(request: dict[str, Any], key: str) -> str:
    """instantiate / scale-out / scale-in / action / terminate from a request record."""
    if key == "scale":
        params = request.get("operationParams") or {}
        kind = ((params.get("scaleVnfData") or {}).get("scaleVnfType") or "").upper()
        return {"SCALE_OUT": "scale-out", "SCALE_IN": "scale-in"}.get(kind, "scale")
    return key


class Pairer:
    """Pairs request and completion records of topic ``ns`` by op id as they come, in any
    order, keeping only what is still unpaired, plus what it needs to count a repeated
    record once (a consumer restarted from the start, say): the op ids paired on NSs that
    still exist, and the ids of NSs NBI deleted (its ``deleted`` record; NS ids are never
    reused, so a later record of such an NS is a repeat). NS names are kept until then."""

    def __init__(self, osm: str, ns_names: dict[str, str] | None = None,
                 simulated: bool = False) -> None:
        self.osm, self.simulated = osm, simulated
        self.names = dict(ns_names or {})
        # op id -> (key, ns id, operation or state, timestamp ms)
        self._requests: dict[str, tuple[str, str, str, int]] = {}
        self._completions: dict[str, tuple[str, str, str, int]] = {}
        self._paired: set[str] = set()
        self._paired_of: dict[str, list[str]] = {}   # NS id -> its paired op ids
        self._deleted: set[str] = set()
        self.duplicates = 0

    def add(self, record: Record) -> OpTiming | None:
        """Take one record; the operation it completes, if it completes one."""
        return self.take(record.key, record.value, record.timestamp_ms)

    def take(self, key: str, value: Any, timestamp_ms: int) -> OpTiming | None:
        """Take one record's key, value and timestamp; the operation it completes, if any."""
        fields = pairing_fields(key, value)
        return None if fields is None else self.take_fields(key, *fields, timestamp_ms)

    def take_fields(self, key: str, op_id: str, ns_id: str, what: str, name: str,
                    timestamp_ms: int) -> OpTiming | None:
        """take() with the value already reduced by pairing_fields()."""
        if key == "deleted":
            self.names.pop(ns_id, None)
            self._paired.difference_update(self._paired_of.pop(ns_id, ()))
            if ns_id:
                self._deleted.add(ns_id)
            return None
        if name:
            self.names.setdefault(ns_id, name)
        mine = (key, ns_id, what, timestamp_ms)
        if key in COMPLETION_KEYS:
            mine_in, other = self._completions, self._requests
        else:
            mine_in, other = self._requests, self._completions
        if op_id in self._paired or op_id in mine_in or mine[1] in self._deleted:
            self.duplicates += 1
            earlier = mine_in.get(op_id)
            if earlier is not None and mine[3] < earlier[3]:
                mine_in[op_id] = mine  # the earliest copy counts
            return None
        if op_id not in other:
            mine_in[op_id] = mine
            return None
        request, done = (mine, other.pop(op_id)) if mine_in is self._requests \
            else (other.pop(op_id), mine)
        ns_id = request[1] or done[1]
        self._paired.add(op_id)
        self._paired_of.setdefault(ns_id, []).append(op_id)
        return OpTiming(osm=self.osm, ns_name=self.names.get(ns_id, ns_id), ns_id=ns_id,
                        operation=request[2], op_id=op_id, request_ms=request[3],
                        completion_ms=done[3], state=done[2], simulated=self.simulated)

    @staticmethod
    def _listed(pending: dict[str, tuple[str, str, str, int]]) -> list[dict[str, Any]]:
        return [{"key": key, "op_id": op_id, "ns_id": ns_id, "timestamp_ms": ts}
                for op_id, (key, ns_id, _, ts) in sorted(pending.items(),
                                                          key=lambda item: item[1][3])]

    def unpaired_requests(self) -> list[dict[str, Any]]:
        return self._listed(self._requests)

    def unpaired_completions(self) -> list[dict[str, Any]]:
        return self._listed(self._completions)


def pair_records(records: Iterable[Record], osm: str, ns_names: dict[str, str] | None = None,
                 simulated: bool = False) -> Pairing:
    """Pair request and completion records of topic ``ns`` by op id."""
    pairer = Pairer(osm, ns_names, simulated)
    timings = [t for t in map(pairer.add, records) if t is not None]
    timings.sort(key=lambda t: t.request_ms)
    return Pairing(timings, pairer.unpaired_requests(), pairer.unpaired_completions(),
                   pairer.duplicates)


def from_operation(op: dict[str, Any], osm: str, ns_name: str,
                   simulated: bool = False) -> OpTiming:
    """The fallback without Kafka: an operation occurrence's startTime / statusEnteredTime."""
    key = str(op.get("lcmOperationType", ""))
    return OpTiming(osm=osm, ns_name=ns_name, ns_id=str(op.get("nsInstanceId", "")),
                    operation=operation_name(op, key), op_id=str(op.get("_id") or op["id"]),
                    request_ms=int(float(op["startTime"]) * 1000),
                    completion_ms=int(float(op["statusEnteredTime"]) * 1000),
                    state=str(op.get("operationState", "")), source="nbi", simulated=simulated)


def _json_line(timing: OpTiming) -> str:
    """json.dumps(timing.as_dict(), sort_keys=True), written out for the usual types."""
    t = timing
    if not (type(t.request_ms) is type(t.completion_ms) is int and type(t.simulated) is bool
            and (t.iteration is None or type(t.iteration) is int)
            and (t.run is None or type(t.run) is int)
            and all(type(text) is str for text in (t.ns_id, t.ns_name, t.ns_package, t.op_id,
                                                    t.operation, t.osm, t.source, t.state))):
        return _JSON.encode(t.as_dict())
    text = _JSON_STR
    iteration = "null" if t.iteration is None else repr(t.iteration)
    run = "null" if t.run is None else repr(t.run)
    return (f'{{"completion_ms": {t.completion_ms!r}, "duration_s": '
            f'{round(t.duration_s, 3)!r}, "iteration": {iteration}, "ns_id": {text(t.ns_id)}, '
            f'"ns_name": {text(t.ns_name)}, "ns_package": {text(t.ns_package)}, '
            f'"op_id": {text(t.op_id)}, "operation": {text(t.operation)}, '
            f'"osm": {text(t.osm)}, "request_ms": {t.request_ms!r}, "run": {run}, "simulated": '
            f'{"true" if t.simulated else "false"}, "source": {text(t.source)}, '
            f'"state": {text(t.state)}}}')


def write_timings(out: TextIO, timings: Iterable[OpTiming]) -> None:
    """One JSON line per timing to an open text stream."""
    out.write("".join(_json_line(timing) + "\n" for timing in timings))


def write_jsonl(path: Path, timings: Iterable[OpTiming], append: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a" if append else "w") as out:
        write_timings(out, timings)


def read_jsonl(path: Path) -> list[OpTiming]:
    """The timings of a JSON-lines file; UsageError naming the line that is not one."""
    timings = []
    with path.open() as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                timing = OpTiming.from_dict(json.loads(line))
                timing.duration_s  # noqa: B018  (numbers, not text)
            except (ValueError, TypeError, AttributeError) as exc:
                raise UsageError(f"{path}:{number}: not a timing written by osm-mec "
                                 f"({exc}); move the file out of the folder") from None
            timings.append(timing)
    return timings
