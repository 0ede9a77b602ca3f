"""Summary statistics as the paper reports them: mean +- standard error of the mean
(sample sd / sqrt(n)), plus sd, median, min, max and a 95% confidence interval of the mean.

The interval: durations are positive and right-skewed (the paper's columns and OSM's
timings in general look log-normal), so a symmetric Student t interval on the raw values
can reach below zero with few iterations (n = 2: mean +- 12.7 SE). We use the modified
Cox method (Olsson 2005, "Confidence intervals for the mean of a log-normal
distribution"): with y = ln(duration), ybar and s^2 their mean and sample variance,
exp(ybar + s^2/2 +- t(0.975, n-1) * sqrt(s^2/n + s^4 / (2(n-1)))). It is an interval for
the arithmetic mean (not the median), it is never below zero, and it is close to the
plain t interval when the spread is small. A duration of zero (no log) falls back to the
t interval cut at zero. With n < 2 there is no spread: sd, SE and the interval are None
(shown as "–")."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

# two-sided 95% Student t quantiles t(0.975, df) for df = 1..30; above 30 the normal 1.96
# is within 2% of t and is used.
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
COX = "modified Cox (t on log-durations)"
T_CUT = "Student t, cut at 0"
INTERVAL_NOTE = ("95% CI: the mean's interval by the modified Cox method (Student's t on "
                 "log-durations, Olsson 2005), because durations are positive and skewed: "
                 "a plain t interval reaches below zero with few iterations. – : not "
                 "defined for fewer than 2 values.")
DASH = "–"


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    sem: float | None
    sd: float | None
    median: float
    minimum: float
    maximum: float
    ci_low: float | None
    ci_high: float | None
    interval: str | None = None   # COX or T_CUT; None when n < 2

    def mean_pm_sem(self) -> str:
        return f"{self.mean:.3f} ± {_fixed(self.sem, 2)}"

    def sd_text(self) -> str:
        return _fixed(self.sd, 2)

    def ci_text(self) -> str:
        if self.ci_low is None or self.ci_high is None:
            return DASH
        return f"{self.ci_low:.2f} – {self.ci_high:.2f}"


def _fixed(value: float | None, digits: int) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def t975(df: int) -> float:
    return T975[df - 1] if 1 <= df <= len(T975) else 1.96


def mean_interval(values: list[float]) -> tuple[float, float, str]:
    """(low, high, method) of the 95% interval of the mean of >= 2 durations."""
    n = len(values)
    t = t975(n - 1)
    if min(values) > 0:
        logs = [math.log(v) for v in values]
        centre = statistics.fmean(logs)
        var = statistics.variance(logs)
        half = t * math.sqrt(var / n + var ** 2 / (2 * (n - 1)))
        return math.exp(centre + var / 2 - half), math.exp(centre + var / 2 + half), COX
    mean, sem = statistics.fmean(values), statistics.stdev(values) / math.sqrt(n)
    return max(0.0, mean - t * sem), mean + t * sem, T_CUT


def summarise(values: list[float]) -> Summary:
    """Statistics of one sample; with n < 2, sd, SE and the interval are None."""
    if not values:
        raise ValueError("no values to summarise")
    n = len(values)
    mean = statistics.fmean(values)
    common = (statistics.median(values), min(values), max(values))
    if n < 2:
        return Summary(n, mean, None, None, *common, None, None)
    sd = statistics.stdev(values)
    low, high, method = mean_interval(values)
    return Summary(n, mean, sd / math.sqrt(n), sd, *common, low, high, method)
