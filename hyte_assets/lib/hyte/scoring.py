"""Scoring: process points (0/100), outcome points (two-year change scaled 0–100) and the coefficient."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from hyte_assets.lib.hyte.config import (
    COMPONENT_COLUMNS,
    KERROIN_COLUMNS,
    RULE_DEGENERATE,
    RULE_MISSING,
    RULE_REL_UNDEFINED,
    RULE_SCALED,
    RULE_TARGET_MET,
    Assumptions,
    indicator_weights,
)
from hyte_assets.lib.hyte.frames import (
    _check_indicators,
    _check_known,
    _check_long,
    _check_unique,
    _code,
    _codes,
)

if TYPE_CHECKING:
    import pandas as pd

# What _score_indicator_frame returns per municipality (score_outcomes adds the years and the set's name).
SCALED_COLUMNS = [
    "municipality_code",
    "value_prev",
    "value_latest",
    "change",
    "target_level",
    "points",
    "missing",
    "rule",
]


# --------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------


def score_process(
    answers: pd.DataFrame,
    indicators: pd.DataFrame,
    municipalities: Iterable[str | int],
    assumptions: Assumptions | None = None,
    *,
    payment_year: int | None = None,
) -> pd.DataFrame:
    """Score the process (TEA) items 0/100 for every municipality × process indicator.

    ``answers`` has municipality_code, indicator_id, collection_year, answer (1/0/NaN or 100/0). Per
    indicator the TEA round is the latest collection_year in the data (with a payment year: the latest
    <= the set's data-year cutoff, from vintages.csv or a fixed lag). A municipality without an answer in
    that round gets 0 and missing=True: law 618/2021 § 15 gives the lowest possible value for missing
    data, and an older round's answer is not carried forward (the round is a national collection).
    """
    import numpy as np
    import pandas as pd

    codes = _codes(municipalities)
    ind = _check_indicators(indicators)
    proc_ids = ind.loc[ind["kind"] == "process", "indicator_id"].tolist()
    if payment_year is not None and assumptions is None:
        raise ValueError("score_process: payment_year needs assumptions (process_latest_lag)")
    df = _check_long(answers, ["municipality_code", "indicator_id", "collection_year", "answer"], "answers")
    _check_known(df, codes, proc_ids, "answers")
    df["collection_year"] = df["collection_year"].astype(int)
    _check_unique(df, ["municipality_code", "indicator_id", "collection_year"], "answers")
    df["points"] = _answer_points(df)
    parts = []
    for indicator_id in proc_ids:
        sub = df[df["indicator_id"] == indicator_id]
        cutoff = (
            None
            if assumptions is None
            else assumptions.data_year_cutoff(indicator_id, "process", payment_year)
        )
        if cutoff is not None:
            sub = sub[sub["collection_year"] <= cutoff]
        frame = pd.DataFrame({"municipality_code": codes, "indicator_id": indicator_id})
        if len(sub):
            # The round is national: the latest collection year present for this indicator.
            round_year = int(sub["collection_year"].max())
            chosen = sub[sub["collection_year"] == round_year].set_index("municipality_code")["points"]
            frame["collection_year"] = round_year
            frame["points"] = frame["municipality_code"].map(chosen).astype(float)
        else:
            frame["collection_year"] = pd.NA
            frame["points"] = np.nan
        frame["missing"] = frame["points"].isna()
        frame["points"] = frame["points"].fillna(0.0).astype(float)
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    out["collection_year"] = out["collection_year"].astype("Int64")
    out["assumption_set"] = None if assumptions is None else assumptions.name
    return out[
        ["municipality_code", "indicator_id", "collection_year", "points", "missing", "assumption_set"]
    ]


def score_outcomes(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    municipalities: Iterable[str | int],
    assumptions: Assumptions,
    *,
    payment_year: int | None = None,
) -> pd.DataFrame:
    """Score each outcome indicator 0–100 from the change between its two latest years.

    ``values`` has municipality_code, indicator_id, year, value. Per indicator the two latest years with any
    data are used (with a payment year: the latest <= the set's cutoff, vintage table or fixed lag; for
    biennial survey items these are the two latest rounds). The change (absolute or relative) is min–max
    scaled to 0–100 across ALL municipalities, in the indicator's direction (lower is better: the largest
    decrease gets 100, the largest increase 0). A latest value at/better than the target level gets 100.
    A municipality lacking either year gets 0 (law 618/2021 § 15: lowest value for missing data).
    """
    import numpy as np
    import pandas as pd

    codes = _codes(municipalities)
    ind = _check_indicators(indicators)
    outcomes = ind[ind["kind"] == "outcome"]
    df = _check_long(values, ["municipality_code", "indicator_id", "year", "value"], "values")
    _check_known(df, codes, outcomes["indicator_id"].tolist(), "values")
    df["year"] = df["year"].astype(int)
    df["value"] = pd.to_numeric(df["value"], errors="raise").astype(float)
    _check_unique(df, ["municipality_code", "indicator_id", "year"], "values")
    df = df[df["value"].notna()]
    parts = []
    for row in outcomes.itertuples(index=False):
        sub = df[df["indicator_id"] == row.indicator_id]
        cutoff = assumptions.data_year_cutoff(row.indicator_id, "outcome", payment_year)
        if cutoff is not None:
            sub = sub[sub["year"] <= cutoff]
        years = sorted(sub["year"].unique())
        frame = pd.DataFrame({"municipality_code": codes})
        year_prev = int(years[-2]) if len(years) >= 2 else None
        year_latest = int(years[-1]) if years else None
        for label, year in (("prev", year_prev), ("latest", year_latest)):
            if year is None:
                frame[f"value_{label}"] = np.nan
            else:
                got = sub[sub["year"] == year].set_index("municipality_code")["value"]
                frame[f"value_{label}"] = frame["municipality_code"].map(got).astype(float)
        scored = _score_indicator_frame(frame, row.indicator_id, row.polarity, assumptions)
        scored.insert(1, "indicator_id", row.indicator_id)
        scored.insert(2, "year_prev", year_prev)
        scored.insert(4, "year_latest", year_latest)
        parts.append(scored)
    out = pd.concat(parts, ignore_index=True)
    for col in ("year_prev", "year_latest"):
        out[col] = out[col].astype("Int64")
    out["assumption_set"] = assumptions.name
    head = ["municipality_code", "indicator_id", "year_prev", "value_prev", "year_latest"]
    return out[[*head, *SCALED_COLUMNS[2:], "assumption_set"]]


def _score_indicator_frame(
    frame: pd.DataFrame, indicator_id: str, polarity: str, assumptions: Assumptions
) -> pd.DataFrame:
    """Points for one outcome indicator, all municipalities at once (min–max needs all of them).

    Used by score_outcomes and by what_if (which re-scores with one municipality's value changed).
    """
    import numpy as np
    import pandas as pd

    out = frame[["municipality_code", "value_prev", "value_latest"]].copy()
    prev = out["value_prev"].astype(float)
    latest = out["value_latest"].astype(float)
    have_both = prev.notna() & latest.notna()

    if assumptions.scaling_method == "minmax_rel":
        with np.errstate(divide="ignore", invalid="ignore"):
            change = (latest - prev) / prev
        zero_prev = have_both & (prev == 0)
        change[zero_prev & (latest == 0)] = 0.0
        rel_undefined = zero_prev & (latest != 0)
        change[rel_undefined] = np.nan
    else:
        change = latest - prev
        rel_undefined = pd.Series(False, index=out.index)
    out["change"] = change

    valid = change.notna()
    scaled_on = change[valid]
    if assumptions.scaling_method == "clipped_minmax_abs" and len(scaled_on):
        lo = scaled_on.quantile(assumptions.clip_lower_pct / 100)
        hi = scaled_on.quantile(assumptions.clip_upper_pct / 100)
        scaled_on = scaled_on.clip(lo, hi)
    points = pd.Series(0.0, index=out.index)
    rule = pd.Series(RULE_MISSING, index=out.index, dtype=object)
    rule[rel_undefined] = RULE_REL_UNDEFINED
    if len(scaled_on):
        cmin, cmax = float(scaled_on.min()), float(scaled_on.max())
        if math.isclose(cmin, cmax, rel_tol=0.0, abs_tol=1e-12):
            # No spread to scale: nobody is better or worse than anyone else; the midpoint is neutral.
            points[valid] = 50.0
            rule[valid] = RULE_DEGENERATE
        else:
            # Divide first so the extremes are exactly 0 and 100 (x / x == 1 in floating point).
            share = (cmax - scaled_on) / (cmax - cmin)
            if polarity != "lower_better":
                share = (scaled_on - cmin) / (cmax - cmin)
            points[valid] = (100.0 * share).clip(0.0, 100.0)
            rule[valid] = RULE_SCALED

    target = _target_level(latest, indicator_id, polarity, assumptions)
    out["target_level"] = target
    if not math.isnan(target):
        met = latest.notna() & ((latest <= target) if polarity == "lower_better" else (latest >= target))
        points[met] = 100.0
        rule[met] = RULE_TARGET_MET

    out["points"] = points.astype(float)
    out["rule"] = rule
    out["missing"] = rule == RULE_MISSING
    return out[SCALED_COLUMNS]


def _target_level(latest: pd.Series, indicator_id: str, polarity: str, assumptions: Assumptions) -> float:
    """The tavoitetilanne for one indicator under the assumption set, NaN when the rule is not applied."""
    import numpy as np

    if assumptions.target_rule == "explicit":
        return float(assumptions.target_level_map.get(indicator_id, np.nan))
    if assumptions.target_rule == "best_decile":
        observed = latest.dropna()
        if not len(observed):
            return float("nan")
        pct = assumptions.target_percentile
        q = pct if polarity == "lower_better" else 100 - pct
        return float(observed.quantile(q / 100))
    return float("nan")


# --------------------------------------------------------------------------------------------------
# Kerroin
# --------------------------------------------------------------------------------------------------


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
    import pandas as pd

    ind = _check_indicators(indicators)
    weights = indicator_weights(ind, assumptions.weights)
    kinds = ind.set_index("indicator_id")["kind"]
    points = _points_long(process_points, outcome_points, ind)
    codes = sorted(points["municipality_code"].unique())
    wide = points.pivot(index="municipality_code", columns="indicator_id", values="points").loc[codes]
    wide = wide[ind["indicator_id"].tolist()]
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

    detail = _component_details(process_points, outcome_points)
    comp = contributions.stack().rename("contribution_to_score").reset_index()
    comp.columns = ["municipality_code", "indicator_id", "contribution_to_score"]
    comp["kind"] = comp["indicator_id"].map(kinds)
    comp["weight"] = comp["indicator_id"].map(weights)
    comp["points"] = wide.stack().to_numpy()  # same (municipality, indicator) order as contributions.stack()
    comp["contribution_to_coefficient"] = comp["contribution_to_score"] / national
    comp = comp.merge(detail, on=["municipality_code", "indicator_id"], how="left")
    comp["assumption_set"] = assumptions.name
    return kerroin[KERROIN_COLUMNS], comp[COMPONENT_COLUMNS]


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


def calculate(
    answers: pd.DataFrame,
    outcome_values: pd.DataFrame,
    population: pd.DataFrame,
    indicators: pd.DataFrame,
    municipalities: Iterable[str | int],
    base_price_eur: float,
    assumptions: Assumptions,
    *,
    payment_year: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Whole chain (score_process → score_outcomes → compute_kerroin) for one assumption set."""
    codes = _codes(municipalities)
    process_points = score_process(answers, indicators, codes, assumptions, payment_year=payment_year)
    outcome_points = score_outcomes(outcome_values, indicators, codes, assumptions, payment_year=payment_year)
    return compute_kerroin(
        process_points,
        outcome_points,
        population,
        indicators,
        base_price_eur,
        assumptions,
        payment_year=payment_year,
    )


def _answer_points(df: pd.DataFrame) -> pd.Series:
    """TEA answers to points: 1/100/True → 100, 0/False → 0, NaN → NaN (missing); anything else fails."""
    import numpy as np
    import pandas as pd

    raw = df["answer"]
    numeric = pd.to_numeric(raw.map(lambda v: float(v) if isinstance(v, bool) else v), errors="coerce")
    bad = raw.notna() & ~numeric.isin([0.0, 1.0, 100.0])
    if bad.any():
        sample = df.loc[bad, ["municipality_code", "indicator_id", "answer"]].head(5).to_dict("records")
        raise ValueError(f"answers: answer must be 1/0/NaN or 100/0, got {sample}")
    return numeric.map(lambda v: np.nan if pd.isna(v) else (0.0 if v == 0 else 100.0))


def _points_long(
    process_points: pd.DataFrame, outcome_points: pd.DataFrame, ind: pd.DataFrame
) -> pd.DataFrame:
    import pandas as pd

    cols = ["municipality_code", "indicator_id", "points"]
    points = pd.concat([process_points[cols], outcome_points[cols]], ignore_index=True)
    points["municipality_code"] = points["municipality_code"].map(_code)
    points["points"] = pd.to_numeric(points["points"], errors="raise").astype(float)
    if points["points"].isna().any() or ((points["points"] < 0) | (points["points"] > 100)).any():
        raise ValueError("points must be in [0, 100] and not missing (missing data is scored 0 upstream)")
    _check_unique(points, ["municipality_code", "indicator_id"], "points")
    expected = set(ind["indicator_id"])
    for code, got in points.groupby("municipality_code")["indicator_id"]:
        if set(got) != expected:
            raise ValueError(
                f"points for municipality {code}: missing {sorted(expected - set(got))}, "
                f"unknown {sorted(set(got) - expected)}"
            )
    return points


def _population_series(
    population: pd.DataFrame, codes: list[str], assumptions: Assumptions, payment_year: int | None
) -> pd.Series:
    pop = population.copy()
    for col in ("municipality_code", "population"):
        if col not in pop.columns:
            raise ValueError(f"population: missing column {col!r}")
    pop["municipality_code"] = pop["municipality_code"].map(_code)
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
    detail["municipality_code"] = detail["municipality_code"].map(_code)
    for col in ("value_prev", "value_latest", "change"):
        detail[col] = detail[col].astype(float)
    return detail
