-- THL Sotkanet indicator values in the long-form contract (docs/architecture.md); the
-- Sotkanet ids (indicator_id, region_id) stay in raw, the figures join the other sources here.
-- grain: measure_id, region_code, region_level, period, group_type, group_value
select  -- noqa: LT09
    measure_id, 'sotkanet' as source,
    region_code, region_level, year, period, group_type, group_value,
    value, abs_value, sample_size, is_demo, fetched_at
from raw.sotkanet_values
