-- The comparison points of every measure and population group of the municipality in meta.settings:
-- the latest value, the comparable point before it, the plan's baseline and the point the latest is
-- judged against, each with its own period, is_demo flag, sample size and count. Rules in
-- data/scorecard/README.md ("Which values are compared").
--   baseline: the pinned row of data/scorecard/baselines.csv (catalog.scorecard_baselines) for the
--     measure and group (for a monthly series the row of the latest value's calendar month); without
--     one, the newest comparable point from 2025 or before ('derived', which can still move).
--   comparison: the baseline when the latest is newer than it (plan progress); otherwise the
--     previous comparable point (the pre-plan trend, shown but not a verdict on the plan).
-- grain: measure_id, group_type, group_value
-- unique: measure_id, group_type, group_value
-- not_null: measure_id, group_type, group_value, latest_value, latest_period
-- accepted_values: comparison_kind = baseline, previous
-- accepted_values: baseline_origin = pinned_plan, pinned_data, derived
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

home_series as (
    select
        series.*,
        -- the count behind a value: abs_value for a rate or share, the value itself for a count
        coalesce(series.abs_value, case when trim(series.unit) = 'count' then series.value end) as event_count
    from marts.measure_series as series
    inner join settings
        on
            series.region_level = 'kunta'
            and series.region_code = settings.municipality_code
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

derived_baseline as (
    select comparable.*
    from comparable
    cross join settings
    where comparable.year <= settings.baseline_year
    qualify row_number() over (
        partition by comparable.measure_id, comparable.group_type, comparable.group_value
        order by comparable.period desc
    ) = 1
),

pinned_baseline as (
    select
        pinned.measure_id,
        pinned.group_type,
        pinned.group_value,
        pinned.period,
        pinned.value,
        pinned.sample_size,
        coalesce(pinned.abs_value, case when trim(measures.unit) = 'count' then pinned.value end)
            as event_count,
        pinned.is_demo,
        pinned.origin
    from catalog.scorecard_baselines as pinned
    inner join catalog.measures as measures
        on pinned.measure_id = measures.measure_id
    inner join latest
        on
            pinned.measure_id = latest.measure_id
            and pinned.group_type = latest.group_type
            and pinned.group_value = latest.group_value
            -- a monthly series is compared with the baseline of the same calendar month
            and (
                length(pinned.period) = 4
                or cast(right(pinned.period, 2) as integer) is not distinct from latest.period_month
            )
    qualify row_number() over (
        partition by pinned.measure_id, pinned.group_type, pinned.group_value
        order by pinned.period desc
    ) = 1
),

baseline as (
    select
        latest.measure_id,
        latest.group_type,
        latest.group_value,
        coalesce(pinned_baseline.period, derived_baseline.period) as period,
        coalesce(pinned_baseline.value, derived_baseline.value) as value,
        case
            when pinned_baseline.measure_id is not null then pinned_baseline.is_demo else
                derived_baseline.is_demo
        end
            as is_demo,
        case
            when pinned_baseline.measure_id is not null then pinned_baseline.sample_size
            else derived_baseline.sample_size
        end as sample_size,
        case
            when pinned_baseline.measure_id is not null then pinned_baseline.event_count
            else derived_baseline.event_count
        end as event_count,
        case
            when pinned_baseline.measure_id is not null then 'pinned_' || pinned_baseline.origin
            when derived_baseline.measure_id is not null then 'derived'
        end as origin
    from latest
    left join pinned_baseline
        on
            latest.measure_id = pinned_baseline.measure_id
            and latest.group_type = pinned_baseline.group_type
            and latest.group_value = pinned_baseline.group_value
    left join derived_baseline
        on
            latest.measure_id = derived_baseline.measure_id
            and latest.group_type = derived_baseline.group_type
            and latest.group_value = derived_baseline.group_value
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
),

joined as (
    select
        latest.measure_id,
        latest.group_type,
        latest.group_value,
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
        previous.is_demo as previous_is_demo,
        previous.sample_size as previous_sample_size,
        previous.event_count as previous_count,
        baseline.value as baseline_value,
        baseline.period as baseline_period,
        baseline.is_demo as baseline_is_demo,
        baseline.sample_size as baseline_sample_size,
        baseline.event_count as baseline_count,
        baseline.origin as baseline_origin,
        case
            when baseline.period < latest.period then 'baseline'
            when previous.period is not null then 'previous'
        end as comparison_kind,
        trend.trend_slope,
        coalesce(trend.trend_points, 0) as trend_points
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
    left join trend
        on
            latest.measure_id = trend.measure_id
            and latest.group_type = trend.group_type
            and latest.group_value = trend.group_value
)

select
    joined.*,
    case joined.comparison_kind
        when 'baseline' then joined.baseline_value when 'previous' then joined.previous_value
    end
        as comparison_value,
    case joined.comparison_kind
        when 'baseline' then joined.baseline_period when 'previous' then joined.previous_period
    end
        as comparison_period,
    case joined.comparison_kind
        when 'baseline' then joined.baseline_is_demo when 'previous' then joined.previous_is_demo
    end
        as comparison_is_demo,
    case joined.comparison_kind
        when 'baseline' then joined.baseline_sample_size when 'previous' then joined.previous_sample_size
    end
        as comparison_sample_size,
    case joined.comparison_kind
        when 'baseline' then joined.baseline_count when 'previous' then joined.previous_count
    end
        as comparison_count
from joined
