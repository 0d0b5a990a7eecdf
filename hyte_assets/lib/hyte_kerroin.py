"""Model of the municipal hyte-kerroin (law 618/2021 § 15, VNA 1393/2022 § 3 and Liite).

Plain Python + pandas, no Dagster import (docs/architecture.md), so every rule is unit-testable by hand.

The law fixes the shape of the calculation; the asetus leaves several details open (scaling method, target
levels, which data years feed which payment year, perushinta for years not yet cited). Those open details are
never hard-coded here: they come from a named :class:`Assumptions` set (``data/hyte/assumptions.toml``) and
every output row carries the set's name, so a model figure is never shown without the assumptions behind it.

Formula (a reading of the texts, not an official algorithm)::

    S_k       = Σ_process w_p · p_ki + Σ_outcome w_o · o_ki     p ∈ {0, 100}, o ∈ [0, 100]
    S̄         = Σ_k pop_k · S_k / Σ_k pop_k                      (national, population-weighted)
    kerroin_k = S_k / S̄
    €_k       = perushinta · pop_k · kerroin_k

With the exact weights (1/30, 1/12) S_k equals the mean of the process mean and the outcome mean; with the
published rounded weights (0.0333, 0.0833) it differs by at most :func:`weight_rounding_bound` points.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hyte_assets.lib.errors import SourceError

CONFIG_SOURCE = "hyte_config"
DEFAULT_ASSUMPTION_SET = "default"

SCALING_METHODS = ("minmax_abs", "minmax_rel", "clipped_minmax_abs")
TARGET_RULES = ("none", "best_decile", "explicit")
WEIGHT_MODES = ("published", "exact")
BASE_PRICE_FALLBACKS = ("previous_year", "none")
KINDS = ("process", "outcome")
POLARITIES = ("lower_better", "higher_better")

# Outcome rules written to score_outcomes(...)["rule"].
RULE_SCALED = "scaled"
RULE_TARGET_MET = "target_met"
RULE_MISSING = "missing_lowest"
RULE_REL_UNDEFINED = "rel_undefined_lowest"
RULE_DEGENERATE = "degenerate_range"

INDICATOR_COLUMNS = (
    "indicator_id",
    "kind",
    "group",
    "title_fi",
    "weight",
    "polarity",
    "tea_sector",
    "sotkanet_id",
    "measure_id",
    "source_note",
)
KERROIN_COLUMNS = [
    "municipality_code",
    "payment_year",
    "process_score",
    "outcome_score",
    "combined_score",
    "national_weighted_avg",
    "coefficient",
    "eur_per_resident",
    "eur_total",
    "rank_national",
    "assumption_set",
]
COMPONENT_COLUMNS = [
    "municipality_code",
    "indicator_id",
    "kind",
    "value_prev",
    "value_latest",
    "change",
    "points",
    "weight",
    "contribution_to_score",
    "contribution_to_coefficient",
    "assumption_set",
]


# --------------------------------------------------------------------------------------------------
# Assumptions
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumptions:
    """One named set of choices for what the law and the asetus leave open.

    The defaults are the baseline reading documented in data/hyte/README.md; a set in assumptions.toml
    only lists what it changes. Frozen so a set cannot drift between the assets that use it.
    """

    name: str = DEFAULT_ASSUMPTION_SET
    description: str = ""
    # "scaled so that the range is 0–100" (VNA 1393/2022 § 3): min–max of the absolute change is the most
    # literal reading; relative change and outlier clipping are alternatives.
    scaling_method: str = "minmax_abs"
    clip_lower_pct: float = 5.0
    clip_upper_pct: float = 95.0
    # Municipal target levels (tavoitetilanne) are not published: default is not to apply the rule.
    target_rule: str = "none"
    target_percentile: float = 10.0
    # (indicator_id, target value) pairs; a tuple so the frozen dataclass stays hashable.
    target_levels: tuple[tuple[str, float], ...] = field(default_factory=tuple)
    # Data years: outcome years <= payment_year - outcome_latest_lag; TEA round <= payment_year -
    # process_latest_lag; population year = payment_year - population_lag (law 618/2021 § 4: t-2).
    outcome_latest_lag: int = 2
    process_latest_lag: int = 1
    population_lag: int = 2
    # "published" = 0.0333/0.0833 as printed; "exact" = 1/30 and 1/12 (exact halves).
    weights: str = "published"
    # A payment year without a cited perushinta: use the previous cited year's price (labelled) or refuse.
    base_price_fallback: str = "previous_year"

    def __post_init__(self) -> None:
        checks = (
            ("scaling_method", self.scaling_method, SCALING_METHODS),
            ("target_rule", self.target_rule, TARGET_RULES),
            ("weights", self.weights, WEIGHT_MODES),
            ("base_price_fallback", self.base_price_fallback, BASE_PRICE_FALLBACKS),
        )
        for label, value, allowed in checks:
            if value not in allowed:
                raise ValueError(
                    f"assumption set {self.name!r}: {label}={value!r}, expected one of {allowed}"
                )
        if not 0 <= self.clip_lower_pct < self.clip_upper_pct <= 100:
            raise ValueError(
                f"assumption set {self.name!r}: clip percentiles must satisfy 0 <= lower < upper <= 100, "
                f"got {self.clip_lower_pct}, {self.clip_upper_pct}"
            )
        if not 0 <= self.target_percentile <= 100:
            raise ValueError(f"assumption set {self.name!r}: target_percentile must be in [0, 100]")
        for label in ("outcome_latest_lag", "process_latest_lag", "population_lag"):
            if getattr(self, label) < 0:
                raise ValueError(f"assumption set {self.name!r}: {label} must be >= 0")
        if self.target_rule == "explicit" and not self.target_levels:
            raise ValueError(f"assumption set {self.name!r}: target_rule='explicit' needs target_levels")

    @property
    def target_level_map(self) -> dict[str, float]:
        """Target levels as a dict (explicit rule only)."""
        return dict(self.target_levels)


def load_assumptions(path: str | Path) -> dict[str, Assumptions]:
    """Read the named assumption sets from a TOML file, failing loudly on unknown keys or values.

    Strict because a typo in an assumption key would otherwise silently fall back to the default.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(CONFIG_SOURCE, f"cannot read assumption sets: {exc}", file=str(path)) from exc
    sets = doc.get("sets")
    if not isinstance(sets, dict) or not sets:
        raise SourceError(CONFIG_SOURCE, "no [sets.<name>] tables", file=str(path))
    known = {f.name for f in fields(Assumptions)} - {"name"}
    result: dict[str, Assumptions] = {}
    for name, raw in sets.items():
        unknown = set(raw) - known
        if unknown:
            raise SourceError(CONFIG_SOURCE, f"unknown keys {sorted(unknown)}", file=str(path), item=name)
        if not str(raw.get("description", "")).strip():
            raise SourceError(
                CONFIG_SOURCE, "every assumption set needs a description", file=str(path), item=name
            )
        kwargs: dict[str, Any] = dict(raw)
        if "target_levels" in kwargs:
            kwargs["target_levels"] = tuple(
                sorted((str(k), float(v)) for k, v in kwargs["target_levels"].items())
            )
        try:
            result[name] = Assumptions(name=name, **kwargs)
        except (TypeError, ValueError) as exc:
            raise SourceError(CONFIG_SOURCE, str(exc), file=str(path), item=name) from exc
    if DEFAULT_ASSUMPTION_SET not in result:
        raise SourceError(CONFIG_SOURCE, f"the set {DEFAULT_ASSUMPTION_SET!r} is missing", file=str(path))
    return result


# --------------------------------------------------------------------------------------------------
# Configuration tables
# --------------------------------------------------------------------------------------------------


def load_indicators(path: str | Path) -> pd.DataFrame:
    """Read data/hyte/indicators.csv and check it, so a broken indicator list fails before any scoring."""
    path = Path(path)
    df = pd.read_csv(
        path,
        dtype={"indicator_id": str, "sotkanet_id": "string", "measure_id": "string", "tea_sector": "string"},
        keep_default_na=True,
    )
    missing = [c for c in INDICATOR_COLUMNS if c not in df.columns]
    if missing:
        raise SourceError(CONFIG_SOURCE, f"missing columns {missing}", file=str(path))
    try:
        return _check_indicators(df)
    except ValueError as exc:
        raise SourceError(CONFIG_SOURCE, str(exc), file=str(path)) from exc


def load_base_prices(path: str | Path) -> pd.DataFrame:
    """Read data/hyte/base_prices.csv; an empty price means "not cited yet" and stays NaN (never guessed)."""
    path = Path(path)
    df = pd.read_csv(path, dtype={"source": str})
    missing = [c for c in ("payment_year", "eur_per_resident", "source") if c not in df.columns]
    if missing:
        raise SourceError(CONFIG_SOURCE, f"missing columns {missing}", file=str(path))
    df["payment_year"] = df["payment_year"].astype(int)
    df["eur_per_resident"] = pd.to_numeric(df["eur_per_resident"], errors="raise").astype(float)
    if df["payment_year"].duplicated().any():
        raise SourceError(CONFIG_SOURCE, "duplicate payment_year", file=str(path))
    if df["source"].isna().any():
        raise SourceError(CONFIG_SOURCE, "every row needs a source (or 'unknown: ...')", file=str(path))
    return df.sort_values("payment_year").reset_index(drop=True)


def load_published(path: str | Path) -> pd.DataFrame:
    """Read data/hyte/published.csv (official figures to show beside the model, with their sources)."""
    path = Path(path)
    df = pd.read_csv(path, dtype={"municipality_code": str, "source": str, "note": str})
    df["municipality_code"] = df["municipality_code"].str.zfill(3)
    df["payment_year"] = df["payment_year"].astype(int)
    if df["source"].isna().any():
        raise SourceError(CONFIG_SOURCE, "every published figure needs a source", file=str(path))
    return df


def base_price_for(
    base_prices: pd.DataFrame, payment_year: int, assumptions: Assumptions
) -> tuple[float, str]:
    """Perushinta (€/resident) for a payment year and a label saying where it comes from.

    A cited price is used as is. Without one, ``base_price_fallback='previous_year'`` takes the latest earlier
    cited price and labels it "assumed = <year> price, unverified", so the euro figure is never mistaken for
    an official one.
    """
    cited = base_prices.dropna(subset=["eur_per_resident"])
    row = cited[cited["payment_year"] == payment_year]
    if len(row):
        return float(row["eur_per_resident"].iloc[0]), str(row["source"].iloc[0])
    if assumptions.base_price_fallback == "previous_year":
        earlier = cited[cited["payment_year"] < payment_year]
        if len(earlier):
            last = earlier.sort_values("payment_year").iloc[-1]
            year = int(last["payment_year"])
            return float(last["eur_per_resident"]), f"assumed = {year} price, unverified"
    raise ValueError(
        f"no cited perushinta for payment year {payment_year} and assumption set {assumptions.name!r} "
        f"(base_price_fallback={assumptions.base_price_fallback!r}) allows no fallback"
    )


def indicator_weights(indicators: pd.DataFrame, mode: str) -> pd.Series:
    """Weight per indicator_id: the published (rounded) weights, or the exact halves 0.5 / n per kind."""
    ind = _check_indicators(indicators)
    if mode == "published":
        return ind.set_index("indicator_id")["weight"].astype(float)
    if mode == "exact":
        counts = ind["kind"].value_counts()
        return ind.set_index("indicator_id")["kind"].map(lambda k: 0.5 / counts[k]).astype(float)
    raise ValueError(f"weights mode {mode!r}, expected one of {WEIGHT_MODES}")


def weight_rounding_bound(indicators: pd.DataFrame) -> float:
    """Largest possible gap (score points) between the published-weight sum and the mean of the two means.

    Points are at most 100, so the gap is at most 100 · Σ |w_published − w_exact|; for 15 + 6 indicators
    with 0.0333/0.0833 that is 0.07 points.
    """
    published = indicator_weights(indicators, "published")
    exact = indicator_weights(indicators, "exact")
    return float(100 * (published - exact).abs().sum())


def mean_of_means(process_score: pd.Series | float, outcome_score: pd.Series | float) -> pd.Series | float:
    """The asetus' own wording: the mean of the process mean and the outcome mean."""
    return (process_score + outcome_score) / 2


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
    <= payment_year - assumptions.process_latest_lag). A municipality without an answer in that round gets
    0 and missing=True: law 618/2021 § 15 gives the lowest possible value for missing data, and an older
    round's answer is not carried forward (the round is a national collection).
    """
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
    cutoff = None
    if payment_year is not None and assumptions is not None:
        cutoff = payment_year - assumptions.process_latest_lag

    parts = []
    for indicator_id in proc_ids:
        sub = df[df["indicator_id"] == indicator_id]
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
    data are used (with a payment year: the latest <= payment_year - assumptions.outcome_latest_lag; for
    biennial survey items these are the two latest rounds). The change (absolute or relative) is min–max
    scaled to 0–100 across ALL municipalities, in the indicator's direction (lower is better: the largest
    decrease gets 100, the largest increase 0). A latest value at/better than the target level gets 100.
    A municipality lacking either year gets 0 (law 618/2021 § 15: lowest value for missing data).
    """
    codes = _codes(municipalities)
    ind = _check_indicators(indicators)
    outcomes = ind[ind["kind"] == "outcome"]
    df = _check_long(values, ["municipality_code", "indicator_id", "year", "value"], "values")
    _check_known(df, codes, outcomes["indicator_id"].tolist(), "values")
    df["year"] = df["year"].astype(int)
    df["value"] = pd.to_numeric(df["value"], errors="raise").astype(float)
    _check_unique(df, ["municipality_code", "indicator_id", "year"], "values")
    df = df[df["value"].notna()]
    cutoff = None if payment_year is None else payment_year - assumptions.outcome_latest_lag

    parts = []
    for row in outcomes.itertuples(index=False):
        sub = df[df["indicator_id"] == row.indicator_id]
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
    return out[
        [
            "municipality_code",
            "indicator_id",
            "year_prev",
            "value_prev",
            "year_latest",
            "value_latest",
            "change",
            "target_level",
            "points",
            "missing",
            "rule",
            "assumption_set",
        ]
    ]


def _score_indicator_frame(
    frame: pd.DataFrame, indicator_id: str, polarity: str, assumptions: Assumptions
) -> pd.DataFrame:
    """Points for one outcome indicator, all municipalities at once (min–max needs all of them).

    Used by score_outcomes and by what_if (which re-scores with one municipality's value changed).
    """
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
    return out[
        [
            "municipality_code",
            "value_prev",
            "value_latest",
            "change",
            "target_level",
            "points",
            "missing",
            "rule",
        ]
    ]


def _target_level(latest: pd.Series, indicator_id: str, polarity: str, assumptions: Assumptions) -> float:
    """The tavoitetilanne for one indicator under the assumption set, NaN when the rule is not applied."""
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


# --------------------------------------------------------------------------------------------------
# What-if and sensitivity
# --------------------------------------------------------------------------------------------------


def typical_step(outcome_values: pd.DataFrame, indicator_id: str, max_year: int | None = None) -> float:
    """Median absolute change between consecutive available years of one indicator, across municipalities.

    This is what "one typical step of improvement" means in :func:`what_if`: a realistic one-period move,
    measured on the data rather than picked by hand. For biennial survey items consecutive available years
    are consecutive rounds. Years after ``max_year`` (the latest year actually scored) are ignored.
    """
    df = outcome_values[outcome_values["indicator_id"] == indicator_id].copy()
    df = df[df["value"].notna()]
    if max_year is not None:
        df = df[df["year"].astype(int) <= max_year]
    df["municipality_code"] = df["municipality_code"].map(_code)
    df = df.sort_values(["municipality_code", "year"])
    diffs = df.groupby("municipality_code")["value"].diff().abs().dropna()
    return float(diffs.median()) if len(diffs) else float("nan")


def what_if(
    municipality_code: str | int,
    process_points: pd.DataFrame,
    outcome_points: pd.DataFrame,
    outcome_values: pd.DataFrame,
    population: pd.DataFrame,
    indicators: pd.DataFrame,
    base_price_eur: float,
    assumptions: Assumptions,
    *,
    payment_year: int | None = None,
) -> pd.DataFrame:
    """Euro gain of improving one indicator at a time, largest gain first, where an improvement is possible.

    Scenarios: a process item at 0 turns to 100; an outcome indicator's latest value improves by one
    typical step (:func:`typical_step`), floored at 0, and the indicator is re-scaled across all
    municipalities. The national normalisation is recomputed in every scenario: the municipality's own
    gain raises the population-weighted average a little (more for a large municipality), so the gain is
    slightly less than weight × points / average. With min–max scaling an outcome step can also move the
    range and so change other municipalities' points. Skipped: items already at 100, and outcomes without
    both years of data (the improvement there is to deliver data, which a step cannot model).
    """
    code = _code(municipality_code)
    ind = _check_indicators(indicators)
    args = (population, ind, base_price_eur, assumptions)
    base, _ = compute_kerroin(process_points, outcome_points, *args, payment_year=payment_year)
    base_row = base.set_index("municipality_code").loc[code]
    titles = ind.set_index("indicator_id")["title_fi"] if "title_fi" in ind else pd.Series(dtype=str)
    polarity = ind.set_index("indicator_id")["polarity"]
    proc = process_points.assign(municipality_code=process_points["municipality_code"].map(_code))
    outc = outcome_points.assign(municipality_code=outcome_points["municipality_code"].map(_code))

    rows: list[dict[str, Any]] = []

    def record(
        indicator_id: str, kind: str, scenario: str, before: float, after: float, k: pd.DataFrame
    ) -> None:
        new = k.set_index("municipality_code").loc[code]
        rows.append(
            {
                "municipality_code": code,
                "indicator_id": indicator_id,
                "kind": kind,
                "title_fi": titles.get(indicator_id, ""),
                "scenario": scenario,
                "points_before": before,
                "points_after": after,
                "coefficient_before": float(base_row["coefficient"]),
                "coefficient_after": float(new["coefficient"]),
                "gain_coefficient": float(new["coefficient"] - base_row["coefficient"]),
                "gain_eur_per_resident": float(new["eur_per_resident"] - base_row["eur_per_resident"]),
                "gain_eur_total": float(new["eur_total"] - base_row["eur_total"]),
                "assumption_set": assumptions.name,
            }
        )

    own_proc = proc[proc["municipality_code"] == code]
    for r in own_proc.itertuples(index=False):
        if r.points >= 100:
            continue
        mask = (proc["municipality_code"] == code) & (proc["indicator_id"] == r.indicator_id)
        scenario_points = proc.copy()
        scenario_points.loc[mask, "points"] = 100.0
        scenario_points.loc[mask, "missing"] = False
        k, _ = compute_kerroin(scenario_points, outc, *args, payment_year=payment_year)
        text = f"process item {r.indicator_id}: {r.points:g} → 100 (criterion met in the next TEA round)"
        record(r.indicator_id, "process", text, float(r.points), 100.0, k)

    own_out = outc[outc["municipality_code"] == code]
    for r in own_out.itertuples(index=False):
        if r.points >= 100 or pd.isna(r.value_prev) or pd.isna(r.value_latest):
            continue
        max_year = None if pd.isna(r.year_latest) else int(r.year_latest)
        step = typical_step(outcome_values, r.indicator_id, max_year)
        if not step > 0:
            continue
        lower = polarity[r.indicator_id] == "lower_better"
        new_latest = max(r.value_latest - step, 0.0) if lower else r.value_latest + step
        sub = outc[outc["indicator_id"] == r.indicator_id].copy()
        sub.loc[sub["municipality_code"] == code, "value_latest"] = new_latest
        rescored = _score_indicator_frame(sub, r.indicator_id, polarity[r.indicator_id], assumptions)
        scenario_out = outc.copy()
        idx = scenario_out.index[scenario_out["indicator_id"] == r.indicator_id]
        for col in ("change", "points", "missing", "rule", "value_latest"):
            scenario_out.loc[idx, col] = rescored[col].to_numpy()
        k, _ = compute_kerroin(proc, scenario_out, *args, payment_year=payment_year)
        after = float(rescored.loc[rescored["municipality_code"] == code, "points"].iloc[0])
        text = (
            f"outcome {r.indicator_id}: latest value {r.value_latest:g} → {new_latest:g} (one typical step "
            f"{step:g} = median |year-on-year change| across municipalities)"
        )
        record(r.indicator_id, "outcome", text, float(r.points), after, k)

    columns = [
        "municipality_code",
        "indicator_id",
        "kind",
        "title_fi",
        "scenario",
        "points_before",
        "points_after",
        "coefficient_before",
        "coefficient_after",
        "gain_coefficient",
        "gain_eur_per_resident",
        "gain_eur_total",
        "assumption_set",
    ]
    result = pd.DataFrame(rows, columns=columns)
    return result.sort_values(["gain_eur_per_resident", "indicator_id"], ascending=[False, True]).reset_index(
        drop=True
    )


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


def compare_assumption_sets(
    municipality_code: str | int,
    answers: pd.DataFrame,
    outcome_values: pd.DataFrame,
    population: pd.DataFrame,
    indicators: pd.DataFrame,
    municipalities: Iterable[str | int],
    base_prices: pd.DataFrame,
    assumption_sets: Mapping[str, Assumptions],
    payment_year: int,
    published_eur_per_resident: float | None = None,
) -> pd.DataFrame:
    """One row per assumption set: the municipality's coefficient and euros, so the spread is visible.

    delta_vs_default_eur is measured against the set named "default" (else the first set), and
    delta_vs_published_eur against an official figure when one is given (e.g. Heinola 21.5 €/resident).
    """
    code = _code(municipality_code)
    codes = _codes(municipalities)
    rows = []
    for name, assumptions in assumption_sets.items():
        price, price_source = base_price_for(base_prices, payment_year, assumptions)
        kerroin, _ = calculate(
            answers,
            outcome_values,
            population,
            indicators,
            codes,
            price,
            assumptions,
            payment_year=payment_year,
        )
        own = kerroin.set_index("municipality_code").loc[code]
        rows.append(
            {
                "assumption_set": name,
                "description": assumptions.description,
                "municipality_code": code,
                "payment_year": payment_year,
                "base_price_eur": price,
                "base_price_source": price_source,
                "combined_score": float(own["combined_score"]),
                "coefficient": float(own["coefficient"]),
                "eur_per_resident": float(own["eur_per_resident"]),
                "eur_total": float(own["eur_total"]),
                "rank_national": int(own["rank_national"]),
            }
        )
    out = pd.DataFrame(rows)
    reference = (
        DEFAULT_ASSUMPTION_SET if DEFAULT_ASSUMPTION_SET in assumption_sets else out["assumption_set"].iloc[0]
    )
    ref_eur = float(out.loc[out["assumption_set"] == reference, "eur_per_resident"].iloc[0])
    out["delta_vs_default_eur"] = out["eur_per_resident"] - ref_eur
    out["published_eur_per_resident"] = (
        np.nan if published_eur_per_resident is None else published_eur_per_resident
    )
    out["delta_vs_published_eur"] = out["eur_per_resident"] - out["published_eur_per_resident"]
    return out


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _code(value: str | int) -> str:
    """Municipality code as the 3-character string of docs/architecture.md ("111").

    Demo placeholders of the snapshot (`Z001`…, hyte_assets.lib.regions) pass through unchanged.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("Z") and text[1:].isdigit():
        return text
    if not text.isdigit() or len(text) > 3:
        raise ValueError(f"municipality code {value!r} is not a 1–3 digit code")
    return text.zfill(3)


def _codes(municipalities: Iterable[str | int]) -> list[str]:
    codes = [_code(c) for c in municipalities]
    if not codes:
        raise ValueError("no municipalities given")
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise ValueError(f"duplicate municipality codes: {dupes}")
    return codes


def _check_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    for col in ("indicator_id", "kind", "weight", "polarity"):
        if col not in indicators.columns:
            raise ValueError(f"indicators: missing column {col!r}")
    ind = indicators.copy()
    if ind["indicator_id"].duplicated().any():
        raise ValueError(
            f"indicators: duplicate ids {ind.loc[ind['indicator_id'].duplicated(), 'indicator_id'].tolist()}"
        )
    bad_kind = ind.loc[~ind["kind"].isin(KINDS), "indicator_id"].tolist()
    if bad_kind:
        raise ValueError(f"indicators: kind must be one of {KINDS}: {bad_kind}")
    bad_pol = ind.loc[~ind["polarity"].isin(POLARITIES), "indicator_id"].tolist()
    if bad_pol:
        raise ValueError(f"indicators: polarity must be one of {POLARITIES}: {bad_pol}")
    ind["weight"] = pd.to_numeric(ind["weight"], errors="raise").astype(float)
    if ind["weight"].isna().any() or (ind["weight"] <= 0).any():
        raise ValueError("indicators: every weight must be a positive number")
    if not (ind["kind"] == "outcome").any() or not (ind["kind"] == "process").any():
        raise ValueError("indicators: need at least one process and one outcome indicator")
    return ind.reset_index(drop=True)


def _check_long(df: pd.DataFrame, columns: list[str], label: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{label}: missing columns {missing}")
    out = df[columns].copy()
    out["municipality_code"] = out["municipality_code"].map(_code)
    return out


def _check_known(df: pd.DataFrame, codes: list[str], indicator_ids: list[str], label: str) -> None:
    unknown_ind = sorted(set(df["indicator_id"]) - set(indicator_ids))
    if unknown_ind:
        raise ValueError(
            f"{label}: indicator ids not in the indicator list (or of the wrong kind): {unknown_ind}"
        )
    unknown_mun = sorted(set(df["municipality_code"]) - set(codes))
    if unknown_mun:
        raise ValueError(f"{label}: municipalities not in the municipality list: {unknown_mun}")


def _check_unique(df: pd.DataFrame, keys: list[str], label: str) -> None:
    dupes = df[df.duplicated(keys, keep=False)]
    if len(dupes):
        raise ValueError(
            f"{label}: duplicate rows for {dupes[keys].drop_duplicates().to_dict('records')[:5]}"
        )


def _answer_points(df: pd.DataFrame) -> pd.Series:
    """TEA answers to points: 1/100/True → 100, 0/False → 0, NaN → NaN (missing); anything else fails."""
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
