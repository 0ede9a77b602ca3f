"""Summary statistics as the paper reports them: mean +- standard error of the mean
(sample sd / sqrt(n)), plus sd, median, min, max and a 95% confidence interval (Student's t)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

# two-sided 95% Student t quantiles t(0.975, df) for df = 1..30; above 30 the normal 1.96
# is within 2% of t and is used.
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    sem: float
    sd: float
    median: float
    minimum: float
    maximum: float
    ci_low: float
    ci_high: float

    def mean_pm_sem(self) -> str:
        return f"{self.mean:.3f} ± {self.sem:.2f}"


def t975(df: int) -> float:
    return T975[df - 1] if 1 <= df <= len(T975) else 1.96


def summarise(values: list[float]) -> Summary:
    """Statistics of one sample; n = 1 has sd, sem and the interval at 0 width (undefined)."""
    if not values:
        raise ValueError("no values to summarise")
    n = len(values)
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if n > 1 else 0.0
    sem = sd / math.sqrt(n)
    half = t975(n - 1) * sem if n > 1 else 0.0
    return Summary(n, mean, sem, sd, statistics.median(values), min(values), max(values),
                   mean - half, mean + half)
