-- THL Sotkanet indicator values in the long-form contract (docs/architecture.md); the
-- Sotkanet ids (indicator_id, region_id) stay in raw, the figures join the other sources here.
-- Men and women are their own group (group_type 'gender') and keep `gender` beside it. Rows of the
-- hyte-kerroin outcome ids without a plan measure line (pin_source 'hyte', measure_id = the hyte
-- indicator id) stay in raw.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender
-- like-shaped by design: every value staging model lists the same long-form contract columns
-- (docs/architecture.md, "Long-form source rows"), so each source's mapping reads on its own
select  -- noqa: LT09
    measure_id, 'sotkanet' as source,
    region_code, region_level, year, period, group_type, group_value,
    coalesce(gender, 'total') as gender,
    value, abs_value, sample_size, is_demo, fetched_at
from raw.sotkanet_values
where pin_source is distinct from 'hyte'
