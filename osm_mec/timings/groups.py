"""The report's groups: the successful timings of one (NS, operation), which CSV and plot
(kind) each belongs to, and their names and order there. Shared by the report (tables, CSVs)
and the plots, so the two always agree."""

from __future__ import annotations

from dataclasses import dataclass

from .paper import BASELINE_NS, PAPER

PAPER_NS = tuple(dict.fromkeys(ns for ns, _ in PAPER))
SCALE_OPERATIONS = ("scale-out", "scale-in")
# one CSV and one plot per kind: the chain's deployments (Table I), scaling (Table II) and
# the dummy VNF/CNF baselines
KINDS = ("deploy", "scale", "baselines")


@dataclass(frozen=True)
class Group:
    """The successful timings of one (NS, operation): (iteration, seconds) in order."""

    ns: str
    operation: str
    points: tuple[tuple[int, float], ...]
    simulated: bool

    @property
    def values(self) -> list[float]:
        return [seconds for _, seconds in self.points]

    @property
    def kind(self) -> str | None:
        """Which CSV and plot (KINDS) show this group; None: the Markdown only."""
        if self.operation in SCALE_OPERATIONS:
            return "scale"
        if self.operation == "instantiate":
            return "baselines" if self.ns in BASELINE_NS else "deploy"
        return None


def series_name(group: Group, groups: list[Group]) -> str:
    """A group's column in the paper-format CSVs and its line in the plots."""
    if group.operation not in SCALE_OPERATIONS:
        return group.ns
    scaled = {g.ns for g in groups if g.operation in SCALE_OPERATIONS}
    return group.operation if len(scaled) == 1 else f"{group.ns} {group.operation}"


def kind_groups(groups: list[Group], kind: str) -> list[Group]:
    """The groups of one kind, the paper's NSs first in the paper's order."""
    order = {ns: i for i, ns in enumerate(PAPER_NS + BASELINE_NS)}
    return sorted((g for g in groups if g.kind == kind),
                  key=lambda g: (order.get(g.ns, len(order)), g.ns,
                                 SCALE_OPERATIONS.index(g.operation)
                                 if g.operation in SCALE_OPERATIONS else 0))
