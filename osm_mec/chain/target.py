"""One OSM the chain talks to (Main or Edge): its NBI client, its Kafka bus (completion
listener and timing collector) when reachable, and the operations waited for (the timing
fallback when there is no Kafka)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from ..kafka_bus import KafkaUnavailable
from ..nbi import NbiClient
from ..timings.collector import KafkaCollector
from ..timings.records import OpTiming, from_operation
from ..waiting import OperationListener
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
    collector: KafkaCollector | None = None
    waited: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    ns_names: dict[str, str] = field(default_factory=dict)
    kafka_note: str = ""

    def connect_kafka(self) -> None:
        if not self.kafka:
            self.kafka_note = f"{self.label} OSM: no Kafka address; timings from NBI operation records"
            return
        try:
            self.listener = OperationListener(self.kafka)
            self.collector = KafkaCollector(self.label, self.kafka, self.simulated)
        except KafkaUnavailable as exc:
            self.kafka_note = f"{self.label} OSM: {exc}; timings from NBI operation records"

    def wait(self, op_id: str, ns_name: str, progress: Progress,
             gone_ok: bool = False) -> dict[str, Any]:
        op = self.client.wait_for_operation(op_id, OP_TIMEOUT, progress.status, self.listener,
                                            gone_ok=gone_ok)
        if "startTime" in op:
            self.waited.append((op, ns_name))
        if op.get("nsInstanceId"):
            self.ns_names[str(op["nsInstanceId"])] = ns_name
        return op

    def timings(self, packages: dict[str, str]) -> tuple[list[OpTiming], list[str]]:
        """Timings of this run (Kafka pairing, else the NBI fallback) and notes."""
        notes = [self.kafka_note] if self.kafka_note else []
        if self.collector is not None and self.collector.error is None:
            self.collector.stop()
            pairing = self.collector.pairing(self.ns_names)
            # the bus carries every NS of this OSM: keep this chain's (other CSPs' runs
            # record their own)
            timings = [t for t in pairing.timings if t.ns_id in self.ns_names]
            for kind, items in (("request", pairing.unpaired_requests),
                                ("completion", pairing.unpaired_completions)):
                items = [i for i in items if i["ns_id"] in self.ns_names]
                if items:
                    notes.append(f"{self.label} OSM: {len(items)} unpaired {kind} record(s): "
                                 + ", ".join(f"{i['key']} {i['op_id']}" for i in items))
        else:
            if self.collector is not None:
                notes.append(f"{self.label} OSM: Kafka lost ({self.collector.error}); "
                             "timings from NBI operation records")
            timings = [from_operation(op, self.label, name, self.simulated)
                       for op, name in self.waited]
        return [replace(t, ns_package=packages.get(t.ns_name, "")) for t in timings], notes

    def know(self, ns_id: str, ns_name: str) -> None:
        """Name an NS for the timing records (terminate records carry only its id)."""
        self.ns_names[ns_id] = ns_name

    def stop_kafka(self) -> None:
        """Stop listening (the OSM is going away); collected records are kept."""
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        if self.collector is not None:
            self.collector.stop()

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        if self.collector is not None:
            self.collector.stop(0)
            self.collector = None
