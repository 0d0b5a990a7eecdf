-- Statistics Finland (StatFin) table cells mapped to catalog measures, in the long-form
-- contract; table and content codes stay in raw for tracing.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender
-- like-shaped by design: every value staging model lists the same long-form contract columns
-- (docs/architecture.md, "Long-form source rows"), so each source's mapping reads on its own
select  -- noqa: LT09
    measure_id, 'statfin' as source,
    region_code, region_level, year, period, group_type, group_value,
    case when group_type = 'gender' then group_value else 'total' end as gender,
    value, abs_value, sample_size, is_demo, fetched_at
from raw.statfin_values
