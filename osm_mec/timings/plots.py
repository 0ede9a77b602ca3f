"""PNG plots of deployment and scaling times, from the report's groups: per-iteration
points (integer iteration ticks) and box plots; with the paper's figures, each NS's paper
series in the same colour as ours, dashed. The legend sits outside the data. Each PNG
carries the plotted values as JSON in its ``Description`` text chunk, so a test (or a
reader) can check them against the CSVs."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .groups import KINDS, Group, kind_groups, series_name
from .paper import PAPER, paper_values

PAPER_SUFFIX = " (paper)"
TITLES = {"deploy": "Deployment", "scale": "Scaling", "baselines": "Baseline deployment"}


Series = tuple[str, list[int], list[float], bool]   # name, iterations, seconds, the paper's


def plotted_series(groups: list[Group], kind: str, compare_paper: bool) -> list[Series]:
    """(name, iterations, seconds, is the paper's) of every line of one plot, ours first."""
    series = []
    for group in kind_groups(groups, kind):
        name = series_name(group, groups)
        series.append((name, [i for i, _ in group.points], group.values, False))
        if compare_paper and (group.ns, group.operation) in PAPER:
            paper = paper_values(group.ns, group.operation)
            series.append((name + PAPER_SUFFIX, list(range(1, len(paper) + 1)), paper, True))
    return series


def figure(kind: str, groups: list[Group], compare_paper: bool) -> Figure | None:
    """The figure of one kind (deploy or scale); None when there is nothing to plot."""
    series = plotted_series(groups, kind, compare_paper)
    if not series:
        return None
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    ours = [name for name, _, _, paper in series if not paper]
    colour = {name: colours[i % len(colours)] for i, name in enumerate(ours)}
    fig, (points, boxes) = plt.subplots(1, 2, figsize=(13, 4.5))
    for name, iterations, values, paper in series:
        base = name.removesuffix(PAPER_SUFFIX)
        points.plot(iterations, values, marker="o", markersize=3 if paper else 4,
                    linestyle="--" if paper else "-", color=colour[base], label=name)
    points.xaxis.set_major_locator(MaxNLocator(integer=True))
    points.set_xlabel("iteration")
    points.set_ylabel("seconds")
    drawn = boxes.boxplot([values for _, _, values, _ in series], patch_artist=True)
    for box, (name, _, _, paper) in zip(drawn["boxes"], series, strict=True):
        box.set(facecolor="none", edgecolor=colour[name.removesuffix(PAPER_SUFFIX)],
                linestyle="--" if paper else "-")
    boxes.set_xticks(range(1, len(series) + 1), [name for name, *_ in series], rotation=25,
                     ha="right", fontsize=7)
    boxes.set_ylabel("seconds")
    simulated = any(g.simulated for g in groups if g.kind == kind)
    fig.suptitle(f"{TITLES[kind]} times{' (simulated)' if simulated else ''}")
    fig.legend(*points.get_legend_handles_labels(), loc="center left",
               bbox_to_anchor=(1.0, 0.5), fontsize=8)
    fig.tight_layout()
    return fig


def write_plots(folder: Path, groups: list[Group], compare_paper: bool) -> list[Path]:
    written = []
    for kind in KINDS:
        fig = figure(kind, groups, compare_paper)
        if fig is None:
            continue
        data = {name: values for name, _, values, _ in
                plotted_series(groups, kind, compare_paper)}
        path = folder / f"{kind}.png"
        fig.savefig(path, dpi=100, bbox_inches="tight",
                    metadata={"Software": None, "Description": json.dumps(data)})
        plt.close(fig)
        written.append(path)
    return written
