"""A Kafka collector: a real consumer on topic ``ns`` of one OSM that keeps every record
from the moment it started, for pairing afterwards."""

from __future__ import annotations

import threading

from ..kafka_bus import NS_TOPIC, KafkaUnavailable, Record, open_consumer, poll_record
from .records import Pairing, pair_records


class KafkaCollector:
    """Collects topic ``ns`` of one OSM in a background thread."""

    def __init__(self, osm: str, bootstrap: str, simulated: bool = False) -> None:
        self.osm, self.bootstrap, self.simulated = osm, bootstrap, simulated
        self._consumer = open_consumer(bootstrap, NS_TOPIC)
        self._records: list[Record] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name=f"collector-{osm}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                record = poll_record(self._consumer, 0.1)
                if record is not None:
                    with self._lock:
                        self._records.append(record)
        except KafkaUnavailable as exc:
            self.error = str(exc)
        finally:
            self._consumer.close()

    def records(self) -> list[Record]:
        with self._lock:
            return list(self._records)

    def pairing(self, ns_names: dict[str, str] | None = None) -> Pairing:
        return pair_records(self.records(), self.osm, ns_names, self.simulated)

    def stop(self, drain: float = 0.3) -> None:
        """Stop after `drain` seconds more (records still in flight arrive)."""
        self._stop.wait(drain)
        self._stop.set()
        self._thread.join(5)
