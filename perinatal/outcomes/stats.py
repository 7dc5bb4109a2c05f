"""The few statistics the outcome figures need: a mean with its 95 % confidence interval from
Student's t distribution, exact for any number of patients."""

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist, fmean


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


EXACT_UP_TO = 30  # degrees of freedom solved exactly; above, the expansion is within 1e-5


@lru_cache(maxsize=512)
def t_quantile(p: float, df: int) -> float:
    """The t value below which a fraction ``p`` (0.5 < p < 1) of the distribution lies: the
    series solved by bisection up to 30 degrees of freedom, then the Cornish-Fisher expansion
    around the normal quantile (Abramowitz and Stegun 26.7.5)."""
    if df > EXACT_UP_TO:
        z, v = NormalDist().inv_cdf(p), float(df)
        return (
            z
            + (z**3 + z) / (4 * v)
            + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
            + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
        )
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    for _ in range(60):  # the interval halves each time: far below the precision shown
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
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return Mean(n, mean, mean - half, mean + half)
