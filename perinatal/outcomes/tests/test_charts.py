"""The charts' coordinates: inside the plot whatever the figures, and the change axis never
past what the instrument can score."""

from perinatal.outcomes import charts
from perinatal.outcomes.compute import ANSWERED, Course, Definitions, Result, summarise


def cohort(*changes_by_day):
    return [
        Course(key=str(n), instrument="epds", baseline=24,
               results=tuple(Result(day, ANSWERED, 24 + change) for day, change in pairs))
        for n, pairs in enumerate(changes_by_day)
    ]  # fmt: skip


def test_a_wide_interval_is_cut_at_the_instruments_range():
    # Two answers on day 7 far apart: the 95 % interval runs well past -30 and +30.
    summary = summarise("epds", cohort([(7, -24)], [(7, 0)]), Definitions())
    assert summary.days[0].change.low < -30
    chart = charts.change(summary, most=30)
    point = chart.series[0].points[0]
    for y in (point.y, point.low, point.high):
        assert chart.top <= y <= chart.bottom_edge
    assert -30 <= float(chart.y_ticks[0][1]) < float(chart.y_ticks[-1][1]) <= 30
    assert "95 % interval -164.5 to 140.5" in point.label  # the title keeps it whole


def test_days_are_evenly_spaced_left_to_right():
    summary = summarise("epds", cohort([(1, -2), (7, -8), (42, -10)]), Definitions())
    xs = [x for x, _ in charts.response(summary).x_ticks]
    assert xs == sorted(xs) and xs[1] - xs[0] == xs[2] - xs[1]


def test_nothing_to_draw_says_so():
    assert charts.change(summarise("epds", [], Definitions()), most=30).empty
