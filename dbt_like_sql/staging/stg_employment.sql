-- Monthly employment statistics (period 'YYYY-MM') in the long-form contract; months are kept
-- as they are so that the scorecard can compare a month with the same month a year earlier.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender
-- like-shaped by design: every value staging model lists the same long-form contract columns
-- (docs/architecture.md, "Long-form source rows"), so each source's mapping reads on its own
select  -- noqa: LT09
    measure_id, 'employment' as source,
    region_code, region_level, year, period, group_type, group_value,
    case when group_type = 'gender' then group_value else 'total' end as gender,
    value, abs_value, sample_size, is_demo, fetched_at
from raw.employment_values
