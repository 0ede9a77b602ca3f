"""One OSM the chain talks to (Main or Edge): its NBI client, its Kafka bus (completion
listener and timing collector) when reachable, and the operations waited for (the timing
fallback when there is no Kafka)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from ..osm.kafka_bus import KafkaUnavailable, Record
from ..osm.nbi import NbiClient
from ..osm.waiting import OperationListener
from ..timings.records import OpTiming, from_operation, pair_records
from .progress import Progress

log = logging.getLogger(__name__)
OP_TIMEOUT = 3600.0


@dataclass
class OsmTarget:
    label: str                       # "main" or "edge"
    client: NbiClient
    kafka: str | None = None
    simulated: bool = False
    listener: OperationListener | None = None
    owns_listener: bool = True
    waited: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    ns_names: dict[str, str] = field(default_factory=dict)
    kafka_note: str = ""
    _first_record: int = 0
    _kept: list[Record] | None = None

    def connect_kafka(self, shared: OperationListener | None = None) -> None:
        """Follow this OSM's bus (a listener shared by several chains, or our own)."""
        if shared is not None:
            self.listener, self.owns_listener = shared, False
        elif not self.kafka:
            self.kafka_note = (f"{self.label} OSM: no Kafka address; timings from NBI "
                               "operation records")
            return
        else:
            try:
                self.listener = OperationListener(self.kafka, keep_records=True)
            except KafkaUnavailable as exc:
                self.kafka_note = f"{self.label} OSM: {exc}; timings from NBI operation records"
                return
        self._first_record = len(self.listener.records())

    def wait(self, op_id: str, ns_name: str, progress: Progress,
             gone_ok: bool = False) -> dict[str, Any]:
        op = self.client.wait_for_operation(op_id, OP_TIMEOUT, progress.status, self.listener,
                                            gone_ok=gone_ok)
        if "startTime" in op:
            self.waited.append((op, ns_name))
        if op.get("nsInstanceId"):
            self.ns_names[str(op["nsInstanceId"])] = ns_name
        return op

    def know(self, ns_id: str, ns_name: str) -> None:
        """Name an NS for the timing records (terminate records carry only its id)."""
        self.ns_names[ns_id] = ns_name

    def _records(self) -> list[Record] | None:
        if self._kept is not None:
            return self._kept
        if self.listener is None or self.listener.error is not None:
            return None
        self.listener.settle()
        return self.listener.records()[self._first_record:]

    def stop_kafka(self) -> None:
        """The OSM is going away: keep what its bus carried, stop following it."""
        self._kept = self._records()
        if self.listener is not None and self.owns_listener:
            self.listener.close()
        self.listener = None

    def timings(self, packages: dict[str, str]) -> tuple[list[OpTiming], list[str]]:
        """Timings of this chain's operations (Kafka pairing, else the NBI fallback), notes."""
        notes = [self.kafka_note] if self.kafka_note else []
        records = self._records()
        if records is not None:
            pairing = pair_records(records, self.label, self.ns_names, self.simulated)
            # the bus carries every NS of this OSM: keep this chain's
            timings = [t for t in pairing.timings if t.ns_id in self.ns_names]
            for kind, items in (("request", pairing.unpaired_requests),
                                ("completion", pairing.unpaired_completions)):
                items = [i for i in items if i["ns_id"] in self.ns_names]
                if items:
                    notes.append(f"{self.label} OSM: {len(items)} unpaired {kind} record(s): "
                                 + ", ".join(f"{i['key']} {i['op_id']}" for i in items))
        else:
            if self.listener is not None:
                notes.append(f"{self.label} OSM: Kafka lost ({self.listener.error}); "
                             "timings from NBI operation records")
            timings = []
        paired = {t.op_id for t in timings}
        missing = [(op, name) for op, name in self.waited if str(op.get("_id")) not in paired]
        if missing:  # no records on the bus for these: their operation records instead
            timings += [from_operation(op, self.label, name, self.simulated)
                        for op, name in missing]
            if records is not None:
                notes.append(f"{self.label} OSM: {len(missing)} operation(s) without Kafka "
                             "records, timed from NBI operation records (startTime, "
                             "statusEnteredTime)")
        return [replace(t, ns_package=packages.get(t.ns_name, "")) for t in timings], notes

    def close(self) -> None:
        if self.listener is not None and self.owns_listener:
            self.listener.close()
        self.listener = None
