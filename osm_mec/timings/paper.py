"""The paper's published timing tables (``osm_mec/timings/paper_data/*.csv``): Table I (deployment,
20 iterations per NS) and Table II (scaling one worker, 7 iterations), in seconds."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

# our (NS package, operation) -> the paper's (table file, column)
PAPER = {("k8s-osm-cluster-ns", "instantiate"): ("paper-table1-deploy.csv", "k8s-osm-cluster-ns"),
         ("mec-env-ns", "instantiate"): ("paper-table1-deploy.csv", "mec-env-ns"),
         ("mec-app-ns", "instantiate"): ("paper-table1-deploy.csv", "mec-app-ns"),
         ("mec-env-ns", "scale-out"): ("paper-table2-scale.csv", "scale-out"),
         ("mec-env-ns", "scale-in"): ("paper-table2-scale.csv", "scale-in")}

# the paper's baselines (averages only, no per-iteration table): a dummy VNF (one VM, a
# day-1 primitive that only opens SSH), 4.88 min, and a dummy CNF (one Helm Deployment),
# 16.4 s; `osm-mec bench --baselines` names its NSs so
BASELINE_NS = ("baseline-vnf-ns", "baseline-cnf-ns")


@cache
def _column(table: str, column: str) -> tuple[float, ...]:
    text = resources.files("osm_mec.timings.paper_data").joinpath(table).read_text()
    return tuple(float(row[column]) for row in csv.DictReader(text.splitlines()))


def paper_column(table: str, column: str) -> list[float]:
    """One column of one of the paper's tables, in seconds, in iteration order."""
    return list(_column(table, column))


def paper_values(ns_package: str, operation: str) -> list[float]:
    """The paper's durations of one of our (NS package, operation) pairs; KeyError if the
    paper did not time it."""
    return paper_column(*PAPER[(ns_package, operation)])
