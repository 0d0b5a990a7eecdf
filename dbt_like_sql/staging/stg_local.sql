-- Counts delivered by the city's own services (spreadsheets) in the long-form contract;
-- source_file/source_row stay in raw for tracing, the figures join the other sources here.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender
-- like-shaped by design: every value staging model lists the same long-form contract columns
-- (docs/architecture.md, "Long-form source rows"), so each source's mapping reads on its own
select  -- noqa: LT09
    measure_id, 'local' as source,
    region_code, region_level, year, period, group_type, group_value,
    case when group_type = 'gender' then group_value else 'total' end as gender,
    value, abs_value, sample_size, is_demo, fetched_at
from raw.local_counts
