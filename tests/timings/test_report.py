"""Report statistics, the --ns-map comparison with the paper, agreement of the Markdown,
CSVs and PNGs (read back from the files), plot styling, and CSV order by iteration."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from matplotlib.colors import to_hex
from PIL import Image

from osm_mec.cli.commands import cli
from osm_mec.timings.capture import import_capture
from osm_mec.timings.plots import figure
from osm_mec.timings.records import OpTiming, write_jsonl
from osm_mec.timings.report import group_timings, load_timings, write_report
from osm_mec.timings.stats import summarise

from .captures import CaptureWriter


def _timing(ns: str, op: str, start: int, seconds: float, iteration: int | None = None,
            state: str = "COMPLETED", package: str = "") -> OpTiming:
    return OpTiming("main", ns, "id", op, f"op-{ns}-{op}-{start}", start,
                    start + int(seconds * 1000), state, "kafka", False, package, iteration)


def test_one_value_has_no_spread_and_shows_dashes(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [_timing("x", "instantiate", 0, 7.0)])
    text = write_report(tmp_path, plots=False)
    assert "| x | instantiate | 1 | 7.000 ± – | – | 7.000 | 7.000 | 7.000 | – | measured |" \
        in text
    assert "0.00" not in text


def test_two_values_give_an_interval_above_zero() -> None:
    s = summarise([1.0, 30.0])     # the plain t interval: 15.5 +- 12.706 * 14.5 < 0
    assert 15.5 - 12.706 * 14.5 < 0
    assert 0 < s.ci_low < s.minimum and s.ci_high > s.maximum and s.interval.startswith(
        "modified Cox")
    for values in ([585.0, 590.0], [0.5, 0.6, 40.0], [18.0, 19.0, 25.0, 12.0]):
        s = summarise(values)
        assert 0 < s.ci_low < s.mean < s.ci_high
    zero = summarise([0.0, 2.0])    # no log of 0: t interval cut at zero, and it says so
    assert zero.ci_low == 0.0 and zero.interval == "Student t, cut at 0"


def test_the_report_says_which_interval_and_why(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [_timing("x", "instantiate", i, 10.0 + i) for i in
                                       range(3)])
    text = write_report(tmp_path, plots=False)
    assert "modified Cox" in text and "below zero" in text


def _imported(tmp_path: Path) -> Path:
    """An imported consumer capture: NS names osm-cluster, mec-env, mec-app (not the
    paper's package names)."""
    capture = tmp_path / "paper.txt"
    with capture.open("w") as out:
        writer = CaptureWriter(out, "consumer", seed=5)
        at = 1_660_917_225_536
        for _ in range(3):
            at = writer.iteration(at, scale_pairs=1)
    folder = tmp_path / "timings"
    import_capture(capture, folder / "paper.jsonl")
    return folder


NS_MAP = ["--ns-map", "osm-cluster=k8s-osm-cluster-ns", "--ns-map", "mec-env=mec-env-ns",
          "--ns-map", "mec-app=mec-app-ns"]


def test_compare_paper_without_a_mapping_warns(tmp_path: Path) -> None:
    folder = _imported(tmp_path)
    result = CliRunner().invoke(cli, ["report", str(folder), "--compare", "paper",
                                      "--no-plots"])
    assert result.exit_code == 0, result.output
    assert "nothing maps to the paper's NSs" in result.output
    assert "--ns-map osm-cluster=k8s-osm-cluster-ns" in result.output
    assert "Warning: nothing maps" in (folder / "report.md").read_text()


def test_compare_paper_with_a_mapping(tmp_path: Path) -> None:
    folder = _imported(tmp_path)
    result = CliRunner().invoke(cli, ["report", str(folder), "--compare", "paper",
                                      "--no-plots", *NS_MAP])
    assert result.exit_code == 0, result.output
    assert "nothing maps" not in result.output
    assert "| k8s-osm-cluster-ns | instantiate | 3 |" in result.output
    assert "585.287 ± 7.72 |" in result.output          # the paper's column is there
    assert "| mec-env-ns | scale-out | 3 |" in result.output
    terminate = next(line for line in result.output.splitlines()
                     if line.startswith("| mec-app-ns | terminate | 3 |"))
    assert terminate.endswith(" – | – |")                # the paper did not time it
    header = (folder / "deploy.csv").read_text().splitlines()[0]
    assert header == "iteration,k8s-osm-cluster-ns,mec-env-ns,mec-app-ns"


@pytest.mark.parametrize("args, message", [
    (["--ns-map", "osm-cluster"], "write OURS=PAPER"),
    (["--ns-map", "=k8s-osm-cluster-ns"], "write OURS=PAPER"),
    (["--compare", "paper", "--ns-map", "osm-cluster=k8s"], "not one of the paper's NSs"),
])
def test_bad_mappings_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    folder = _imported(tmp_path)
    result = CliRunner().invoke(cli, ["report", str(folder), "--no-plots", *args])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_a_mapping_that_matches_nothing_is_reported(tmp_path: Path) -> None:
    folder = _imported(tmp_path)
    result = CliRunner().invoke(cli, ["report", str(folder), "--no-plots", "--ns-map",
                                      "typo=mec-env-ns"])
    assert result.exit_code == 0 and "--ns-map typo=mec-env-ns: no NS named 'typo'" in \
        result.output


def _read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text().splitlines()))


def _markdown_rows(text: str) -> dict[tuple[str, str], list[str]]:
    rows = {}
    for line in text.splitlines()[2:]:
        if not line.startswith("| "):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[(cells[0], cells[1])] = cells
    return rows


def test_markdown_csvs_and_plots_agree_when_read_back(tmp_path: Path) -> None:
    folder = _imported(tmp_path)
    write_jsonl(folder / "extra.jsonl", [_timing("lonely", "instantiate", 5, 12.345)])
    result = CliRunner().invoke(cli, ["report", str(folder), "--compare", "paper", *NS_MAP])
    assert result.exit_code == 0, result.output
    markdown = _markdown_rows((folder / "report.md").read_text())
    long_rows = _read_csv(folder / "timings.csv")
    values: dict[tuple[str, str], list[float]] = {}
    for row in long_rows:
        values.setdefault((row["ns"], row["operation"]), []).append(float(row["seconds"]))
    assert set(values) == set(markdown)                      # same rows
    for key, cells in markdown.items():                      # same numbers
        s = summarise(values[key])
        assert cells[2:9] == [str(s.n), s.mean_pm_sem(), s.sd_text(), f"{s.median:.3f}",
                              f"{s.minimum:.3f}", f"{s.maximum:.3f}", s.ci_text()], key
    plotted = {}
    for kind in ("deploy", "scale"):
        wide = _read_csv(folder / f"{kind}.csv")
        columns = [c for c in wide[0] if c != "iteration"]
        png = json.loads(Image.open(folder / f"{kind}.png").text["Description"])
        ours = {k: v for k, v in png.items() if not k.endswith(" (paper)")}
        assert list(ours) == columns                         # same series, same order
        for column in columns:
            from_csv = [float(r[column]) for r in wide if r[column]]
            assert ours[column] == pytest.approx(from_csv, abs=5e-4)
            plotted[column] = from_csv
    assert sorted(plotted["k8s-osm-cluster-ns"]) == sorted(
        values[("k8s-osm-cluster-ns", "instantiate")])
    assert plotted["scale-in"] == values[("mec-env-ns", "scale-in")]
    assert plotted["lonely"] == [12.345]


def test_plot_style_shared_colours_dashed_paper_integer_ticks_legend_outside(
        tmp_path: Path) -> None:
    folder = _imported(tmp_path)
    grouping = group_timings(load_timings(folder), {"osm-cluster": "k8s-osm-cluster-ns",
                                                    "mec-env": "mec-env-ns"})
    fig = figure("deploy", grouping.groups, compare_paper=True)
    points = fig.axes[0]
    lines = {line.get_label(): line for line in points.get_lines()}
    for ns in ("k8s-osm-cluster-ns", "mec-env-ns"):
        ours, paper = lines[ns], lines[f"{ns} (paper)"]
        assert to_hex(ours.get_color()) == to_hex(paper.get_color())
        assert (ours.get_linestyle(), paper.get_linestyle()) == ("-", "--")
    colours = {to_hex(lines[n].get_color()) for n in ("k8s-osm-cluster-ns", "mec-env-ns",
                                                        "mec-app")}
    assert len(colours) == 3
    fig.canvas.draw()
    ticks = [t for t in points.get_xticks() if points.get_xlim()[0] <= t <=
             points.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)
    (legend,) = fig.legends
    renderer = fig.canvas.get_renderer()
    box, data = legend.get_window_extent(renderer), points.get_window_extent(renderer)
    assert box.x0 >= data.x1                    # right of the data, not over it


def test_csv_rows_follow_the_recorded_iteration(tmp_path: Path) -> None:
    """A resumed bench: iteration 2 was interrupted after mec-env and run again; rows
    come by recorded iteration, not by request time, and the last run counts."""
    timings = [_timing("a", "instantiate", 0, 10.0, 1, package="k8s-osm-cluster-ns"),
               _timing("a", "instantiate", 100_000, 20.0, 2, package="k8s-osm-cluster-ns"),
               _timing("b", "instantiate", 200_000, 30.0, 2, package="mec-env-ns"),
               # the resumed run: iteration 2 again, then 3
               _timing("a", "instantiate", 300_000, 21.0, 2, package="k8s-osm-cluster-ns"),
               _timing("b", "instantiate", 400_000, 31.0, 2, package="mec-env-ns"),
               _timing("a", "instantiate", 500_000, 12.0, 3, package="k8s-osm-cluster-ns"),
               _timing("b", "instantiate", 50_000, 11.0, 1, package="mec-env-ns")]
    write_jsonl(tmp_path / "bench.jsonl", timings)
    text = write_report(tmp_path, plots=False)
    assert (tmp_path / "deploy.csv").read_text().splitlines() == [
        "iteration,k8s-osm-cluster-ns,mec-env-ns", "1,10.000,11.000", "2,21.000,31.000",
        "3,12.000,"]
    assert "2 earlier run(s) of re-run iterations are left out" in text
    assert "| k8s-osm-cluster-ns | instantiate | 3 | 14.333 ±" in text


def test_a_bench_run_keeps_every_operation_of_an_iteration(tmp_path: Path) -> None:
    """Timings labelled with their bench run: an iteration with two actions of one NS keeps
    both; the interrupted run's timings of a re-run iteration are left out and counted."""
    def labelled(start_ms: int, seconds: float, iteration: int, run: int) -> OpTiming:
        return replace(_timing("a", "action", start_ms, seconds, iteration,
                               package="mec-env-ns"), run=run)
    timings = [labelled(0, 1.0, 1, 7), labelled(10_000, 2.0, 1, 7),
               labelled(20_000, 5.0, 2, 7),                        # interrupted run
               labelled(30_000, 3.0, 2, 9), labelled(40_000, 4.0, 2, 9)]
    write_jsonl(tmp_path / "bench.jsonl", timings)
    text = write_report(tmp_path, plots=False)
    assert "| mec-env-ns | action | 4 | 2.500 ±" in text
    assert "1 earlier run(s) of re-run iterations are left out" in text


def test_stale_plots_do_not_outlive_their_data(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [_timing("x", "scale-out", 0, 7.0)], append=False)
    write_report(tmp_path)
    assert (tmp_path / "scale.png").exists()
    write_jsonl(tmp_path / "a.jsonl", [_timing("x", "instantiate", 0, 7.0)], append=False)
    write_report(tmp_path)
    assert not (tmp_path / "scale.png").exists() and (tmp_path / "deploy.png").exists()
    assert (tmp_path / "scale.csv").read_text() == "iteration\n"


@pytest.mark.parametrize("line", ["not json", "[1, 2]", '{"osm": "main"}',
                                  '{"osm": "m", "ns_name": "x", "ns_id": "i", "operation": "o",'
                                  ' "op_id": "p", "request_ms": "soon", "completion_ms": 5,'
                                  ' "state": "COMPLETED"}'])
def test_a_broken_timings_file_is_named_not_a_traceback(tmp_path: Path, line: str) -> None:
    write_jsonl(tmp_path / "a.jsonl", [_timing("x", "instantiate", 0, 7.0)])
    (tmp_path / "a.jsonl").write_text((tmp_path / "a.jsonl").read_text() + line + "\n")
    result = CliRunner().invoke(cli, ["report", str(tmp_path), "--no-plots"])
    assert result.exit_code == 2 and "a.jsonl:2: not a timing written by osm-mec" in \
        result.output
    assert "Traceback" not in result.output
