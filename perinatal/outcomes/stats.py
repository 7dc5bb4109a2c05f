"""The few statistics the outcome figures need: a mean with its 95 % confidence interval from
Student's t distribution, exact for any number of patients."""

import math
from dataclasses import dataclass
from statistics import fmean, stdev


def t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with ``df`` whole degrees of freedom, by the finite series
    for integer df (Abramowitz and Stegun 26.7.3 and 26.7.4)."""
    theta = math.atan2(t, math.sqrt(df))
    s, c = math.sin(theta), math.cos(theta)
    if df % 2:  # odd
        total, term = 0.0, c
        for k in range(1, (df - 1) // 2 + 1):
            if k > 1:
                term *= c * c * (2 * k - 2) / (2 * k - 1)
            total += term
        a = (2 / math.pi) * (theta + (s * total if df > 1 else 0.0))
    else:
        total, term = 1.0, 1.0
        for k in range(1, (df - 2) // 2 + 1):
            term *= c * c * (2 * k - 1) / (2 * k)
            total += term
        a = s * total
    return 0.5 + a / 2


def t_quantile(p: float, df: int) -> float:
    """The t value below which a fraction ``p`` (0.5 < p < 1) of the distribution lies."""
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):  # bisection to well below the precision shown
        middle = (low + high) / 2
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@dataclass(frozen=True)
class Mean:
    n: int
    mean: float | None
    low: float | None  # the 95 % interval; None with fewer than two values
    high: float | None


def mean_with_interval(values: list[float]) -> Mean:
    n = len(values)
    if n == 0:
        return Mean(0, None, None, None)
    mean = fmean(values)
    if n < 2:
        return Mean(n, mean, None, None)
    half = t_quantile(0.975, n - 1) * stdev(values) / math.sqrt(n)
    return Mean(n, mean, mean - half, mean + half)
