"""Timings: import of both capture formats, pairing rules (unpaired reported, never filled
in), statistics against hand-computed values, the report's CSV/Markdown/plots, and the
CLI's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from osm_mec.cli.commands import cli
from osm_mec.core.errors import UsageError
from osm_mec.timings.capture import import_capture
from osm_mec.timings.records import OpTiming, read_jsonl, write_jsonl
from osm_mec.timings.report import write_report
from osm_mec.timings.stats import summarise

TEXT_CAPTURE = """\
Received message {_id: op-1, nsInstanceId: ns-1, lcmOperationType: instantiate, operationParams: {nsName: osm-cluster, lcmOperationType: instantiate}, operationState: PROCESSING, startTime: 1660917225.49} in topic ns with key b'instantiate' create with timestamp 1660917225536
Received message {nsr_id: ns-1, nslcmop_id: op-1, operationState: COMPLETED} in topic ns with key b'instantiated' create with timestamp 1660917770348
Received message {_id: op-2, nsInstanceId: ns-1, lcmOperationType: scale, operationParams: {scaleVnfData: {scaleVnfType: SCALE_OUT}}} in topic ns with key b'scale' create with timestamp 1660918000000
Received message {nsr_id: ns-1, nslcmop_id: op-2, operationState: COMPLETED} in topic ns with key b'scaled' create with timestamp 1660918485655
Received message {nsr_id: ns-1, nslcmop_id: op-3, operationState: COMPLETED} in topic ns with key b'scaled' create with timestamp 1660919000000
Received message {nsr_id: ns-1} in topic ns with key b'vca_status_refresh' create with timestamp 1660919000001
"""


def test_text_capture_pairs_and_reports_the_unpaired(tmp_path: Path) -> None:
    capture = tmp_path / "scale.txt"
    capture.write_text(TEXT_CAPTURE)
    pairing = import_capture(capture, tmp_path / "out.jsonl")
    assert [(t.operation, t.ns_name, t.duration_s) for t in read_jsonl(tmp_path / "out.jsonl")] == [
        ("instantiate", "osm-cluster", 544.812), ("scale-out", "osm-cluster", 485.655)]
    assert [u["op_id"] for u in pairing.unpaired_completions] == ["op-3"]  # not guessed
    assert pairing.unpaired_requests == []


def test_json_lines_capture_with_yaml_or_mapping_values(tmp_path: Path) -> None:
    capture = tmp_path / "run.jsonl"
    capture.write_text("\n".join(json.dumps(line) for line in [
        {"topic": "ns", "key": "terminate", "timestamp": 1000,
         "value": "{_id: t1, nsInstanceId: n9, lcmOperationType: terminate}\n"},
        {"topic": "ns", "key": "terminated", "timestamp": 39000,
         "value": {"nsr_id": "n9", "nslcmop_id": "t1", "operationState": "FAILED",
                   "autoremove": True}},
        {"topic": "ns", "key": "scale", "timestamp": 5,
         "value": {"_id": "s1", "operationParams": {"scaleVnfData": {"scaleVnfType":
                                                                     "SCALE_IN"}}}}]) + "\n")
    pairing = import_capture(capture, tmp_path / "out.jsonl")
    (timing,) = read_jsonl(tmp_path / "out.jsonl")
    assert (timing.operation, timing.state, timing.duration_s) == ("terminate", "FAILED", 38.0)
    assert [u["key"] for u in pairing.unpaired_requests] == ["scale"]


def test_bad_capture_lines_name_the_line(tmp_path: Path) -> None:
    capture = tmp_path / "bad.txt"
    capture.write_text(TEXT_CAPTURE.splitlines()[0] + "\nsomething else\n")
    with pytest.raises(UsageError, match=r"bad.txt:2: neither a JSON line"):
        import_capture(capture, tmp_path / "out.jsonl")


def test_statistics_against_hand_computed_values() -> None:
    s = summarise([1.0, 2.0, 3.0, 4.0])
    assert s.n == 4 and s.mean == 2.5 and s.median == 2.5
    assert s.sd == pytest.approx(1.2909944)          # sqrt(5/3)
    assert s.sem == pytest.approx(0.6454972)         # sd / sqrt(4)
    # modified Cox on ln(1..4): ybar 0.794513, s^2 0.361402, t(0.975, 3) = 3.182,
    # half-width 3.182 * sqrt(s^2/4 + s^4/6) = 1.065467 around ybar + s^2/2 = 0.975214
    assert s.ci_low == pytest.approx(0.913700, abs=1e-5)      # exp(-0.090253)
    assert s.ci_high == pytest.approx(7.696, abs=1e-3)        # exp(2.040681)
    # the paper's Table I summary for k8s-osm-cluster-ns: 585.287 +- 7.72
    from osm_mec.timings.paper import paper_column
    paper = summarise(paper_column("paper-table1-deploy.csv", "k8s-osm-cluster-ns"))
    assert round(paper.mean, 3) == 585.287 and round(paper.sem, 2) == 7.72
    single = summarise([7.0])
    assert (single.sd, single.sem, single.ci_low, single.ci_high) == (None, None, None, None)


def _timing(ns: str, op: str, start: int, seconds: float, state: str = "COMPLETED"
            ) -> OpTiming:
    return OpTiming("main", f"x-{ns}", "id", op, f"op-{start}", start,
                    start + int(seconds * 1000), state, "kafka", True, ns)


def test_report_files_paper_format_and_comparison(tmp_path: Path) -> None:
    timings = [_timing("k8s-osm-cluster-ns", "instantiate", 0, 600.0),
               _timing("k8s-osm-cluster-ns", "instantiate", 10_000_000, 580.0),
               _timing("mec-env-ns", "instantiate", 1_000_000, 650.0),
               _timing("mec-app-ns", "instantiate", 2_000_000, 18.0),
               _timing("mec-env-ns", "scale-out", 3_000_000, 480.0),
               _timing("mec-env-ns", "scale-in", 4_000_000, 40.0),
               _timing("mec-env-ns", "scale-in", 5_000_000, 1.0, "FAILED")]
    write_jsonl(tmp_path / "a.jsonl", timings)
    text = write_report(tmp_path, compare_paper=True)
    assert "| k8s-osm-cluster-ns | instantiate | 2 | 590.000 ± 10.00 |" in text
    assert "585.287 ± 7.72 | 1.008 |" in text
    assert "simulated" in text and "1 operation(s) did not complete" in text
    assert (tmp_path / "deploy.csv").read_text().splitlines() == [
        "iteration,k8s-osm-cluster-ns,mec-env-ns,mec-app-ns",
        "1,600.000,650.000,18.000", "2,580.000,,"]
    assert (tmp_path / "scale.csv").read_text().splitlines() == [
        "iteration,scale-out,scale-in", "1,480.000,40.000"]
    for plot in ("deploy.png", "scale.png"):
        assert (tmp_path / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_import_and_report(tmp_path: Path) -> None:
    capture = tmp_path / "paper.txt"
    capture.write_text(TEXT_CAPTURE)
    runner = CliRunner()
    out = tmp_path / "timings"
    imported = runner.invoke(cli, ["timings", "import", str(capture), "--out", str(out)])
    assert imported.exit_code == 0, imported.output
    assert "2 operation(s) paired" in imported.output
    assert "unpaired completion record: key scaled op op-3" in imported.output
    reported = runner.invoke(cli, ["report", str(out), "--no-plots"])
    assert reported.exit_code == 0 and "| osm-cluster | scale-out | 1 |" in reported.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(cli, ["report", str(empty)]).exit_code == 2
    bad_csp = runner.invoke(cli, ["provision", "--csp", "Bad_Name"])
    assert bad_csp.exit_code == 2 and "CSP name" in bad_csp.output
