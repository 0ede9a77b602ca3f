"""`osm-mec bench` resume: an interrupted bench on the embedded sandbox continues on a
fresh sandbox (the old one ended with its command) and says so; its CSVs come by
recorded iteration; a finished bench says it is complete and does nothing else; a
results folder of one OSM is not continued on another."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from osm_mec.chain.bench import run_bench
from osm_mec.chain.progress import Progress
from osm_mec.chain.session import OsmOptions, Session
from osm_mec.cli.commands import cli
from osm_mec.offer.profile import default_profile


class _StopAt(Progress):
    """Progress that interrupts the run (as Ctrl-C would) when a note starts with `at`."""

    def __init__(self, at: str) -> None:
        super().__init__(enabled=False)
        self.at = at

    def note(self, text: str) -> None:
        if text.startswith(self.at):
            raise KeyboardInterrupt
        super().note(text)


def _interrupted_bench(results: Path) -> int:
    """Iteration 1 done, iteration 2 provisioned, then interrupted before its teardown;
    how many operations of iteration 2 it timed."""
    with Session(OsmOptions(time_scale=0, seed=3)) as session:
        with pytest.raises(KeyboardInterrupt):
            run_bench(session, default_profile(), 2, 0, False, results,
                      _StopAt("== iteration 2/2: teardown"))
    state = json.loads((results / "state" / "bench.json").read_text())
    assert state["objects"] and json.loads((results / "progress.json").read_text())[
        "iterations"] == 1
    timed = [json.loads(line) for line in (results / "bench.jsonl").read_text().splitlines()]
    assert {t["operation"] for t in timed if t["iteration"] == 2} >= {"instantiate"}
    return sum(1 for t in timed if t["iteration"] == 2)


BENCH = ["bench", "--iterations", "2", "--scale-iterations", "0", "--time-scale", "0",
         "--seed", "3"]


def test_resume_on_a_fresh_embedded_sandbox(tmp_path: Path) -> None:
    results = tmp_path / "bench"
    superseded = _interrupted_bench(results)
    resumed = CliRunner().invoke(cli, BENCH + ["--results", str(results)])
    assert resumed.exit_code == 0, resumed.output
    assert "fresh embedded sandbox" in resumed.output
    assert "next: deployment iteration 2" in resumed.output
    assert json.loads((results / "progress.json").read_text())["iterations"] == 2
    deploy = (results / "deploy.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in deploy] == ["iteration", "1", "2"]
    assert all(cell for line in deploy[1:] for cell in line.split(","))
    report = (results / "report.md").read_text()
    assert "| k8s-osm-cluster-ns | instantiate | 2 |" in report
    assert f"{superseded} earlier run(s) of re-run iterations are left out" in report


def test_a_finished_bench_says_it_is_complete_and_does_nothing(tmp_path: Path,
                                                              monkeypatch) -> None:
    results = tmp_path / "bench"
    args = ["bench", "--iterations", "1", "--scale-iterations", "0", "--time-scale", "0",
            "--results", str(results)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    before = {p.name: p.read_bytes() for p in results.iterdir() if p.is_file()}

    def no_session(*_args, **_kwargs):
        raise AssertionError("a finished bench must not start an OSM")
    monkeypatch.setattr("osm_mec.chain.session.Session", no_session)  # bench imports it late
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert "complete" in again.output and str(results / "report.md") in again.output
    assert {p.name: p.read_bytes() for p in results.iterdir() if p.is_file()} == before
    as_json = CliRunner().invoke(cli, args + ["--json"])
    assert json.loads(as_json.output)["complete"] is True


def test_results_of_a_real_osm_are_not_continued_on_a_sandbox(tmp_path: Path) -> None:
    results = tmp_path / "bench"
    results.mkdir()
    (results / "progress.json").write_text(json.dumps({"iterations": 1}))
    (results / "osm.json").write_text(json.dumps({"url": "https://10.0.0.5:9999/osm",
                                                  "embedded": False}))
    result = CliRunner().invoke(cli, BENCH + ["--results", str(results)])
    assert result.exit_code == 2
    assert "https://10.0.0.5:9999/osm" in result.output and "--osm-url" in result.output
    assert "Traceback" not in result.output
