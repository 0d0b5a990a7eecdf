"""The hyte model's shortcuts give exactly what the long way gives (issue 19).

Municipality codes are converted once per distinct value, sets that score alike share their points
(SetScores), the coefficient can be computed without its component table (kerroin_only), and the
comparison of assumption sets runs in one call. Each test holds the shortcut against the plain
computation as its oracle, on a seeded toy data set with the shipped indicator list,
assumption sets and vintage table.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from hyte_assets.lib import hyte as hk
from hyte_assets.lib.hyte import scoring
from hyte_assets.lib.hyte.frames import _code, _code_column
from hyte_assets.lib.hyte.kerroin import kerroin_only

HYTE_DIR = Path(__file__).resolve().parents[2] / "data" / "hyte"
PAYMENT_YEAR = 2026
CODES = [f"{i:03d}" for i in range(1, 16)]


@pytest.fixture(scope="module")
def model() -> dict:
    """Shipped configuration and seeded inputs for 15 municipalities, every year a set may read."""
    rng = np.random.default_rng(19)
    indicators = hk.load_indicators(HYTE_DIR / "indicators.csv")
    kinds = indicators.set_index("indicator_id")["kind"]
    process = kinds[kinds == "process"].index
    outcome = kinds[kinds == "outcome"].index
    answers = pd.DataFrame(
        [
            (int(code), ind, year, rng.choice([0.0, 1.0, np.nan], p=[0.4, 0.5, 0.1]))
            for code in CODES
            for ind in process
            for year in range(2019, 2026)
        ],
        columns=["municipality_code", "indicator_id", "collection_year", "answer"],
    )
    values = pd.DataFrame(
        [
            (code, ind, year, float(rng.uniform(5, 40)))
            for code in CODES
            for ind in outcome
            for year in range(2016, 2026)
            if rng.uniform() > 0.05
        ],
        columns=["municipality_code", "indicator_id", "year", "value"],
    )
    population = pd.DataFrame(
        [
            (code, year, float(rng.integers(800, 60_000)), False)
            for code in CODES
            for year in range(2020, 2026)
        ],
        columns=["municipality_code", "year", "population", "is_demo"],
    )
    return {
        "indicators": indicators,
        "answers": answers,
        "values": values,
        "population": population,
        "sets": hk.load_assumptions(HYTE_DIR / "assumptions.toml"),
        "prices": hk.load_base_prices(HYTE_DIR / "base_prices.csv"),
    }


@pytest.mark.parametrize(
    "values",
    [
        ["111", "5", " 91 ", "Z001", "111", "5"],
        [111, 5, 91, 111],
        [111.0, 5.0, 91.0, 5.0],
        pd.Series([111, 5, 111], dtype="int32"),
        pd.Series([], dtype=object),
        pd.Series([], dtype=float),
    ],
)
def test_code_column_is_the_value_by_value_conversion(values: list | pd.Series) -> None:
    column = pd.Series(values).set_axis(range(10, 10 + len(values))).rename("municipality_code")
    assert_series_equal(_code_column(column), column.map(_code))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["111", "abcd", "5"], "'abcd' is not a 1–3 digit code"),
        ([111.0, np.nan], "nan is not a 1–3 digit code"),
        ([1, True], "True is not a 1–3 digit code"),  # True equals 1: never converted as if it were 1
        ([True, 1], "True is not a 1–3 digit code"),
        (["111", None], "None is not a 1–3 digit code"),
        ([111, 1234], "code 1234 is not a 1–3 digit code"),
        ([111.0, 12.5], "code 12.5 is not a 1–3 digit code"),
    ],
)
def test_code_column_rejects_what_the_value_by_value_conversion_rejects(values: list, message: str) -> None:
    column = pd.Series(values)
    with pytest.raises(ValueError, match=message):
        column.map(_code)
    with pytest.raises(ValueError, match=message):
        _code_column(column)


def test_set_scores_equal_scoring_each_set_and_score_each_distinct_reading_once(
    model: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"process": 0, "outcome": 0}
    real_process, real_outcomes = scoring.score_process, scoring.score_outcomes

    def count(kind: str, real):  # noqa: ANN001, ANN202
        def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            calls[kind] += 1
            return real(*args, **kwargs)

        return counted

    monkeypatch.setattr(scoring, "score_process", count("process", real_process))
    monkeypatch.setattr(scoring, "score_outcomes", count("outcome", real_outcomes))
    m = model
    scores = hk.SetScores(m["answers"], m["values"], m["indicators"], CODES, PAYMENT_YEAR)
    for assumptions in m["sets"].values():
        args = (m["indicators"], CODES, assumptions)
        expected_process = real_process(m["answers"], *args, payment_year=PAYMENT_YEAR)
        expected_outcomes = real_outcomes(m["values"], *args, payment_year=PAYMENT_YEAR)
        assert_frame_equal(scores.process(assumptions), expected_process, check_exact=True)
        assert_frame_equal(scores.outcomes(assumptions), expected_outcomes, check_exact=True)
    # The shipped sets read the process answers in 3 ways (vintage table; fixed lag 1; fixed lag 2) and the
    # outcomes in 6 (vintage table with 4 scalings or targets; fixed lag 2; fixed lag 3).
    assert calls == {"process": 3, "outcome": 6}
    keys = {name: scoring.scoring_key(a, "outcome") for name, a in m["sets"].items()}
    assert keys["default"] == keys["exact_weights"] == keys["previous_year_price"]
    assert len({keys["default"], keys["relative_change"], keys["clipped_abs"], keys["fixed_lag"]}) == 4


def test_kerroin_only_is_compute_kerroins_first_table(model: dict) -> None:
    m = model
    a = m["sets"]["default"]
    pp = hk.score_process(m["answers"], m["indicators"], CODES, a, payment_year=PAYMENT_YEAR)
    op = hk.score_outcomes(m["values"], m["indicators"], CODES, a, payment_year=PAYMENT_YEAR)
    args = (pp, op, m["population"], m["indicators"], 20.38, a)
    kerroin, _ = hk.compute_kerroin(*args, payment_year=PAYMENT_YEAR)
    assert_frame_equal(kerroin_only(*args, payment_year=PAYMENT_YEAR), kerroin, check_exact=True)


def test_one_comparison_over_all_sets_equals_one_call_per_set(model: dict) -> None:
    m = model
    sets = dict(m["sets"])
    # One set with another population year, so the multi-year population is exercised.
    sets["population_lag3"] = dataclasses.replace(sets["default"], name="population_lag3", population_lag=3)
    common = (m["answers"], m["values"])
    rest = (m["indicators"], CODES, m["prices"])
    per_set = pd.concat(
        [
            hk.compare_assumption_sets(
                "007",
                *common,
                m["population"][m["population"]["year"] == PAYMENT_YEAR - a.population_lag],
                *rest,
                {name: a},
                PAYMENT_YEAR,
                published_eur_per_resident=21.5,
            )
            for name, a in sets.items()
        ],
        ignore_index=True,
    )
    scores = hk.SetScores(*common, m["indicators"], CODES, PAYMENT_YEAR)
    together = hk.compare_assumption_sets(
        "007", *common, m["population"], *rest, sets, PAYMENT_YEAR, 21.5, scores=scores
    )
    delta = "delta_vs_default_eur"
    assert_frame_equal(together.drop(columns=delta), per_set.drop(columns=delta), check_exact=True)
    default = float(per_set.loc[per_set["assumption_set"] == "default", "eur_per_resident"].iloc[0])
    assert_series_equal(together[delta], per_set["eur_per_resident"] - default, check_names=False)
    assert together["coefficient"].nunique() > 3  # the sets do differ on this data


def test_comparison_refuses_scores_of_other_inputs(model: dict) -> None:
    m = model
    scores = hk.SetScores(m["answers"], m["values"], m["indicators"], CODES, PAYMENT_YEAR)
    with pytest.raises(ValueError, match="other inputs"):
        hk.compare_assumption_sets(
            "007",
            m["answers"].copy(),
            m["values"],
            m["population"],
            m["indicators"],
            CODES,
            m["prices"],
            {"default": m["sets"]["default"]},
            PAYMENT_YEAR,
            scores=scores,
        )


def test_points_check_names_the_first_municipality_with_a_wrong_indicator_set(model: dict) -> None:
    m = model
    a = m["sets"]["default"]
    pp = hk.score_process(m["answers"], m["indicators"], CODES, a, payment_year=PAYMENT_YEAR)
    op = hk.score_outcomes(m["values"], m["indicators"], CODES, a, payment_year=PAYMENT_YEAR)
    dropped = op["indicator_id"].iloc[0]
    op = op[~((op["municipality_code"].isin(["009", "031"])) & (op["indicator_id"] == dropped))]
    pp = pp.assign(indicator_id=pp["indicator_id"].where(pp["municipality_code"] != "020", "x_unknown"))
    pp = pp.drop_duplicates(["municipality_code", "indicator_id"])
    with pytest.raises(
        ValueError, match=rf"points for municipality 009: missing \['{dropped}'\], unknown \[\]"
    ):
        hk.compute_kerroin(pp, op, m["population"], m["indicators"], 20.38, a, payment_year=PAYMENT_YEAR)
