"""The sandbox's timing model: how long each kind of OSM work takes, in simulated seconds.

Calibrated on the paper's published tables (``osm_mec/timings/paper_data``): a VNF of VM VDUs with day-1
primitives on Table I's k8s-osm-cluster-ns column, a Helm KDU on its mec-app-ns column, the
Edge-MANO Juju bundle on its mec-env-ns column (the slowest member of that NS), scale-out and
scale-in on Table II, a VNF without real day-1 work (the VNF baseline) on the paper's
average with the spread of the day-1 column. Every Helm KDU, the CNF baseline's too, uses
the mec-app-ns column (the paper's CNF baseline average, 16.4 s, lies within it). Work the paper did not time (day-2 actions, termination, registrations) uses
the documented assumptions in ASSUMED. Draws are log-normal with the column's mean and
sample standard deviation, from seeded random streams (see TimingModel).
"""

from __future__ import annotations

import math
import random
import statistics
import threading
from dataclasses import dataclass

from ..timings.paper import paper_column

# kind -> (table file, column) of the paper's data
CALIBRATED = {
    "vnf-day1": ("paper-table1-deploy.csv", "k8s-osm-cluster-ns"),
    "kdu-helm": ("paper-table1-deploy.csv", "mec-app-ns"),
    "kdu-juju-bundle": ("paper-table1-deploy.csv", "mec-env-ns"),
    "scale-out": ("paper-table2-scale.csv", "scale-out"),
    "scale-in": ("paper-table2-scale.csv", "scale-in"),
}
# the paper's VNF baseline average (no per-iteration table): kind -> (mean s, spread from)
BASELINES = {"vnf-plain": (4.88 * 60, "vnf-day1")}
# not timed by the paper: (mean s, sd s), assumptions of the sandbox
ASSUMED = {
    "action": (6.0, 1.5),            # one juju action on a proxy charm
    "terminate-vnf": (35.0, 5.0),    # VM deletion plus terminate primitives
    "terminate-kdu": (12.0, 3.0),    # helm uninstall / juju remove
    "k8scluster": (8.0, 2.0),        # K8s cluster registration until ENABLED
    "vim": (3.0, 1.0),               # VIM account check until ENABLED
}


@dataclass(frozen=True)
class Distribution:
    """Mean and sample standard deviation of one kind of work, in seconds."""

    mean: float
    sd: float

    def draw(self, rng: random.Random) -> float:
        if self.sd <= 0:
            return self.mean
        sigma2 = math.log(1 + (self.sd / self.mean) ** 2)
        return rng.lognormvariate(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2))


def calibrated_distributions() -> dict[str, Distribution]:
    """Every kind of work the model knows, with its distribution."""
    kinds: dict[str, Distribution] = {}
    for kind, (table, column) in CALIBRATED.items():
        values = paper_column(table, column)
        kinds[kind] = Distribution(statistics.fmean(values), statistics.stdev(values))
    for kind, (mean, spread_from) in BASELINES.items():
        ref = kinds[spread_from]
        kinds[kind] = Distribution(mean, mean * ref.sd / ref.mean)
    for kind, (mean, sd) in ASSUMED.items():
        kinds[kind] = Distribution(mean, sd)
    return kinds


class TimingModel:
    """Seeded draws of simulated durations per kind of work.

    Each draw comes from its own random stream, derived from the seed, the kind of work,
    what it is for (the subject: an NS and member, a cluster...) and how many draws of that
    kind for that subject came before. So with the same seed the same operation always
    takes the same simulated time, whatever the time scale and whatever else ran before
    or at the same time.
    """

    def __init__(self, seed: int | None = None) -> None:
        self.kinds = calibrated_distributions()
        self.seed = seed if seed is not None else random.SystemRandom().getrandbits(63)
        self._drawn: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def draw(self, kind: str, subject: str = "") -> float:
        """The duration of the next piece of work of this kind for subject."""
        with self._lock:
            number = self._drawn.get((kind, subject), 0)
            self._drawn[(kind, subject)] = number + 1
        return self.kinds[kind].draw(stream(self.seed, kind, subject, number))


def stream(seed: int, kind: str, subject: str, number: int) -> random.Random:
    """The random stream of one draw (random.Random hashes a str seed with SHA-512: the
    same on every run and platform, whatever PYTHONHASHSEED)."""
    return random.Random(f"{seed}\x00{kind}\x00{subject}\x00{number}")


def derived_seed(seed: int | None, label: str) -> int | None:
    """The seed of a sandbox started by another one (an Edge OSM), from its label rather
    than from the order the sandboxes came up in."""
    return None if seed is None else random.Random(f"{seed}\x00{label}").getrandbits(63)
