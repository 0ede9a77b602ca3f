"""The records of a Kafka capture file, read as text (the reference reader: every block
the fast path of blockscan.py cannot read comes here). Streamed: memory is bounded by
the longest record, never by the file's size. Two formats, even mixed:

* JSON lines: ``{"topic", "key", "timestamp", "value"}``, the value a mapping or its YAML
  text;
* a consumer's printout: ``Received message <value> in topic <topic> with key b'<key>'
  ... with timestamp <ms>``, where the value is OSM's flow-style YAML as published,
  wrapped over several indented lines, and the next record may start on the same line
  right after the timestamp.

Only the fields pairing needs are decoded (``flowyaml.pick``), and only for records of
topic ``ns`` whose key pairing uses."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, TextIO

import yaml

from ..core.errors import UsageError
from ..osm.kafka_bus import COMPLETION_KEYS, REQUEST_KEYS
from .flowyaml import NotFlow, Spec, pick, pick_loaded

START = "Received message "
TAIL = re.compile(r"in topic (?P<topic>\S+) with key (?P<key>\S+)[^\n]*? with timestamp "
                  r"(?P<ts>\d+)")
SPACE = re.compile(r"\s*")
CHUNK = 1 << 20                 # characters read at a time
MAX_RECORD = 16 << 20           # a longer record is a broken file, not a record
OP_SPEC: Spec = {"_id": None, "id": None, "nsInstanceId": None}
COMPLETION_SPEC: Spec = {"nslcmop_id": None, "nsr_id": None, "operationState": None}
SPECS: dict[str, Spec] = {**dict.fromkeys(REQUEST_KEYS, OP_SPEC),
                          "instantiate": {**OP_SPEC, "operationParams": {"nsName": None}},
                          "scale": {**OP_SPEC, "operationParams": {
                              "scaleVnfData": {"scaleVnfType": None}}},
                          **dict.fromkeys(COMPLETION_KEYS, COMPLETION_SPEC),
                          "deleted": {"_id": None}}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RawRecord(NamedTuple):
    """One record as found in the file: its value still text (or a JSON value)."""

    topic: str
    key: str
    value: Any
    timestamp_ms: int
    line: int


Keep = Callable[[str, str], bool]   # (topic, key) -> whether a record is wanted
SKIPPED = RawRecord("", "", None, 0, 0)


def _key(text: str) -> str:
    """b'scale' / 'scale' / scale -> scale."""
    if text[:2] in ("b'", 'b"'):
        text = text[1:]
    if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text


class _Reader:
    """A sliding window over the file: chunks appended, consumed text dropped; line
    numbers counted once, forwards."""

    def __init__(self, path: Path, stream: TextIO, first_line: int = 1) -> None:
        self.path, self.stream = path, stream
        self.buf, self.pos, self.eof = "", 0, False
        self._line, self._counted = first_line, 0  # line number at buf[self._counted]

    def more(self) -> bool:
        """Read the next chunk; False at the end of the file."""
        if self.eof:
            return False
        try:
            chunk = self.stream.read(CHUNK)
        except UnicodeDecodeError as exc:
            raise UsageError(f"{self.path}: not UTF-8 text near line {self.line(self.pos)}: "
                             f"{exc.reason}; give a text capture") from None
        self.line(self.pos)
        self.buf, self.pos, self._counted = self.buf[self.pos:] + chunk, 0, 0
        self.eof = not chunk
        return bool(chunk)

    def line(self, at: int) -> int:
        """The line number of buf[at] (at >= the last position asked about)."""
        self._line += self.buf.count("\n", self._counted, at)
        self._counted = at
        return self._line

    def fail(self, at: int, message: str) -> UsageError:
        return UsageError(f"{self.path}:{self.line(at)}: {message}")


def _consumer_record(reader: _Reader, keep: Keep | None) -> RawRecord | None:
    """The 'Received message' record at reader.pos (SKIPPED when `keep` does not want it),
    or None when more text is needed."""
    buf, start = reader.buf, reader.pos
    value_at = start + len(START)
    search = value_at
    while True:
        tail = TAIL.search(buf, search)
        if tail is None or (tail.end() == len(buf) and not reader.eof):
            if len(buf) - start > MAX_RECORD:
                raise reader.fail(start, f"no 'in topic ... with key ... with timestamp <ms>' "
                                  f"within {MAX_RECORD >> 20} MB of this 'Received message'")
            if reader.eof:
                raise reader.fail(start, "a 'Received message' record without its "
                                  "'in topic ... with key ... with timestamp <ms>' end")
            return None
        if buf[tail.start() - 1] in " \t\r\n":
            break
        search = tail.start() + 1
    if buf.find(START, value_at, tail.start()) >= 0:
        raise reader.fail(start, "a 'Received message' record without its "
                          "'in topic ... with key ... with timestamp <ms>' end")
    reader.pos = tail.end()
    topic, key = tail["topic"], _key(tail["key"])
    if keep is not None and not keep(topic, key):
        return SKIPPED
    return RawRecord(topic, key, buf[value_at:tail.start() - 1], int(tail["ts"]),
                     reader.line(start))


def _json_record(reader: _Reader) -> RawRecord | None:
    buf, start = reader.buf, reader.pos
    end = buf.find("\n", start)
    if end < 0:
        if not reader.eof:
            if len(buf) - start > MAX_RECORD:
                raise reader.fail(start, f"a JSON line longer than {MAX_RECORD >> 20} MB")
            return None
        end = len(buf)
    try:
        data = json.loads(buf[start:end])
    except ValueError:
        raise reader.fail(start, "neither a JSON line nor a 'Received message ... with "
                          "timestamp <ms>' record") from None
    if not isinstance(data, dict) or not {"key", "timestamp", "value"} <= set(data):
        raise reader.fail(start, "a JSON line needs key, timestamp and value")
    try:
        timestamp = int(data["timestamp"])
    except (TypeError, ValueError):
        raise reader.fail(start, f"timestamp {data['timestamp']!r} is not milliseconds "
                          "since the epoch") from None
    reader.pos = end
    return RawRecord(str(data.get("topic", "ns")), str(data["key"]), data["value"], timestamp,
                     reader.line(start))


def open_capture(path: Path) -> TextIO:
    try:
        return path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from exc


def iter_capture(path: Path, keep: Keep | None = None) -> Iterator[RawRecord]:
    """Every record of a capture file (that `keep` wants), in file order; UsageError naming
    the line otherwise."""
    with open_capture(path) as stream:
        yield from _records(path, stream, keep)


def _records(path: Path, stream: TextIO, keep: Keep | None,
             first_line: int = 1) -> Iterator[RawRecord]:
    """The records of a stream holding whole records (a file, or a block of one whose
    first line is `first_line`)."""
    reader = _Reader(path, stream, first_line)
    reader.more()
    while True:
        if reader.buf.startswith(START, reader.pos):
            record = _consumer_record(reader, keep)
            if record is None:
                reader.more()
            elif record is not SKIPPED:
                yield record
            continue
        space = SPACE.match(reader.buf, reader.pos)   # \s* always matches
        reader.pos = space.end() if space else reader.pos
        rest = len(reader.buf) - reader.pos
        if rest == 0 or (rest < len(START) and not reader.eof):
            if not reader.more():
                if rest == 0:
                    return
                continue
            continue
        if reader.buf.startswith(START, reader.pos):
            continue
        if reader.buf[reader.pos] == "{":
            record = _json_record(reader)
        else:
            raise reader.fail(reader.pos, "neither a JSON line nor a 'Received message "
                              "... with timestamp <ms>' record")
        if record is None:
            reader.more()
        elif keep is None or keep(record.topic, record.key):
            yield record


def decode(record: RawRecord, spec: Spec, path: Path) -> dict[str, Any]:
    """The fields of `spec` from the record's value (YAML text or a JSON mapping)."""
    if not isinstance(record.value, str):
        return pick_loaded(record.value, spec)
    try:
        return pick(record.value, spec)
    except NotFlow:
        pass
    try:
        return pick_loaded(yaml.load(record.value, Loader=_LOADER), spec)
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}:{record.line}: the value of key {record.key!r} is not "
                         f"YAML: {str(exc).splitlines()[0]}") from None


def _pairing_uses(topic: str, key: str) -> bool:
    return topic == "ns" and key in SPECS


def decoded_block(path: Path, text: str, first_line: int) -> list[tuple[str, dict[str, Any],
                                                                     int]]:
    """(key, the fields pairing reads, timestamp ms) of the records of topic ``ns`` that
    pairing uses, in a block of whole records of `path` starting at line `first_line`."""
    return [(raw.key, decode(raw, SPECS[raw.key], path), raw.timestamp_ms)
            for raw in _records(path, io.StringIO(text), _pairing_uses, first_line)]
