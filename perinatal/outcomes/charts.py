"""Where the dashboard's charts put things: coordinates only, the drawing is the template's
(``outcomes/_change_chart.html``, ``outcomes/_response_chart.html``)."""

import math
from dataclasses import dataclass, field

from perinatal.outcomes.compute import Summary

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44


@dataclass
class Point:
    x: float
    y: float
    low: float | None = None  # the interval's ends, as y coordinates
    high: float | None = None
    label: str = ""  # for the point's title


@dataclass
class Series:
    name: str
    css: str
    points: list[Point] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass
class Chart:
    series: list[Series]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    baseline_y: float | None = None  # a reference line (no change)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM
    empty: bool = False


def _x_positions(days: list[int]) -> list[float]:
    span = WIDTH - LEFT - RIGHT
    if len(days) == 1:
        return [LEFT + span / 2]
    return [LEFT + 24 + i * (span - 48) / (len(days) - 1) for i in range(len(days))]


def _scale(low: float, high: float):
    bottom, top = HEIGHT - BOTTOM, TOP

    def y(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    return y


def _ticks(low: float, high: float, y) -> list[tuple[float, str]]:
    step = max(1, math.ceil((high - low) / 5))
    first = math.ceil(low / step) * step
    return [(y(v), f"{v:g}") for v in range(int(first), int(high) + 1, step)]


def change(summary: Summary, most: int) -> Chart:
    """Mean change from baseline at each follow-up day, with its 95 % interval. No change can
    pass ``most`` (the instrument's highest score) either way, so neither does the axis: a wide
    interval of a few answers is cut at the edge (its title gives it whole)."""
    days = [d for d in summary.days if d.change.mean is not None]
    if not days:
        return Chart([], [], [], empty=True)
    values = [0.0]
    for d in days:
        values += [v for v in (d.change.mean, d.change.low, d.change.high) if v is not None]
    low = max(math.floor(min(values)) - 1, -most)
    high = min(math.ceil(max(values)) + 1, most)
    scale = _scale(low, high)

    def y(value: float) -> float:
        return scale(min(max(value, low), high))

    xs = _x_positions([d.day for d in days])
    series = Series("Mean change", "line")
    for x, d in zip(xs, days, strict=True):
        mean = d.change.mean or 0.0
        interval = (
            f", 95 % interval {d.change.low:.1f} to {d.change.high:.1f}"
            if d.change.low is not None and d.change.high is not None
            else ""
        )
        series.points.append(
            Point(
                x,
                y(mean),
                low=y(d.change.low) if d.change.low is not None else None,
                high=y(d.change.high) if d.change.high is not None else None,
                label=f"Day {d.day}: {mean:+.1f} points{interval} (n = {d.change.n})",
            )
        )
    return Chart(
        [series],
        x_ticks=[(x, f"day {d.day}") for x, d in zip(xs, days, strict=True)],
        y_ticks=_ticks(low, high, scale),
        baseline_y=y(0),
    )


def response(summary: Summary) -> Chart:
    """The share responding, and in remission where defined, at each follow-up day."""
    days = [d for d in summary.days if d.response.of]
    if not days:
        return Chart([], [], [], empty=True)
    y = _scale(0, 100)
    xs = _x_positions([d.day for d in days])
    responding = Series("Response", "line")
    remitting = Series("Remission", "line line-second")
    for x, d in zip(xs, days, strict=True):
        pct = d.response.pct or 0.0
        said = f"Day {d.day}: {pct:.0f} % responding ({d.response.count} of {d.response.of})"
        responding.points.append(Point(x, y(pct), label=said))
        if d.remission is not None and d.remission.of:
            rem = d.remission.pct or 0.0
            said = (
                f"Day {d.day}: {rem:.0f} % in remission ({d.remission.count} of {d.remission.of})"
            )
            remitting.points.append(Point(x, y(rem), label=said))
    return Chart(
        [s for s in (responding, remitting) if s.points],
        x_ticks=[(x, f"day {d.day}") for x, d in zip(xs, days, strict=True)],
        y_ticks=[(y(v), f"{v} %") for v in range(0, 101, 25)],
    )
