"""`make bench`, figure 8: the core scorecard step in DuckDB SQL against the same logic in pandas.

Both run over `marts.indicator_values` of the national benchmark refresh, loaded once into memory;
the benchmark asserts they return the same frame before timing them. The real
`reports/scorecard_indicator.sql` is timed on that warehouse as well.
"""

from __future__ import annotations

from pathlib import Path
from statistics import median

import duckdb
import numpy as np
import pandas as pd

from hyte_assets_tests.bench_common import REPO, Figure, timed

# Scorecard: DuckDB SQL against pandas ---------------------------------------------------------

KEYS = ["measure_id", "region_code", "region_level", "group_type", "group_value"]
BASELINE_YEAR = 2025  # as in scorecard_indicator.sql: the plan period starts from 2025

# The core of dbt_like_sql/reports/scorecard_indicator.sql (via marts/measure_series.sql), for every
# region instead of one municipality: latest, previous and baseline comparable points, the change,
# and the status by the rules of data/scorecard/README.md with the min_change noise band.
SCORECARD_CORE_SQL = f"""
with series as (
    select
        measure_id, region_code, region_level, group_type, group_value, year, period, value, unit,
        case when length(period) = 7 then cast(right(period, 2) as integer) end as period_month,
        row_number() over (
            partition by measure_id, region_code, region_level, group_type, group_value
            order by period desc
        ) as rank_from_latest
    from indicator_values
    where value is not null
),
latest as (select * from series where rank_from_latest = 1),
comparable as (
    select
        series.*,
        row_number() over (
            partition by series.measure_id, series.region_code, series.region_level,
                series.group_type, series.group_value
            order by series.period desc
        ) as comparable_rank
    from series
    inner join latest using (measure_id, region_code, region_level, group_type, group_value)
    where series.period_month is not distinct from latest.period_month
),
previous as (select * from comparable where comparable_rank = 2),
baseline as (
    select * from comparable
    where year <= {BASELINE_YEAR}
    qualify row_number() over (
        partition by measure_id, region_code, region_level, group_type, group_value order by period desc
    ) = 1
),
facts as (
    select
        latest.measure_id, latest.region_code, latest.region_level, latest.group_type,
        latest.group_value, latest.unit, measures.polarity, measures.target,
        latest.period as latest_period, latest.value as latest_value,
        previous.period as previous_period, previous.value as previous_value,
        baseline.period as baseline_period, baseline.value as baseline_value,
        case when baseline.period < latest.period then baseline.value else previous.value end
            as reference_value
    from latest
    inner join measures using (measure_id)
    left join previous using (measure_id, region_code, region_level, group_type, group_value)
    left join baseline using (measure_id, region_code, region_level, group_type, group_value)
),
bands as (
    select
        facts.*,
        case
            when min_change.unit is null then 0.0
            when trim(min_change.kind) = 'rel' then abs(reference_value) * min_change.min_change / 100.0
            else min_change.min_change
        end as min_change_abs
    from facts
    left join min_change on facts.unit = trim(min_change.unit)
)
select
    measure_id, region_code, region_level, group_type, group_value,
    latest_period, latest_value, previous_period, previous_value, baseline_period, baseline_value,
    reference_value,
    latest_value - reference_value as change,
    latest_value - baseline_value as change_since_baseline,
    case
        when polarity = 'context' then 'stable'
        when target is not null and (
            (polarity = 'lower_better' and latest_value <= target)
            or (polarity <> 'lower_better' and latest_value >= target)
        ) then 'target_met'
        when reference_value is null then 'stable'
        when latest_value > reference_value + min_change_abs
            then case when polarity = 'lower_better' then 'worsening' else 'improving' end
        when latest_value < reference_value - min_change_abs
            then case when polarity = 'lower_better' then 'improving' else 'worsening' end
        else 'stable'
    end as status
from bands
"""

CORE_COLUMNS = [
    *KEYS,
    "latest_period",
    "latest_value",
    "previous_period",
    "previous_value",
    "baseline_period",
    "baseline_value",
    "reference_value",
    "change",
    "change_since_baseline",
    "status",
]


def scorecard_core_pandas(
    values: pd.DataFrame, measures: pd.DataFrame, min_change: pd.DataFrame
) -> pd.DataFrame:
    """SCORECARD_CORE_SQL in pandas: the same points, change and status, step for step."""
    series = values.loc[values["value"].notna(), [*KEYS, "year", "period", "value", "unit"]]
    monthly = series["period"].str.len() == 7
    series = series.assign(period_month=series["period"].str[-2:].astype(float).where(monthly))
    series = series.sort_values([*KEYS, "period"], ascending=[True] * len(KEYS) + [False])
    latest = series.drop_duplicates(KEYS)
    comparable = series.merge(latest[[*KEYS, "period_month"]], on=KEYS, suffixes=("", "_latest"))
    same_month = (comparable["period_month"] == comparable["period_month_latest"]) | (
        comparable["period_month"].isna() & comparable["period_month_latest"].isna()
    )
    comparable = comparable[same_month]  # keeps the newest-first order within each series
    rank = comparable.groupby(KEYS, sort=False).cumcount()
    point = ["period", "value"]
    previous = comparable.loc[rank == 1, [*KEYS, *point]].rename(
        columns=lambda c: f"previous_{c}" if c in point else c
    )
    baseline = (
        comparable.loc[comparable["year"] <= BASELINE_YEAR, [*KEYS, *point]]
        .drop_duplicates(KEYS)
        .rename(columns=lambda c: f"baseline_{c}" if c in point else c)
    )
    facts = (
        latest[[*KEYS, "unit", *point]]
        .rename(columns={"period": "latest_period", "value": "latest_value"})
        .merge(measures[["measure_id", "polarity", "target"]], on="measure_id")
        .merge(previous, on=KEYS, how="left")
        .merge(baseline, on=KEYS, how="left")
    )
    baseline_older = facts["baseline_period"].lt(facts["latest_period"]).fillna(False).astype(bool)
    facts["reference_value"] = np.where(baseline_older, facts["baseline_value"], facts["previous_value"])
    thresholds = min_change.assign(unit=min_change["unit"].str.strip(), kind=min_change["kind"].str.strip())
    facts = facts.merge(thresholds[["unit", "kind", "min_change"]], on="unit", how="left")
    band = np.where(
        facts["kind"].isna(),
        0.0,
        np.where(
            facts["kind"] == "rel",
            facts["reference_value"].abs() * facts["min_change"] / 100.0,
            facts["min_change"],
        ),
    )
    latest_value, reference, target = facts["latest_value"], facts["reference_value"], facts["target"]
    lower_better = facts["polarity"] == "lower_better"
    target_met = target.notna() & np.where(lower_better, latest_value <= target, latest_value >= target)
    above, below = latest_value > reference + band, latest_value < reference - band
    facts["status"] = np.select(
        [
            facts["polarity"] == "context",
            target_met,
            reference.isna(),
            above & lower_better,
            above,
            below & lower_better,
            below,
        ],
        ["stable", "target_met", "stable", "worsening", "improving", "improving", "worsening"],
        default="stable",
    )
    facts["change"] = latest_value - reference
    facts["change_since_baseline"] = latest_value - facts["baseline_value"]
    return facts[CORE_COLUMNS]


def comparable_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Sorted by key, with one kind of missing value, so two implementations' outputs compare."""
    df = df[CORE_COLUMNS].sort_values(KEYS).reset_index(drop=True)
    return df.astype(object).where(df.notna(), None)


def bench_scorecard(warehouse: Path, repeats: int) -> list[Figure]:
    with duckdb.connect(str(warehouse), read_only=True) as source:
        values = source.sql("select * from marts.indicator_values").df()
        measures = source.sql("select * from catalog.measures").df()
        min_change = source.sql("select * from catalog.min_change").df()
        model_sql = (REPO / "dbt_like_sql" / "reports" / "scorecard_indicator.sql").read_text()
        model_times = [
            timed(lambda: source.sql(f"select * from (\n{model_sql}\n)").df()) for _ in range(repeats)
        ]
    measures["target"] = pd.to_numeric(measures["target"], errors="coerce")
    con = duckdb.connect()  # the same frames as native DuckDB tables
    for name, frame in (("indicator_values", values), ("measures", measures), ("min_change", min_change)):
        con.register("_frame", frame)
        con.execute(f"create table {name} as select * from _frame")
        con.unregister("_frame")
    sql_result = con.sql(SCORECARD_CORE_SQL).df()
    pandas_result = scorecard_core_pandas(values, measures, min_change)
    pd.testing.assert_frame_equal(
        comparable_frame(sql_result), comparable_frame(pandas_result), check_exact=False
    )
    sql_times = [timed(lambda: con.sql(SCORECARD_CORE_SQL).df()) for _ in range(repeats)]
    pandas_times = [
        timed(lambda: scorecard_core_pandas(values, measures, min_change)) for _ in range(repeats)
    ]
    con.close()
    sql_s, pandas_s = median(sql_times), median(pandas_times)
    return [
        Figure(
            f"8. scorecard core, {len(values):,} national values → {len(sql_result):,} series (same result)",
            f"DuckDB {sql_s * 1000:.0f} ms, pandas {pandas_s * 1000:.0f} ms: "
            f"pandas/DuckDB {pandas_s / sql_s:.1f}×",
            repeats,
        ),
        Figure(
            "8. reports.scorecard_indicator.sql itself on the national warehouse",
            f"{median(model_times) * 1000:.0f} ms",
            repeats,
        ),
    ]
