"""The t distribution against published table values, and a mean's interval worked by hand."""

import pytest

from perinatal.outcomes.stats import mean_with_interval, t_cdf, t_quantile


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571), (10, 2.228), (29, 2.045),
     (30, 2.042), (120, 1.980)],
)  # fmt: skip
def test_the_975_quantile_matches_the_printed_table(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=0.0005)


def test_the_expansion_above_30_degrees_agrees_with_the_exact_series():
    for df in (31, 45, 80, 200, 1000):
        # The exact series for this df, solved by bisection as up to 30.
        low, high = 0.0, 4.0
        for _ in range(60):
            middle = (low + high) / 2
            low, high = (middle, high) if t_cdf(middle, df) < 0.975 else (low, middle)
        assert t_quantile(0.975, df) == pytest.approx(low, abs=1e-5)


def test_the_distribution_is_symmetric_and_centred():
    for df in (1, 2, 7, 30):
        assert t_cdf(0, df) == pytest.approx(0.5)
        assert t_cdf(-1.3, df) == pytest.approx(1 - t_cdf(1.3, df))


def test_a_mean_and_its_interval_by_hand():
    # Changes -6, -8, -10, -4: mean -7, sample sd 2.582, t(0.975, 3) 3.182 -> half-width 4.108.
    found = mean_with_interval([-6, -8, -10, -4])
    assert found.n == 4 and found.mean == -7
    assert found.low == pytest.approx(-11.108, abs=0.001)
    assert found.high == pytest.approx(-2.892, abs=0.001)


def test_one_value_has_no_interval_and_none_has_no_mean():
    assert mean_with_interval([3]).low is None
    assert mean_with_interval([]).mean is None
