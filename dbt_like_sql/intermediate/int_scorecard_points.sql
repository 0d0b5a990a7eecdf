-- The comparison points of every measure and population group of the municipality in meta.settings:
-- the latest value, the comparable point before it, the plan's baseline and the point the latest is
-- judged against, each with its own period, is_demo flag, sample size and count. Rules in
-- data/scorecard/README.md ("Which values are compared").
--   baseline: the pinned row of data/scorecard/baselines.csv (catalog.scorecard_baselines) for the
--     measure and group (for a monthly series the row of the latest value's calendar month); without
--     one, the newest comparable point from 2025 or before ('derived', which can still move).
--   comparison: the baseline when the latest is newer than it (plan progress); otherwise the
--     previous comparable point (the pre-plan trend, shown but not a verdict on the plan).
--   maakunta fallback (intermediate.int_maakunta_fallback): a measure the municipality has no value
--     for at all, whose catalog row sets fallback_region_level = 'maakunta', takes its maakunta's
--     series instead (figure_region_level says whose figure it is; a pinned baseline, being the
--     municipality's, is not used for it).
-- grain: measure_id, group_type, group_value
-- unique: measure_id, group_type, group_value
-- not_null: measure_id, group_type, group_value, latest_value, latest_period, figure_region_level
-- accepted_values: comparison_kind = baseline, previous
-- accepted_values: baseline_origin = pinned_plan, pinned_data, derived
-- accepted_values: figure_region_level = kunta, maakunta
with settings as (
    select
        municipality_code,
        year(cast(as_of_date as date)) as as_of_year,
        2025 as baseline_year  -- the plan period 2026-2029 starts from the situation in 2025
    from meta.settings
    -- meta.settings holds one row; the order only makes the pick deterministic if it ever held more
    order by municipality_code
    limit 1
),

own_series as (
    select series.*
    from marts.measure_series as series
    inner join settings
        on
            series.region_level = 'kunta'
            and series.region_code = settings.municipality_code
),

fallback_series as (
    -- the maakunta's series of a measure the catalog lets fall back and the municipality lacks entirely
    -- (like-shaped by design: reports.peer_comparison joins int_group_values to the same rule)
    select series.*
    from marts.measure_series as series
    inner join intermediate.int_maakunta_fallback as fallback
        on
            series.measure_id = fallback.measure_id
            and series.region_level = 'maakunta'
            and series.region_code = fallback.maakunta_code
),

series_in_scope as (
    select * from own_series
    union all
    select * from fallback_series
),

home_series as (
    select
        series.*,
        -- the count behind a value: abs_value for a rate or share, the value itself for a count
        coalesce(series.abs_value, case when trim(series.unit) = 'count' then series.value end) as event_count
    from series_in_scope as series
),

latest as (
    select * from home_series
    where rank_from_latest = 1
),

comparable as (
    -- all of an annual series, but only the latest value's calendar month of a monthly one (seasonal)
    select
        home_series.*,
        row_number() over (
            partition by home_series.measure_id, home_series.group_type, home_series.group_value
            order by home_series.period desc
        ) as comparable_rank
    from home_series
    inner join latest
        on
            home_series.measure_id = latest.measure_id
            and home_series.group_type = latest.group_type
            and home_series.group_value = latest.group_value
            and home_series.period_month is not distinct from latest.period_month
),

previous as (
    select * from comparable
    where comparable_rank = 2
),

baseline_candidates as (
    -- a pinned row of data/scorecard/baselines.csv first; else the newest comparable point up to 2025
    select
        pinned.measure_id,
        pinned.group_type,
        pinned.group_value,
        pinned.period,
        pinned.value,
        pinned.is_demo,
        pinned.sample_size,
        coalesce(pinned.abs_value, case when trim(measures.unit) = 'count' then pinned.value end)
            as event_count,
        'pinned_' || pinned.origin as origin,
        1 as preference
    from catalog.scorecard_baselines as pinned
    inner join catalog.measures as measures
        on pinned.measure_id = measures.measure_id
    inner join latest
        on
            pinned.measure_id = latest.measure_id
            and pinned.group_type = latest.group_type
            and pinned.group_value = latest.group_value
            -- a pinned baseline is the municipality's figure: never the point a maakunta figure meets
            and latest.region_level = 'kunta'
            -- a monthly series is compared with the baseline of the same calendar month
            and (
                length(pinned.period) = 4
                or cast(right(pinned.period, 2) as integer) is not distinct from latest.period_month
            )
    union all
    select
        comparable.measure_id,
        comparable.group_type,
        comparable.group_value,
        comparable.period,
        comparable.value,
        comparable.is_demo,
        comparable.sample_size,
        comparable.event_count,
        'derived' as origin,
        2 as preference
    from comparable
    cross join settings
    where comparable.year <= settings.baseline_year
),

baseline as (
    select * from baseline_candidates
    qualify row_number() over (
        partition by measure_id, group_type, group_value
        order by preference asc, period desc
    ) = 1
),

comparison_candidates as (
    -- the baseline when the latest is newer than it (plan progress), else the previous comparable
    -- point (the pre-plan trend)
    select
        baseline.measure_id,
        baseline.group_type,
        baseline.group_value,
        baseline.period,
        baseline.value,
        baseline.is_demo,
        baseline.sample_size,
        baseline.event_count,
        'baseline' as kind,
        1 as preference
    from baseline
    inner join latest
        on
            baseline.measure_id = latest.measure_id
            and baseline.group_type = latest.group_type
            and baseline.group_value = latest.group_value
    where baseline.period < latest.period
    union all
    select
        measure_id,
        group_type,
        group_value,
        period,
        value,
        is_demo,
        sample_size,
        event_count,
        'previous' as kind,
        2 as preference
    from previous
),

comparison as (
    select * from comparison_candidates
    qualify row_number() over (partition by measure_id, group_type, group_value order by preference) = 1
),

trend as (
    -- slope per year over the last five comparable points (NULL with fewer than two)
    select
        measure_id,
        group_type,
        group_value,
        regr_slope(value, time_years) as trend_slope,
        count(*) as trend_points
    from comparable
    where comparable_rank <= 5
    group by measure_id, group_type, group_value
)

select
    latest.measure_id,
    latest.group_type,
    latest.group_value,
    -- whose figures these are: 'kunta' (the municipality's own) or 'maakunta' (the fallback)
    latest.region_level as figure_region_level,
    latest.region_code as figure_region_code,
    trim(measures.unit) as unit,
    measures.source,
    measures.polarity,
    settings.as_of_year,
    settings.baseline_year,
    latest.value as latest_value,
    latest.period as latest_period,
    latest.year as latest_year,
    latest.is_demo as latest_is_demo,
    latest.sample_size as latest_sample_size,
    latest.event_count as latest_count,
    latest.source as latest_source,
    previous.value as previous_value,
    previous.period as previous_period,
    baseline.value as baseline_value,
    baseline.period as baseline_period,
    baseline.is_demo as baseline_is_demo,
    baseline.origin as baseline_origin,
    comparison.kind as comparison_kind,
    comparison.value as comparison_value,
    comparison.period as comparison_period,
    comparison.is_demo as comparison_is_demo,
    comparison.sample_size as comparison_sample_size,
    comparison.event_count as comparison_count,
    trend.trend_slope,
    coalesce(trend.trend_points, 0) as trend_points
-- The joins spell out the grain (measure_id, group_type, group_value): that key list recurs
-- wherever two models of the grain meet; sqlfluff (ST07) asks for `on` keys rather than `using`.
from latest
cross join settings
inner join catalog.measures as measures
    on latest.measure_id = measures.measure_id
left join previous
    on
        latest.measure_id = previous.measure_id
        and latest.group_type = previous.group_type
        and latest.group_value = previous.group_value
left join baseline
    on
        latest.measure_id = baseline.measure_id
        and latest.group_type = baseline.group_type
        and latest.group_value = baseline.group_value
left join comparison
    on
        latest.measure_id = comparison.measure_id
        and latest.group_type = comparison.group_type
        and latest.group_value = comparison.group_value
left join trend
    on
        latest.measure_id = trend.measure_id
        and latest.group_type = trend.group_type
        and latest.group_value = trend.group_value
