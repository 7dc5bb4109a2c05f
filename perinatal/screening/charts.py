"""Questionnaire scores over time, drawn on the server as inline SVG.

One small chart per instrument (EPDS, PHQ-9 and GAD-7 have different ranges and cut-offs),
sharing one time axis so they read together, with any marked days (her infusion) drawn across
them. Staff see it on her chart; she sees it on her progress page. The shaded regions are the
instrument's bands as its data file defines them, so a clinic that loads its own cut-offs sees
them here too. The geometry is computed here and ``screening/_score_chart.html`` writes it out,
marks and table rows included: no script, no third-party library, and a table with the same
numbers for people who do not see the picture.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import dateformat, timezone

from perinatal.lib.datestyles import DAY
from perinatal.screening.instruments import Instrument, definition

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 10, 34
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
SHADES = 4  # band-0 (lowest scores) … band-3 (highest) in screening/score-chart.css


@dataclass(frozen=True)
class Result:
    at: datetime
    total: int
    band: str
    safety_alert: bool


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    at: datetime  # in the clinic's zone
    day: str  # "3 Mar 2026"
    total: int
    band_label: str
    safety_alert: bool

    @property
    def summary(self) -> str:
        alert = ", self-harm item above zero" if self.safety_alert else ""
        return f"{self.day}: {self.total}, {self.band_label}{alert}"


@dataclass(frozen=True)
class Area:
    y: float
    height: float
    label: str
    shade: int
    low: int
    high: int

    @property
    def label_y(self) -> float:
        return self.y + self.height / 2 + 4

    @property
    def labelled(self) -> bool:
        return self.height >= 14


@dataclass(frozen=True)
class ScoreChart:
    code: str
    name: str
    abbreviation: str
    max_total: int
    areas: list[Area]
    points: list[Point]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str, str]]  # x, label, text-anchor
    marks: list[tuple[float, str]]  # x, label: days drawn across the chart

    width = WIDTH
    height = HEIGHT
    left = LEFT
    top = TOP
    plot_width = PLOT_W
    right_edge = WIDTH - RIGHT
    bottom_edge = HEIGHT - BOTTOM
    tick_x = LEFT - 6  # right edge of the score labels
    label_x = LEFT + 6  # left edge of the band names
    date_y = HEIGHT - BOTTOM + 16

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def description(self) -> str:
        """What a screen reader says instead of the picture."""
        first, last = self.points[0], self.points[-1]
        text = (
            f"{len(self.points)} {self.abbreviation} result{'s' if len(self.points) != 1 else ''}"
            f" from {first.day} to {last.day}, on a scale of 0 to {self.max_total}. "
            f"Latest: {last.total} ({last.band_label})"
        )
        if len(self.points) > 1:
            text += f"; first: {first.total} ({first.band_label})"
        alerts = sum(p.safety_alert for p in self.points)
        if alerts:
            text += f". Self-harm item above zero in {alerts} of them"
        for _, label in self.marks:
            text += f". Marked: {label}"
        return text + "."


def score_charts(
    results_by_code: dict[str, list[Result]], marks: Sequence[tuple[datetime, str]] = ()
) -> list[ScoreChart]:
    """Charts for each instrument's results (oldest first), sharing one time axis; each of
    ``marks`` (a time and its name) is a line across every chart."""
    every = [r.at for results in results_by_code.values() for r in results]
    every += [at for at, _ in marks]
    if not every:
        return []
    # Times in the page's zone, days written in the page's language.
    zone = timezone.get_current_timezone()
    start, end = min(every).astimezone(zone), max(every).astimezone(zone)
    charts = []
    for code in sorted(results_by_code):
        results = sorted(results_by_code[code], key=lambda r: r.at)
        found = definition(code)
        max_total = found.max_total if found else max(30, *(r.total for r in results))
        labels = {b.code: b.label for b in found.bands} if found else {}
        scale = _Scale(start, end, max_total)
        charts.append(
            ScoreChart(
                code=code,
                name=found.name if found else code.upper(),
                abbreviation=found.abbreviation if found else code.upper(),
                max_total=max_total,
                areas=_areas(found, scale) if found else [],
                points=[
                    Point(
                        x=scale.x(r.at),
                        y=scale.y(r.total),
                        at=(local := r.at.astimezone(zone)),
                        day=dateformat.format(local, DAY),
                        total=r.total,
                        band_label=labels.get(r.band, r.band),
                        safety_alert=r.safety_alert,
                    )
                    for r in results
                ],
                y_ticks=[(scale.y(v), v) for v in _y_values(found, max_total)],
                x_ticks=_x_ticks(start, end, scale),
                marks=[(scale.x(at), label) for at, label in marks],
            )
        )
    return charts


class _Scale:
    def __init__(self, start: datetime, end: datetime, max_total: int):
        self.start, self.span = start, (end - start).total_seconds()
        self.max_total = max_total

    def x(self, at: datetime) -> float:
        if self.span <= 0:
            return LEFT + PLOT_W / 2
        return round(LEFT + PLOT_W * (at - self.start).total_seconds() / self.span, 1)

    def y(self, value: float) -> float:
        return round(TOP + PLOT_H * (1 - value / self.max_total), 1)


def _areas(instrument: Instrument, scale: _Scale) -> list[Area]:
    bands = sorted(instrument.bands, key=lambda b: b.min)
    areas = []
    for index, band in enumerate(bands):
        upper = bands[index + 1].min if index + 1 < len(bands) else instrument.max_total
        top, bottom = scale.y(upper), scale.y(band.min)
        shade = round(index * (SHADES - 1) / (len(bands) - 1)) if len(bands) > 1 else 0
        areas.append(
            Area(
                y=top,
                height=round(bottom - top, 1),
                label=band.label,
                shade=shade,
                low=band.min,
                high=band.max,
            )
        )
    return areas


def _y_values(instrument: Instrument | None, max_total: int) -> list[int]:
    """Ticks at the band boundaries, where a clinician reads a score against its cut-off."""
    if instrument is None:
        return [0, max_total]
    return sorted({0, max_total, *(b.min for b in instrument.bands)})


def _x_ticks(start: datetime, end: datetime, scale: _Scale) -> list[tuple[float, str, str]]:
    if start == end:
        return [(scale.x(start), dateformat.format(start, DAY), "middle")]
    count = 4
    step = (end - start) / count
    anchors = ["start"] + ["middle"] * (count - 1) + ["end"]
    return [
        (scale.x(start + step * i), dateformat.format(start + step * i, DAY), anchors[i])
        for i in range(count + 1)
    ]
