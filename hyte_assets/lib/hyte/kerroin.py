"""The coefficient: points combined with the weights, normalised by the population-weighted national average.

Also what_if's and compare_assumption_sets' inner loop, so the coefficient alone (:func:`kerroin_only`)
skips the per-component table they never read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from hyte_assets.lib.hyte.config import (
    COMPONENT_COLUMNS,
    KERROIN_COLUMNS,
    Assumptions,
    indicator_weights,
)
from hyte_assets.lib.hyte.frames import (
    _check_indicators,
    _check_unique,
    _code_column,
    _codes,
)

if TYPE_CHECKING:
    import pandas as pd


def compute_kerroin(
    process_points: pd.DataFrame,
    outcome_points: pd.DataFrame,
    population: pd.DataFrame,
    indicators: pd.DataFrame,
    base_price_eur: float,
    assumptions: Assumptions,
    *,
    payment_year: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Combine the points into the kerroin, normalised by the population-weighted national average.

    combined_score is the weighted sum with ``assumptions.weights`` (published 0.0333/0.0833 or exact
    1/30, 1/12; the exact form equals the mean of the process and outcome means, the published form is
    within :func:`weight_rounding_bound`). coefficient = combined / national average, so the
    population-weighted mean coefficient is exactly 1 and the pot is base_price × national population.
    ``population`` has municipality_code, population and optionally year (then the year
    payment_year - population_lag is used). It must cover exactly the scored municipalities, because a
    municipality left out would silently change the national average.
    Returns (kerroin_df, components_df); components' contribution_to_coefficient sums to the coefficient.
    """
    args = (process_points, outcome_points, population, indicators, base_price_eur, assumptions)
    kerroin = kerroin_only(*args, payment_year=payment_year)
    national = float(kerroin["national_weighted_avg"].iloc[0])  # not empty: an empty table has no average
    ind = _check_indicators(indicators)
    weights = indicator_weights(ind, assumptions.weights)
    kinds = ind.set_index("indicator_id")["kind"]
    wide = _wide_points(process_points, outcome_points, ind)
    contributions = wide * weights
    detail = _component_details(process_points, outcome_points)
    comp = contributions.stack().rename("contribution_to_score").reset_index()
    comp.columns = ["municipality_code", "indicator_id", "contribution_to_score"]
    comp["kind"] = comp["indicator_id"].map(kinds)
    comp["weight"] = comp["indicator_id"].map(weights)
    comp["points"] = wide.stack().to_numpy()  # same (municipality, indicator) order as contributions.stack()
    comp["contribution_to_coefficient"] = comp["contribution_to_score"] / national
    comp = comp.merge(detail, on=["municipality_code", "indicator_id"], how="left")
    comp["assumption_set"] = assumptions.name
    return kerroin, comp[COMPONENT_COLUMNS]


# The same six model inputs as compute_kerroin and what_if take (a shared parameter list, not
# shared logic). compute_kerroin calls this and re-derives the checked points for its component
# table: a few milliseconds, kept so that this function stays the one place the coefficient is made.
def kerroin_only(
    process_points: pd.DataFrame,
    outcome_points: pd.DataFrame,
    population: pd.DataFrame,
    indicators: pd.DataFrame,
    base_price_eur: float,
    assumptions: Assumptions,
    *,
    payment_year: int | None = None,
) -> pd.DataFrame:
    """compute_kerroin's first table alone (same checks, same figures), for callers needing no components."""
    import pandas as pd

    ind = _check_indicators(indicators)
    weights = indicator_weights(ind, assumptions.weights)
    kinds = ind.set_index("indicator_id")["kind"]
    wide = _wide_points(process_points, outcome_points, ind)
    codes = wide.index.tolist()
    proc_ids = kinds[kinds == "process"].index.tolist()
    out_ids = kinds[kinds == "outcome"].index.tolist()

    pop = _population_series(population, codes, assumptions, payment_year)
    process_score = wide[proc_ids].mean(axis=1) if proc_ids else pd.Series(0.0, index=wide.index)
    outcome_score = wide[out_ids].mean(axis=1) if out_ids else pd.Series(0.0, index=wide.index)
    contributions = wide * weights
    combined = contributions.sum(axis=1)
    national = float((pop * combined).sum() / pop.sum())
    if not national > 0:
        raise ValueError(
            "national population-weighted score is 0: every municipality scored 0, kerroin undefined"
        )
    coefficient = combined / national
    eur_per_resident = base_price_eur * coefficient

    kerroin = pd.DataFrame(
        {
            "municipality_code": codes,
            "payment_year": pd.array([payment_year] * len(codes), dtype="Int64"),
            "process_score": process_score.to_numpy(),
            "outcome_score": outcome_score.to_numpy(),
            "combined_score": combined.to_numpy(),
            "national_weighted_avg": national,
            "coefficient": coefficient.to_numpy(),
            "eur_per_resident": eur_per_resident.to_numpy(),
            "eur_total": (eur_per_resident * pop).to_numpy(),
        }
    )
    kerroin["rank_national"] = kerroin["coefficient"].rank(ascending=False, method="min").astype(int)
    kerroin["assumption_set"] = assumptions.name
    return kerroin[KERROIN_COLUMNS]


def _wide_points(
    process_points: pd.DataFrame, outcome_points: pd.DataFrame, ind: pd.DataFrame
) -> pd.DataFrame:
    """Checked points as municipality (sorted) × indicator (in the indicator list's order)."""
    points = _points_long(process_points, outcome_points, ind)
    codes = sorted(points["municipality_code"].unique())
    wide = points.pivot(index="municipality_code", columns="indicator_id", values="points").loc[codes]
    return wide[ind["indicator_id"].tolist()]


def rank_within(kerroin_df: pd.DataFrame, municipality_codes: Iterable[str | int]) -> pd.Series:
    """Rank (1 = highest coefficient, ties share the best rank) among a region's municipalities only.

    Regional ranks are what the plan quotes ("highest in Päijät-Häme"), so they are computed on the subset.
    """
    wanted = _codes(municipality_codes)
    sub = kerroin_df[kerroin_df["municipality_code"].isin(wanted)]
    absent = sorted(set(wanted) - set(sub["municipality_code"]))
    if absent:
        raise ValueError(f"rank_within: municipalities not in kerroin_df: {absent}")
    ranks = sub.set_index("municipality_code")["coefficient"].rank(ascending=False, method="min").astype(int)
    return ranks.rename("rank_within")


def _points_long(
    process_points: pd.DataFrame, outcome_points: pd.DataFrame, ind: pd.DataFrame
) -> pd.DataFrame:
    import pandas as pd

    cols = ["municipality_code", "indicator_id", "points"]
    points = pd.concat([process_points[cols], outcome_points[cols]], ignore_index=True)
    points["municipality_code"] = _code_column(points["municipality_code"])
    points["points"] = pd.to_numeric(points["points"], errors="raise").astype(float)
    if points["points"].isna().any() or ((points["points"] < 0) | (points["points"] > 100)).any():
        raise ValueError("points must be in [0, 100] and not missing (missing data is scored 0 upstream)")
    _check_unique(points, ["municipality_code", "indicator_id"], "points")
    expected = set(ind["indicator_id"])
    # Rows are unique per (municipality, indicator), so a municipality has exactly the expected set when
    # all its ids are known and it has as many as expected; the first one that has not is reported.
    counts = points.groupby("municipality_code")["indicator_id"].size()
    unknown = points.loc[~points["indicator_id"].isin(expected), "municipality_code"]
    wrong = sorted({*counts.index[counts != len(expected)], *unknown})
    if wrong:
        code = wrong[0]
        got = set(points.loc[points["municipality_code"] == code, "indicator_id"])
        raise ValueError(
            f"points for municipality {code}: missing {sorted(expected - got)}, "
            f"unknown {sorted(got - expected)}"
        )
    return points


def _population_series(
    population: pd.DataFrame, codes: list[str], assumptions: Assumptions, payment_year: int | None
) -> pd.Series:
    pop = population.copy()
    for col in ("municipality_code", "population"):
        if col not in pop.columns:
            raise ValueError(f"population: missing column {col!r}")
    pop["municipality_code"] = _code_column(pop["municipality_code"])
    if "year" in pop.columns:
        if payment_year is not None:
            year = payment_year - assumptions.population_lag
            pop = pop[pop["year"].astype(int) == year]
            if not len(pop):
                raise ValueError(f"population: no rows for year {year} (payment year {payment_year} − lag)")
        elif pop["year"].nunique() > 1:
            raise ValueError("population: several years given but no payment_year to choose one")
    _check_unique(pop, ["municipality_code"], "population")
    series = pop.set_index("municipality_code")["population"].astype(float)
    missing = sorted(set(codes) - set(series.index))
    extra = sorted(set(series.index) - set(codes))
    if missing or extra:
        raise ValueError(
            f"population must cover exactly the scored municipalities: missing {missing}, extra {extra}"
        )
    if (series.loc[codes] <= 0).any() or series.loc[codes].isna().any():
        raise ValueError("population: every municipality needs a positive population")
    return series.loc[codes]


def _component_details(process_points: pd.DataFrame, outcome_points: pd.DataFrame) -> pd.DataFrame:
    """value_prev / value_latest / change per component; for a process item value_latest is its 0/100."""
    import numpy as np
    import pandas as pd

    proc = process_points[["municipality_code", "indicator_id", "points", "missing"]].copy()
    proc["value_prev"] = np.nan
    proc["value_latest"] = proc["points"].where(~proc["missing"].astype(bool))
    proc["change"] = np.nan
    outc = outcome_points[
        ["municipality_code", "indicator_id", "value_prev", "value_latest", "change"]
    ].copy()
    cols = ["municipality_code", "indicator_id", "value_prev", "value_latest", "change"]
    detail = pd.concat([proc[cols], outc[cols]], ignore_index=True)
    detail["municipality_code"] = _code_column(detail["municipality_code"])
    for col in ("value_prev", "value_latest", "change"):
        detail[col] = detail[col].astype(float)
    return detail
