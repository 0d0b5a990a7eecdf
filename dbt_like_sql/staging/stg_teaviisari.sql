-- TEAviisari health-promotion activity scores (0-100, one group per sector) in the long-form
-- contract; sector scores that are no catalog measure are dropped in intermediate.
-- grain: measure_id, region_code, region_level, period, group_type, group_value, gender
-- like-shaped by design: every value staging model lists the same long-form contract columns
-- (docs/architecture.md, "Long-form source rows"), so each source's mapping reads on its own
select  -- noqa: LT09
    measure_id, 'teaviisari' as source,
    region_code, region_level, year, period, group_type, group_value,
    case when group_type = 'gender' then group_value else 'total' end as gender,
    value, abs_value, sample_size, is_demo, fetched_at
from raw.teaviisari_values
