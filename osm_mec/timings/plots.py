"""PNG plots of deployment and scaling times: per-iteration points and box plots, with the
paper's figures beside ours when asked (matplotlib, headless Agg backend)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .records import OpTiming  # noqa: E402
from .paper import PAPER, paper_column  # noqa: E402

KINDS = {"deploy": ("instantiate",), "scale": ("scale-out", "scale-in")}


def _series(timings: list[OpTiming], operations: tuple[str, ...]) -> dict[str, list[float]]:
    series: dict[str, list[float]] = defaultdict(list)
    for t in sorted(timings, key=lambda t: t.request_ms):
        if t.operation in operations and t.state in ("COMPLETED", "PARTIALLY_COMPLETED"):
            label = t.ns_package or t.ns_name
            series[label if len(operations) == 1 else t.operation].append(t.duration_s)
    return dict(series)


def write_plots(folder: Path, timings: list[OpTiming], compare_paper: bool) -> list[Path]:
    written = []
    simulated = any(t.simulated for t in timings)
    for kind, operations in KINDS.items():
        series = _series(timings, operations)
        if not series:
            continue
        if compare_paper:
            for (ns, operation), (table, column) in PAPER.items():
                key = ns if len(operations) == 1 else operation
                if operation in operations and key in series:
                    series[f"{key} (paper)"] = paper_column(table, column)
        labels = sorted(series)
        fig, (points, boxes) = plt.subplots(1, 2, figsize=(12, 4.5))
        for label in labels:
            values = series[label]
            points.plot(range(1, len(values) + 1), values, marker="o", label=label)
        points.set_xlabel("iteration")
        points.set_ylabel("seconds")
        points.legend(fontsize=7)
        boxes.boxplot([series[label] for label in labels])
        boxes.set_xticks(range(1, len(labels) + 1), labels, rotation=20, fontsize=7)
        boxes.set_ylabel("seconds")
        title = "Deployment" if kind == "deploy" else "Scaling"
        fig.suptitle(f"{title} times{' (simulated)' if simulated else ''}")
        fig.tight_layout()
        path = folder / f"{kind}.png"
        fig.savefig(path, dpi=100, metadata={"Software": None})
        plt.close(fig)
        written.append(path)
    return written
