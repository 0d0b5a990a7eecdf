"""Scoring: process points (0/100) and outcome points (two-year change scaled 0–100); the coefficient is in
:mod:`.kerroin`."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import fields
from typing import TYPE_CHECKING

from hyte_assets.lib.hyte.config import (
    RULE_DEGENERATE,
    RULE_MISSING,
    RULE_REL_UNDEFINED,
    RULE_SCALED,
    RULE_TARGET_MET,
    Assumptions,
)
from hyte_assets.lib.hyte.frames import (
    _check_indicators,
    _check_known,
    _check_long,
    _check_unique,
    _codes,
)
from hyte_assets.lib.hyte.kerroin import compute_kerroin

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
# Assumption fields that a scoring stage never reads: they act later (weights, population, price) or only
# label the result. Sets that differ only in these score a stage alike (SetScores scores it once); a field
# not listed here counts, so a new field can only cost a recomputation, never a wrong reuse.
_LATER_FIELDS = frozenset(
    {
        "name",
        "description",
        "weights",
        "population_lag",
        "base_price_fallback",
        "price_index_name",
        "price_index_pct",
        "price_index_source",
    }
)
_NOT_READ_BY = {
    "process": _LATER_FIELDS
    | {
        "scaling_method",
        "clip_lower_pct",
        "clip_upper_pct",
        "target_rule",
        "target_percentile",
        "target_levels",
        "outcome_latest_lag",
    },
    "outcome": _LATER_FIELDS | {"process_latest_lag"},
}


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
    # Plain arrays (same IEEE arithmetic as the Series): a few hundred values, where each pandas
    # operation's overhead would outweigh the arithmetic.
    latest_series = out["value_latest"].astype(float)
    prev, latest = out["value_prev"].astype(float).to_numpy(), latest_series.to_numpy()
    have_both = ~np.isnan(prev) & ~np.isnan(latest)

    if assumptions.scaling_method == "minmax_rel":
        with np.errstate(divide="ignore", invalid="ignore"):
            change = (latest - prev) / prev
        zero_prev = have_both & (prev == 0)
        change[zero_prev & (latest == 0)] = 0.0
        rel_undefined = zero_prev & (latest != 0)
        change[rel_undefined] = np.nan
    else:
        change = latest - prev
        rel_undefined = np.zeros(len(out), dtype=bool)
    out["change"] = change

    valid = ~np.isnan(change)
    scaled_on = change[valid]
    if assumptions.scaling_method == "clipped_minmax_abs" and len(scaled_on):
        on = pd.Series(scaled_on)  # pandas' quantile (linear interpolation), as documented in data/hyte
        lo = on.quantile(assumptions.clip_lower_pct / 100)
        hi = on.quantile(assumptions.clip_upper_pct / 100)
        scaled_on = on.clip(lo, hi).to_numpy()
    points = np.zeros(len(out))
    rule = np.full(len(out), RULE_MISSING, dtype=object)
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
            points[valid] = np.clip(100.0 * share, 0.0, 100.0)
            rule[valid] = RULE_SCALED

    target = _target_level(latest_series, indicator_id, polarity, assumptions)
    out["target_level"] = target
    if not math.isnan(target):
        met = ~np.isnan(latest) & ((latest <= target) if polarity == "lower_better" else (latest >= target))
        points[met] = 100.0
        rule[met] = RULE_TARGET_MET

    out["points"] = points
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
    # A numeric column holds no Python bools; any other column is converted value by value.
    plain = raw if isinstance(raw.dtype, np.dtype) and raw.dtype.kind in "iuf" else raw.map(_bool_as_float)
    numeric = pd.to_numeric(plain, errors="coerce")
    bad = raw.notna() & ~numeric.isin([0.0, 1.0, 100.0])
    if bad.any():
        sample = df.loc[bad, ["municipality_code", "indicator_id", "answer"]].head(5).to_dict("records")
        raise ValueError(f"answers: answer must be 1/0/NaN or 100/0, got {sample}")
    points = np.where(numeric.isna(), np.nan, np.where(numeric == 0, 0.0, 100.0))
    return pd.Series(points, index=numeric.index, name=raw.name, dtype=float)


def _bool_as_float(value: object) -> object:
    return float(value) if isinstance(value, bool) else value


def scoring_key(assumptions: Assumptions, kind: str) -> tuple[object, ...]:
    """The assumption fields that score_process (``kind="process"``) or score_outcomes reads."""
    read = (f.name for f in fields(assumptions) if f.name not in _NOT_READ_BY[kind])
    return (kind, *((name, getattr(assumptions, name)) for name in read))


class SetScores:
    """Process and outcome points of one set of inputs under many assumption sets.

    Sets that differ only in what acts after scoring (weights, population year, price) share the points:
    each distinct scoring runs once and is relabelled with the asking set's name, exactly as
    score_process / score_outcomes would have returned it.
    """

    def __init__(
        self,
        answers: pd.DataFrame,
        outcome_values: pd.DataFrame,
        indicators: pd.DataFrame,
        municipalities: Iterable[str | int],
        payment_year: int | None,
    ) -> None:
        self._inputs = (answers, outcome_values, indicators, _codes(municipalities))
        self._payment_year = payment_year
        self._done: dict[tuple[object, ...], pd.DataFrame] = {}

    def built_from(
        self, frames: tuple[pd.DataFrame, ...], municipalities: Iterable[str | int], payment_year: int | None
    ) -> bool:
        """True when (answers, outcome_values, indicators) are the very frames the points come from."""
        same = len(frames) == 3 and all(
            mine is theirs for mine, theirs in zip(self._inputs, frames, strict=False)
        )
        return same and self._inputs[3] == _codes(municipalities) and self._payment_year == payment_year

    def process(self, assumptions: Assumptions) -> pd.DataFrame:
        """score_process for this set."""
        return self._scored("process", assumptions)

    def outcomes(self, assumptions: Assumptions) -> pd.DataFrame:
        """score_outcomes for this set."""
        return self._scored("outcome", assumptions)

    def _scored(self, kind: str, assumptions: Assumptions) -> pd.DataFrame:
        key = scoring_key(assumptions, kind)
        if key not in self._done:
            answers, values, indicators, codes = self._inputs
            score, data = (score_process, answers) if kind == "process" else (score_outcomes, values)
            self._done[key] = score(data, indicators, codes, assumptions, payment_year=self._payment_year)
        return self._done[key].assign(assumption_set=assumptions.name)
