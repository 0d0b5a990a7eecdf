-- Each measure's observed (not suppressed) values as a time series per region and group, numbered
-- from the latest, so that reports pick latest, previous and trend points with joins, not subqueries.
-- A gender split beside another group (a school level's girls and boys) stays in
-- marts.indicator_values, so the scorecards keep one row per measure and group; men and women as
-- the group itself (group_type 'gender', as the scorecards already show them) are series here.
-- grain: measure_id, region_code, region_level, group_type, group_value, period
-- unique: measure_id, region_code, region_level, group_type, group_value, period
select
    measure_id,
    region_code,
    region_level,
    group_type,
    group_value,
    year,
    -- 'YYYY' or 'YYYY-MM': the string orders the series (a monthly series is all 'YYYY-MM')
    period,
    case when length(period) = 7 then cast(right(period, 2) as integer) end as period_month,
    -- time in years for slopes: a month is 1/12 of a year
    year + case when length(period) = 7 then (cast(right(period, 2) as integer) - 1) / 12.0 else 0 end
        as time_years,
    value,
    abs_value,
    sample_size,
    unit,
    is_demo,
    source,
    row_number() over series_latest_first as rank_from_latest,
    count(*) over series as points_in_series
from marts.indicator_values
where
    value is not null
    and (gender = 'total' or group_type = 'gender')
window
    series as (partition by measure_id, region_code, region_level, group_type, group_value),
    series_latest_first as (
        partition by measure_id, region_code, region_level, group_type, group_value
        order by period desc
    )
