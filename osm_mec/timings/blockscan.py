"""A capture file cut into blocks of whole records, each decoded on the fast path: the
consumer printout read as bytes.

``blocks`` cuts at a ``Received message`` (or, for JSON lines, at a line start). A block
holds whole ``Received message <value> in topic <t> with key <k> ... with
timestamp <ms>`` records. One search with a literal prefix (``in topic``) finds every
record's end; the text between two ends must be whitespace, ``Received message`` and
the value, exactly as ``rawcapture`` reads it. Only records of topic ``ns`` with a key
pairing uses are decoded, by ``fastflow.Picker`` (``rawcapture.decode`` when it is not
sure). A block holding anything else (a JSON line, text that is not a record, a record
without its end, non-ASCII text) is read by ``rawcapture.decoded_block`` instead, which
gives the same records or names the line that is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..core.errors import UsageError
from .fastflow import Picker
from .rawcapture import MAX_RECORD, SPECS, START, RawRecord, decode, decoded_block
from .records import pairing_fields

_START = START.encode()
# rawcapture.TAIL for ASCII text; \s and \S spelt out as Python's str patterns read them
_SPACE = rb" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_TAIL = re.compile(rb"in topic ([^%s]+) with key ([^%s]+)[^\n]*? with timestamp ([0-9]+)"
                   % (_SPACE, _SPACE))
_GAP = re.compile(rb"[%s]*" % _SPACE)
# every spelling rawcapture._key reads as a key pairing uses -> that key
_KEYS = {spelling.encode(): key for key in SPECS
         for spelling in (key, f"'{key}'", f'"{key}"', f"b'{key}'", f'b"{key}"')}

_PICKERS = {key: Picker(spec) for key, spec in SPECS.items()}
Decoded = list[tuple[str, dict[str, Any], int]]
Paired = tuple[str, str, str, str, str, int]
BLOCK = 4 << 20                # bytes per block


def _cut(data: bytes) -> int:
    """Where the last record of `data` starts (0: no cut found yet)."""
    at = data.rfind(_START)
    if at >= 0:
        return at
    return data.rfind(b"\n{") + 1


def blocks(path: Path, size: int = 0) -> Iterator[tuple[bytes, int]]:
    """(bytes, the first line's number) of consecutive blocks of whole records."""
    size = size or BLOCK
    carry, line = b"", 1
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from exc
    with stream:
        while True:
            chunk = stream.read(size)
            data = carry + chunk if carry else chunk
            if not chunk:
                if data:
                    yield data, line
                return
            cut = _cut(data)
            if cut <= 0 and len(data) <= MAX_RECORD + size:
                carry = data  # one record longer than a block: read on
                continue
            cut = cut if cut > 0 else len(data)  # a broken file: the decoder names the line
            yield data[:cut], line
            line += data.count(b"\n", 0, cut)
            carry = data[cut:]


def _gap_end(data: bytes, at: int) -> int:
    """Where the whitespace starting at data[at] ends."""
    gap = _GAP.match(data, at)
    return gap.end() if gap else at


def _utf8(path: Path, data: bytes, first_line: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + data.count(b"\n", 0, exc.start)
        raise UsageError(f"{path}: not UTF-8 text near line {line}: {exc.reason}; give a "
                         "text capture") from None


def _fast(path: Path, data: bytes, first_line: int) -> Decoded | None:
    """The block's decoded records, or None when it holds anything but records."""
    found: Decoded = []
    end = 0
    for tail in _TAIL.finditer(data):
        start = end if data.startswith(_START, end) else _gap_end(data, end)
        value_at = start + len(_START)
        tail_at = tail.start()
        if not data.startswith(_START, start) or tail_at <= value_at or \
                data[tail_at - 1] not in b" \t\r\n" or data.find(_START, value_at, tail_at) >= 0:
            return None
        end = tail.end()
        if tail[1] != b"ns" or tail[2] not in _KEYS:
            continue
        key = _KEYS[tail[2]]
        value = data[value_at:tail_at - 1]
        fields = _PICKERS[key].pick(value)
        if fields is None:
            raw = RawRecord("ns", key, value.decode("ascii"), int(tail[3]),
                            first_line + data.count(b"\n", 0, start))
            fields = decode(raw, SPECS[key], path)
        found.append((key, fields, int(tail[3])))
    if _gap_end(data, end) != len(data):
        return None
    return found


def decoded_records(path: Path, data: bytes, first_line: int) -> list[Paired]:
    """(key, op id, NS id, operation or state, NS name, timestamp ms): what pairing reads
    (records.pairing_fields) of the records of topic ``ns`` it uses, in a block of whole
    records of `path` starting at line `first_line`."""
    found = _fast(path, data, first_line) if data.isascii() else None
    if found is None:
        found = decoded_block(path, _utf8(path, data, first_line), first_line)
    return [(key, *pairing_fields(key, fields), timestamp_ms)   # type: ignore[misc]
            for key, fields, timestamp_ms in found]
