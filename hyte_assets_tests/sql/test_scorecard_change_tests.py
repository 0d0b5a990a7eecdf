"""The scorecard's change tests (intermediate.int_scorecard_change_tests) on simulated series.

10,000 unchanged series with known sample sizes (proportions) and known exposures (counts) must get a
verdict in 5 % +- 1 % of cases, and a real change of two standard errors must be detected in about
half. The SQL runs through DuckDB over all rows in one query; statsmodels is the oracle for the same
cases (`confint_proportions_2indep(method="newcomb")`, `test_poisson_2indep`).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from hyte_assets.lib.sql_models import SqlModel
from hyte_assets.lib.sql_run import materialize

from .conftest import MIN_CHANGE_CSV

SERIES = 10_000
MODEL = "intermediate.int_scorecard_change_tests"
POINT_COLUMNS = """
    measure_id varchar, group_type varchar, group_value varchar, unit varchar, source varchar,
    latest_value double, comparison_value double, latest_sample_size double, comparison_sample_size double,
    latest_count double, comparison_count double
"""


def run_change_tests(models: list[SqlModel], points: pd.DataFrame) -> pd.DataFrame:
    """Materialise the change-test model over `points` (the columns it reads from int_scorecard_points)."""
    model = next(m for m in models if m.table == MODEL)
    con = duckdb.connect()
    try:
        con.execute("create schema intermediate")
        con.execute("create schema catalog")
        con.execute(f"create table intermediate.int_scorecard_points ({POINT_COLUMNS})")
        con.register("_points", points)
        con.execute("insert into intermediate.int_scorecard_points by name select * from _points")
        con.register("_min_change", pd.read_csv(MIN_CHANGE_CSV))
        con.execute("create table catalog.min_change as select * from _min_change")
        materialize(con, model)
        return con.execute(f"select * from {MODEL} order by cast(measure_id as integer)").df()
    finally:
        con.close()


def proportions(rng: np.random.Generator, shift_in_se: float) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """School-survey-like shares: n 100-1500 per survey, p 5-50 %, the latest shifted by `shift_in_se`."""
    n0 = rng.integers(100, 1500, SERIES)
    n1 = rng.integers(100, 1500, SERIES)
    p0 = rng.uniform(0.05, 0.5, SERIES)
    p1 = p0 + shift_in_se * np.sqrt(p0 * (1 - p0) * (1 / n0 + 1 / n1))
    x0 = rng.binomial(n0, p0)
    x1 = rng.binomial(n1, p1)
    frame = pd.DataFrame(
        {
            "measure_id": [str(i) for i in range(SERIES)],
            "group_type": "school_level",
            "group_value": "8.-9. lk",
            "unit": "percent",
            "source": "kouluterveyskysely",
            "latest_value": 100 * x1 / n1,
            "comparison_value": 100 * x0 / n0,
            "latest_sample_size": n1.astype(float),
            "comparison_sample_size": n0.astype(float),
        }
    )
    return frame, {"x0": x0, "n0": n0, "x1": x1, "n1": n1}


def rates(rng: np.random.Generator, shift_in_se: float) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Register rates per 10 000 with their counts (absValue): 2 000-20 000 persons, 20-200 per 10 000."""
    e0 = rng.integers(2_000, 20_000, SERIES).astype(float)
    e1 = rng.integers(2_000, 20_000, SERIES).astype(float)
    r0 = rng.uniform(20, 200, SERIES) / 10_000
    r1 = r0 + shift_in_se * np.sqrt(r0 / e0 + r0 / e1)
    x0 = rng.poisson(r0 * e0)
    x1 = rng.poisson(r1 * e1)
    frame = pd.DataFrame(
        {
            "measure_id": [str(i) for i in range(SERIES)],
            "group_type": "total",
            "group_value": "total",
            "unit": "per_10000",
            "source": "sotkanet",
            "latest_value": 10_000 * x1 / e1,
            "comparison_value": 10_000 * x0 / e0,
            "latest_count": x1.astype(float),
            "comparison_count": x0.astype(float),
        }
    )
    return frame, {"x0": x0, "e0": e0, "x1": x1, "e1": e1}


def verdict_share(result: pd.DataFrame) -> float:
    return float(result["change_direction"].isin(["up", "down"]).mean())


@pytest.fixture(scope="module")
def unchanged_proportions(models):
    frame, counts = proportions(np.random.default_rng(20260504), 0.0)
    return run_change_tests(models, frame), counts


@pytest.fixture(scope="module")
def unchanged_rates(models):
    frame, counts = rates(np.random.default_rng(20260505), 0.0)
    return run_change_tests(models, frame), counts


def test_unchanged_proportions_get_a_verdict_in_five_percent(unchanged_proportions):
    result, _ = unchanged_proportions
    assert set(result["change_rule"]) == {"newcombe"}
    assert 0.04 <= verdict_share(result) <= 0.06


def test_unchanged_rates_get_a_verdict_in_five_percent(unchanged_rates):
    result, _ = unchanged_rates
    assert set(result["change_rule"]) == {"rate_ratio"}
    assert 0.04 <= verdict_share(result) <= 0.06


@pytest.mark.parametrize("simulate", [proportions, rates])
def test_a_change_of_two_standard_errors_is_detected_in_about_half(models, simulate):
    frame, _ = simulate(np.random.default_rng(7), 2.0)
    result = run_change_tests(models, frame)
    assert verdict_share(result) >= 0.45
    # and in the right direction: a rise is almost never read as a fall
    assert (result["change_direction"] == "down").mean() < 0.001


def test_newcombe_interval_matches_statsmodels(unchanged_proportions):
    from statsmodels.stats.proportion import confint_proportions_2indep

    result, c = unchanged_proportions
    low, high = confint_proportions_2indep(
        c["x1"], c["n1"], c["x0"], c["n0"], method="newcomb", compare="diff"
    )
    np.testing.assert_allclose(result["change_low"], 100 * np.asarray(low), atol=1e-9)
    np.testing.assert_allclose(result["change_high"], 100 * np.asarray(high), atol=1e-9)


def test_rate_ratio_verdicts_match_the_statsmodels_score_test(unchanged_rates):
    from statsmodels.stats.rates import test_poisson_2indep

    result, c = unchanged_rates
    pvalues = np.array(
        [
            test_poisson_2indep(x1, e1, x0, e0, method="score", compare="ratio", value=1).pvalue
            for x1, e1, x0, e0 in zip(c["x1"], c["e1"], c["x0"], c["e0"], strict=True)
        ]
    )
    # the Wilson interval of the conditional share excludes the null share exactly when the score
    # test rejects; only cases on the boundary itself (|z| = 1.96 to rounding) could differ
    ours = result["change_direction"].isin(["up", "down"]).to_numpy()
    theirs = pvalues < 0.05
    assert (ours != theirs).sum() <= 2, np.flatnonzero(ours != theirs)[:10]


def test_register_share_with_counts_uses_them():
    """A Sotkanet percentage with absValue: n follows from count / share, so Newcombe applies."""
    # kept small: one row, worked out with statsmodels
    from statsmodels.stats.proportion import confint_proportions_2indep

    from hyte_assets.lib.sql_models import discover

    from .conftest import SQL_ROOT

    models, _ = discover(SQL_ROOT)
    frame = pd.DataFrame(
        {
            "measure_id": ["0"],
            "group_type": "total",
            "group_value": "total",
            "unit": "percent",
            "source": "sotkanet",
            "latest_value": [100 * 60 / 1200],
            "comparison_value": [100 * 40 / 1000],
            "latest_count": [60.0],
            "comparison_count": [40.0],
        }
    )
    found = run_change_tests(models, frame).iloc[0]
    low, high = confint_proportions_2indep(60, 1200, 40, 1000, method="newcomb", compare="diff")
    assert found["change_rule"] == "newcombe_counts"
    assert found["latest_n"] == pytest.approx(1200) and found["comparison_n"] == pytest.approx(1000)
    assert (found["change_low"], found["change_high"]) == pytest.approx((100 * low, 100 * high))
