"""Explanations and comparisons: what one improvement would be worth, and the spread over assumption sets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from hyte_assets.lib.hyte.config import (
    DEFAULT_ASSUMPTION_SET,
    Assumptions,
    base_price_for,
)
from hyte_assets.lib.hyte.frames import (
    _check_indicators,
    _code,
    _code_column,
)
from hyte_assets.lib.hyte.kerroin import kerroin_only
from hyte_assets.lib.hyte.scoring import SetScores, _score_indicator_frame

if TYPE_CHECKING:
    import pandas as pd

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
    df["municipality_code"] = _code_column(df["municipality_code"])
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
    import pandas as pd

    code = _code(municipality_code)
    ind = _check_indicators(indicators)
    args = (population, ind, base_price_eur, assumptions)
    base = kerroin_only(process_points, outcome_points, *args, payment_year=payment_year)
    base_row = base.set_index("municipality_code").loc[code]
    titles = ind.set_index("indicator_id")["title_fi"] if "title_fi" in ind else pd.Series(dtype=str)
    polarity = ind.set_index("indicator_id")["polarity"]
    proc = process_points.assign(municipality_code=_code_column(process_points["municipality_code"]))
    outc = outcome_points.assign(municipality_code=_code_column(outcome_points["municipality_code"]))

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
        k = kerroin_only(scenario_points, outc, *args, payment_year=payment_year)
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
        k = kerroin_only(proc, scenario_out, *args, payment_year=payment_year)
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
    *,
    scores: SetScores | None = None,
) -> pd.DataFrame:
    """One row per assumption set: the municipality's coefficient and euros, so the spread is visible.

    delta_vs_default_eur is measured against the set named "default" (else the first set), and
    delta_vs_published_eur against an official figure when one is given (e.g. Heinola 21.5 €/resident).
    ``population`` may hold several years (column ``year``): each set then takes payment_year minus its
    own population_lag. Sets that score alike share their points (:class:`SetScores`; pass ``scores``
    to share them with the caller too, built from these same input frames).
    """
    import numpy as np
    import pandas as pd

    code = _code(municipality_code)
    if scores is None:
        scores = SetScores(answers, outcome_values, indicators, municipalities, payment_year)
    elif not scores.built_from((answers, outcome_values, indicators), municipalities, payment_year):
        raise ValueError("compare_assumption_sets: scores were computed from other inputs than these")
    rows = []
    for name, assumptions in assumption_sets.items():
        price, price_source = base_price_for(base_prices, payment_year, assumptions)
        points = (scores.process(assumptions), scores.outcomes(assumptions))
        kerroin = kerroin_only(*points, population, indicators, price, assumptions, payment_year=payment_year)
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


# Kuntaliitto (2022 blog, figures for 2023): hyte euros averaged 18.23 €/resident over municipalities and
# ranged about 7.50–22 €/resident, at the 2023 perushinta 18.89 €. Divided by that price the published
# spread of coefficients is mean 0.965, range 0.40–1.16; the coefficient does not depend on the price.
PUBLISHED_SPREAD = {
    "source": "Kuntaliitto 2022, https://www.kuntaliitto.fi/blogi/2022/"
    "hyvinvoinnin-ja-terveyden-edistamisesta-palkintorahaa-kunnille (2023 figures)",
    "base_price_eur": 18.89,
    "mean_eur": 18.23,
    "min_eur": 7.50,
    "max_eur": 22.0,
}
# Stated tolerance: the unweighted mean coefficient within ±0.05 of 0.965 and both ends of the range within
# ±0.15 (the published range is "about", and one municipality more or less moves an end).
CALIBRATION_TOLERANCE = {"mean": 0.05, "min": 0.15, "max": 0.15}


def calibration(kerroin: pd.DataFrame) -> pd.DataFrame:
    """The model's national spread of coefficients beside the published one, a pass flag per statistic."""
    import pandas as pd

    price = PUBLISHED_SPREAD["base_price_eur"]
    coefficient = kerroin["coefficient"].astype(float)
    rows = []
    for stat, model in (("mean", coefficient.mean()), ("min", coefficient.min()), ("max", coefficient.max())):
        published = PUBLISHED_SPREAD[f"{stat}_eur"] / price
        tolerance = CALIBRATION_TOLERANCE[stat]
        rows.append(
            {
                "statistic": stat,
                "model_coefficient": float(model),
                "published_coefficient": published,
                "tolerance": tolerance,
                "within_tolerance": bool(abs(model - published) <= tolerance),
            }
        )
    return pd.DataFrame(rows)


def _fi(value: float, decimals: int = 2) -> str:
    return f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")


def published_sentences(row: Mapping[str, Any], name: str) -> tuple[str, str]:
    """One Finnish and one English sentence for the annual report about one assumption set's result."""
    import pandas as pd

    coef, price = float(row["coefficient"]), float(row["base_price_eur"])
    set_name, year = str(row["assumption_set"]), int(row["payment_year"])
    fi = f"{name}n hyte-kerroin maksuvuodelle {year} on mallin mukaan {_fi(coef, 3)} (oletukset: {set_name})."
    en = (
        f"{name}'s modelled hyte coefficient for payment year {year} is {coef:.3f} (assumptions: {set_name})."
    )
    published = row.get("published_eur_per_resident")
    if published is not None and not pd.isna(published):
        implied, gap = float(published) / price, float(row["eur_per_resident"]) - float(published)
        fi += (
            f" Suunnitelman {_fi(float(published), 1)} €/asukas vastaa kerrointa {_fi(implied, 3)}, kun "
            f"perushinta on {_fi(price)} €; malli antaa {_fi(float(row['eur_per_resident']))} €/asukas, "
            f"ero {'+' if gap >= 0 else '−'}{_fi(abs(gap))} €/asukas."
        )
        en += (
            f" The plan's {float(published):.1f} €/resident implies a coefficient of {implied:.3f} at a base "
            f"price of {price:.2f} €; the model gives {float(row['eur_per_resident']):.2f} €/resident, "
            f"a difference of {gap:+.2f} €/resident."
        )
    if not str(row.get("base_price_source", "")).startswith("VNA"):
        fi += " Perushinta on oletettu, koska sitä ei ole vielä lähteenä."
        en += " The base price is assumed because no cited price exists yet."
    demo = str(row.get("demo_inputs") or "")
    if demo:
        fi += f" Laskelmassa on demoaineistoa ({demo}), joten luku ei ole virallinen."
        en += f" The calculation uses demo data ({demo}), so the figure is not official."
    return fi, en
