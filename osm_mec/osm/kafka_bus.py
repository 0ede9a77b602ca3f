"""OSM's Kafka bus as osm-mec uses it: record encoding, a publisher (with librdkafka's mock
cluster when no broker is given) and consumers that start at the end or the beginning of a
topic. Facts: ``shared/reference/osm-kafka.md``.

Values are one flow-style YAML mapping (``yaml.safe_dump(msg, default_flow_style=True)``),
keys the command as plain text, timestamps CreateTime in ms.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import yaml
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

from ..core.errors import OsmMecError

NS_TOPIC = "ns"
REQUEST_KEYS = ("instantiate", "scale", "action", "terminate", "update", "heal", "migrate")
COMPLETION_KEYS = {"instantiated": "instantiate", "scaled": "scale", "actioned": "action",
                   "terminated": "terminate", "updated": "update", "healed": "heal",
                   "migrated": "migrate"}
QUIET = {"log_level": 3}  # librdkafka: errors only (no notice about the mock cluster)


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: same output, faster
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def encode_value(msg: dict[str, Any]) -> bytes:
    """A record value exactly as OSM's producer writes it (yaml.safe_dump, flow style)."""
    return yaml.dump(msg, Dumper=_DUMPER, default_flow_style=True).encode()


def decode_value(raw: bytes | None) -> Any:
    """A record value decoded as OSM's consumers do (YAML, not JSON)."""
    return yaml.load(raw.decode(), Loader=_LOADER) if raw else None


@dataclass(frozen=True)
class Record:
    """One record of an OSM topic."""

    topic: str
    key: str
    value: Any
    timestamp_ms: int


class KafkaUnavailable(OsmMecError):
    """No Kafka broker answered at the given address."""


class Publisher:
    """Publishes records to a broker; starts librdkafka's mock cluster when none is given.

    The mock cluster lives as long as this publisher (``close()`` ends it).
    """

    def __init__(self, bootstrap: str | None = None, topics: tuple[str, ...] = (NS_TOPIC,)
                 ) -> None:
        config: dict[str, Any] = {**QUIET, "linger.ms": 0}
        if bootstrap:
            config["bootstrap.servers"] = bootstrap
        else:
            config["test.mock.num.brokers"] = 1
        self._producer: Producer | None = Producer(config)
        self._lock = threading.Lock()
        try:
            metadata = self._producer.list_topics(timeout=10)
            for topic in topics:  # a metadata request for a topic creates it (auto-create)
                self._producer.list_topics(topic, timeout=10)
        except KafkaException as exc:
            raise KafkaUnavailable(f"Kafka at {bootstrap or 'mock cluster'}: {exc}; check "
                                   "the address or leave it out to use the mock cluster"
                                   ) from exc
        self.bootstrap = bootstrap or ",".join(
            f"{b.host}:{b.port}" for b in metadata.brokers.values())
        self.mock = not bootstrap

    def publish(self, topic: str, key: str, msg: dict[str, Any], timestamp_ms: int) -> None:
        """Send one record and wait until the broker has it."""
        with self._lock:
            if self._producer is None:
                return  # closed: the sandbox is stopping
            self._producer.produce(topic, key=key.encode(), value=encode_value(msg),
                                   timestamp=timestamp_ms, partition=0)  # one ordered log,
            # as OSM's single-partition topics
            self._producer.flush(10)

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.flush(5)
            self._producer = None


def open_consumer(bootstrap: str, topic: str = NS_TOPIC, from_beginning: bool = False,
                  timeout: float = 10.0) -> Consumer:
    """A consumer assigned to every partition of `topic`, at its end or its beginning.

    Explicit assignment (no group rebalance) so that it is reading before this returns.
    """
    consumer = Consumer({**QUIET, "bootstrap.servers": bootstrap, "group.id": "osm-mec",
                         "enable.auto.commit": False, "fetch.wait.max.ms": 10,
                         "socket.connection.setup.timeout.ms": int(timeout * 1000)})
    try:
        metadata = consumer.list_topics(topic, timeout=timeout)
        partitions = sorted(metadata.topics[topic].partitions)
        assignment = []
        for partition in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition),
                                                       timeout=timeout)
            assignment.append(TopicPartition(topic, partition, low if from_beginning else high))
    except KafkaException as exc:
        consumer.close()
        raise KafkaUnavailable(f"Kafka at {bootstrap}: {exc}; check that the broker runs and "
                               "is reachable from here") from exc
    consumer.assign(assignment)
    return consumer


def poll_record(consumer: Consumer, timeout: float) -> Record | None:
    """The next record or None; broker errors other than end-of-partition are raised."""
    message = consumer.poll(timeout)
    if message is None:
        return None
    if message.error():
        raise KafkaUnavailable(f"Kafka: {message.error()}")
    raw_key = message.key()
    return Record(message.topic() or "", raw_key.decode() if raw_key else "",
                  decode_value(message.value()), message.timestamp()[1])
