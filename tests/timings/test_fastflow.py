"""The fast path of `timings import` gives what the reference reader gives: fastflow's
field picker against flowyaml.pick, blockscan's block reader against rawcapture's, on
generated OSM documents and captures and on tricky ones (quotes, brackets and commas
inside strings, nested and repeated keys, keys differing from the wanted ones only in
hex letters, records wrapped over lines or starting where the previous one ended)."""

from __future__ import annotations

import datetime
import io
import json
import random
from pathlib import Path

import pytest
import yaml

from osm_mec.timings import blockscan
from osm_mec.timings.fastflow import Picker, quick_pick
from osm_mec.timings.flowyaml import NotFlow, Spec, pick
from osm_mec.timings.rawcapture import SPECS, decoded_block
from osm_mec.timings.records import pairing_fields

from .captures import CaptureWriter
from .test_flowyaml import AWKWARD, _key, _spec, _value

OP_SPEC = SPECS["scale"]


def _reference(text: str, spec) -> object:
    try:
        return pick(text, spec)
    except NotFlow:
        return NotFlow


def _osm_document(rng: random.Random) -> dict:
    """An NS operation document as NBI publishes it, with awkward values where pairing
    does not look, and sometimes awkward ones where it does."""
    writer = CaptureWriter(io.StringIO(), seed=rng.randrange(10**6))
    params = {"nsName": rng.choice(["mec-env", "osm-cluster", "2024", "yes", "a b"]),
              "scaleVnfData": {"scaleVnfType": rng.choice(["SCALE_OUT", "SCALE_IN"]),
                               "scaleByStepData": {"member-vnf-index": "osm_vnf"}},
              "vld": [{"name": rng.choice(AWKWARD), "_id": "inner"}, {"x": [1, {"y": "}"}]}],
              "note": rng.choice(AWKWARD), "nsInstanceId": "nested-not-top"}
    doc = writer._op_document(writer.uuid(), writer.uuid(), "scale", params, 1_660_917_225_536)
    for _ in range(rng.randint(0, 4)):
        doc[_key(rng)] = _value(rng, 2)
    if rng.random() < 0.2:
        doc["_ic"] = writer.uuid()   # the shape of '_id', another key
    if rng.random() < 0.1:
        doc["id"] = rng.choice(AWKWARD)   # a wanted value that must be quoted
    return doc


def test_picker_equals_flowyaml_on_osm_documents() -> None:
    rng = random.Random(20261201)
    picker = Picker(OP_SPEC)   # one picker: plans made once, reused across documents
    answered = 0
    for _ in range(300):
        text = yaml.safe_dump(_osm_document(rng), default_flow_style=True,
                              width=rng.choice([40, 80, 120]))
        fast = picker.pick(text.encode())
        if fast is not None:
            assert fast == _reference(text, OP_SPEC), text
            answered += 1
    assert answered > 120   # half of them: the others have a quoted key or wanted value


def test_one_plan_per_shape_serves_every_document_of_it() -> None:
    """A capture's documents differ in ids, names and times: a handful of shapes."""
    out = io.StringIO()
    writer = CaptureWriter(out, "jsonl", seed=5)
    at = 1_660_917_225_536
    for _ in range(20):
        at = writer.iteration(at)
    pickers = {key: Picker(spec) for key, spec in SPECS.items()}
    for line in out.getvalue().splitlines():
        record = json.loads(line)
        if record["topic"] == "ns" and record["key"] in pickers:
            picker = pickers[record["key"]]
            assert picker.pick(record["value"].encode()) == pick(record["value"], picker.spec)
    assert 0 < sum(len(picker.plans) for picker in pickers.values()) <= 30


def test_picker_equals_flowyaml_on_random_and_broken_documents() -> None:
    rng = random.Random(7)
    answered = 0
    for _ in range(700):
        doc = {_key(rng): _value(rng, 1) for _ in range(rng.randint(1, 12))}
        text = yaml.safe_dump(doc, default_flow_style=True, width=rng.choice([20, 40, 80]))
        if rng.random() < 0.3:   # one character changed: often broken
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice("{}[]'\", :\n?") + text[at + 1:]
        spec = _spec(doc, rng)
        fast = quick_pick(text.encode(), spec)
        if fast is not None:
            assert fast == _reference(text, spec), text
            answered += 1
    assert answered > 25


@pytest.mark.parametrize("text, expected", [
    ("{_id: a-1, id: b, nsInstanceId: c}", {"_id": "a-1", "id": "b", "nsInstanceId": "c"}),
    ("{_id: x, _id: y}", {"_id": "y"}),                           # the last one wins
    ("{_ic: x, id: y}", {"id": "y"}),                             # _ic has _id's shape
    ("{a: '_id: no, {x}', id: 'q'}", None),                       # quoted wanted value
    ("{a: {_id: nested}, id: top}", {"id": "top"}),
    ("{a: [{_id: in-list}], id: top}", {"id": "top"}),
    ("{operationParams: {nsName: n, scaleVnfData: {scaleVnfType: SCALE_IN}}}",
     {"operationParams": {"scaleVnfData": {"scaleVnfType": "SCALE_IN"}}}),
    ("{id: 12345678-1234-1234-1234-123456789abc}", {"id": "12345678-1234-1234-1234-123456789abc"}),
    ("{id: 2022-08-19}", {"id": datetime.date(2022, 8, 19)}),     # a date, not an id
    ("{id: 0x1f}", {"id": 31}),
    ("{'id': x}", None),                                          # a quoted key
    ("{id: [1, }", None),                                         # broken
    ("{id: 'open}", None),
    ("{id: x} {id: y}", None),
])
def test_tricky_documents(text: str, expected) -> None:
    spec: Spec = {"_id": None, "id": None, "nsInstanceId": None,
                  "operationParams": {"scaleVnfData": {"scaleVnfType": None}}}
    fast = quick_pick(text.encode(), spec)
    assert fast == expected
    if fast is not None:
        assert fast == pick(text, spec)


def _capture(rng: random.Random) -> str:
    out = io.StringIO()
    writer = CaptureWriter(out, "consumer", seed=rng.randrange(1000))
    at = 1_660_917_225_536
    for _ in range(2):
        at = writer.iteration(at, scale_pairs=2)
    writer.record("ns", "scale", _osm_document(rng), at + 5)
    writer.record("ns", "echo", "a {brace}, 'quote' and [list]: in topics", at + 6)
    writer.record("ns", "instantiated", {"nslcmop_id": "x", "nsr_id": "y, z",
                                         "operationState": "{FAILED}"}, at + 7)
    return out.getvalue()


def _paired(decoded: list) -> list:
    """decoded_block's records as decoded_records gives them (what pairing reads)."""
    paired = []
    for key, fields, ts in decoded:
        reduced = pairing_fields(key, fields)
        assert reduced is not None
        paired.append((key, *reduced, ts))
    return paired


@pytest.mark.parametrize("size", [300, 4096, 1 << 20])
def test_blocks_read_fast_equal_the_reference_reader(tmp_path: Path, size: int) -> None:
    rng = random.Random(size)
    path = tmp_path / "capture.txt"
    path.write_text(_capture(rng))
    fast = reference = 0
    for data, line in blockscan.blocks(path, size):
        expected = decoded_block(path, data.decode(), line)
        assert blockscan._fast(path, data, line) in (None, expected)
        fast += blockscan._fast(path, data, line) is not None
        reference += 1
        assert blockscan.decoded_records(path, data, line) == _paired(expected)
    assert fast == reference   # a well-formed consumer capture: every block read fast


@pytest.mark.parametrize("text", [
    # JSON lines, mixed with a consumer record
    json.dumps({"topic": "ns", "key": "deleted", "timestamp": 3, "value": {"_id": "n"}})
    + "\nReceived message {_id: m} in topic ns with key b'deleted' create with timestamp 4",
    # not ASCII
    "Received message {_id: é} in topic ns with key b'deleted' create with timestamp 4",
    # a tail inside the value not after a space: the reference reader looks further
    "Received message {_id: xin topic ns with key b'a' with timestamp 1}\n in topic ns with "
    "key b'deleted' create with timestamp 4",
])
def test_blocks_the_fast_path_does_not_read_go_to_the_reference_reader(
        tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.txt"
    path.write_text(text)
    data = path.read_bytes()
    assert not data.isascii() or blockscan._fast(path, data, 1) is None
    assert blockscan.decoded_records(path, data, 1) == _paired(decoded_block(path, text, 1))
