"""`osm-mec report DIR`: per NS and operation, the statistics of the timings in DIR's
``*.jsonl`` files: a Markdown table, CSVs (the paper's column format, and every value in
long format) and PNG plots, all made from the same groups so they always agree; with
``--compare paper`` the paper's published figures beside ours with the ratio, NS names
mapped onto the paper's with ``--ns-map OURS=PAPER``."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import UsageError
from .groups import KINDS, PAPER_NS, Group, kind_groups, series_name
from .paper import PAPER, paper_values
from .records import OpTiming, read_jsonl
from .stats import INTERVAL_NOTE, Summary, summarise

SUCCESS = ("COMPLETED", "PARTIALLY_COMPLETED")


@dataclass
class Grouping:
    groups: list[Group] = field(default_factory=list)
    failed: int = 0
    superseded: int = 0     # earlier runs of an iteration that a resumed bench re-ran
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    ns: str
    operation: str
    summary: Summary
    simulated: bool
    paper: Summary | None

    @property
    def ratio(self) -> float | None:
        return self.summary.mean / self.paper.mean if self.paper else None


def load_timings(folder: Path) -> list[OpTiming]:
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise UsageError(f"{folder}: no *.jsonl timing files (written by provision, scale, "
                         "bench or `osm-mec timings import`)")
    return [t for f in files for t in read_jsonl(f)]


def parse_ns_map(items: Iterable[str], compare_paper: bool) -> dict[str, str]:
    """--ns-map OURS=PAPER options -> {ours: paper}; UsageError naming a bad one."""
    mapping: dict[str, str] = {}
    for item in items:
        ours, sep, theirs = item.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise UsageError(f"--ns-map {item!r}: write OURS=PAPER, e.g. "
                             "--ns-map osm-cluster=k8s-osm-cluster-ns")
        if compare_paper and theirs.strip() not in PAPER_NS:
            raise UsageError(f"--ns-map {item!r}: {theirs.strip()!r} is not one of the "
                             f"paper's NSs ({', '.join(PAPER_NS)})")
        mapping[ours.strip()] = theirs.strip()
    return mapping


def _points(timings: list[OpTiming]) -> tuple[tuple[tuple[int, float], ...], int]:
    """(iteration, seconds) ordered by recorded iteration, keeping only the last bench run
    of each iteration (an iteration may time several operations of one kind, e.g. actions;
    timings without a run label keep only the last of an iteration); without recorded
    iterations, numbered in request order. And how many timings of
    earlier runs of an iteration were superseded."""
    ordered = sorted(timings, key=lambda t: t.request_ms)
    if any(t.iteration is None for t in ordered):
        return tuple((i, t.duration_s) for i, t in enumerate(ordered, 1)), 0
    runs = [(t.iteration, -1 if t.run is None else t.run, t.duration_s)
            for t in ordered if t.iteration is not None]
    last_run: dict[int, int] = {}
    for iteration, run, _ in runs:
        last_run[iteration] = max(last_run.get(iteration, -1), run)
    kept = [(iteration, seconds) for iteration, run, seconds in runs
            if run == last_run[iteration] != -1]
    # timings without a run label (files of earlier versions): the last one of an iteration
    unlabelled = {iteration: seconds for iteration, run, seconds in runs
                  if run == last_run[iteration] == -1}
    kept += unlabelled.items()
    return tuple(sorted(kept, key=lambda point: point[0])), len(ordered) - len(kept)


def group_timings(timings: list[OpTiming], ns_map: dict[str, str] | None = None) -> Grouping:
    mapping = ns_map or {}
    found: dict[tuple[str, str], list[OpTiming]] = defaultdict(list)
    result = Grouping()
    names = set()
    for t in timings:
        name = t.ns_package or t.ns_name
        names.add(name)
        if t.state in SUCCESS:
            found[(mapping.get(name, name), t.operation)].append(t)
        else:
            result.failed += 1
    for unknown in sorted(set(mapping) - names):
        result.warnings.append(f"--ns-map {unknown}={mapping[unknown]}: no NS named "
                               f"{unknown!r} in these timings (NSs: {', '.join(sorted(names))})")
    for (ns, operation), group in sorted(found.items()):
        points, superseded = _points(group)
        result.superseded += superseded
        result.groups.append(Group(ns, operation, points, any(t.simulated for t in group)))
    return result


def rows(groups: list[Group], compare_paper: bool) -> list[Row]:
    return [Row(g.ns, g.operation, summarise(g.values), g.simulated,
                summarise(paper_values(g.ns, g.operation))
                if compare_paper and (g.ns, g.operation) in PAPER else None)
            for g in groups]


def paper_warning(groups: list[Group]) -> str | None:
    """The warning when --compare paper finds none of the paper's NSs."""
    if any((g.ns, g.operation) in PAPER for g in groups):
        return None
    ours = ", ".join(sorted({g.ns for g in groups}))
    return (f"nothing maps to the paper's NSs ({', '.join(PAPER_NS)}): these timings have "
            f"{ours}; say which is which with --ns-map OURS=PAPER, e.g. "
            f"--ns-map osm-cluster=k8s-osm-cluster-ns (repeatable)")


def markdown(table: list[Row], grouping: Grouping) -> str:
    head = "| NS | operation | n | mean ± SE (s) | sd | median | min | max | 95% CI | source |"
    sep = "|---|---|---|---|---|---|---|---|---|---|"
    compared = any(r.paper for r in table)
    if compared:
        head += " paper mean ± SE (s) | ratio |"
        sep += "---|---|"
    lines = [head, sep]
    for r in table:
        s = r.summary
        line = (f"| {r.ns} | {r.operation} | {s.n} | {s.mean_pm_sem()} | {s.sd_text()} | "
                f"{s.median:.3f} | {s.minimum:.3f} | {s.maximum:.3f} | {s.ci_text()} | "
                f"{'simulated' if r.simulated else 'measured'} |")
        if compared:
            line += (f" {r.paper.mean_pm_sem()} | {r.ratio:.3f} |" if r.paper else " – | – |")
        lines.append(line)
    lines += ["", INTERVAL_NOTE]
    if any(r.simulated for r in table):
        lines.append("Simulated: durations come from the embedded sandbox's timing model "
                     "(calibrated on the paper), not from a real OSM.")
    if grouping.failed:
        lines.append(f"{grouping.failed} operation(s) did not complete and are left out of "
                     "the statistics.")
    if grouping.superseded:
        lines.append(f"{grouping.superseded} earlier run(s) of re-run iterations are left "
                     "out (the last run of each iteration counts).")
    lines += [f"Warning: {w}" for w in grouping.warnings]
    return "\n".join(lines) + "\n"


def _csv(header: list[str], lines: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue()


def wide_csv(groups: list[Group], chosen: list[Group]) -> str:
    """The paper's format: one row per iteration, one column per series."""
    cells = {series_name(g, groups): dict(g.points) for g in chosen}
    iterations = sorted({i for g in chosen for i, _ in g.points})
    return _csv(["iteration", *cells], [[i] + [f"{c[i]:.3f}" if i in c else ""
                                               for c in cells.values()] for i in iterations])


def long_csv(groups: list[Group]) -> str:
    """Every value of every group: ns, operation, iteration, seconds."""
    return _csv(["ns", "operation", "iteration", "seconds"],
                [[g.ns, g.operation, i, f"{s:.3f}"] for g in groups for i, s in g.points])


def write_report(folder: Path, compare_paper: bool = False, plots: bool = True,
                 ns_map: dict[str, str] | None = None,
                 warn: Callable[[str], None] | None = None) -> str:
    """Write report.md, deploy.csv, scale.csv, timings.csv and the plots into `folder`
    (plots of a kind with no timings are removed, so no file is left from an older run);
    the Markdown. Warnings go into the Markdown and to `warn`."""
    timings = load_timings(folder)
    grouping = group_timings(timings, ns_map)
    if compare_paper and (warning := paper_warning(grouping.groups)):
        grouping.warnings.append(warning)
    text = markdown(rows(grouping.groups, compare_paper), grouping)
    groups = grouping.groups
    (folder / "report.md").write_text(text)
    for kind in KINDS:
        (folder / f"{kind}.csv").write_text(wide_csv(groups, kind_groups(groups, kind)))
        (folder / f"{kind}.png").unlink(missing_ok=True)
    (folder / "timings.csv").write_text(long_csv(groups))
    if plots:
        from .plots import write_plots
        write_plots(folder, groups, compare_paper)
    for warning in grouping.warnings:
        if warn:
            warn(warning)
    return text
