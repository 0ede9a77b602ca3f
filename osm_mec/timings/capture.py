"""Import of existing Kafka captures: JSON lines ({"key", "timestamp", "value"} with the
value a mapping or its YAML text) and the text lines a simple consumer prints:
``Received message {...} in topic ns with key b'scale' create with timestamp <ms>``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from ..errors import UsageError
from ..kafka_bus import Record
from .records import Pairing, pair_records

TEXT_LINE = re.compile(r"^Received message (?P<value>\{.*\}) in topic (?P<topic>\S+) with key "
                       r"b'(?P<key>[^']*)'.*? with timestamp (?P<ts>\d+)\s*$")


def _value(raw: object, where: str) -> object:
    if isinstance(raw, str):
        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise UsageError(f"{where}: the value is neither a mapping nor YAML: {exc}") from exc
    return raw


def read_capture(path: Path) -> list[Record]:
    """Records of a capture file, in file order; UsageError naming the line otherwise."""
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from exc
    records = []
    for number, line in enumerate(lines, 1):
        where = f"{path}:{number}"
        if not line.strip():
            continue
        match = TEXT_LINE.match(line.strip())
        if match:
            records.append(Record(match["topic"], match["key"], _value(match["value"], where),
                                  int(match["ts"])))
            continue
        try:
            data = json.loads(line)
        except ValueError:
            raise UsageError(f"{where}: neither a JSON line nor a 'Received message ... with "
                             "timestamp <ms>' line") from None
        if not isinstance(data, dict) or not {"key", "timestamp", "value"} <= set(data):
            raise UsageError(f"{where}: a JSON line needs key, timestamp and value")
        records.append(Record(str(data.get("topic", "ns")), str(data["key"]),
                              _value(data["value"], where), int(data["timestamp"])))
    return records


def import_capture(path: Path, osm: str = "main") -> Pairing:
    return pair_records([r for r in read_capture(path) if r.topic == "ns"], osm)
