"""`timings import` of real consumer captures: records wrapped over several indented lines,
records starting on the line where the previous one ended, many records per operation
(noise, repeats), JSON lines; streamed across chunk boundaries; bad input names the line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from osm_mec.cli.commands import cli
from osm_mec.core.errors import UsageError
from osm_mec.timings import blockscan, rawcapture
from osm_mec.timings.capture import import_capture, iter_capture
from osm_mec.timings.records import read_jsonl

from .captures import CaptureWriter, Expected

FIXTURE = Path(__file__).parent / "fixtures" / "consumer-capture.txt"


def _write(path: Path, layout: str, iterations: int = 3, seed: int = 7) -> list[Expected]:
    with path.open("w") as out:
        writer = CaptureWriter(out, layout, seed)
        at = 1_660_917_225_536
        for _ in range(iterations):
            at = writer.iteration(at, scale_pairs=2)
    return writer.expected


def _found(target: Path) -> list[Expected]:
    return [Expected(t.ns_name, t.operation, t.completion_ms - t.request_ms, t.state)
            for t in read_jsonl(target)]


@pytest.mark.parametrize("layout", ["consumer", "jsonl"])
def test_every_operation_of_a_generated_capture_is_paired(tmp_path: Path, layout: str) -> None:
    capture = tmp_path / f"bench.{layout}"
    expected = _write(capture, layout)
    text = capture.read_text()
    if layout == "consumer":  # the shapes of the paper's capture are really there
        assert "\n    " in text and "\n in topic ns with key b'instantiate'" in text
        assert any(f"with timestamp {n}Received message" in text for n in range(10)) or \
            "Received message" in text.split("with timestamp ", 2)[2][:40]
    result = import_capture(capture, tmp_path / "out.jsonl")
    assert result.paired == len(expected) == 3 * (3 + 4 + 3)
    assert sorted(_found(tmp_path / "out.jsonl"), key=repr) == sorted(expected, key=repr)
    assert (result.unpaired_requests, result.unpaired_completions, result.duplicates) == (
        [], [], 0)


def test_chunk_boundaries_anywhere_give_the_same_result(tmp_path: Path, monkeypatch) -> None:
    """Blocks of the fast path (bytes) and reads of the reference reader (characters) cut
    anywhere, even inside a record: the same operations."""
    capture = tmp_path / "c.txt"
    expected = _write(capture, "consumer", iterations=1)
    reference = list(iter_capture(capture))
    for chunk in (1, 7, 64, 1000):
        monkeypatch.setattr(rawcapture, "CHUNK", chunk)
        monkeypatch.setattr(blockscan, "BLOCK", chunk)
        assert list(iter_capture(capture)) == reference
        import_capture(capture, tmp_path / "out.jsonl")
        assert sorted(_found(tmp_path / "out.jsonl"), key=repr) == sorted(expected, key=repr)


def test_a_consumer_restarted_from_the_start_counts_each_record_once(tmp_path: Path) -> None:
    once = tmp_path / "once.txt"
    expected = _write(once, "consumer", iterations=1)
    twice = tmp_path / "twice.txt"
    twice.write_text(once.read_text() * 2)
    result = import_capture(twice, tmp_path / "out.jsonl")
    assert result.paired == len(expected) and result.duplicates == 2 * len(expected)


def test_unpaired_records_are_reported_never_guessed(tmp_path: Path) -> None:
    out = io.StringIO()
    writer = CaptureWriter(out, "consumer", seed=3)
    writer.operation("ns-1", "mec-env", "scale", {"scaleVnfData": {"scaleVnfType": "SCALE_OUT"}},
                     "scale-out", 1000, 480.0, completion=False)
    writer.record("ns", "scaled", {"nslcmop_id": "op-lost", "nsr_id": "ns-1",
                                   "operationState": "COMPLETED"}, 900_000)
    capture = tmp_path / "lossy.txt"
    capture.write_text(out.getvalue())
    result = import_capture(capture, tmp_path / "out.jsonl")
    assert result.paired == 0 and read_jsonl(tmp_path / "out.jsonl") == []
    assert [u["key"] for u in result.unpaired_requests] == ["scale"]
    assert [(u["op_id"], u["timestamp_ms"]) for u in result.unpaired_completions] == [
        ("op-lost", 900_000)]


def test_the_committed_paper_style_fixture(tmp_path: Path) -> None:
    """tests/timings/fixtures/consumer-capture.txt: one iteration in the paper's layout,
    durations read off the file by hand (completion timestamp - request timestamp)."""
    result = import_capture(FIXTURE, tmp_path / "out.jsonl")
    found = {(t.ns_name, t.operation): t.duration_s for t in read_jsonl(tmp_path / "out.jsonl")}
    assert result.paired == 8 and result.duplicates == 0
    assert found[("osm-cluster", "instantiate")] == pytest.approx(1660917789.198 - 1660917227.000)
    assert found[("mec-env", "scale-out")] == pytest.approx(1660918974.069 - 1660918396.541)
    assert found[("mec-app", "terminate")] == pytest.approx(1660919044.802 - 1660919009.680)
    assert sorted(op for _, op in found) == ["instantiate"] * 3 + ["scale-in", "scale-out"] + [
        "terminate"] * 3


@pytest.mark.parametrize("text, where, message", [
    ("Received message {a: 1} in topic ns with key b'x' create with timestamp 5\nhello\n",
     ":2:", "neither a JSON line"),
    ("\n\nReceived message {a: 1}\n in topic ns with key b'x'\n", ":3:", "without its"),
    ("Received message {a: 1}\nReceived message {b: 2} in topic ns with key b'x' with "
     "timestamp 5", ":1:", "without its"),
    ('{"key": "scale", "value": {}}\n', ":1:", "needs key, timestamp and value"),
    ('{"key": "scale", "value": {}, "timestamp": "soon"}\n', ":1:", "not milliseconds"),
    ("Received message {_id: [1, } in topic ns with key b'scale' x with timestamp 5",
     ":1:", "is not YAML"),
])
def test_bad_captures_name_the_line(tmp_path: Path, text: str, where: str,
                                    message: str) -> None:
    capture = tmp_path / "bad.txt"
    capture.write_text(text)
    with pytest.raises(UsageError, match=message) as error:
        import_capture(capture, tmp_path / "out.jsonl")
    assert f"bad.txt{where}" in str(error.value)
    assert not (tmp_path / "out.jsonl").exists() and not list(tmp_path.glob("*.part"))


def test_a_binary_file_is_refused_with_a_message(tmp_path: Path) -> None:
    capture = tmp_path / "capture.bin"
    capture.write_bytes(b"Received message \xff\xfe\x00" * 10)
    runner = CliRunner()
    result = runner.invoke(cli, ["timings", "import", str(capture), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "not UTF-8 text" in result.output
    assert "Traceback" not in result.output


def test_cli_import_of_a_consumer_capture(tmp_path: Path) -> None:
    capture = tmp_path / "paper.txt"
    expected = _write(capture, "consumer", iterations=2)
    result = CliRunner().invoke(cli, ["timings", "import", str(capture), "--out",
                                      str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert f"{len(expected)} operation(s) paired -> {tmp_path / 't' / 'paper.jsonl'}" in \
        result.output


def test_records_keep_file_order_and_lines(tmp_path: Path) -> None:
    capture = tmp_path / "c.txt"
    capture.write_text("Received message {a: 1,\n  b: 2}\n in topic nsd with key b'created' "
                       "create with timestamp 10Received message x\n...\n in topic ns with "
                       "key b'echo' create with timestamp 11\n"
                       + json.dumps({"topic": "ns", "key": "k", "timestamp": 12,
                                     "value": {"a": 1}}) + "\n")
    records = list(iter_capture(capture))
    assert [(r.topic, r.key, r.timestamp_ms, r.line) for r in records] == [
        ("nsd", "created", 10, 1), ("ns", "echo", 11, 3), ("ns", "k", 12, 6)]
    assert records[0].value == "{a: 1,\n  b: 2}\n"


@pytest.mark.parametrize("layout", ["consumer", "jsonl"])
def test_worker_processes_decode_blocks_in_file_order(tmp_path: Path, layout: str) -> None:
    """Large files are cut into blocks of whole records decoded by worker processes; with
    tiny blocks (many cuts) the records come back exactly as this process decodes them."""
    from osm_mec.timings import parallel
    from osm_mec.timings.capture import ns_records
    capture = tmp_path / f"c.{layout}"
    _write(capture, layout, iterations=2)
    serial = list(ns_records(capture))
    for size in (700, 5000):
        assert list(parallel.ns_records(capture, 2, size)) == serial
    data, seen = capture.read_bytes(), b""
    for block, line in parallel.blocks(capture, 700):
        assert line == seen.count(b"\n") + 1
        seen += block
    assert seen == data


def test_worker_errors_name_the_right_line(tmp_path: Path) -> None:
    from osm_mec.timings import parallel
    capture = tmp_path / "c.txt"
    _write(capture, "consumer", iterations=1)
    lines = capture.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if i > 100 and line.startswith("Received"))
    lines.insert(at, "garbage\n")
    capture.write_text("".join(lines))
    for size in (900, 3000):
        with pytest.raises(UsageError, match=rf"c.txt:{at + 1}: neither a JSON line"):
            list(parallel.ns_records(capture, 2, size))


def test_repeats_before_and_after_the_ns_is_deleted_count_once() -> None:
    """Paired op ids are remembered while their NS exists; after NBI's `deleted` record
    only the NS id is (NS ids are never reused), so memory does not grow with the file."""
    from osm_mec.osm.kafka_bus import Record
    from osm_mec.timings.records import pair_records
    request = Record("ns", "instantiate", {"_id": "op1", "nsInstanceId": "ns1",
                                           "operationParams": {"nsName": "a"}}, 1000)
    done = Record("ns", "instantiated", {"nslcmop_id": "op1", "nsr_id": "ns1",
                                         "operationState": "COMPLETED"}, 5000)
    deleted = Record("ns", "deleted", {"_id": "ns1"}, 9000)
    pairing = pair_records([request, done, request, done, deleted, request, done], "main")
    assert [(t.ns_name, t.duration_s) for t in pairing.timings] == [("a", 4.0)]
    assert pairing.duplicates == 4 and not pairing.unpaired_requests
