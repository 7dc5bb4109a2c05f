"""A hand-built cohort with known answers: every figure below was worked out by hand (the sums
are in the comments), not by the code under test."""

import pytest

from perinatal.outcomes.compute import (
    ANSWERED,
    MISSED,
    OPEN,
    Course,
    Definitions,
    Result,
    Share,
    postpartum_group,
    split,
    summarise,
)

RULES = Definitions(
    response_drop_pct=50, remission_below=10, durability_from_day=7, durability_days=(42, 90)
)


def course(key, baseline, weeks, *results):
    return Course(
        key=key,
        instrument="epds",
        baseline=baseline,
        baseline_band="severe" if baseline and baseline >= 20 else "moderate",
        weeks_postpartum=weeks,
        breastfeeding=key in "AB",
        results=tuple(Result(day, status, score) for day, status, score in results),
    )


# Baseline, then (day, status, score) for days 7, 42 and 90.
COHORT = [
    course("A", 20, 3, (7, ANSWERED, 8), (42, ANSWERED, 9), (90, ANSWERED, 12)),
    course("B", 16, 8, (7, ANSWERED, 8), (42, ANSWERED, 7), (90, MISSED, None)),
    course("C", 18, 8, (7, ANSWERED, 15), (42, MISSED, None), (90, OPEN, None)),
    course("D", 24, 30, (7, MISSED, None), (42, ANSWERED, 10), (90, ANSWERED, 11)),
    course("E", None, None, (7, ANSWERED, 12)),
    course("F", 14, 13, (7, OPEN, None)),
]


@pytest.fixture
def summary():
    return summarise("epds", COHORT, RULES)


def test_the_baseline(summary):
    assert (summary.infusions, summary.with_baseline) == (6, 5)
    assert summary.baseline.mean == pytest.approx(18.4)  # (20 + 16 + 18 + 24 + 14) / 5


def test_day_7(summary):
    day = summary.days[0]
    assert day.day == 7
    # Answered A, B, C, E; missed D; F still open and counted in neither.
    assert (day.due, day.answered, day.missed, day.open) == (5, 4, 1, 1)
    assert day.completion == Share(4, 5)
    # Changes with a baseline: A -12, B -8, C -3 (E has none). Mean -23/3; sd 4.5092;
    # t(0.975, 2) = 4.3027; half-width 4.3027 * 4.5092 / sqrt(3) = 11.2013.
    assert day.change.n == 3
    assert day.change.mean == pytest.approx(-7.6667, abs=1e-4)
    assert day.change.low == pytest.approx(-18.868, abs=1e-3)
    assert day.change.high == pytest.approx(3.535, abs=1e-3)
    # Response: A 20 -> 8 (60 %), B 16 -> 8 (exactly 50 %, counts), C 18 -> 15 (17 %).
    assert day.response == Share(2, 3)
    # Remission under 10: A 8, B 8; not C 15.
    assert day.remission == Share(2, 3)


def test_day_42_and_90(summary):
    d42, d90 = summary.days[1], summary.days[2]
    assert (d42.due, d42.answered, d42.missed, d42.open) == (4, 3, 1, 0)
    # A 20 -> 9 (-11), B 16 -> 7 (-9), D 24 -> 10 (-14): mean -34/3; all three respond.
    assert d42.change.mean == pytest.approx(-11.3333, abs=1e-4)
    assert d42.response == Share(3, 3)
    assert d42.remission == Share(2, 3)  # 9 and 7, not 10
    assert (d90.due, d90.answered, d90.missed, d90.open) == (3, 2, 1, 1)
    # A 20 -> 12 (40 %, no), D 24 -> 11 (54 %, yes).
    assert d90.change.mean == pytest.approx(-10.5)
    assert d90.response == Share(1, 2)
    assert d90.remission == Share(0, 2)


def test_durability(summary):
    # Responding at day 7: A and B. Day 42: both answered, both still respond. Day 90: B
    # missed; A answered 12, no longer responding.
    d42, d90 = summary.durability
    assert (d42.responders, d42.followed, d42.still) == (2, 2, 2)
    assert (d90.responders, d90.followed, d90.still) == (2, 1, 0)
    assert d90.share.pct == 0


def test_without_a_remission_definition_no_remission_rate_is_made_up():
    found = summarise("epds", COHORT, Definitions(remission_below=None))
    assert all(day.remission is None for day in found.days)


def test_the_same_figures_by_weeks_postpartum():
    groups = split("epds", COHORT, RULES, postpartum_group)
    assert list(groups) == [
        "0 to 4 weeks",
        "4 to 12 weeks",
        "12 to 26 weeks",
        "26 to 52 weeks",
        "not known",
    ]
    week_4_12 = groups["4 to 12 weeks"].days[0]  # B and C at day 7
    assert week_4_12.response == Share(1, 2)
    assert groups["not known"].with_baseline == 0


def test_a_share_of_nothing_has_no_percentage():
    assert Share(0, 0).pct is None
    assert Share(1, 3).pct == pytest.approx(33.333, abs=1e-3)


def test_side_effects_count_infusions_not_mentions():
    from perinatal.outcomes.compute import Effect, side_effects

    found = side_effects(
        [
            Effect("A", "Headache", minutes=30),
            Effect("A", "Headache", lasted="Until the evening"),  # the day and the next day
            Effect("B", "Headache", minutes=90),
            Effect("C", "Headache", minutes=50),
            Effect("B", "Nausea or vomiting", lasted="A few hours"),
        ],
        infusions=4,
    )
    headache, nausea = found
    assert headache.name == "Headache" and headache.sessions == Share(3, 4)
    assert headache.median_minutes == 50  # 30, 50, 90
    assert headache.lasted == {"Until the evening": 1}
    assert nausea.sessions == Share(1, 4) and nausea.median_minutes is None
