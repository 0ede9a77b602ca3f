"""`osm-mec report DIR`: per NS and operation, the statistics of the timings in DIR's
``*.jsonl`` files; the paper's CSV column format, a Markdown table, PNG plots; with
``--compare paper`` the paper's published figures beside ours with the ratio."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from .paper import PAPER, paper_values
from .records import OpTiming, read_jsonl
from .stats import Summary, summarise

DEPLOY_COLUMNS = ("k8s-osm-cluster-ns", "mec-env-ns", "mec-app-ns")


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


def rows(timings: list[OpTiming], compare_paper: bool) -> list[Row]:
    groups: dict[tuple[str, str], list[OpTiming]] = defaultdict(list)
    for t in timings:
        if t.state in ("COMPLETED", "PARTIALLY_COMPLETED"):
            groups[(t.ns_package or t.ns_name, t.operation)].append(t)
    result = []
    for (ns, operation), group in sorted(groups.items()):
        paper = None
        if compare_paper and (ns, operation) in PAPER:
            paper = summarise(paper_values(ns, operation))
        result.append(Row(ns, operation, summarise([t.duration_s for t in group]),
                          any(t.simulated for t in group), paper))
    return result


def markdown(table: list[Row], failed: int) -> str:
    head = "| NS | operation | n | mean ± SE (s) | sd | median | min | max | 95% CI | source |"
    sep = "|---|---|---|---|---|---|---|---|---|---|"
    if any(r.paper for r in table):
        head += " paper mean ± SE (s) | ratio |"
        sep += "---|---|"
    lines = [head, sep]
    for r in table:
        s = r.summary
        line = (f"| {r.ns} | {r.operation} | {s.n} | {s.mean_pm_sem()} | {s.sd:.2f} | "
                f"{s.median:.3f} | {s.minimum:.3f} | {s.maximum:.3f} | "
                f"{s.ci_low:.2f} – {s.ci_high:.2f} | {'simulated' if r.simulated else 'measured'} |")
        if any(x.paper for x in table):
            line += (f" {r.paper.mean_pm_sem()} | {r.ratio:.3f} |" if r.paper else " – | – |")
        lines.append(line)
    if any(r.simulated for r in table):
        lines.append("")
        lines.append("Simulated: durations come from the embedded sandbox's timing model "
                     "(calibrated on the paper), not from a real OSM.")
    if failed:
        lines.append(f"\n{failed} operation(s) did not complete and are left out of the "
                     "statistics.")
    return "\n".join(lines) + "\n"


def paper_csv(timings: list[OpTiming]) -> tuple[str, str]:
    """(deployment CSV, scaling CSV) in the paper's column format, one row per iteration."""
    def table(columns: tuple[str, ...], pick) -> str:
        values: dict[str, list[float]] = {c: [] for c in columns}
        for t in sorted(timings, key=lambda t: t.request_ms):
            column = pick(t)
            if column in values and t.state in ("COMPLETED", "PARTIALLY_COMPLETED"):
                values[column].append(t.duration_s)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("iteration",) + columns)
        for i in range(max((len(v) for v in values.values()), default=0)):
            writer.writerow([i + 1] + [f"{values[c][i]:.3f}" if i < len(values[c]) else ""
                                       for c in columns])
        return out.getvalue()

    deploy = table(DEPLOY_COLUMNS, lambda t: t.ns_package if t.operation == "instantiate"
                   else None)
    scale = table(("scale-out", "scale-in"), lambda t: t.operation)
    return deploy, scale


def write_report(folder: Path, compare_paper: bool = False, plots: bool = True) -> str:
    """Write report.md, deploy.csv, scale.csv and the plots into `folder`; the Markdown."""
    timings = load_timings(folder)
    table = rows(timings, compare_paper)
    failed = sum(1 for t in timings if t.state not in ("COMPLETED", "PARTIALLY_COMPLETED"))
    text = markdown(table, failed)
    deploy, scale = paper_csv(timings)
    (folder / "report.md").write_text(text)
    (folder / "deploy.csv").write_text(deploy)
    (folder / "scale.csv").write_text(scale)
    if plots:
        from .plots import write_plots
        write_plots(folder, timings, compare_paper)
    return text
