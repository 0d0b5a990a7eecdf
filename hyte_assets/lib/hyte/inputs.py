"""Inputs of the hyte-kerroin: outcome values from the catalog's own series, and population.

The scorecard and the hyte view must show the same number for the same indicator, municipality and
year, so an outcome indicator that the catalog carries (``measure_id`` in data/hyte/indicators.csv) is
read from ``marts.measure_series``; ``raw.hyte_outcome_values`` (a maintained national file) is used for
indicators the catalog does not carry, and as a national complement for municipalities outside the
run's region scope, which the mart does not hold but the national normalisation needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyte_assets.lib.hyte.frames import (
    _check_indicators,
    _code_column,
)

if TYPE_CHECKING:
    import pandas as pd

SOURCE_SERIES = "marts.measure_series"
SOURCE_RAW = "raw.hyte_outcome_values"
OUTCOME_COLUMNS = ["municipality_code", "indicator_id", "year", "value", "is_demo", "value_source"]
# Values that differ by less than this are the same figure written with other rounding.
AGREEMENT_TOLERANCE = 1e-6


def series_group(indicators: pd.DataFrame) -> dict[str, tuple[str, str, str]]:
    """indicator_id → (measure_id, group_type, group_value) for the outcomes the catalog carries.

    ``measure_group`` is ``group_type=group_value`` (``school_level=8.-9. lk`` for the school-survey
    items, empty = ``total=total``), so a series with several groups yields exactly one row per year.
    """
    import pandas as pd

    ind = _check_indicators(indicators)
    out: dict[str, tuple[str, str, str]] = {}
    for row in ind[ind["kind"] == "outcome"].itertuples(index=False):
        measure = getattr(row, "measure_id", None)
        if measure is None or pd.isna(measure) or not str(measure).strip():
            continue
        group = getattr(row, "measure_group", None)
        group = "total=total" if group is None or pd.isna(group) or not str(group).strip() else str(group)
        if "=" not in group:
            raise ValueError(
                f"indicators: measure_group of {row.indicator_id} must be 'type=value', got {group!r}"
            )
        group_type, group_value = (part.strip() for part in group.split("=", 1))
        out[str(row.indicator_id)] = (str(measure).strip(), group_type, group_value)
    return out


def series_outcomes(series: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Municipal yearly values of the catalog-carried outcome indicators from ``marts.measure_series``."""
    import pandas as pd

    parts = []
    groups = series_group(indicators)
    # Municipal yearly rows, found once for every indicator.
    if groups:
        series = series[(series["region_level"] == "kunta") & (series["period"].astype(str).str.len() == 4)]
    for indicator_id, (measure, group_type, group_value) in groups.items():
        sub = series[
            (series["measure_id"] == measure)
            & (series["group_type"] == group_type)
            & (series["group_value"] == group_value)
        ]
        parts.append(
            pd.DataFrame(
                {
                    "municipality_code": _code_column(sub["region_code"]),
                    "indicator_id": indicator_id,
                    "year": sub["year"].astype(int),
                    "value": sub["value"].astype(float),
                    "is_demo": sub["is_demo"].astype(bool),
                    "value_source": SOURCE_SERIES,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=OUTCOME_COLUMNS)
    dupes = out[out.duplicated(["municipality_code", "indicator_id", "year"], keep=False)]
    if len(dupes):
        keys = dupes[["municipality_code", "indicator_id", "year"]].drop_duplicates().head(5)
        raise ValueError(
            f"{SOURCE_SERIES}: several rows per municipality × year for {keys.to_dict('records')}"
        )
    return out[OUTCOME_COLUMNS]


def outcome_values(series: pd.DataFrame, raw: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """The outcome values the model scores, one row per municipality × indicator × year, with their source.

    Catalog-carried indicators come from the series wherever the series has the municipality; the raw
    file fills only (indicator, municipality) pairs the series lacks entirely (municipalities outside the
    run's region scope). Indicators the catalog does not carry come from the raw file only.
    """
    import pandas as pd

    from_series = series_outcomes(series, indicators)
    raw = raw.assign(municipality_code=_code_column(raw["municipality_code"]), value_source=SOURCE_RAW)
    raw["year"] = raw["year"].astype(int)
    raw["is_demo"] = raw["is_demo"].astype(bool) if "is_demo" in raw else False
    have = set(zip(from_series["municipality_code"], from_series["indicator_id"], strict=True))
    keep = [
        (code, ind) not in have
        for code, ind in zip(raw["municipality_code"], raw["indicator_id"], strict=True)
    ]
    combined = pd.concat([from_series, raw.loc[keep, OUTCOME_COLUMNS]], ignore_index=True)
    return combined.sort_values(["indicator_id", "municipality_code", "year"]).reset_index(drop=True)


def disagreements(series: pd.DataFrame, raw: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Rows where the catalog's series and the raw outcome file both hold a value and the values differ."""
    from_series = series_outcomes(series, indicators)
    raw = raw.assign(municipality_code=_code_column(raw["municipality_code"]), year=raw["year"].astype(int))
    both = from_series.merge(
        raw[["municipality_code", "indicator_id", "year", "value"]],
        on=["municipality_code", "indicator_id", "year"],
        suffixes=("_series", "_raw"),
    )
    differ = (both["value_series"] - both["value_raw"]).abs() > AGREEMENT_TOLERANCE
    return both.loc[differ, ["municipality_code", "indicator_id", "year", "value_series", "value_raw"]]


def population_for_year(
    population: pd.DataFrame, real: pd.DataFrame, year: int, municipalities: list[str]
) -> pd.DataFrame:
    """Population of ``year`` for the scored municipalities, real where a real figure exists.

    ``population`` is the pipeline's table (municipality_code, year, population, is_demo); ``real`` is the
    shipped region table's population (municipality_code, population, population_year), which is real.
    A municipality whose pipeline figure for ``year`` is demo takes the region table's figure when that is
    for the same year; other years are never substituted (a different year is a different figure).
    """
    pop = population[population["year"].astype(int) == year].copy()
    pop["municipality_code"] = _code_column(pop["municipality_code"])
    pop = pop[pop["municipality_code"].isin(municipalities)]
    same_year = real[real["population_year"].astype(int) == year].set_index("municipality_code")["population"]
    swap = pop["is_demo"].astype(bool) & pop["municipality_code"].isin(same_year.index)
    pop.loc[swap, "population"] = pop.loc[swap, "municipality_code"].map(same_year).astype(float)
    pop.loc[swap, "is_demo"] = False
    pop["population_source"] = "pipeline population table"
    pop.loc[swap, "population_source"] = "data/regions/regions-fi.csv (StatFin 11re, real)"
    return pop[["municipality_code", "year", "population", "is_demo", "population_source"]]
